from django.urls import path

from greenwave.core.routes import entity_paths, view_paths

from . import views

app_name = "sales"

urlpatterns = [
    path("", views.board, name="board"),
    *entity_paths(views, "deal", "deals/", "list", "create", "detail", "move"),
    *view_paths(views, company_deals="clients/<int:company_pk>/deals/"),
    *entity_paths(views, "deal", "deals/", action="<int:pk>/<slug:action>/"),
    *view_paths(views, lead_import_sample="leads/import/sample/"),
    *entity_paths(
        views,
        "lead",
        "leads/",
        "list",
        "create",
        "import",
        "detail",
        "edit",
        action="<int:pk>/<slug:action>/",
    ),
    *entity_paths(
        views,
        "pipeline",
        "settings/pipelines/",
        settings="",
        create="new/",
        action="<int:pk>/<slug:action>/",
    ),
    path("settings/pipelines/<int:pipeline_pk>/stages/new/", views.stage_edit, name="stage_create"),
    *entity_paths(views, "stage", "settings/pipelines/<int:pipeline_pk>/stages/", edit="<int:pk>/"),
    *view_paths(views, web_form="form/"),
    path("funnel/", views.funnel_page, name="funnel"),
    *view_paths(views, abandoned="abandoned/"),
]
