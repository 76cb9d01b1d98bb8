from django.urls import path

from . import views

app_name = "sales"

urlpatterns = [
    path("", views.board, name="board"),
    path("deals/", views.deal_list, name="deal_list"),
    path("deals/new/", views.deal_create, name="deal_create"),
    path("clients/<int:company_pk>/deals/", views.company_deals, name="company_deals"),
    path("deals/<int:pk>/", views.deal_detail, name="deal_detail"),
    path("deals/<int:pk>/move/", views.deal_move, name="deal_move"),
    path("deals/<int:pk>/<slug:action>/", views.deal_action, name="deal_action"),
    path("leads/", views.lead_list, name="lead_list"),
    path("leads/new/", views.lead_create, name="lead_create"),
    path("leads/import/", views.lead_import, name="lead_import"),
    path("leads/<int:pk>/", views.lead_detail, name="lead_detail"),
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
