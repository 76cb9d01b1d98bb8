from django.urls import path
from django.views.generic import RedirectView

from greenwave.core.routes import entity_paths

from . import views

app_name = "crm"

urlpatterns = [
    # Companies live under companies/ so that the Contacts menu item is not also "inside" them.
    path("", RedirectView.as_view(pattern_name="crm:company_list"), name="home"),
    *entity_paths(
        views,
        "company",
        "companies/",
        *("list", "create", "export", "deleted", "delete", "restore"),
        *("detail", "edit", "reassign", "merge"),
    ),
    *entity_paths(
        views, "import", "import/", "detail", "progress", start="", sample="sample/<slug:kind>/"
    ),
    path(
        "companies/<int:pk>/decision-makers/new/",
        views.decision_maker_add,
        name="decision_maker_add",
    ),
    *entity_paths(views, "decision_maker", "decision-makers/", "remove", edit="<int:pk>/"),
    path("companies/<int:pk>/profile/", views.company_profile_edit, name="company_profile"),
    path(
        "companies/<int:pk>/competitors/add/",
        views.company_competitor_link,
        name="company_competitor_link",
    ),
    path(
        "companies/<int:pk>/competitors/<int:competitor_pk>/remove/",
        views.company_competitor_unlink,
        name="company_competitor_unlink",
    ),
    *entity_paths(views, "competitor", "competitors/", "list", "create", "detail", "edit"),
    *entity_paths(views, "product", "products/", "list", "create", edit="<int:pk>/"),
    path("products/groups/new/", views.product_group_create, name="product_group_create"),
    *entity_paths(views, "price_list", "price-lists/", "list", "create", "detail", "edit"),
    path("settings/custom-fields/", views.custom_field_settings, name="custom_field_settings"),
    *entity_paths(views, "custom_field", "settings/custom-fields/", "delete"),
    *entity_paths(
        views,
        "contact",
        "contacts/",
        *("list", "create", "export", "deleted", "delete", "restore", "detail", "edit"),
    ),
]
