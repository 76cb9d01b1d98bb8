from django.urls import path

from greenwave.core.routes import view_paths

from . import views

app_name = "mining"

urlpatterns = [
    path("", views.process_map, name="map"),
    *view_paths(
        views, map_panel="panels/<str:panel>/", variants="variants/", conformance="conformance/"
    ),
]
