from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/<int:pk>/read/", views.mark_read, name="read"),
    path("notifications/read-all/", views.mark_all_read, name="read_all"),
    path("notifications/settings/", views.preferences, name="settings"),
    path("notifications/policy/", views.policy, name="policy"),
    path("notifications/push/subscribe/", views.subscribe, name="subscribe"),
    path("notifications/push/unsubscribe/", views.unsubscribe, name="unsubscribe"),
]

# Email to ambassadors (notifications/mail): appended, so other additions do not collide.
from .mail import views as mail_views  # noqa: E402

urlpatterns += [
    path("notifications/digest/preview/", mail_views.preview, name="digest_preview"),
    path("notifications/settings/email/", mail_views.email_settings, name="email_settings"),
    path("notifications/email/deliveries/", mail_views.deliveries, name="email_deliveries"),
    path("u/<str:token>/", mail_views.unsubscribe, name="unsubscribe_email"),
    path("m/s/<int:organization_id>/<str:token>", mail_views.share_link, name="mail_share"),
    path("m/g/<int:organization_id>/<str:token>", mail_views.go_link, name="mail_go"),
    path("hooks/email/bounce", mail_views.bounce_hook, name="email_bounce_hook"),
]
