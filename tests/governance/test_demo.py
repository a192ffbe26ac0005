"""The governance demo data (`portevoix.demo.extra_governance.load`) on a fresh organization
built like the demo one: a real charter in two versions, rules, acknowledgements (not the
demo ambassador's for version 2), moderation cases and their audit entries."""


# ruff: noqa: RUF001

from __future__ import annotations

import pytest

from portevoix.accounts.roles import Role
from portevoix.demo import data, extra_governance
from portevoix.governance import gates, selectors
from portevoix.governance.models import (
    AuditEntry,
    CaseSource,
    CaseStatus,
    CharterAcknowledgement,
    CharterStatus,
    CharterVersion,
    GuardrailRule,
    ModerationCase,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_org(db):
    org = factories.make_org("Lumen Énergie")
    factories.make_member(
        org, Role.COMMUNITY_MANAGER, email="community@lumen.test", ambassador=True
    )
    editor = factories.make_member(org, Role.CONTENT_MANAGER, email="contenu@lumen.test")
    approver = factories.make_member(org, Role.APPROVER, email="approbation@lumen.test")
    factories.make_member(org, email=data.AMBASSADOR, ambassador=True)
    for n in range(5):
        factories.make_member(org, email=f"amb{n}@lumen.test", ambassador=True)
    factories.make_live_item(editor, approver, title="LumenStock arrive")
    factories.make_live_item(editor, approver, title="Nous recrutons à Lyon")
    return org


def test_load(demo_org):
    extra_governance.load(demo_org)
    versions = list(CharterVersion.objects.filter(organization=demo_org).order_by("number"))
    assert [(v.number, v.status) for v in versions] == [
        (1, CharterStatus.PUBLISHED),
        (2, CharterStatus.PUBLISHED),
    ]
    v1, v2 = versions
    assert v1.published_at is not None and v2.published_at is not None
    assert v1.published_at < v2.published_at
    assert "#collaborateur" in v2.summary_of_changes
    for body in (v2.body_fr, v2.body_en):
        assert "#collaborateur" in body and "#employee" in body
    assert "volontariat" in v2.body_fr.lower() and "voluntary" in v2.body_en.lower()
    assert "crise" in v2.body_fr and "crisis" in v2.body_en
    assert selectors.current_charter(demo_org) == v2

    # The demo ambassador accepted version 1 only: the gate shows.
    manon = demo_org_member(demo_org, data.AMBASSADOR)
    assert CharterAcknowledgement.objects.filter(membership=manon, version=v1).exists()
    assert not CharterAcknowledgement.objects.filter(membership=manon, version=v2).exists()
    assert [b.code for b in gates.sharing_blockers(manon)] == ["charter"]
    # Some others accepted version 2, not all.
    v2_acks = CharterAcknowledgement.objects.filter(version=v2).count()
    v1_acks = CharterAcknowledgement.objects.filter(version=v1).count()
    assert 0 < v2_acks < v1_acks

    kinds = set(GuardrailRule.objects.filter(organization=demo_org).values_list("kind", flat=True))
    assert kinds == {"blocked_term", "avoid_word", "competitor", "link_domain", "disclosure"}
    blocked = gates.guardrails_check(
        organization=demo_org,
        text="Le projet Orion et notre chiffre d’affaires prévisionnel",
        network="linkedin",
    )
    assert [m.term for m in blocked.matches if m.action == "block"] == [
        "Projet Orion",
        "chiffre d'affaires prévisionnel",
    ]
    fine = gates.guardrails_check(
        organization=demo_org,
        text="Découvrez LumenStock : https://lumen-energie.example.com/lumenstock",
        network="linkedin",
    )
    assert fine.matches == () and fine.text.endswith(" #collaborateur")

    cases = ModerationCase.objects.filter(organization=demo_org)
    assert {(c.source, c.status) for c in cases} == {
        (CaseSource.WARNING, CaseStatus.OPEN),
        (CaseSource.WARNING, CaseStatus.REJECTED),
        (CaseSource.REPORT, CaseStatus.OPEN),
    }
    actions = set(AuditEntry.objects.filter(organization=demo_org).values_list("action", flat=True))
    assert {"charter.publish", "guardrail.create", "moderation.reject"} <= actions


def test_load_twice_changes_nothing(demo_org):
    extra_governance.load(demo_org)
    counts = (CharterVersion.objects.count(), AuditEntry.objects.count())
    extra_governance.load(demo_org)
    assert (CharterVersion.objects.count(), AuditEntry.objects.count()) == counts


def test_the_demo_sends_no_email(demo_org, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        extra_governance.load(demo_org)
    assert mailoutbox == []


def demo_org_member(org, email):
    from portevoix.accounts.models import Membership

    return Membership.objects.get(organization=org, user__email=email)
