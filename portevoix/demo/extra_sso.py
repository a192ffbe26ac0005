"""Demo single sign-on: the demo organization logs in through the local OpenID Connect
provider of `scripts/peers/oidc.sh run` (http://127.0.0.1:9090, client `portevoix`), for the
addresses of example.com (its accounts ada@example.com and grace@example.com). Not required:
the demo accounts keep their passwords. Skipped when 127.0.0.1 is not an allowed private host
(SOCIAL_ALLOWED_PRIVATE_HOSTS; `make run` allows it). Written through the sso services."""

from __future__ import annotations

import logging

from portevoix.accounts.models import Membership, Organization
from portevoix.core.errors import DomainError
from portevoix.core.tenancy import scoped
from portevoix.sso import services as sso_services

logger = logging.getLogger("portevoix.demo")

ADMIN = "admin@demo.portevoix.org"
ISSUER = "http://127.0.0.1:9090"  # scripts/peers/oidc.sh run (OIDC_PEER_PORT)
CLIENT_ID, CLIENT_SECRET = "portevoix", "portevoix-secret"  # tests/peers/oidc/start.mjs


def load(org: Organization) -> None:
    admin = scoped(Membership, org).filter(user__email=ADMIN).first()
    if admin is None:
        return
    try:
        sso_services.provider_save(
            actor=admin,
            data=sso_services.ProviderData(
                issuer=ISSUER,
                client_id=CLIENT_ID,
                client_secret=CLIENT_SECRET,
                domains=["example.com"],
                claim_name="name",
                claim_title="job_title",
                claim_groups="groups",
            ),
        )
    except DomainError as exc:
        logger.info("demo single sign-on skipped: %s", exc.field_errors or exc.message)
