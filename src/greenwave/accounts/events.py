"""Event-log activity names written by the accounts app."""

USER_CREATED = "user_created"
USER_CHANGED = "user_changed"
TEAM_CREATED = "team_created"
TEAM_CHANGED = "team_changed"
TOKEN_ISSUED = "token_issued"
TOKEN_REVOKED = "token_revoked"
ROLE_CHANGED = "role_changed"
