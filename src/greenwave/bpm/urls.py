from django.urls import path
from django.views.generic import RedirectView

from greenwave.core.routes import entity_paths

from . import views

app_name = "bpm"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="bpm:inbox"), name="home"),
    path("inbox/", views.inbox, name="inbox"),
    path("team/", views.team_tasks, name="team_tasks"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/<str:action>/", views.task_action, name="task_action"),
    *entity_paths(views, "definition", "definitions/", "list", upload="upload/", add="add/"),
    path("definitions/library/", views.library_install, name="library_install"),
    path("definitions/new/", views.definition_modeler, name="definition_new"),
    path("definitions/blank.bpmn", views.blank_diagram, name="blank_diagram"),
    path("definitions/<int:pk>/edit/", views.definition_modeler, name="definition_edit"),
    *entity_paths(views, "definition", "definitions/", "detail", "xml", "deploy"),
    path("definitions/<int:pk>/start/", views.instance_start, name="instance_start"),
    path("definitions/<int:pk>/migrate/", views.definition_migrate, name="definition_migrate"),
    *entity_paths(views, "instance", "instances/", "list", "detail", "cancel", "migrate"),
    path("incidents/<int:pk>/retry/", views.incident_retry, name="incident_retry"),
    path("holdups/", views.holdups, name="holdups"),
    path("files/<int:pk>/", views.process_file, name="process_file"),
    path("notifications/", views.notification_list, name="notifications"),
]
