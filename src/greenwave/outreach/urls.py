from django.urls import path
from django.views.generic import RedirectView

from greenwave.core.routes import entity_paths

from . import views

app_name = "outreach"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="outreach:campaign_list"), name="home"),
    path("segments/", views.segment_list, name="segment_list"),
    path("segments/new/", views.segment_edit, name="segment_create"),
    path("segments/count/", views.segment_count, name="segment_count"),
    path("segments/<int:pk>/", views.segment_edit, name="segment_edit"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_edit, name="campaign_create"),
    *entity_paths(
        views, "campaign", "campaigns/", "detail", "edit", "preview", "send", "pause", "bounce"
    ),
    # Public: what the links in a letter open (signed tokens, no sign-in).
    path("unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
    path("o/<str:token>", views.track_open, name="open"),
    path("c/<str:token>", views.track_click, name="click"),
]
