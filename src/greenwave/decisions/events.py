"""Event-log activity names written by the decisions app (case: the decision key)."""

DECISION_SAVED = "decision_saved"
DECISION_DEPLOYED = "decision_deployed"
