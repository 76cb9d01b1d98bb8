"""Event-log activity names written by the sales app."""

LEAD_CREATED = "lead_created"
LEAD_CHANGED = "lead_changed"
LEAD_QUALIFIED = "lead_qualified"
LEAD_DISQUALIFIED = "lead_disqualified"
LEAD_CONVERTED = "lead_converted"
LEAD_REASSIGNED = "lead_reassigned"
DEAL_CREATED = "deal_created"
DEAL_CHANGED = "deal_changed"
DEAL_STAGE_CHANGED = "deal_stage_changed"
DEAL_WON = "deal_won"
DEAL_LOST = "deal_lost"
DEAL_REOPENED = "deal_reopened"
DEAL_REASSIGNED = "deal_reassigned"
DEAL_APPROVED = "deal_approved"
DEAL_DOCUMENT_ATTACHED = "deal_document_attached"
CLIENT_HANDED_OFF = "client_handed_off"
DEAL_HANDED_TO_CLOSER = "deal_handed_to_closer"
PIPELINE_CHANGED = "pipeline_changed"

# Activity names other apps write that a stage gate may require (the activities app emits
# them with the deal among the event's objects).
GATE_ACTIVITIES = ("call_completed", "meeting_completed", "task_completed", "email_sent")
DEAL_DISCOUNT_CHOSEN = "deal_discount_chosen"
