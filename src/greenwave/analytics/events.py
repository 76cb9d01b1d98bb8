"""Event-log activity names written by the analytics app."""

SEGMENT_SAVED = "segment_saved"
SEGMENT_DELETED = "segment_deleted"
PRODUCT_COST_SET = "product_cost_set"
NPS_SURVEY_CREATED = "nps_survey_created"
NPS_ANSWERED = "nps_answered"
NPS_RECORDED = "nps_recorded"
NPS_SURVEY_SENT = "nps_survey_sent"
