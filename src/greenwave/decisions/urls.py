from django.urls import path

from . import views

app_name = "decisions"

urlpatterns = [
    path("", views.decision_list, name="decision_list"),
    path("new/", views.decision_editor, name="decision_new"),
    path("new/blank.dmn", views.decision_blank_xml, name="decision_blank_xml"),
    path("upload/", views.decision_upload, name="decision_upload"),
    path("save/", views.decision_save, name="decision_save"),
    path("<str:key>/", views.decision_detail, name="decision_detail"),
    path("<str:key>/edit/", views.decision_editor, name="decision_edit"),
    path("<str:key>/xml/", views.decision_xml, name="decision_xml"),
    path("<str:key>/test/", views.decision_test, name="decision_test"),
    path("<str:key>/versions/<int:version>/deploy/", views.decision_deploy, name="decision_deploy"),
]
