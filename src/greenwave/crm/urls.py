from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "crm"

urlpatterns = [
    # Companies live under companies/ so that the Contacts menu item is not also "inside" them.
    path("", RedirectView.as_view(pattern_name="crm:company_list"), name="home"),
    path("companies/", views.company_list, name="company_list"),
    path("companies/new/", views.company_create, name="company_create"),
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
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
]
