from django.urls import path
from django.views.generic import RedirectView

from greenwave.core.routes import entity_paths, view_paths

from . import views

app_name = "outreach"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="outreach:campaign_list"), name="home"),
    *entity_paths(views, "segment", "segments/", "list"),
    path("segments/new/", views.segment_edit, name="segment_create"),
    *entity_paths(views, "segment", "segments/", count="count/", edit="<int:pk>/"),
    *entity_paths(views, "campaign", "campaigns/", "list"),
    path("campaigns/new/", views.campaign_edit, name="campaign_create"),
    *entity_paths(
        views, "campaign", "campaigns/", "detail", "edit", "preview", "send", "pause", "bounce"
    ),
    # Public: what the links in a letter open (signed tokens, no sign-in).
    *view_paths(views, unsubscribe="unsubscribe/<str:token>"),
    path("o/<str:token>", views.track_open, name="open"),
    path("c/<str:token>", views.track_click, name="click"),
]
