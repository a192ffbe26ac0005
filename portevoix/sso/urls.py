from django.urls import path

from . import views

app_name = "sso"
urlpatterns = [
    path("settings/sso/", views.provider_settings, name="settings"),
    path("settings/sso/<int:pk>/delete/", views.provider_delete, name="delete"),
    path("sso/start/", views.start, name="start"),
    path("sso/callback/", views.callback, name="callback"),
    path(
        "settings/sso/<int:pk>/saml-metadata.xml",
        views.saml_sp_metadata_download,
        name="saml_metadata_download",
    ),
    path("sso/saml/<slug:key>/metadata/", views.saml_metadata, name="saml_metadata"),
    path("sso/saml/<slug:key>/acs/", views.saml_acs, name="saml_acs"),
]
