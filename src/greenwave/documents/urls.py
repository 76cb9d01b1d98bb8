from django.urls import path

from greenwave.core.routes import entity_paths

from . import views

app_name = "documents"

urlpatterns = [
    *entity_paths(views, "legal_entity", "legal-entities/", "list", "create", edit="<int:pk>/"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/upload/", views.template_upload, name="template_upload"),
    path("templates/builtin/<slug:kind>/", views.template_builtin, name="template_builtin"),
    path("templates/<int:pk>/", views.template_detail, name="template_detail"),
    *entity_paths(views, "invoice", "invoices/", "list", "detail", "edit"),
    path("invoices/<int:pk>/<slug:action>/", views.invoice_action, name="invoice_action"),
    path("deals/<int:deal_pk>/", views.deal_documents, name="deal_documents"),
    path("deals/<int:deal_pk>/generate/", views.deal_generate, name="deal_generate"),
    path("deals/<int:deal_pk>/invoice/", views.deal_invoice, name="deal_invoice"),
    *entity_paths(
        views,
        "document",
        "",
        *("detail", "download", "approval", "send", "pdf"),
        preview="<int:pk>/preview.pdf",
    ),
    path("clients/<int:company_pk>/bank/", views.company_bank, name="company_bank"),
    path("clients/<int:company_pk>/bank/edit/", views.company_bank_edit, name="company_bank_edit"),
]
