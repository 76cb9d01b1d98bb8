from django.urls import path

from greenwave.core.routes import entity_paths, view_paths

from . import views

app_name = "activities"

urlpatterns = [
    *entity_paths(
        views, "activity", "", "list", "create", "detail", "complete", "reschedule", "cancel"
    ),
    *view_paths(
        views,
        checklist_toggle="<int:pk>/checklist/<int:index>/",
        timeline="timeline/<str:object_type>/<int:object_id>/",
    ),
    path(
        "timeline/<str:object_type>/<int:object_id>/call/",
        views.timeline_log_call,
        name="timeline_call",
    ),
    *view_paths(views, planner="planner/"),
    *entity_paths(
        views, "planner", "planner/", plan="plan/", rebalance="rebalance/", capacity="capacity/"
    ),
    path("reminders/", views.reminders_badge, name="reminders"),
    *view_paths(views, reminders_dismiss="reminders/dismiss/"),
]
