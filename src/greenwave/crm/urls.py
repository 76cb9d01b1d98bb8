from django.urls import URLPattern, URLResolver

app_name = "crm"

urlpatterns: list[URLPattern | URLResolver] = []
