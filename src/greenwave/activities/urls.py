from django.urls import path

from greenwave.core.routes import entity_paths

from . import views

app_name = "activities"

urlpatterns = [
    *entity_paths(
        views, "activity", "", "list", "create", "detail", "complete", "reschedule", "cancel"
    ),
    path("<int:pk>/checklist/<int:index>/", views.checklist_toggle, name="checklist_toggle"),
    path("timeline/<str:object_type>/<int:object_id>/", views.timeline, name="timeline"),
    path(
        "timeline/<str:object_type>/<int:object_id>/call/",
        views.timeline_log_call,
        name="timeline_call",
    ),
    path("planner/", views.planner, name="planner"),
    *entity_paths(
        views, "planner", "planner/", plan="plan/", rebalance="rebalance/", capacity="capacity/"
    ),
    path("reminders/", views.reminders_badge, name="reminders"),
    path("reminders/dismiss/", views.reminders_dismiss, name="reminders_dismiss"),
]
