from django.urls import path, re_path

from . import protocol, views

app_name = "scim"
urlpatterns = [
    path("settings/directory/", views.directory_settings, name="settings"),
    path("settings/directory/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("settings/directory/held/", views.held_decide, name="held_decide"),
    # SCIM 2.0 (RFC 7644), with or without a trailing slash.
    re_path(r"^scim/v2/\.search$", protocol.root_search),
    re_path(r"^scim/v2/Users/\.search$", protocol.users_search),
    re_path(r"^scim/v2/Groups/\.search$", protocol.groups_search),
    re_path(r"^scim/v2/Users/?$", protocol.users, name="users"),
    re_path(r"^scim/v2/Users/(?P<pk>[^/]+)/?$", protocol.user, name="user"),
    re_path(r"^scim/v2/Groups/?$", protocol.groups, name="groups"),
    re_path(r"^scim/v2/Groups/(?P<pk>[^/]+)/?$", protocol.group, name="group"),
    re_path(
        r"^scim/v2/ServiceProviderConfig/?$",
        protocol.service_provider_config,
        name="service_provider_config",
    ),
    re_path(r"^scim/v2/ResourceTypes/?$", protocol.resource_types, name="resource_types"),
    re_path(r"^scim/v2/ResourceTypes/(?P<key>[^/]+)/?$", protocol.resource_types),
    re_path(r"^scim/v2/Schemas/?$", protocol.schemas, name="schemas"),
    re_path(r"^scim/v2/Schemas/(?P<key>[^/]+)/?$", protocol.schemas),
    re_path(r"^scim/v2/(?P<rest>.*)$", protocol.not_found),
]
