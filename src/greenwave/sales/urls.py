from django.urls import path

from greenwave.core.routes import entity_paths

from . import views

app_name = "sales"

urlpatterns = [
    path("", views.board, name="board"),
    *entity_paths(views, "deal", "deals/", "list", "create", "detail", "move"),
    path("clients/<int:company_pk>/deals/", views.company_deals, name="company_deals"),
    path("deals/<int:pk>/<slug:action>/", views.deal_action, name="deal_action"),
    *entity_paths(views, "lead", "leads/", "list", "create", "import", "detail"),
    path("leads/<int:pk>/<slug:action>/", views.lead_action, name="lead_action"),
    path("settings/pipelines/", views.pipeline_settings, name="pipeline_settings"),
    path("settings/pipelines/new/", views.pipeline_create, name="pipeline_create"),
    path(
        "settings/pipelines/<int:pk>/<slug:action>/",
        views.pipeline_action,
        name="pipeline_action",
    ),
    path("settings/pipelines/<int:pipeline_pk>/stages/new/", views.stage_edit, name="stage_create"),
    path(
        "settings/pipelines/<int:pipeline_pk>/stages/<int:pk>/", views.stage_edit, name="stage_edit"
    ),
    path("form/", views.web_form, name="web_form"),
    path("funnel/", views.funnel_page, name="funnel"),
    path("abandoned/", views.abandoned, name="abandoned"),
]
