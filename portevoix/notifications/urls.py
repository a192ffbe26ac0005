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

# Slack and Teams (chat/views.py) and email signatures (signature_views.py).
from . import signature_views  # noqa: E402
from .chat import views as chat_views  # noqa: E402

urlpatterns += [
    path("notifications/chat/", chat_views.chat, name="chat"),
    path("notifications/chat/slack/", chat_views.chat_slack_app, name="chat_slack"),
    path("notifications/chat/<int:pk>/", chat_views.chat_edit, name="chat_edit"),
    path("notifications/chat/<int:pk>/test/", chat_views.chat_test, name="chat_test"),
    path("notifications/chat/<int:pk>/enable/", chat_views.chat_enable, name="chat_enable"),
    path("notifications/chat/<int:pk>/delete/", chat_views.chat_delete, name="chat_delete"),
    path(
        "hooks/slack/interactivity/<slug:slug>/",
        chat_views.slack_interactivity,
        name="slack_interactivity",
    ),
    path("me/signature/", signature_views.signature, name="signature"),
    path("settings/signature/", signature_views.signature_settings, name="signature_settings"),
]

# Email to ambassadors (notifications/mail): appended, so other additions do not collide.
from .mail import views as mail_views  # noqa: E402

urlpatterns += [
    path("notifications/digest/preview/", mail_views.preview, name="digest_preview"),
    path("notifications/settings/email/", mail_views.email_settings, name="email_settings"),
    path("notifications/email/deliveries/", mail_views.deliveries, name="email_deliveries"),
    path("notifications/policy/digest/", mail_views.digest_schedule, name="digest_schedule"),
    path("u/<str:token>/", mail_views.unsubscribe, name="unsubscribe_email"),
    path("m/s/<int:organization_id>/<str:token>", mail_views.share_link, name="mail_share"),
    path("m/g/<int:organization_id>/<str:token>", mail_views.go_link, name="mail_go"),
    path("hooks/email/bounce", mail_views.bounce_hook, name="email_bounce_hook"),
]
