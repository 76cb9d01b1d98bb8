from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("sales/", views.sales_page, name="sales"),
    path("sales/deals/", views.figure_deals_page, name="figure_deals"),
    path("portfolio/", views.portfolio_page, name="portfolio"),
    path("segments/", views.segments_page, name="segments"),
    path("segments/saved/<int:pk>/", views.saved_segment_page, name="saved_segment"),
    path("competitors/", views.competitors_page, name="competitors"),
    path("competitors/<int:pk>/lost/", views.competitor_deals_page, name="competitor_deals"),
    path("costs/", views.costs_page, name="costs"),
    path("nps/", views.nps_page, name="nps"),
    path("nps/answer/<str:token>/", views.nps_answer_page, name="nps_answer"),
    path("funnel/", views.funnel_overview_page, name="funnel"),
]
