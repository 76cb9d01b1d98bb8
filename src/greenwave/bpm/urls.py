from django.urls import URLPattern, URLResolver

app_name = "bpm"

urlpatterns: list[URLPattern | URLResolver] = []
