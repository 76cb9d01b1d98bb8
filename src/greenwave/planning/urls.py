from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "planning"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="planning:my_day"), name="home"),
    path("my-day/", views.my_day, name="my_day"),
    path("my-day/items/", views.my_day_add, name="my_day_add"),
    path("my-day/items/<int:pk>/remove/", views.my_day_remove, name="my_day_remove"),
    path("my-day/close/", views.my_day_close, name="my_day_close"),
    path("team/", views.team_board, name="team_board"),
    path("days/", views.history, name="history"),
    path("days/<int:pk>/", views.day_detail, name="day_detail"),
]
