from django.urls import path

from greenwave.core.routes import entity_paths

from . import exchange, views

app_name = "integrations"

urlpatterns = [
    *entity_paths(
        views, "webhook", "webhooks/", "list", "create", "detail", "edit", "test", "delete"
    ),
    path("1c/", views.onec, name="onec"),
    path("1c/exchange", exchange.onec_exchange, name="onec_exchange"),
    path("1c/pictures/<int:pk>", views.product_picture, name="product_picture"),
]
