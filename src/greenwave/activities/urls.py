from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list, name="activity_list"),
    path("new/", views.activity_create, name="activity_create"),
    path("<int:pk>/", views.activity_detail, name="activity_detail"),
    path("<int:pk>/complete/", views.activity_complete, name="activity_complete"),
    path("<int:pk>/reschedule/", views.activity_reschedule, name="activity_reschedule"),
    path("<int:pk>/cancel/", views.activity_cancel, name="activity_cancel"),
    path("<int:pk>/checklist/<int:index>/", views.checklist_toggle, name="checklist_toggle"),
    path("timeline/<str:object_type>/<int:object_id>/", views.timeline, name="timeline"),
    path(
        "timeline/<str:object_type>/<int:object_id>/call/",
        views.timeline_log_call,
        name="timeline_call",
    ),
    path("planner/", views.planner, name="planner"),
    path("planner/plan/", views.planner_plan, name="planner_plan"),
    path("planner/rebalance/", views.planner_rebalance, name="planner_rebalance"),
    path("planner/capacity/", views.planner_capacity, name="planner_capacity"),
    path("reminders/", views.reminders_badge, name="reminders"),
    path("reminders/dismiss/", views.reminders_dismiss, name="reminders_dismiss"),
]
