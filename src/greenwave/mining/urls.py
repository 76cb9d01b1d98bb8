from django.urls import path

from . import views

app_name = "mining"

urlpatterns = [
    path("", views.process_map, name="map"),
    path("panels/<str:panel>/", views.map_panel, name="map_panel"),
    path("variants/", views.variants, name="variants"),
    path("conformance/", views.conformance, name="conformance"),
]
