"""Event-log activity names written by the activities app.

The *_completed / email_sent names are read by other apps (sales stage gates, abandoned
clients, KPI actuals): they are stable API, never rename them.
"""

ACTIVITY_PLANNED = "activity_planned"
CALL_COMPLETED = "call_completed"
MEETING_COMPLETED = "meeting_completed"
TASK_COMPLETED = "task_completed"
EMAIL_SENT = "email_sent"
NOTE_ADDED = "note_added"
ACTIVITY_RESCHEDULED = "activity_rescheduled"
ACTIVITY_CANCELLED = "activity_cancelled"
ACTIVITY_REASSIGNED = "activity_reassigned"
CALLS_PLANNED = "calls_planned"
