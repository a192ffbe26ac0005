"""Erasure (docs/decisions/0022-erasure.md): after it, the DATABASE itself holds no name,
email or free text of the person outside the pseudonym, while every total is the same;
their login fails; a second erasure changes nothing; the periodic job erases only those who
left more than their organization's delay ago; the pages answer outsiders 404."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Sum
from django.urls import reverse

from config import schedule
from portevoix.accounts import services as account_services
from portevoix.accounts.models import (
    AmbassadorProfile,
    ConsentEvent,
    Invitation,
    Membership,
    NetworkPresence,
    User,
)
from portevoix.accounts.roles import Role
from portevoix.analytics.models import (
    CampaignRollup,
    DailyRollup,
    ItemRollup,
    MemberRollup,
    MemberTotal,
    NetworkRollup,
    TeamRollup,
)
from portevoix.analytics.rollups import rollups_rebuild
from portevoix.analytics.selectors.scope import Filters
from portevoix.analytics.selectors.series import totals
from portevoix.content.models import Transition
from portevoix.governance import db as audit_db
from portevoix.governance import gates
from portevoix.governance.models import AuditEntry, ModerationCase
from portevoix.ideas.models import Idea, IdeaComment, IdeaVote
from portevoix.notifications.models import Notification, PushSubscription
from portevoix.notifications.models_mail import EmailDelivery, EmailSuppression
from portevoix.planning.models import CalendarFeedToken
from portevoix.privacy import erasure
from portevoix.privacy.models import DataExport
from portevoix.publishing.models import Connection, Post
from portevoix.recognition.models import PointEntry
from portevoix.rewards.models import Redemption, Reward
from portevoix.scim.models import ScimUser
from portevoix.sharing.models import Click, Share, TrackedLink
from portevoix.surveys.models import Answer
from portevoix.training.models import Certificate
from tests import factories
from tests.publishing import conftest as publishing_fixtures

from .conftest import NOW, fill

NAME = "Jeanne Erasmus"
EMAIL = "jeanne.erasmus@acme.test"
# Every free text the person wrote carries this word, so a scan finds any left behind.
SECRET = "Qxoplyr"
PASSWORD = "a-long-enough-password-42"


def _texts(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField)
    ]


def scan(*needles: str) -> list[str]:
    """Every (table, column) of the whole database holding one of `needles` (any case),
    read row by row from every model's table, the audit log included."""
    found = []
    lowered = [n.lower() for n in needles]
    for model in apps.get_models():
        fields = _texts(model)
        if not fields:
            continue
        for row in model._base_manager.values_list(*[f.attname for f in fields]):
            for field, value in zip(fields, row, strict=True):
                if value is None:
                    continue
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                text = text.lower()
                for needle in lowered:
                    if needle in text:
                        found.append(f"{model._meta.db_table}.{field.column}: {needle}")
    return found


