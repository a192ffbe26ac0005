"""Demo webhooks: an endpoint for the local receiver of `scripts/peers/webhooks.sh run`
(http://127.0.0.1:8790/portevoix), subscribed to every event. Its signing secret is written
to `var/demo-webhook-secret` (readable by its owner only) for the receiver to verify the
signatures. The endpoint starts turned off, so the demo never piles up failed deliveries:
turn it on under Settings → Webhooks once the receiver runs, or press "Send a test event".
Skipped when 127.0.0.1 is not an allowed private host (SOCIAL_ALLOWED_PRIVATE_HOSTS; `make run`
allows it). Written through the webhooks services."""

from __future__ import annotations

import logging
import os

from django.conf import settings

from portevoix.accounts.models import Membership, Organization
from portevoix.core.errors import DomainError
from portevoix.core.tenancy import scoped
from portevoix.webhooks import services as webhook_services

logger = logging.getLogger("portevoix.demo")

ADMIN = "admin@demo.portevoix.org"
RECEIVER_URL = "http://127.0.0.1:8790/portevoix"  # scripts/peers/webhooks.sh run
SECRET_FILE = "demo-webhook-secret"  # noqa: S105 - a file name


def load(org: Organization) -> None:
    admin = scoped(Membership, org).filter(user__email=ADMIN).first()
    if admin is None:
        return
    try:
        _endpoint, secret = webhook_services.endpoint_create(
            actor=admin,
            data=webhook_services.EndpointData(
                url=RECEIVER_URL,
                event_types=list(webhook_services.EVENT_TYPES),
                description="Demo: bash scripts/peers/webhooks.sh run",
                enabled=False,
            ),
        )
    except DomainError as exc:
        logger.info("demo webhooks skipped: %s", exc.field_errors or exc.message)
        return
    path = settings.VAR_DIR / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secret + "\n")
