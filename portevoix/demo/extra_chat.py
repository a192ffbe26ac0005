"""Demo Slack and Teams, and email signatures: a Slack channel that is turned off (its
webhook points at nothing real, so the demo never posts anywhere) and the demo
organization's social links and signature banner, leading to the latest live item of a
campaign. Written through the notifications services, as the admin."""

from __future__ import annotations

from django.conf import settings

from portevoix.accounts.models import Membership, Organization
from portevoix.content.models import ContentItem
from portevoix.content.selectors import live_q
from portevoix.core import clock
from portevoix.core.tenancy import scoped
from portevoix.notifications import signatures
from portevoix.notifications.chat import services as chat_services
from portevoix.notifications.models_chat import ChatConnection

ADMIN = "admin@demo.portevoix.org"
# A syntactically valid Slack webhook that leads nowhere; the channel is off anyway.
DEMO_WEBHOOK = "https://hooks.slack.com/services/T00000000/B00000000/demo-not-a-real-hook"


def load(org: Organization) -> None:
    admin = scoped(Membership, org).filter(user__email=ADMIN).first()
    if admin is None:
        return
    connection = chat_services.connection_create(
        actor=admin,
        data=chat_services.ConnectionData(
            kind="slack",
            name="#ambassadeurs (démo)",
            webhook_url=DEMO_WEBHOOK,
            events=["live", "important", "digest", "goal", "challenge"],
        ),
    )
    ChatConnection.objects.filter(pk=connection.pk).update(enabled=False)
    item = (
        scoped(ContentItem, org)
        .filter(live_q(clock.now()), campaign__isnull=False)
        .order_by("-publish_at", "-pk")
        .first()
    )
    signatures.signature_settings_update(
        actor=admin,
        data=signatures.SignatureData(
            urls={
                "website_url": "https://demo.portevoix.org",
                "linkedin_url": "https://www.linkedin.com/company/portevoix-demo",
                "x_url": "https://x.com/portevoix_demo",
                "facebook_url": "",
                "instagram_url": "",
                "youtube_url": "https://www.youtube.com/@portevoix-demo",
                "banner_image_url": (
                    f"{settings.SITE_URL}/static/notifications/signature-demo-banner.png"
                ),
            },
            banner_alt="Nous recrutons : rejoignez nos équipes d'ingénieurs",
            banner_item_id=item.pk if item is not None else None,
        ),
    )
