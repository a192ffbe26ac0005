from django.urls import path, re_path

from . import views

app_name = "planning"
urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/items/<int:pk>/move/", views.item_move, name="move"),
    path("calendar/feed/", views.feed_create, name="feed_create"),
    path("calendar/feed/revoke/", views.feed_revoke, name="feed_revoke"),
    re_path(r"^calendar/ical/(?P<token>[A-Za-z0-9_-]{1,100})\.ics$", views.ical_feed, name="ical"),
]
