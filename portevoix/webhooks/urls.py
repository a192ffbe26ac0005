from django.urls import path

from . import views

app_name = "webhooks"
urlpatterns = [
    path("settings/webhooks/", views.endpoints, name="endpoints"),
    path("settings/webhooks/<int:pk>/", views.endpoint_detail, name="endpoint"),
    path("settings/webhooks/<int:pk>/rotate/", views.endpoint_rotate, name="rotate"),
    path("settings/webhooks/<int:pk>/test/", views.endpoint_test, name="test"),
    path("settings/webhooks/<int:pk>/delete/", views.endpoint_delete, name="delete"),
]
