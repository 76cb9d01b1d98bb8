"""English: a short day and month ("Dec 7") for narrow headers such as the planner's days."""

MONTH_DAY_FORMAT = "M j"
