"""Date formats of our own on top of Django's per language (`FORMAT_MODULE_PATH`): only what
differs from Django's is set here, the rest falls through to Django's locale formats."""
