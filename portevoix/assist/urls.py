from django.urls import path

from . import views

app_name = "assist"
urlpatterns = [
    path("settings/drafting/", views.settings_page, name="settings"),
    path("library/<int:item_id>/drafting/", views.draft, name="draft"),
    path("library/<int:item_id>/drafting/add/", views.draft_add, name="add"),
]
