"""Managing events through the API (what /events/new/, /events/<id>/edit/ and the coach's
attendance page offer): managers create and replace events, the managers and the coach see
the participants, the coach marks attendance once the session started; others 403;
another organization's event 404; the page's validation; scopes and methods."""

from __future__ import annotations

import datetime as dt

import pytest

from portevoix.accounts import services as account_services
from portevoix.core import clock
from portevoix.training import services
from portevoix.training.models import Event, Registration
from tests import factories
from tests.api.conftest import ApiClient
from tests.training.conftest import make_event

pytestmark = pytest.mark.django_db


def _payload(**overrides: object) -> dict[str, object]:
    start = clock.now() + dt.timedelta(days=3)
    payload: dict[str, object] = {
        "title": "Atelier LinkedIn",
        "kind": "coaching",
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=1)).isoformat(),
        "capacity": 2,
        "place": "Salle Ampère",
    }
    payload.update(overrides)
    return payload


def test_a_manager_creates_and_replaces_an_event(api_as, admin, org):
    coach = factories.make_member(org)
    client = api_as(admin)
    created = client.post("/events", _payload(coach_id=coach.pk, description="**Venez**"))
    assert created.status_code == 201, created.content
    event = Event.objects.get()
    body = created.json()
    assert body["id"] == event.pk and body["coach"]["id"] == coach.pk
    assert "<strong>Venez</strong>" in body["description_html"]
    replaced = client.put(f"/events/{event.pk}", _payload(title="Atelier X", capacity=5))
    assert replaced.status_code == 200, replaced.content
    assert (replaced.json()["title"], replaced.json()["capacity"]) == ("Atelier X", 5)
    assert replaced.json()["coach"] is None  # PUT replaces every field
    assert [e["id"] for e in client.get("/events").json()] == [event.pk]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"place": "", "video_url": ""}, "place"),
        ({"video_url": "javascript:alert(1)", "place": ""}, "video_url"),
        ({"kind": "party"}, "kind"),
        (
            {"starts_at": "2001-01-01T10:00:00+00:00", "ends_at": "2001-01-01T11:00:00+00:00"},
            "starts_at",
        ),
    ],
)
def test_the_pages_validation_applies(api_as, admin, overrides, field):
    response = api_as(admin).post("/events", _payload(**overrides))
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Event.objects.exists()


def test_the_body_is_validated(api_as, admin):
    client = api_as(admin)
    assert client.post("/events", _payload(capacity=0)).status_code == 422
    assert client.post("/events", _payload(capacity="3")).status_code == 422
    assert client.post("/events", _payload(title="")).status_code == 422
    assert not Event.objects.exists()


def test_members_are_refused_and_outsiders_get_404(api_as, admin, member, outsider):
    event = make_event(admin)
    assert api_as(member).post("/events", _payload()).status_code == 403
    assert api_as(member).put(f"/events/{event.pk}", _payload()).status_code == 403
    assert api_as(member).get(f"/events/{event.pk}/participants").status_code == 403
    assert api_as(outsider).put(f"/events/{event.pk}", _payload()).status_code == 404
    assert api_as(outsider).get(f"/events/{event.pk}/participants").status_code == 404
    marked = api_as(outsider).post(f"/events/{event.pk}/attendance", {"attended_ids": []})
    assert marked.status_code == 404
    event.refresh_from_db()
    assert event.title == "Coaching LinkedIn"


def test_the_coach_sees_participants_and_marks_attendance(api_as, admin, org):
    coach = factories.make_member(org)
    event = make_event(admin, capacity=2, coach=coach)
    people = [factories.make_member(org) for _ in range(3)]
    regs = [services.registration_create(membership=m, event=event) for m in people]
    client = api_as(coach)
    listed = client.get(f"/events/{event.pk}/participants")
    assert listed.status_code == 200
    assert [(p["registration_id"], p["status"]) for p in listed.json()] == [
        (regs[0].pk, "registered"),
        (regs[1].pk, "registered"),
        (regs[2].pk, "waitlisted"),
    ]
    early = client.post(f"/events/{event.pk}/attendance", {"attended_ids": [regs[0].pk]})
    assert early.status_code == 409  # not started yet
    event.starts_at -= dt.timedelta(days=5)
    event.ends_at = event.starts_at + dt.timedelta(hours=1)
    event.save(update_fields=["starts_at", "ends_at"])
    assert (
        api_as(admin)
        .post(f"/events/{event.pk}/attendance", {"attended_ids": [regs[0].pk]})
        .status_code
        == 403
    )  # only the coach
    waitlisted = client.post(f"/events/{event.pk}/attendance", {"attended_ids": [regs[2].pk]})
    assert waitlisted.status_code == 400
    marked = client.post(f"/events/{event.pk}/attendance", {"attended_ids": [regs[0].pk]})
    assert marked.status_code == 200 and marked.json() == {"attended": 1, "registered": 2}
    marks = dict(Registration.objects.filter(event=event).values_list("pk", "attended"))
    assert marks == {regs[0].pk: True, regs[1].pk: False, regs[2].pk: None}


def test_methods_and_scopes(api_as, admin):
    event = make_event(admin)
    assert api_as(admin).patch(f"/events/{event.pk}", {}).status_code == 405
    assert api_as(admin).get(f"/events/{event.pk}/attendance").status_code == 405
    read_only = ApiClient(
        account_services.api_token_create(membership=admin, name="ro", can_write=False).secret
    )
    assert read_only.get(f"/events/{event.pk}/participants").status_code == 200
    refused = read_only.post("/events", _payload())
    assert refused.status_code == 403 and "training:write" in refused.json()["detail"]
    assert Event.objects.count() == 1
