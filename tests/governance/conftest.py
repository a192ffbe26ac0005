"""Fixtures of the governance tests: a community manager, a published charter, rules."""

from __future__ import annotations

import pytest
from django.utils import translation

from portevoix.accounts.roles import Role
from portevoix.governance import services
from portevoix.governance.models import CharterVersion
from tests import factories
from tests.api.conftest import anonymous, api_as  # noqa: F401 - API fixtures, shared

CHARTER_FR = "## Charte\n\nLe partage est **volontaire**. Pas d'information confidentielle."
CHARTER_EN = "## Charter\n\nSharing is **voluntary**. No confidential information."


@pytest.fixture(autouse=True)
def _english():
    """Messages built outside a request are in English here, whatever an earlier test of
    the same worker left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def community(org):
    return factories.make_member(org, Role.COMMUNITY_MANAGER, email="community@acme.test")


def publish_charter(
    admin, *, body_fr: str = CHARTER_FR, body_en: str = CHARTER_EN, summary: str = ""
) -> CharterVersion:
    draft = services.charter_draft_create(actor=admin, body_fr=body_fr, body_en=body_en)
    return services.charter_publish(actor=admin, version=draft, summary_of_changes=summary)


@pytest.fixture
def charter(admin):
    return publish_charter(admin)


def make_rule(actor, kind: str, action: str = "block", **fields):
    return services.rule_create(
        actor=actor, data=services.RuleData(kind=kind, action=action, **fields)
    )


@pytest.fixture
def rules(community):
    """The usual set: a blocked project name, words to avoid, a competitor, allowed link
    domains and a disclosure."""
    return {
        "blocked": make_rule(
            community,
            "blocked_term",
            "block",
            terms=["Projet Orion", "chiffre d'affaires prévisionnel"],
            reason="Confidential project.",
        ),
        "avoid": make_rule(community, "avoid_word", "warn", terms=["low cost", "pas cher"]),
        "competitor": make_rule(community, "competitor", "warn", terms=["VoltaVerde"]),
        "links": make_rule(
            community, "link_domain", "warn", allowed_domains=["lumen-energie.example.com"]
        ),
        "disclosure": make_rule(
            community,
            "disclosure",
            "warn",
            disclosures={"linkedin": "#collaborateur", "*": "#employee"},
        ),
    }
