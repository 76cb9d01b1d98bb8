from django.urls import path

from . import exchange, views

app_name = "integrations"

urlpatterns = [
    path("webhooks/", views.webhook_list, name="webhook_list"),
    path("webhooks/new/", views.webhook_create, name="webhook_create"),
    path("webhooks/<int:pk>/", views.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:pk>/edit/", views.webhook_edit, name="webhook_edit"),
    path("webhooks/<int:pk>/test/", views.webhook_test, name="webhook_test"),
    path("1c/", views.onec, name="onec"),
    path("1c/exchange", exchange.onec_exchange, name="onec_exchange"),
    path("1c/pictures/<int:pk>", views.product_picture, name="product_picture"),
]