def _own_words(person: Membership, author: Membership) -> None:
    """Rows of every app with the person's own words in them."""
    org_id = person.organization_id
    Share.objects.filter(membership=person).update(text=f"My share {SECRET}")
    Post.objects.filter(membership=person).update(text=f"My post {SECRET}")
    Idea.objects.filter(author=person).update(title=f"Idea {SECRET}", body=f"Body {SECRET}")
    IdeaComment.objects.filter(author=person).update(body=f"Comment {SECRET}")
    Answer.objects.filter(response__membership=person).update(text=f"Answer {SECRET}")
    person.title = f"Head of {SECRET}"
    person.save(update_fields=["title"])
    AmbassadorProfile.objects.filter(membership=person).update(pseudonym=f"Jeanne{SECRET}")
    NetworkPresence.objects.filter(profile__membership=person).update(handle=f"@{SECRET}")
    Connection.objects.create(
        organization_id=org_id,
        membership=person,
        network="linkedin",
        account_id="urn:li:person:1",
        handle=f"@{SECRET}",
        display_name=NAME,
        profile_url=f"https://www.linkedin.com/in/{SECRET}",
        tokens_encrypted="not-a-sealed-token",
        created_at=NOW,
        updated_at=NOW,
    )
    ScimUser.objects.create(
        organization_id=org_id,
        membership=person,
        user_name=EMAIL,
        external_id=f"ext-{SECRET}",
        name={"givenName": "Jeanne", "familyName": "Erasmus"},
        emails=[{"value": EMAIL, "primary": True}],
        display_name=NAME,
    )
    Notification.objects.create(
        organization_id=org_id,
        membership=person,
        kind="badge",
        title=f"Bravo {NAME}",
        dedupe_key=f"n:{uuid.uuid4().hex}",
        created_at=NOW,
    )
    EmailDelivery.objects.create(
        organization_id=org_id,
        key=f"digest:{uuid.uuid4().hex[:20]}",
        kind="digest",
        membership=person,
        email=EMAIL,
        created_at=NOW,
    )
    EmailSuppression.objects.create(email=EMAIL, reason="bounce", created_at=NOW)
    Invitation.objects.create(
        organization_id=org_id,
        email=EMAIL,
        token_hash=uuid.uuid4().hex,
        expires_at=NOW + dt.timedelta(days=7),
    )
    CalendarFeedToken.objects.create(
        organization_id=org_id,
        membership=person,
        token_hash=uuid.uuid4().hex,
        prefix="abc",
        created_at=NOW,
    )
    DataExport.objects.create(organization_id=org_id, membership=person, requested_at=NOW)
    PointEntry.objects.filter(membership=person).update(reason=f"For {NAME}")
    reward = Reward.objects.create(
        organization_id=org_id, kind="gift", title="Mug", cost=5, created_at=NOW
    )
    Redemption.objects.create(
        organization_id=org_id,
        reward=reward,
        membership=person,
        cost=5,
        status="refused",
        reason=f"Refused, {NAME}: {SECRET}",
        created_at=NOW,
        month=NOW.date().replace(day=1),
    )
    share = Share.objects.filter(membership=person).first()
    assert share is not None
    ModerationCase.objects.create(
        organization_id=org_id,
        source="report",
        author=person,
        text=f"My share {SECRET}",
        object_type="sharing.share",
        object_id=str(share.pk),
        flag_reason=f"Reported text of {NAME}",
        created_at=NOW,
    )
    Transition.objects.create(
        item=share.item,
        actor=person.user,
        from_state="draft",
        to_state="in_review",
        action="submit",
        comment=f"Please review {SECRET}",
        at=NOW,
    )
    # The audit log: an entry by the person, and one about them by an administrator.
    gates.audit_record(
        organization=org_id,
        actor=person,
        action="accounts.profile",
        object_type="accounts.user",
        object_id=person.user_id,
        before={"title": ""},
        after={"title": f"Head of {SECRET}"},
    )
    gates.audit_record(
        organization=org_id,
        actor=author,
        action="accounts.member_update",
        object_type="accounts.user",
        object_id=person.user_id,
        before={"email": EMAIL, "name": NAME},
        after={"email": EMAIL, "name": NAME, "note": f"renamed {NAME.upper()}"},
    )


@pytest.fixture
def jeanne(org: Any, other_org: Any, fixed_clock: Any) -> Membership:
    """A person of `org` only, with data in every app, who left 40 days ago."""
    user = User.objects.create_user(EMAIL, PASSWORD, full_name=NAME)
    person = account_services.membership_add(organization=org, user=user, roles=[])
    account_services.ambassador_opt_in(
        membership=person,
        data=account_services.EnrolmentData(
            languages=["fr"],
            help_with=["sharing"],
            topic_ids=[],
            networks=[account_services.PresenceData(network="linkedin", audience=300)],
        ),
    )
    author = factories.make_member(org, Role.CONTENT_MANAGER)
    fill(person, "ORGDATA", author)
    _own_words(person, author)
    colleague = factories.make_member(org, email="colleague@acme.test", ambassador=True)
    fill(colleague, "COLLEAGUE", author)
    account_services.member_deprovision(membership=person)
    Membership.objects.filter(pk=person.pk).update(left_at=NOW - dt.timedelta(days=40))
    person.refresh_from_db()
    return person


ROLLUPS = (DailyRollup, NetworkRollup, CampaignRollup, ItemRollup, MemberRollup, TeamRollup)
MEASURES = ("shares", "clicks", "unique_visitors", "potential_reach", "conversions")


