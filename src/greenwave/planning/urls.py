from django.urls import path
from django.views.generic import RedirectView

from greenwave.core.routes import entity_paths, view_paths

from . import views

app_name = "planning"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="planning:my_day"), name="home"),
    *view_paths(
        views,
        my_day="my-day/",
        my_day_add="my-day/items/",
        my_day_remove="my-day/items/<int:pk>/remove/",
        my_day_close="my-day/close/",
        team_board="team/",
        history="days/",
        day_detail="days/<int:pk>/",
        my_plan="plan/",
        team_plan="plan/team/",
        department_plan="plan/department/",
    ),
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
    *view_paths(
        views,
        commissions="plan/commissions/",
        commissions_export="plan/commissions/export/",
        kpi_invoice="invoices/<int:pk>/events/",
    ),
]
