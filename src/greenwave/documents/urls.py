from greenwave.core.routes import entity_paths

from . import views

app_name = "documents"

urlpatterns = [
    *entity_paths(views, "legal_entity", "legal-entities/", "list", "create", edit="<int:pk>/"),
    *entity_paths(
        views,
        "template",
        "templates/",
        "list",
        upload="upload/",
        builtin="builtin/<slug:kind>/",
        detail="<int:pk>/",
    ),
    *entity_paths(
        views, "invoice", "invoices/", "list", "detail", "edit", action="<int:pk>/<slug:action>/"
    ),
    *entity_paths(
        views,
        "deal",
        "deals/<int:deal_pk>/",
        documents="",
        generate="generate/",
        invoice="invoice/",
    ),
    *entity_paths(
        views,
        "document",
        "",
        *("detail", "download", "approval", "send", "pdf"),
        preview="<int:pk>/preview.pdf",
    ),
    *entity_paths(views, "company", "clients/<int:company_pk>/bank/", bank="", bank_edit="edit/"),
]
