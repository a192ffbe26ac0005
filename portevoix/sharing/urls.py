from django.urls import path

from . import views

app_name = "sharing"
urlpatterns = [
    path("share/check-copy/", views.share_check, name="check"),
    path("share/<int:item_id>/<str:network>/", views.share, name="share"),
    path("share/<int:item_id>/<str:network>/copy/", views.share_copy, name="copy"),
    path("me/shares/", views.my_shares, name="my_shares"),
    path("me/shares/<int:pk>/confirm/", views.share_confirm, name="confirm"),
    path("shares/", views.org_shares, name="org_shares"),
    path("shares/<int:pk>/remove/", views.share_remove, name="remove"),
    path("settings/tracking/", views.tracking_settings, name="tracking"),
    path("settings/tracking/key/", views.tracking_key, name="tracking_key"),
    path("c/pixel.gif", views.pixel, name="pixel"),
    path("l/<str:code>", views.short_link, name="short_link"),
]
