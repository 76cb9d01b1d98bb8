from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "orders"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="orders:payment_list"), name="home"),
    path("payments/", views.payment_list, name="payment_list"),
    path("payments/new/", views.payment_create, name="payment_create"),
    path("payments/<int:pk>/refund/", views.payment_refund, name="payment_refund"),
    path("payments/import/", views.statement_import, name="statement_import"),
    path("receivables/", views.receivables, name="receivables"),
    path("receivables/invoices/", views.receivable_invoices, name="receivable_invoices"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("supplier-orders/", views.supplier_order_list, name="supplier_order_list"),
    path("supplier-orders/new/", views.supplier_order_create, name="supplier_order_create"),
    path("supplier-orders/<int:pk>/", views.supplier_order_detail, name="supplier_order_detail"),
    path("supplier-orders/<int:pk>/edit/", views.supplier_order_edit, name="supplier_order_edit"),
]
