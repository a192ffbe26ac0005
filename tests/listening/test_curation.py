"""Curation (decision 0029): a curated source's new entries become proposals, once each,
whether or not they match a monitor; a content manager makes one a third-party news draft
credited to its source (once, however often asked) or sets it aside; the pages are for whoever
may create content (member 403, outsider 404, GET 405); the 80/20 content mix of the
program's shares against its target; retention; French."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from portevoix.accounts.roles import Role
from portevoix.analytics import services as analytics_services
from portevoix.content.models import ContentItem, ContentType, State
from portevoix.core.errors import Conflict, PermissionDenied
from portevoix.governance.models import AuditEntry
from portevoix.listening import curation, selectors_curation, services, sources
from portevoix.listening.models import Feed, Proposal, ProposalStatus
from tests import factories
from tests.analytics import events

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _entry(n: int, *, when: dt.datetime | None = T0, url: str | None = None, language="en"):
    return sources.Entry(
        key=sources.entry_key("rss", f"guid-{n}"),
        url=f"https://trade.example.com/{n}" if url is None else url,
        text=f"Headline {n}\nWhat the sector says about logistics, story {n}.",
        author="Desk",
        published_at=when,
        language=language,
        title=f"Headline {n}",
    )


class StubSource:
    network = "rss"

    def __init__(self, entries):
        self.entries = entries

    def fetch(self, state):
        return sources.FetchResult(entries=list(self.entries))


@pytest.fixture
def fixed_clock(monkeypatch):
    now = {"value": T0 + dt.timedelta(hours=1)}
    for module in (services, curation):
        monkeypatch.setattr(module.clock, "now", lambda: now["value"])
    return now


@pytest.fixture
def curated(admin):
    return services.feed_create(
        actor=admin,
        data=services.FeedData(
            url="https://127.0.0.1/trade.xml", title="Trade Weekly", curate=True
        ),
    )


def _poll(feed, monkeypatch, entries):
    monkeypatch.setitem(services.SOURCES, "rss", StubSource(entries))
    services.feed_poll(Feed.objects.get(pk=feed.pk))


def test_a_curated_feed_proposes_its_new_entries_once(curated, monkeypatch, fixed_clock):
    entries = [_entry(n, when=T0 - dt.timedelta(minutes=n)) for n in range(30)]
    entries.append(_entry(99, url=""))  # no web link: nothing to credit, not proposed
    entries.append(_entry(98, when=T0 - dt.timedelta(days=200)))  # older than the retention
    _poll(curated, monkeypatch, entries)
    rows = list(Proposal.objects.order_by("-published_at"))
    assert len(rows) == curation.PROPOSALS_PER_POLL == 20
    assert [p.title for p in rows[:2]] == ["Headline 0", "Headline 1"]  # the newest first
    first = rows[0]
    assert (first.source_name, first.url, first.language) == (
        "Trade Weekly",
        "https://trade.example.com/0",
        "en",
    )
    assert first.summary == "What the sector says about logistics, story 0."
    assert first.status == ProposalStatus.PENDING and first.feed_id == curated.pk
    _poll(curated, monkeypatch, entries)  # seen again: nothing new
    assert Proposal.objects.count() == 20


def test_an_uncurated_feed_proposes_nothing(admin, monkeypatch, fixed_clock):
    feed = services.feed_create(
        actor=admin, data=services.FeedData(url="https://127.0.0.1/news.xml")
    )
    _poll(feed, monkeypatch, [_entry(1)])
    assert not Proposal.objects.exists()


def test_accepting_makes_one_credited_draft_and_is_audited(
    curated, manager, monkeypatch, fixed_clock
):
    _poll(curated, monkeypatch, [_entry(1, language=""), _entry(2, language="en")])
    untagged = Proposal.objects.get(title="Headline 1")
    item = curation.proposal_accept(actor=manager, proposal=untagged)
    assert (item.title, item.link, item.state) == (
        "Headline 1",
        "https://trade.example.com/1",
        State.DRAFT,
    )
    assert item.content_type == ContentType.INDUSTRY_NEWS
    assert item.language == manager.organization.default_language == "fr"  # no language given
    assert item.body.endswith("\n\nSource : Trade Weekly")  # in the draft's language
    assert curation.proposal_accept(actor=manager, proposal=untagged) == item  # once
    assert ContentItem.objects.filter(title="Headline 1").count() == 1
    untagged.refresh_from_db()
    assert (untagged.status, untagged.item, untagged.decided_by) == ("accepted", item, manager)
    audit = AuditEntry.objects.get(action="listening.proposal_accepted")
    assert audit.after == {"status": "accepted", "item": item.pk}
    english = curation.proposal_accept(
        actor=manager, proposal=Proposal.objects.get(title="Headline 2")
    )
    assert english.language == "en" and english.body.endswith("Source: Trade Weekly")
    with pytest.raises(Conflict):
        curation.proposal_dismiss(actor=manager, proposal=untagged)


def test_dismissing_is_idempotent_and_final(curated, manager, monkeypatch, fixed_clock):
    _poll(curated, monkeypatch, [_entry(1)])
    proposal = Proposal.objects.get()
    curation.proposal_dismiss(actor=manager, proposal=proposal)
    curation.proposal_dismiss(actor=manager, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DISMISSED
    assert AuditEntry.objects.filter(action="listening.proposal_dismissed").count() == 1
    with pytest.raises(Conflict):
        curation.proposal_accept(actor=manager, proposal=proposal)
    assert not ContentItem.objects.exists()


def test_only_those_who_create_content_curate(curated, member, monkeypatch, fixed_clock):
    _poll(curated, monkeypatch, [_entry(1)])
    proposal = Proposal.objects.get()
    with pytest.raises(PermissionDenied):
        curation.proposal_accept(actor=member, proposal=proposal)
    with pytest.raises(PermissionDenied):
        selectors_curation.proposals(membership=member)


def test_the_pages_roles_methods_and_organizations(
    curated, manager, member, outsider, monkeypatch, fixed_clock
):
    _poll(curated, monkeypatch, [_entry(1), _entry(2)])
    one, two = Proposal.objects.order_by("title")
    page = reverse("listening:curation")
    accept = reverse("listening:proposal_accept", args=[one.pk])
    dismiss = reverse("listening:proposal_dismiss", args=[two.pk])
    client = Client()
    client.force_login(member.user)
    assert client.get(page).status_code == 403
    assert client.post(accept).status_code == 403
    client.force_login(outsider.user)
    assert client.get(page).status_code == 200  # their own, empty
    assert "Headline 1" not in client.get(page).content.decode()
    assert client.post(accept).status_code == 404
    assert client.post(dismiss).status_code == 404
    client.force_login(manager.user)
    body = client.get(page).content.decode()
    assert "Headline 1" in body and "Trade Weekly" in body and 'rel="noopener' in body
    assert client.get(accept).status_code == 405
    response = client.post(accept)
    item = ContentItem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("content:item_edit", args=[item.pk])
    assert client.post(dismiss).status_code == 302
    assert Proposal.objects.get(pk=two.pk).status == "dismissed"
    assert client.post(accept).status_code == 302  # again: the same draft
    assert ContentItem.objects.count() == 1
    accepted = client.get(page + "?status=accepted").content.decode()
    assert reverse("content:item", args=[item.pk]) in accepted
    detail = client.get(reverse("content:item", args=[item.pk])).content.decode()
    assert "Curated from Trade Weekly" in detail  # where it came from, on the item's page
    assert Proposal.objects.filter(organization=outsider.organization).count() == 0


def test_the_navigation_counts_the_waiting_proposals(curated, manager, monkeypatch, fixed_clock):
    _poll(curated, monkeypatch, [_entry(1), _entry(2), _entry(3)])
    badge = selectors_curation.curation_badge(manager)
    assert badge.count == 3 and badge.label == "3 proposals waiting"


def test_proposals_past_the_retention_go_but_accepted_ones_stay(
    curated, manager, monkeypatch, fixed_clock
):
    _poll(curated, monkeypatch, [_entry(1), _entry(2)])
    curation.proposal_accept(actor=manager, proposal=Proposal.objects.get(title="Headline 1"))
    fixed_clock["value"] = T0 + dt.timedelta(days=91)
    services.purge_expired()
    assert list(Proposal.objects.values_list("title", flat=True)) == ["Headline 1"]


def test_the_content_mix_against_the_target(org, manager, approver, ambassador):
    now = T0
    company = factories.make_live_item(manager, approver, title="Our news")
    sector = factories.make_live_item(
        manager, approver, title="Sector", content_type=ContentType.INDUSTRY_NEWS
    )
    second = factories.make_member(org, email="second@acme.test", ambassador=True)
    third = factories.make_member(org, email="third@acme.test", ambassador=True)
    at = now - dt.timedelta(days=2)
    for n in range(4):  # ambassador: 4 company + 1 sector = 20 %: on target
        events.share(ambassador, company, ["x", "linkedin", "mastodon", "bluesky"][n], at)
    events.share(ambassador, sector, "x", at)
    events.share(second, company, "x", at)  # 0 %: below
    events.share(third, sector, "x", at)  # 100 %: above
    events.share(third, sector, "linkedin", now - dt.timedelta(days=40))  # outside the window
    removed = events.share(third, company, "linkedin", at)
    removed.removed_at = at
    removed.save(update_fields=["removed_at"])  # taken down: not counted
    report = selectors_curation.content_mix(membership=manager, now=now)
    assert (report.program.third_party, report.program.total, report.program.percent) == (
        2,
        7,
        29,
    )
    assert (report.ambassadors, report.below, report.on_target, report.above) == (3, 1, 1, 1)
    assert report.target == 20
    # The organization's own target (its content mix target: 60 % company content, so 40 %
    # third-party): the ambassador at 20 % is now below it, the one at 100 % still above.
    admin = factories.make_member(org, Role.ADMIN, email="boss@acme.test")
    analytics_services.insight_settings_update(
        actor=admin,
        data=analytics_services.InsightData(
            currency="EUR",
            cpm={},
            cpc=Decimal("1.50"),
            per_engagement=Decimal("0.20"),
            mix_target=60,
        ),
    )
    report = selectors_curation.content_mix(membership=manager, now=now)
    assert report.target == 40
    assert (report.below, report.on_target, report.above) == (2, 0, 1)


def test_the_page_in_french(curated, manager, monkeypatch, fixed_clock):
    _poll(curated, monkeypatch, [_entry(1)])
    client = Client(headers={"accept-language": "fr"})
    client.force_login(manager.user)
    body = client.get(reverse("listening:curation")).content.decode()
    assert "Veille à partager" in body and "Équilibre des contenus" in body
    assert "Faire un brouillon" in body and "Mettre de côté" in body


def test_an_ambassador_sees_their_own_mix_on_my_shares(org, manager, approver, ambassador):
    company = factories.make_live_item(manager, approver, title="Our news")
    sector = factories.make_live_item(
        manager, approver, title="Sector", content_type=ContentType.INDUSTRY_NEWS
    )
    other = factories.make_member(org, email="other@acme.test", ambassador=True)
    at = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    events.share(ambassador, company, "x", at)
    events.share(ambassador, sector, "linkedin", at)
    events.share(other, sector, "x", at)  # a colleague's: not in mine
    client = Client(headers={"accept-language": "en"})
    client.force_login(ambassador.user)
    body = client.get(reverse("sharing:my_shares")).content.decode()
    assert "Your content mix" in body
    assert "<strong>50 %</strong> of your shares over the last 30 days (1 of 2)" in body
    assert "Mostly third-party news" in body  # 50 % is over 20 + 10
    assert "about 20 % sector watch" in body
    client.force_login(manager.user)  # no share: no mix shown
    assert "Your content mix" not in client.get(reverse("sharing:my_shares")).content.decode()