def figures(org: Any, viewer: Membership) -> dict[str, Any]:
    """The organization's totals as the dashboard and every rollup table answer them, and
    the counters kept on rows (points, idea votes)."""
    day = NOW.date()
    result: dict[str, Any] = {
        "dashboard": totals(membership=viewer, filters=Filters(day - dt.timedelta(days=2), day)),
        "points": PointEntry.objects.filter(organization=org).aggregate(Sum("lifetime")),
        "clicks_raw": Click.objects.filter(organization=org, counted=True).count(),
        "links": TrackedLink.objects.filter(organization=org).count(),
        "shares_raw": Share.objects.filter(organization=org).count(),
        "votes": list(Idea.objects.filter(organization=org).values_list("vote_count", flat=True)),
        "vote_rows": IdeaVote.objects.filter(organization=org).count(),
        "certificates": Certificate.objects.filter(organization=org).count(),
        "posts": Post.objects.filter(organization=org).count(),
        "redemptions": Redemption.objects.filter(organization=org).aggregate(Sum("cost")),
    }
    for model in (*ROLLUPS, MemberTotal):
        result[model.__name__] = model.objects.filter(organization=org).aggregate(
            *[Sum(m) for m in MEASURES]
        )
    return result


def _rebuild(org: Any) -> None:
    rollups_rebuild(
        organization_id=org.pk,
        start=NOW.date() - dt.timedelta(days=2),
        end=NOW.date() + dt.timedelta(days=1),
    )


