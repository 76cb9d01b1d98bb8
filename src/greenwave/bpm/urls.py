from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "bpm"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="bpm:inbox"), name="home"),
    path("inbox/", views.inbox, name="inbox"),
    path("team/", views.team_tasks, name="team_tasks"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/<str:action>/", views.task_action, name="task_action"),
    path("definitions/", views.definition_list, name="definition_list"),
    path("definitions/upload/", views.definition_upload, name="definition_upload"),
    path("definitions/add/", views.definition_add, name="definition_add"),
    path("definitions/library/", views.library_install, name="library_install"),
    path("definitions/new/", views.definition_modeler, name="definition_new"),
    path("definitions/blank.bpmn", views.blank_diagram, name="blank_diagram"),
    path("definitions/<int:pk>/", views.definition_detail, name="definition_detail"),
    path("definitions/<int:pk>/edit/", views.definition_modeler, name="definition_edit"),
    path("definitions/<int:pk>/xml/", views.definition_xml, name="definition_xml"),
    path("definitions/<int:pk>/deploy/", views.definition_deploy, name="definition_deploy"),
    path("definitions/<int:pk>/start/", views.instance_start, name="instance_start"),
    path("definitions/<int:pk>/migrate/", views.definition_migrate, name="definition_migrate"),
    path("instances/", views.instance_list, name="instance_list"),
    path("instances/<int:pk>/", views.instance_detail, name="instance_detail"),
    path("instances/<int:pk>/cancel/", views.instance_cancel, name="instance_cancel"),
    path("instances/<int:pk>/migrate/", views.instance_migrate, name="instance_migrate"),
    path("incidents/<int:pk>/retry/", views.incident_retry, name="incident_retry"),
    path("holdups/", views.holdups, name="holdups"),
    path("files/<int:pk>/", views.process_file, name="process_file"),
    path("notifications/", views.notification_list, name="notifications"),
]
