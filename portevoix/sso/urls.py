from django.urls import path

from . import views

app_name = "sso"
urlpatterns = [
    path("settings/sso/", views.provider_settings, name="settings"),
    path("settings/sso/<int:pk>/delete/", views.provider_delete, name="delete"),
    path("sso/start/", views.start, name="start"),
    path("sso/callback/", views.callback, name="callback"),
]
