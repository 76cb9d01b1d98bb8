"""Error codes of the accounts app."""

from greenwave.core.errors import ErrorCode, conflict_codes


class AccountsError(ErrorCode):
    UNKNOWN_ROLE = "accounts.unknown_role"
    UNKNOWN_TEAM = "accounts.unknown_team"
    USERNAME_TAKEN = "accounts.username_taken"
    TEAM_NAME_TAKEN = "accounts.team_name_taken"
    TEAM_CYCLE = "accounts.team_cycle"
    WEAK_PASSWORD = "accounts.weak_password"
    INVALID_TIME_ZONE = "accounts.invalid_time_zone"
    TOKEN_NOT_FOUND = "accounts.token_not_found"


# Refusals by a record's current state: 409 Conflict (see `core.errors.conflict_codes`) — a
# login or team name another row already holds, as `crm.duplicate` is for a client.
STATE_CONFLICTS = conflict_codes(AccountsError.USERNAME_TAKEN, AccountsError.TEAM_NAME_TAKEN)
