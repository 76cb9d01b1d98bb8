"""Russian: a short day and month ("7 дек") for narrow headers such as the planner's days."""

MONTH_DAY_FORMAT = "j b"
