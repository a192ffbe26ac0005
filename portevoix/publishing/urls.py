from django.urls import path

from . import views

app_name = "publishing"
urlpatterns = [
    path("me/accounts/", views.accounts, name="accounts"),
    path("me/accounts/connect/<str:network>/", views.connect, name="connect"),
    path("me/accounts/callback/<str:network>/", views.callback, name="callback"),
    path("me/accounts/bluesky/", views.connect_bluesky, name="connect_bluesky"),
    path("me/accounts/<int:pk>/disconnect/", views.disconnect, name="disconnect"),
    path("me/accounts/<int:pk>/kind/", views.connection_kind, name="connection_kind"),
    path("me/accounts/delegate/", views.delegate, name="delegate"),
    path("me/accounts/delegate/<int:pk>/revoke/", views.undelegate, name="undelegate"),
    path("share/<int:item_id>/<str:network>/publish/", views.publish, name="publish"),
    path("me/posts/card/<int:item_id>/", views.card_publish, name="card_publish"),
    path("me/posts/card/<int:item_id>/all/", views.card_publish_all, name="card_publish_all"),
    path("me/posts/", views.posts, name="posts"),
    path("me/posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("me/posts/<int:pk>/cancel/", views.post_cancel, name="post_cancel"),
    path("me/posts/<int:pk>/approve/", views.post_approve, name="post_approve"),
    path("me/posts/<int:pk>/decline/", views.post_decline, name="post_decline"),
    path("me/posts/<int:pk>/retry/", views.post_retry, name="post_retry"),
    path("me/best-time/", views.best_time, name="best_time"),
    path("me/time-zone/", views.time_zone, name="time_zone"),
    path("publishing/pause/", views.pause, name="pause"),
    path("publishing/pause/<int:pk>/end/", views.pause_end, name="pause_end"),
    path("publishing/pause/<int:pk>/held/", views.held_decide, name="held_decide"),
    path("publishing/cadence/", views.cadence, name="cadence"),
    path("publishing/apps/", views.apps, name="apps"),
]
