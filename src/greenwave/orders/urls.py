from django.urls import path
from django.views.generic import RedirectView

from greenwave.core.routes import entity_paths, view_paths

from . import views

app_name = "orders"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="orders:payment_list"), name="home"),
    *entity_paths(views, "payment", "payments/", "list", "create", "refund"),
    path("payments/import/", views.statement_import, name="statement_import"),
    *view_paths(views, receivables="receivables/", receivable_invoices="receivables/invoices/"),
    *entity_paths(views, "order", "orders/", "list", "detail"),
    *entity_paths(views, "claim", "claims/", "list", "detail"),
    *entity_paths(views, "supplier_order", "supplier-orders/", "list", "create", "detail", "edit"),
]
