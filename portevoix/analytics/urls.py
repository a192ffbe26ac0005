from django.urls import URLPattern, path  # noqa: F401

app_name = "analytics"
urlpatterns: list[URLPattern] = []
