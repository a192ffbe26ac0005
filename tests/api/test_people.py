from __future__ import annotations

import pytest
from django.core import mail

from portevoix.accounts import services as account_services
from portevoix.accounts.models import ConsentEvent, Invitation, Membership, Team
from portevoix.accounts.roles import Role
from portevoix.content import services as content_services
from tests.factories import make_member

pytestmark = pytest.mark.django_db


# --- Members


def test_member_list_and_filters(api_as, admin, manager, member, ambassador, outsider):
    team = account_services.team_create(actor=admin, name="Ventes")
    account_services.membership_update(actor=admin, membership=member, team_ids=[team.pk])
    as_member = api_as(member)

    everyone = as_member.get("/members", limit=100).json()
    emails = {m["user"]["email"] for m in everyone["items"]}
    assert {"admin@acme.test", "manager@acme.test", "member@acme.test"} <= emails
    assert "outsider@globex.test" not in emails
    assert everyone["count"] == len(everyone["items"])

    by_team = as_member.get("/members", team=team.pk).json()["items"]
    assert [m["id"] for m in by_team] == [member.pk]
    assert by_team[0]["teams"] == [{"id": team.pk, "name": "Ventes"}]

    by_role = as_member.get("/members", role="content_manager").json()["items"]
    assert [m["id"] for m in by_role] == [manager.pk]

    ambassadors = as_member.get("/members", ambassadors=True).json()["items"]
    assert [m["id"] for m in ambassadors] == [ambassador.pk]
    assert ambassadors[0]["is_ambassador"] is True
    assert ambassadors[0]["roles"] == ["ambassador"]

    search = as_member.get("/members", q="manager@").json()["items"]
    assert [m["id"] for m in search] == [manager.pk]

    page = as_member.get("/members", limit=2, offset=1).json()
    assert len(page["items"]) == 2 and page["offset"] == 1


def test_member_list_query_count_does_not_grow(api_as, org, admin, django_assert_max_num_queries):
    team = account_services.team_create(actor=admin, name="Ventes")
    for n in range(10):
        m = make_member(org, Role.APPROVER, ambassador=n % 2 == 0)
        m.teams.add(team)
    as_admin = api_as(admin)
    as_admin.get("/me")
    # Token, membership, count, page, roles, teams.
    with django_assert_max_num_queries(6):
        response = as_admin.get("/members", limit=50)
    assert response.json()["count"] == 12


def test_member_detail(api_as, member, manager):
    body = api_as(member).get(f"/members/{manager.pk}").json()
    assert body["user"]["email"] == "manager@acme.test"
    assert body["roles"] == ["content_manager"]
    assert body["is_active"] is True


