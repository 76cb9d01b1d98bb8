from django.urls import path

from greenwave.core.routes import entity_paths, view_paths

from . import views

app_name = "decisions"

urlpatterns = [
    *entity_paths(views, "decision", "", "list"),
    path("new/", views.decision_editor, name="decision_new"),
    *view_paths(
        views,
        decision_blank_xml="new/blank.dmn",
        decision_upload="upload/",
        decision_save="save/",
        decision_detail="<str:key>/",
    ),
    path("<str:key>/edit/", views.decision_editor, name="decision_edit"),
    *view_paths(
        views,
        decision_xml="<str:key>/xml/",
        decision_test="<str:key>/test/",
        decision_deploy="<str:key>/versions/<int:version>/deploy/",
    ),
]
