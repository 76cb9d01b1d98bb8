from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "crm"

urlpatterns = [
    # Companies live under companies/ so that the Contacts menu item is not also "inside" them.
    path("", RedirectView.as_view(pattern_name="crm:company_list"), name="home"),
    path("companies/", views.company_list, name="company_list"),
    path("companies/new/", views.company_create, name="company_create"),
    path("companies/export/", views.company_export, name="company_export"),
    path("companies/deleted/", views.company_deleted, name="company_deleted"),
    path("companies/<int:pk>/delete/", views.company_delete, name="company_delete"),
    path("companies/<int:pk>/restore/", views.company_restore, name="company_restore"),
    path("import/", views.import_start, name="import_start"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("companies/<int:pk>/", views.company_detail, name="company_detail"),
    path("companies/<int:pk>/edit/", views.company_edit, name="company_edit"),
    path("companies/<int:pk>/reassign/", views.company_reassign, name="company_reassign"),
    path(
        "companies/<int:pk>/decision-makers/new/",
        views.decision_maker_add,
        name="decision_maker_add",
    ),
    path("decision-makers/<int:pk>/", views.decision_maker_edit, name="decision_maker_edit"),
    path(
        "decision-makers/<int:pk>/remove/",
        views.decision_maker_remove,
        name="decision_maker_remove",
    ),
    path("companies/<int:pk>/merge/", views.company_merge, name="company_merge"),
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
    path("competitors/", views.competitor_list, name="competitor_list"),
    path("competitors/new/", views.competitor_create, name="competitor_create"),
    path("competitors/<int:pk>/", views.competitor_detail, name="competitor_detail"),
    path("competitors/<int:pk>/edit/", views.competitor_edit, name="competitor_edit"),
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/<int:pk>/", views.product_edit, name="product_edit"),
    path("products/groups/new/", views.product_group_create, name="product_group_create"),
    path("price-lists/", views.price_list_list, name="price_list_list"),
    path("price-lists/new/", views.price_list_create, name="price_list_create"),
    path("price-lists/<int:pk>/", views.price_list_detail, name="price_list_detail"),
    path("price-lists/<int:pk>/edit/", views.price_list_edit, name="price_list_edit"),
    path("settings/custom-fields/", views.custom_field_settings, name="custom_field_settings"),
    path(
        "settings/custom-fields/<int:pk>/delete/",
        views.custom_field_delete,
        name="custom_field_delete",
    ),
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/export/", views.contact_export, name="contact_export"),
    path("contacts/deleted/", views.contact_deleted, name="contact_deleted"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="contact_delete"),
    path("contacts/<int:pk>/restore/", views.contact_restore, name="contact_restore"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
]
