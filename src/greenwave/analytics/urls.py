from django.urls import path

from greenwave.core.routes import view_paths

from . import views

app_name = "analytics"

urlpatterns = [
    *view_paths(
        views,
        view_suffix="_page",
        sales="sales/",
        figure_deals="sales/deals/",
        portfolio="portfolio/",
        segments="segments/",
        saved_segment="segments/saved/<int:pk>/",
        competitors="competitors/",
        competitor_deals="competitors/<int:pk>/lost/",
        costs="costs/",
        nps="nps/",
        nps_answer="nps/answer/<str:token>/",
    ),
    path("funnel/", views.funnel_overview_page, name="funnel"),
]
