from django.urls import path
from django.views.generic import RedirectView

from greenwave.core.routes import entity_paths

from . import views

app_name = "planning"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="planning:my_day"), name="home"),
    path("my-day/", views.my_day, name="my_day"),
    path("my-day/items/", views.my_day_add, name="my_day_add"),
    path("my-day/items/<int:pk>/remove/", views.my_day_remove, name="my_day_remove"),
    path("my-day/close/", views.my_day_close, name="my_day_close"),
    path("team/", views.team_board, name="team_board"),
    path("days/", views.history, name="history"),
    path("days/<int:pk>/", views.day_detail, name="day_detail"),
    path("plan/", views.my_plan, name="my_plan"),
    path("plan/team/", views.team_plan, name="team_plan"),
    path("plan/department/", views.department_plan, name="department_plan"),
    *entity_paths(views, "plan", "plan/", "import", entry="entry/", copy="copy/", split="split/"),
    path("plan/facts/", views.kpi_facts, name="kpi_facts"),
    *entity_paths(
        views,
        "kpi",
        "kpis/",
        "list",
        "create",
        edit="<slug:key>/edit/",
        toggle="<slug:key>/toggle/",
    ),
    path("settings/", views.planning_settings, name="settings"),
    *entity_paths(views, "scheme", "settings/schemes/", "create", "activate", edit="<int:pk>/"),
    *entity_paths(views, "split", "settings/assistants/", "create", edit="<int:pk>/"),
    path("plan/commissions/", views.commissions, name="commissions"),
    path("plan/commissions/export/", views.commissions_export, name="commissions_export"),
    path("invoices/<int:pk>/events/", views.kpi_invoice, name="kpi_invoice"),
]
