"""CommerceML 2."""

MAX_FILE_BYTES = 50 * 1024 * 1024
