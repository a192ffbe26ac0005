"""Bulk actions on checked items (through the per-item services, refused item by item with
the reason), duplicate an item, templates and "New from template"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portevoix.content.models import Campaign, ContentImage, ContentItem, State, Topic, Transition
from portevoix.content.services import bulk
from portevoix.content.services import library as library_services
from portevoix.core.errors import Conflict, DomainError
from tests.content._helpers import add_image, login
from tests.factories import make_item, make_live_item

pytestmark = pytest.mark.django_db


def _by_id(results: list[bulk.BulkResult]) -> dict[int, bulk.BulkResult]:
    return {result.item_id: result for result in results}


def test_bulk_submit_refuses_item_by_item(manager, outsider):
    ready = make_item(manager, title="Prêt")
    no_copy = make_item(manager, title="Sans texte", copies=[])
    foreign = make_item(outsider, title="Ailleurs")
    results = bulk.bulk_apply(
        membership=manager, action="submit", item_ids=[ready.pk, no_copy.pk, foreign.pk]
    )
    by_id = _by_id(results)
    assert [r.item_id for r in results] == [ready.pk, no_copy.pk, foreign.pk]
    assert by_id[ready.pk].done
    assert not by_id[no_copy.pk].done
    assert "at least one network copy" in by_id[no_copy.pk].reason
    assert not by_id[foreign.pk].done and by_id[foreign.pk].reason == "Not found."
    assert by_id[foreign.pk].title == ""  # nothing of another organization leaks
    ready.refresh_from_db()
    no_copy.refresh_from_db()
    assert ready.state == State.IN_REVIEW and no_copy.state == State.DRAFT
    # A second run: the rules of the service again (already in review).
    again = bulk.bulk_apply(membership=manager, action="submit", item_ids=[ready.pk])
    assert not again[0].done and "Only a draft" in again[0].reason


def test_bulk_archive_by_those_who_may_not(manager, approver, ambassador, outsider):
    item = make_item(manager)
    for who in (approver, ambassador):
        results = bulk.bulk_apply(membership=who, action="archive", item_ids=[item.pk])
        assert not results[0].done
        assert results[0].reason == "You are not allowed to do this."
    results = bulk.bulk_apply(membership=outsider, action="archive", item_ids=[item.pk])
    assert not results[0].done and results[0].reason == "Not found."
    item.refresh_from_db()
    assert item.state == State.DRAFT
    done = bulk.bulk_apply(membership=manager, action="archive", item_ids=[item.pk, item.pk])
    assert len(done) == 1 and done[0].done
    item.refresh_from_db()
    assert item.state == State.ARCHIVED


def test_bulk_campaign_and_topic(org, manager, approver, outsider):
    campaign = Campaign.objects.create(organization=org, name="Salon", slug="salon")
    topic = Topic.objects.create(organization=org, name="Tech", slug="tech")
    live = make_live_item(manager, approver, title="En ligne")
    draft = make_item(manager, title="Brouillon")
    archived = make_item(manager, title="Archivé")
    bulk.bulk_apply(membership=manager, action="archive", item_ids=[archived.pk])
    ids = [live.pk, draft.pk, archived.pk]
    by_id = _by_id(
        bulk.bulk_apply(
            membership=manager, action="campaign", item_ids=ids, campaign_id=campaign.pk
        )
    )
    assert by_id[live.pk].done and by_id[draft.pk].done
    assert not by_id[archived.pk].done and "Archived content" in by_id[archived.pk].reason
    live.refresh_from_db()
    # Filing is not an edit of the text: live content stays live, same revision.
    assert live.campaign_id == campaign.pk and live.state == State.LIVE and live.revision == 1
    assert Transition.objects.filter(item=live, action="edit", to_state=State.LIVE).exists()
    by_id = _by_id(
        bulk.bulk_apply(membership=manager, action="topic", item_ids=ids, topic_id=topic.pk)
    )
    assert by_id[live.pk].done and not by_id[archived.pk].done
    assert list(live.topics.all()) == [topic]
    foreign = Topic.objects.create(organization=outsider.organization, name="X", slug="x")
    refused = bulk.bulk_apply(
        membership=manager, action="topic", item_ids=[draft.pk], topic_id=foreign.pk
    )
    assert not refused[0].done and refused[0].reason.startswith("Unknown topic")
    # Approvers may not edit: refused, item by item.
    refused = bulk.bulk_apply(
        membership=approver, action="campaign", item_ids=[draft.pk], campaign_id=None
    )
    assert not refused[0].done


def test_bulk_refuses_a_bad_request_as_a_whole(manager):
    with pytest.raises(DomainError):
        bulk.bulk_apply(membership=manager, action="delete", item_ids=[1])
    with pytest.raises(DomainError):
        bulk.bulk_apply(membership=manager, action="submit", item_ids=[])
    with pytest.raises(DomainError):
        bulk.bulk_apply(membership=manager, action="topic", item_ids=[1])


def test_bulk_view_shows_the_report(client, manager, approver):
    ready = make_item(manager, title="Prêt à partir")
    no_copy = make_item(manager, title="Sans texte", copies=[])
    login(client, manager)
    url = reverse("content:library_bulk")
    assert client.get(url).status_code == 405
    response = client.post(
        url, {"action": "submit", "items": [ready.pk, no_copy.pk], "next": "https://evil.test/"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 item done, 1 refused" in html
    assert "Add at least one network copy before submitting." in html
    assert 'href="/library/"' in html  # the foreign "next" is not followed
    # In French.
    login(client, approver)
    response = client.post(
        url, {"action": "archive", "items": [ready.pk]}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert "Refusé" in response.content.decode()


def test_bulk_view_without_items_goes_back(client, manager):
    login(client, manager)
    response = client.post(reverse("content:library_bulk"), {"action": "archive"})
    assert response.status_code == 302


def test_bulk_view_is_closed_to_ambassadors(client, ambassador, manager):
    item = make_item(manager)
    login(client, ambassador)
    response = client.post(
        reverse("content:library_bulk"), {"action": "archive", "items": [item.pk]}
    )
    assert response.status_code == 403


# --- Duplicate and templates


def test_duplicate(client, org, manager, approver):
    topic = Topic.objects.create(organization=org, name="Tech", slug="tech")
    campaign = Campaign.objects.create(organization=org, name="Salon", slug="salon")
    source = make_item(manager, title="Original", topic_ids=[topic.pk], campaign_id=campaign.pk)
    add_image(manager, source)
    login(client, approver)  # may view, may not create
    assert client.post(reverse("content:item_duplicate", args=[source.pk])).status_code == 403
    login(client, manager)
    assert client.get(reverse("content:item_duplicate", args=[source.pk])).status_code == 405
    response = client.post(reverse("content:item_duplicate", args=[source.pk]))
    copy = ContentItem.objects.exclude(pk=source.pk).get()
    assert response.status_code == 302 and response.url == reverse(
        "content:item_edit", args=[copy.pk]
    )
    assert copy.title == "Original (copy)"
    assert copy.state == State.DRAFT and copy.body == source.body and copy.link == source.link
    assert copy.campaign_id == campaign.pk and list(copy.topics.all()) == [topic]
    assert [(c.network, c.text) for c in copy.copies.all()] == [
        (c.network, c.text) for c in source.copies.all()
    ]
    image = ContentImage.objects.get(item=copy)
    assert image.alt_text == "A photo" and image.file.name != source.images.get().file.name
    assert Transition.objects.filter(item=copy, action="create").count() == 1


def test_duplicate_of_another_organizations_item_is_404(client, manager, outsider):
    item = make_item(outsider)
    login(client, manager)
    assert client.post(reverse("content:item_duplicate", args=[item.pk])).status_code == 404


def test_templates_tab_and_new_from_template(client, manager):
    template = make_item(manager, title="Offre d'emploi : modèle", content_type="job_offer")
    make_item(manager, title="Article ordinaire")
    bulk.bulk_apply(membership=manager, action="template", item_ids=[template.pk])
    template.refresh_from_db()
    assert template.is_template
    login(client, manager)
    html = client.get(reverse("content:library"), {"state": "templates"}).content.decode()
    assert "modèle" in html and "Article ordinaire" not in html
    assert reverse("content:item_from_template", args=[template.pk]) in html
    html = client.get(reverse("content:library")).content.decode()
    assert "modèle" not in html  # not among the regular items
    response = client.post(reverse("content:item_from_template", args=[template.pk]))
    draft = ContentItem.objects.get(is_template=False, content_type="job_offer")
    assert response.url == reverse("content:item_edit", args=[draft.pk])
    assert draft.title == template.title and draft.state == State.DRAFT
    assert draft.copies.count() == template.copies.count()


def test_new_from_an_item_that_is_not_a_template(manager):
    item = make_item(manager)
    with pytest.raises(Conflict):
        library_services.item_from_template(membership=manager, template=item)
