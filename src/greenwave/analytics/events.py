"""Event-log activity names written by the analytics app."""

SEGMENT_SAVED = "segment_saved"
SEGMENT_DELETED = "segment_deleted"
PRODUCT_COST_SET = "product_cost_set"
