from django.urls import path

from . import organization_views, views

app_name = "privacy"
urlpatterns = [
    path("me/data/", views.my_data, name="my_data"),
    path("me/data/archive/", views.archive_request, name="archive_request"),
    path("me/data/archive/<uuid:pk>/", views.archive_download, name="archive_download"),
    path("me/data/erase/", views.erase_own, name="erase_own"),
    path("settings/privacy/erasure/", views.erasure_settings, name="erasure"),
    path("settings/privacy/erasure/<int:pk>/", views.erase_member, name="erase_member"),
    path("settings/privacy/register/", views.processing_register, name="register"),
    path("settings/privacy/register.csv", views.processing_register_csv, name="register_csv"),
]

urlpatterns += [
    path(
        "settings/organization/data/",
        organization_views.organization_data,
        name="organization_data",
    ),
    path(
        "settings/organization/data/export/",
        organization_views.organization_export_request,
        name="organization_export_request",
    ),
    path(
        "settings/organization/data/export/<uuid:pk>/",
        organization_views.organization_export_download,
        name="organization_export_download",
    ),
    path(
        "settings/organization/data/delete/",
        organization_views.organization_delete,
        name="organization_delete",
    ),
]
