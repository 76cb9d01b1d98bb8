from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("legal-entities/", views.legal_entity_list, name="legal_entity_list"),
    path("legal-entities/new/", views.legal_entity_create, name="legal_entity_create"),
    path("legal-entities/<int:pk>/", views.legal_entity_edit, name="legal_entity_edit"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/upload/", views.template_upload, name="template_upload"),
    path("templates/builtin/<slug:kind>/", views.template_builtin, name="template_builtin"),
    path("templates/<int:pk>/", views.template_detail, name="template_detail"),
    path("invoices/", views.invoice_list, name="invoice_list"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/edit/", views.invoice_edit, name="invoice_edit"),
    path("invoices/<int:pk>/<slug:action>/", views.invoice_action, name="invoice_action"),
    path("deals/<int:deal_pk>/", views.deal_documents, name="deal_documents"),
    path("deals/<int:deal_pk>/generate/", views.deal_generate, name="deal_generate"),
    path("deals/<int:deal_pk>/invoice/", views.deal_invoice, name="deal_invoice"),
    path("<int:pk>/", views.document_detail, name="document_detail"),
    path("<int:pk>/download/", views.document_download, name="document_download"),
    path("<int:pk>/preview.pdf", views.document_preview, name="document_preview"),
    path("<int:pk>/approval/", views.document_approval, name="document_approval"),
    path("<int:pk>/send/", views.document_send, name="document_send"),
    path("<int:pk>/pdf/", views.document_pdf, name="document_pdf"),
    path("clients/<int:company_pk>/bank/", views.company_bank, name="company_bank"),
    path("clients/<int:company_pk>/bank/edit/", views.company_bank_edit, name="company_bank_edit"),
]
