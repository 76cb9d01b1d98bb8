from django.urls import path
from django.views.generic import RedirectView

from greenwave.core.routes import entity_paths, view_paths

from . import views

app_name = "bpm"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="bpm:inbox"), name="home"),
    *view_paths(views, inbox="inbox/", team_tasks="team/"),
    *entity_paths(views, "task", "tasks/", "detail", action="<int:pk>/<str:action>/"),
    *entity_paths(views, "definition", "definitions/", "list", upload="upload/", add="add/"),
    *view_paths(views, library_install="definitions/library/"),
    path("definitions/new/", views.definition_modeler, name="definition_new"),
    *view_paths(views, blank_diagram="definitions/blank.bpmn"),
    path("definitions/<int:pk>/edit/", views.definition_modeler, name="definition_edit"),
    *entity_paths(views, "definition", "definitions/", "detail", "xml", "deploy"),
    path("definitions/<int:pk>/start/", views.instance_start, name="instance_start"),
    *entity_paths(views, "definition", "definitions/", "migrate"),
    *entity_paths(views, "instance", "instances/", "list", "detail", "cancel", "migrate"),
    *entity_paths(views, "incident", "incidents/", "retry"),
    *view_paths(views, holdups="holdups/", process_file="files/<int:pk>/"),
    path("notifications/", views.notification_list, name="notifications"),
]
