from django.urls import path

from . import views

app_name = "mining"

urlpatterns = [
    path("", views.process_map, name="map"),
    path("variants/", views.variants, name="variants"),
    path("conformance/", views.conformance, name="conformance"),
]
