from django.urls import path
from django.views.generic import RedirectView

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
    path("plan/entry/", views.plan_entry, name="plan_entry"),
    path("plan/import/", views.plan_import, name="plan_import"),
    path("plan/copy/", views.plan_copy, name="plan_copy"),
    path("plan/split/", views.plan_split, name="plan_split"),
    path("plan/facts/", views.kpi_facts, name="kpi_facts"),
    path("kpis/", views.kpi_list, name="kpi_list"),
    path("kpis/new/", views.kpi_create, name="kpi_create"),
    path("kpis/<slug:key>/edit/", views.kpi_edit, name="kpi_edit"),
    path("kpis/<slug:key>/toggle/", views.kpi_toggle, name="kpi_toggle"),
    path("settings/", views.planning_settings, name="settings"),
    path("settings/schemes/new/", views.scheme_create, name="scheme_create"),
    path("settings/schemes/<int:pk>/", views.scheme_edit, name="scheme_edit"),
    path("settings/schemes/<int:pk>/activate/", views.scheme_activate, name="scheme_activate"),
    path("settings/assistants/new/", views.split_create, name="split_create"),
    path("settings/assistants/<int:pk>/", views.split_edit, name="split_edit"),
    path("plan/commissions/", views.commissions, name="commissions"),
    path("plan/commissions/export/", views.commissions_export, name="commissions_export"),
    path("invoices/<int:pk>/events/", views.kpi_invoice, name="kpi_invoice"),
]
