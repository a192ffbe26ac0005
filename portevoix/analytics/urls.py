from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("analytics/", views.dashboard, name="dashboard"),
    path("analytics/me/", views.me, name="me"),
    path("analytics/export/<slug:table>.csv", views.export, name="export"),
    path("analytics/me/export/<slug:table>.csv", views.me_export, name="me_export"),
]