@pytest.fixture
def oncommit(django_capture_on_commit_callbacks: Any) -> Any:
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_nothing_of_the_person_is_left_in_the_database_and_totals_are_the_same(
    org: Any, admin: Membership, jeanne: Membership, client: Any, oncommit: Any
) -> None:
    _rebuild(org)
    before = figures(org, admin)
    assert before["dashboard"].clicks > 0 and before["MemberRollup"]["clicks__sum"] > 0
    needles = (NAME, "Erasmus", EMAIL, SECRET)
    # The scan does find the person before, in every app's tables.
    tables_before = {hit.split(".")[0] for hit in scan(*needles)}
    assert tables_before >= {
        "accounts_user",
        "accounts_membership",
        "accounts_ambassadorprofile",
        "accounts_networkpresence",
        "accounts_invitation",
        "sharing_share",
        "publishing_post",
        "publishing_connection",
        "ideas_idea",
        "ideas_ideacomment",
        "surveys_answer",
        "training_certificate",
        "recognition_pointentry",
        "rewards_redemption",
        "notifications_notification",
        "notifications_emaildelivery",
        "notifications_emailsuppression",
        "scim_scimuser",
        "content_transition",
        "governance_moderationcase",
        "governance_auditentry",
    }, tables_before
    with oncommit():
        assert erasure.erase_member(actor=admin, membership_id=jeanne.pk) is True

    # (1) The database itself: every text, char and JSON column of every table.
    assert scan(*needles) == []
    # (2) Every total is exactly the same, as kept and as rebuilt from the raw events.
    assert figures(org, admin) == before
    _rebuild(org)
    assert figures(org, admin) == before
    # The rows figures are counted on stay, on the pseudonymous membership.
    jeanne.refresh_from_db()
    assert jeanne.erased_at is not None and not jeanne.is_active
    assert jeanne.user.full_name.startswith(account_services.pseudonym_for(org, ""))
    assert not jeanne.user.has_usable_password() and not jeanne.user.is_active
    assert Share.objects.filter(membership=jeanne).count() == before["shares_raw"] // 2
    assert Certificate.objects.get(membership=jeanne).holder_name == jeanne.user.full_name
    # What is deleted is deleted.
    for model in (ConsentEvent, Connection, PushSubscription, Notification, CalendarFeedToken):
        assert not model.objects.filter(membership=jeanne).exists(), model
    assert not ScimUser.objects.filter(membership=jeanne).exists()
    assert not DataExport.objects.filter(membership=jeanne).exists()
    # The audit log keeps its rows and their actions, scrubbed, and one more: the erasure.
    entries = AuditEntry.objects.filter(organization=org)
    assert set(entries.values_list("action", flat=True)) >= {
        "accounts.profile",
        "accounts.member_update",
        "privacy.member_erased",
    }
    erased = entries.get(action="privacy.member_erased")
    assert erased.object_id == str(jeanne.pk) and erased.before is None
    assert erased.after == {"requested_by": "admin"}
    assert erased.actor_id == admin.user_id
    scrubbed = entries.get(action="accounts.member_update")
    assert scrubbed.after is not None and scrubbed.after["name"] == jeanne.user.full_name
    # (3) Their login is gone: the address and password no longer open a session.
    assert not User.objects.filter(email__iexact=EMAIL).exists()
    assert not client.login(username=EMAIL, password=PASSWORD)
    response = client.post(reverse("accounts:login"), {"username": EMAIL, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 403)


def test_erasing_twice_changes_nothing(
    org: Any, admin: Membership, jeanne: Membership, oncommit: Any
) -> None:
    with oncommit():
        assert erasure.erase_member(actor=admin, membership_id=jeanne.pk) is True
    jeanne.refresh_from_db()
    pseudonym = jeanne.user.full_name
    count = AuditEntry.objects.filter(organization=org).count()
    with oncommit():
        assert erasure._erase(jeanne, requested_by="admin", actor=admin) is False
    assert erasure.erasures_run(now=NOW + dt.timedelta(days=400)) == 0
    jeanne.refresh_from_db()
    assert jeanne.user.full_name == pseudonym
    assert AuditEntry.objects.filter(organization=org).count() == count


def test_a_person_of_two_organizations_keeps_the_other(
    people: Any, admin: Membership, fixed_clock: Any, oncommit: Any
) -> None:
    me, elsewhere = people.me, people.me_elsewhere
    user_id = me.user_id
    # An entry about someone else, whose words are common ones ("ambassador" is also my
    # address's local part): it is left as it is.
    gates.audit_record(
        organization=admin.organization,
        actor=admin,
        action="accounts.member_update",
        object_type="accounts.user",
        object_id=people.colleague.user_id,
        before={"roles": []},
        after={"roles": ["ambassador"], "email": "colleague@acme.test"},
    )
    account_services.member_deprovision(membership=me)
    with oncommit():
        erasure.erase_member(actor=admin, membership_id=me.pk)
    me.refresh_from_db()
    elsewhere.refresh_from_db()
    assert me.user_id != user_id and me.user.email.endswith("@erased.invalid")
    assert elsewhere.user_id == user_id and elsewhere.user.email == "ambassador@acme.test"
    assert Share.objects.get(membership=elsewhere).text.endswith('"ELSEWHERE")')
    assert not Share.objects.get(membership=me).text
    assert Share.objects.get(membership=people.colleague).text  # a colleague's stay
    other = AuditEntry.objects.get(action="accounts.member_update")
    assert other.after == {"roles": ["ambassador"], "email": "colleague@acme.test"}


def test_the_person_erases_their_own_data_and_leaves(
    client: Any, org: Any, admin: Membership, jeanne: Membership, oncommit: Any
) -> None:
    user = User.objects.create_user("active@acme.test", PASSWORD, full_name="Alex Active")
    active = account_services.membership_add(organization=org, user=user, roles=[])
    client.force_login(user)
    page = client.get(reverse("privacy:my_data")).content.decode()
    assert reverse("privacy:erase_own") in page
    confirm = client.get(reverse("privacy:erase_own"))
    assert confirm.status_code == 200 and "This cannot be undone" in confirm.content.decode()
    assert confirm["Cache-Control"] == "private, no-store"
    with oncommit():
        response = client.post(reverse("privacy:erase_own"))
    assert response.status_code == 302 and "login" in response["Location"]
    active.refresh_from_db()
    assert active.erased_at is not None and not active.is_active and active.left_at
    assert not User.objects.filter(pk=user.pk).exists()
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.get(action="privacy.member_erased", object_id=str(active.pk))
    assert entry.after == {"requested_by": "self"} and "Alex" not in entry.actor_label
    # The session is over: the next page asks for a login.
    again = client.get(reverse("privacy:my_data"))
    assert again.status_code == 302 and "login" in again["Location"]


def test_the_last_administrator_cannot_erase_themselves(
    client: Any, admin: Membership, oncommit: Any
) -> None:
    owner = Membership.objects.exclude(pk=admin.pk).get(organization=admin.organization)
    account_services.member_deprovision(membership=owner)  # admin is the last one now
    client.force_login(admin.user)
    response = client.post(reverse("privacy:erase_own"), follow=True)
    assert "at least one active administrator" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active and admin.erased_at is None


def test_the_job_erases_only_who_left_long_enough_ago_in_their_organization(
    org: Any, other_org: Any, admin: Membership, fixed_clock: Any, oncommit: Any
) -> None:
    def leaver(organization: Any, email: str, days_ago: int) -> Membership:
        person = factories.make_member(organization, email=email)
        account_services.member_deprovision(membership=person)
        Membership.objects.filter(pk=person.pk).update(left_at=NOW - dt.timedelta(days=days_ago))
        return person

    org.erase_after_days = 30
    org.save(update_fields=["erase_after_days"])
    other_org.erase_after_days = 0  # never automatically
    other_org.save(update_fields=["erase_after_days"])
    old = leaver(org, "old@acme.test", 31)
    recent = leaver(org, "recent@acme.test", 29)
    active = factories.make_member(org, email="stays@acme.test")
    elsewhere = leaver(other_org, "old@globex.test", 400)
    with oncommit():
        assert erasure.erasures_run(now=NOW) == 1
    for person in (old, recent, active, elsewhere):
        person.refresh_from_db()
    assert old.erased_at is not None
    assert recent.erased_at is None and recent.user.email == "recent@acme.test"
    assert active.erased_at is None and active.is_active
    assert elsewhere.erased_at is None
    # Run again (a second worker, the next hour): nothing more.
    with oncommit():
        assert erasure.erasures_run(now=NOW) == 0
    entry = AuditEntry.objects.get(action="privacy.member_erased")
    assert entry.actor_id is None and entry.after == {"requested_by": "schedule"}
    # Two days later the recent one's time has come.
    with oncommit():
        assert erasure.erasures_run(now=NOW + dt.timedelta(days=2)) == 1
    recent.refresh_from_db()
    assert recent.erased_at is not None


def test_a_person_who_comes_back_is_not_erased(
    org: Any, admin: Membership, fixed_clock: Any
) -> None:
    person = factories.make_member(org, email="back@acme.test")
    account_services.membership_update(actor=admin, membership=person, is_active=False)
    person.refresh_from_db()
    assert person.left_at == NOW
    account_services.membership_update(actor=admin, membership=person, is_active=True)
    person.refresh_from_db()
    assert person.left_at is None
    assert erasure.erasures_run(now=NOW + dt.timedelta(days=100)) == 0


# --- The pages: administrators only; outsiders 404; methods.


def test_the_erasure_page_and_its_setting(
    client: Any, org: Any, admin: Membership, jeanne: Membership
) -> None:
    client.force_login(admin.user)
    page = client.get(reverse("privacy:erasure"))
    assert page.status_code == 200
    html = page.content.decode()
    assert NAME in html and reverse("privacy:erase_member", args=[jeanne.pk]) in html
    response = client.post(reverse("privacy:erasure"), {"erase_after_days": "90"})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.erase_after_days == 90
    entry = AuditEntry.objects.get(action="privacy.erasure_delay")
    assert entry.before == {"erase_after_days": 30} and entry.after == {"erase_after_days": 90}
    bad = client.post(reverse("privacy:erasure"), {"erase_after_days": "-1"})
    assert bad.status_code == 200
    org.refresh_from_db()
    assert org.erase_after_days == 90
    hub = client.get(reverse("accounts:settings")).content.decode()
    assert reverse("privacy:erasure") in hub


def test_an_administrator_erases_from_the_confirmation_page(
    client: Any, admin: Membership, jeanne: Membership, oncommit: Any
) -> None:
    client.force_login(admin.user)
    url = reverse("privacy:erase_member", args=[jeanne.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and NAME in confirm.content.decode()
    with oncommit():
        response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("privacy:erasure")
    jeanne.refresh_from_db()
    assert jeanne.erased_at is not None
    assert client.get(url).status_code == 404  # erased: no longer a leaver


def test_outsiders_get_404_and_members_403(
    client: Any, admin: Membership, member: Membership, outsider: Membership, jeanne: Membership
) -> None:
    url = reverse("privacy:erase_member", args=[jeanne.pk])
    client.force_login(outsider.user)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    jeanne.refresh_from_db()
    assert jeanne.erased_at is None
    client.force_login(member.user)
    for method in (client.get, client.post):
        assert method(url).status_code == 403
        assert method(reverse("privacy:erasure")).status_code == 403
    jeanne.refresh_from_db()
    assert jeanne.erased_at is None
    # An active colleague cannot be erased by an administrator: not a leaver.
    client.force_login(admin.user)
    assert client.get(reverse("privacy:erase_member", args=[member.pk])).status_code == 404
    with pytest.raises(Exception, match="Deactivate"):
        erasure.erase_member(actor=admin, membership_id=member.pk)


def test_wrong_methods_and_login(client: Any, admin: Membership, jeanne: Membership) -> None:
    for url in (
        reverse("privacy:erase_own"),
        reverse("privacy:erasure"),
        reverse("privacy:erase_member", args=[jeanne.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(admin.user)
    for url in (
        reverse("privacy:erase_own"),
        reverse("privacy:erasure"),
        reverse("privacy:erase_member", args=[jeanne.pk]),
    ):
        assert client.put(url).status_code == 405
        assert client.delete(url).status_code == 405


def test_french_and_english(client: Any, admin: Membership, jeanne: Membership) -> None:
    client.force_login(admin.user)
    english = client.get(reverse("privacy:erasure"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "People who left" in english and "Automatic erasure" in english
    french = client.get(reverse("privacy:erasure"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Personnes parties" in french and "Effacement automatique" in french
    own = client.get(reverse("privacy:erase_own"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Effacer mes données" in own
    # The pseudonym is written in the organization's language.
    organization = admin.organization
    assert account_services.pseudonym_for(organization, "abc123") == "Ancien membre #abc123"
    organization.default_language = "en"
    assert account_services.pseudonym_for(organization, "abc123") == "Former member #abc123"


# --- The audit log stays append-only: erasure may replace words, never what a row records.


def test_the_audit_log_lets_erasure_replace_words_only(org: Any, admin: Membership) -> None:
    gates.audit_record(
        organization=org,
        actor=admin,
        action="accounts.member_update",
        object_type="accounts.user",
        object_id=1,
        before=None,
        after={"name": NAME},
    )
    entry = AuditEntry.objects.get(action="accounts.member_update")
    update = "UPDATE governance_auditentry SET {} WHERE id = %s"
    # Outside an erasure, nothing changes, not even a word.
    with (
        pytest.raises(DatabaseError, match="cannot be changed or deleted"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(update.format("actor_label = 'x'"), [entry.pk])
    # During an erasure, the action, object and time still cannot change, nor a row go.
    for change in ("action = 'x'", "object_id = 'x'", "at = at + interval '1 day'"):
        if "interval" in change and connection.vendor == "sqlite":
            change = "at = '2000-01-01 00:00:00'"
        with (
            pytest.raises(DatabaseError, match="cannot be changed or deleted"),
            transaction.atomic(),
            audit_db.scrub_unlocked(connection),
            connection.cursor() as cursor,
        ):
            cursor.execute(update.format(change), [entry.pk])
    with (
        pytest.raises(DatabaseError, match="cannot be changed or deleted"),
        transaction.atomic(),
        audit_db.scrub_unlocked(connection),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM governance_auditentry WHERE id = %s", [entry.pk])
    # Words may be replaced.
    with transaction.atomic(), audit_db.scrub_unlocked(connection), connection.cursor() as cursor:
        cursor.execute(update.format("actor_label = 'Former member #1'"), [entry.pk])
    entry.refresh_from_db()
    assert entry.actor_label == "Former member #1" and entry.action == "accounts.member_update"
    # And the unlock ends with the erasure's block.
    with (
        pytest.raises(DatabaseError, match="cannot be changed or deleted"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(update.format("actor_label = 'y'"), [entry.pk])


# The local fake of X (tests/peers), as publishing's tests use it.
fake_x = publishing_fixtures.fake_x


def test_connected_accounts_are_revoked_at_the_network_and_deleted(
    org: Any, admin: Membership, ambassador: Membership, fake_x: Any, oncommit: Any
) -> None:
    """The network is asked to revoke the tokens (here a local fake of X), once the erasure
    is committed; the row is gone whatever the network says."""
    connection = publishing_fixtures.connect_x(ambassador, fake_x)
    account_services.member_deprovision(membership=ambassador)
    assert not fake_x.revoked
    with oncommit():
        erasure.erase_member(actor=admin, membership_id=ambassador.pk)
    assert fake_x.revoked
    assert not Connection.objects.filter(pk=connection.pk).exists()


def test_the_hourly_task_runs_the_erasure(jeanne: Membership, oncommit: Any) -> None:
    with oncommit():
        assert schedule.privacy_erasures.call_local() == 1  # left 40 days ago, delay 30
    jeanne.refresh_from_db()
    assert jeanne.erased_at is not None