def test_admin_updates_a_member(api_as, admin, member):
    team = account_services.team_create(actor=admin, name="Lyon", kind="site")
    response = api_as(admin).patch(
        f"/members/{member.pk}",
        {"roles": ["approver", "analyst"], "team_ids": [team.pk], "title": "Ingénieure"},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["roles"] == ["analyst", "approver"]
    assert body["teams"] == [{"id": team.pk, "name": "Lyon"}]
    assert body["title"] == "Ingénieure"
    # Only the fields sent change.
    response = api_as(admin).patch(f"/members/{member.pk}", {"title": "Cheffe"})
    assert response.json()["roles"] == ["analyst", "approver"]
    assert response.json()["title"] == "Cheffe"


def test_admin_deactivates_and_reactivates(api_as, admin, member):
    as_admin = api_as(admin)
    assert (
        as_admin.patch(f"/members/{member.pk}", {"is_active": False}).json()["is_active"] is False
    )
    assert as_admin.patch(f"/members/{member.pk}", {"is_active": True}).json()["is_active"] is True


def test_member_update_errors(api_as, admin, member, org):
    as_admin = api_as(admin)
    unknown = as_admin.patch(f"/members/{member.pk}", {"roles": ["ambassador"]})
    assert unknown.status_code == 400
    assert "roles" in unknown.json()["errors"]
    team = as_admin.patch(f"/members/{member.pk}", {"team_ids": [987654]})
    assert team.status_code == 400
    assert "team_ids" in team.json()["errors"]
    bad_type = as_admin.patch(f"/members/{member.pk}", {"is_active": "perhaps"})
    assert bad_type.status_code == 422
    # The organization's owner is the other admin; once they go, the last one must stay.
    owner = Membership.objects.filter(organization=org, role_rows__role=Role.ADMIN).exclude(
        pk=admin.pk
    )
    for other in owner:
        as_admin.patch(f"/members/{other.pk}", {"is_active": False})
    last = as_admin.patch(f"/members/{admin.pk}", {"roles": []})
    assert last.status_code == 409


def test_only_admins_update_members(api_as, manager, member):
    response = api_as(manager).patch(f"/members/{member.pk}", {"title": "Boss"})
    assert response.status_code == 403


# --- Teams


def test_team_crud(api_as, admin, member):
    as_admin = api_as(admin)
    created = as_admin.post("/teams", {"name": "Marketing"})
    assert created.status_code == 201
    team = created.json()
    assert team["kind"] == "department" and team["member_count"] == 0

    as_admin.patch(f"/members/{member.pk}", {"team_ids": [team["id"]]})
    listed = api_as(member).get("/teams").json()
    assert [(t["name"], t["member_count"]) for t in listed] == [("Marketing", 1)]
    assert api_as(member).get(f"/teams/{team['id']}").json()["name"] == "Marketing"

    renamed = as_admin.patch(f"/teams/{team['id']}", {"name": "Communication", "kind": "other"})
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Communication"
    assert renamed.json()["kind"] == "other"
    assert renamed.json()["member_count"] == 1

    deleted = as_admin.delete(f"/teams/{team['id']}")
    assert deleted.status_code == 204
    assert as_admin.get(f"/teams/{team['id']}").status_code == 404


def test_team_errors(api_as, admin, member):
    as_admin = api_as(admin)
    as_admin.post("/teams", {"name": "Ventes"})
    duplicate = as_admin.post("/teams", {"name": "ventes"})
    assert duplicate.status_code == 409
    assert "name" in duplicate.json()["errors"]
    assert as_admin.post("/teams", {"name": " "}).status_code == 400
    assert as_admin.post("/teams", {"name": "X", "kind": "tribe"}).status_code == 400
    assert as_admin.post("/teams", {}).status_code == 422
    assert api_as(member).post("/teams", {"name": "Rebels"}).status_code == 403
    team = Team.objects.get(name="Ventes")
    assert api_as(member).delete(f"/teams/{team.pk}").status_code == 403
    assert api_as(member).patch(f"/teams/{team.pk}", {"name": "R"}).status_code == 403


# --- Topics and campaigns


def test_topics_and_campaigns(api_as, manager, member):
    as_manager = api_as(manager)
    topic = as_manager.post("/topics", {"name": "Vie d'équipe"})
    assert topic.status_code == 201
    assert topic.json()["slug"] == "vie-dequipe"
    assert as_manager.post("/topics", {"name": "Vie d'équipe"}).status_code == 409
    campaign = as_manager.post(
        "/campaigns",
        {"name": "Salon 2030", "description": "Stand B12", "starts_on": "2030-03-01",
         "ends_on": "2030-03-03"},
    )  # fmt: skip
    assert campaign.status_code == 201
    assert campaign.json()["starts_on"] == "2030-03-01"

    as_member = api_as(member)
    assert [t["name"] for t in as_member.get("/topics").json()] == ["Vie d'équipe"]
    assert [c["name"] for c in as_member.get("/campaigns").json()] == ["Salon 2030"]
    assert as_member.post("/topics", {"name": "Mine"}).status_code == 403
    assert as_member.post("/campaigns", {"name": "Mine"}).status_code == 403


def test_campaign_errors(api_as, manager):
    as_manager = api_as(manager)
    backwards = as_manager.post(
        "/campaigns", {"name": "A", "starts_on": "2030-03-03", "ends_on": "2030-03-01"}
    )
    assert backwards.status_code == 400
    assert "ends_on" in backwards.json()["errors"]
    assert as_manager.post("/campaigns", {"name": "!!!"}).status_code == 400
    assert as_manager.post("/campaigns", {"name": "x" * 121}).status_code == 422


# --- Ambassador enrolment


ENROLMENT = {
    "languages": ["fr"],
    "help_with": ["sharing", "ideas"],
    "networks": [
        {"network": "linkedin", "audience": 500},
        {"network": "mastodon", "audience": 80, "handle": "@ana", "instance": "mastodon.social"},
    ],
}


def test_opt_in_update_and_opt_out(api_as, member, manager, approver):
    as_member = api_as(member)
    before = as_member.get("/me/ambassador").json()
    assert before["opted_in"] is False and before["networks"] == []
    assert as_member.get("/feed").status_code == 403

    topic = content_services.topic_create(membership=manager, name="Tech")
    joined = as_member.post("/me/ambassador/opt-in", {**ENROLMENT, "topic_ids": [topic.pk]})
    assert joined.status_code == 200, joined.json()
    body = joined.json()
    assert body["opted_in"] is True and body["opted_in_at"]
    assert body["topic_ids"] == [topic.pk]
    assert [n["network"] for n in body["networks"]] == ["linkedin", "mastodon"]
    assert as_member.get("/me").json()["roles"] == ["ambassador"]

    item = content_services.item_create(
        membership=manager,
        data=content_services.ItemData(
            title="Hello", language="fr", copies=[content_services.CopyData("x", "Salut")]
        ),
    )
    content_services.item_submit(membership=manager, item=item)
    content_services.item_approve(membership=approver, item=item)
    assert as_member.get("/feed").json()["count"] == 1

    updated = as_member.put("/me/ambassador", {**ENROLMENT, "languages": ["en"]})
    assert updated.json()["languages"] == ["en"]
    assert as_member.get("/feed").json()["count"] == 0  # French content, English reader

    left = as_member.post("/me/ambassador/opt-out")
    assert left.status_code == 200
    assert left.json()["opted_in"] is False and left.json()["opted_out_at"]
    assert as_member.get("/feed").status_code == 403
    kinds = list(ConsentEvent.objects.filter(membership=member).values_list("kind", flat=True))
    assert kinds == ["opt_in", "opt_out"]


def test_opt_in_errors(api_as, member):
    as_member = api_as(member)
    response = as_member.post(
        "/me/ambassador/opt-in",
        {
            "languages": ["de"],
            "help_with": [],
            "topic_ids": [999],
            "networks": [{"network": "myspace"}, {"network": "mastodon", "instance": "not a host"}],
        },
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {
        "languages",
        "help_with",
        "topic_ids",
        "networks.0.network",
        "networks.1.instance",
    }
    negative = as_member.post(
        "/me/ambassador/opt-in", {**ENROLMENT, "networks": [{"network": "x", "audience": -5}]}
    )
    assert negative.status_code == 422
    assert "networks.0.audience" in negative.json()["errors"]
    assert as_member.get("/me/ambassador").json()["opted_in"] is False


# --- Invitations


def test_admin_invites(api_as, admin, org, django_capture_on_commit_callbacks):
    team = account_services.team_create(actor=admin, name="Ventes")
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(admin).post(
            "/invitations",
            {"email": "New.Person@Example.org", "roles": ["approver"], "team_ids": [team.pk]},
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["email"] == "new.person@example.org"
    assert body["roles"] == ["approver"]
    assert body["expires_at"]
    assert body["url"].startswith("http") and "/invitations/" in body["url"]
    assert "token" not in body
    assert len(mail.outbox) == 1 and body["url"] in mail.outbox[0].body

    pending = api_as(admin).get("/invitations").json()
    assert [i["id"] for i in pending] == [body["id"]]
    assert "url" not in pending[0]

    assert api_as(admin).delete(f"/invitations/{body['id']}").status_code == 204
    assert Invitation.objects.get(pk=body["id"]).revoked_at is not None
    assert api_as(admin).get("/invitations").json() == []


def test_invitation_errors(api_as, admin, member):
    as_admin = api_as(admin)
    bad = as_admin.post("/invitations", {"email": "not-an-email"})
    assert bad.status_code == 400
    assert "email" in bad.json()["errors"]
    already = as_admin.post("/invitations", {"email": "member@acme.test"})
    assert already.status_code == 409
    role = as_admin.post("/invitations", {"email": "a@b.org", "roles": ["ambassador"]})
    assert role.status_code == 400
    assert as_admin.post("/invitations", {"email": "a@b.org", "language": "de"}).status_code == 422
    assert api_as(member).post("/invitations", {"email": "a@b.org"}).status_code == 403
    assert api_as(member).get("/invitations").status_code == 403
