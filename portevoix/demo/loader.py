"""Load the demo organization of `data.py` through the services, once.

Every write goes through the accounts and content services (so the demo obeys the same
rules as real data: copy lengths, roles, the approval workflow, the audit trail). Direct model
writes are used only where no service exists: creating user accounts with a known password,
the organization's approval settings, and backdating the expiry of items that have expired.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import os
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from portevoix.accounts import services as accounts
from portevoix.accounts.models import Membership, Organization, User
from portevoix.content import services as content
from portevoix.content.models import ContentItem, State
from portevoix.core import clock

from . import data, previews


@dataclass(frozen=True)
class Login:
    role: str
    email: str
    full_name: str


@dataclass(frozen=True)
class LoadResult:
    organization: Organization
    created: bool
    logins: list[Login]


def demo_password() -> str:
    """The password every demo account shares: DEMO_PASSWORD, else the published default."""
    return os.environ.get("DEMO_PASSWORD") or data.DEFAULT_PASSWORD


def logins() -> list[Login]:
    names = {person.email: person.full_name for person in data.PEOPLE}
    return [Login(role, email, names[email]) for role, email in data.LOGINS]


# Optional parts of the demo, each in `portevoix/demo/extra_<name>.py` with `load(org)`,
# loaded in this order, once per organization (also into a demo loaded before they existed).
EXTRAS = (
    "governance",
    "training",
    "sharing",
    "publishing",
    "notifications",
    "approvals",
    "library",
    "recognition",
    "rewards",
    "badges",
    "ideas",
    "surveys",
    "goals",
    "chat",
    "reports",
    "sso",
    "webhooks",
    "listening",
)


def load_demo(*, password: str) -> LoadResult:
    """Create the demo organization, or keep the existing one (idempotent); then load each
    optional part that this organization does not have yet."""
    existing = Organization.objects.filter(slug=data.ORG_SLUG).first()
    if existing is None:
        with transaction.atomic():
            org = _load(password)
    else:
        org = existing
    load_extras(org)
    return LoadResult(organization=org, created=existing is None, logins=logins())


def load_extras(org: Organization) -> list[str]:
    """Load the optional parts missing from `org`; returns the names loaded now."""
    from .models import DemoExtraLoaded

    loaded = []
    for name in EXTRAS:
        if DemoExtraLoaded.objects.filter(organization=org, name=name).exists():
            continue
        if importlib.util.find_spec(f"portevoix.demo.extra_{name}") is None:
            continue
        module = importlib.import_module(f"portevoix.demo.extra_{name}")
        with transaction.atomic():
            module.load(org)
            DemoExtraLoaded.objects.create(organization=org, name=name)
        loaded.append(name)
    return loaded


def _days(now: dt.datetime, days: float | None) -> dt.datetime | None:
    return None if days is None else now + dt.timedelta(days=days)


def _users(password: str) -> dict[str, User]:
    # One hash for everyone: hashing 40 times would take seconds with production hashers,
    # and these accounts share one published password anyway.
    hashed = make_password(password)
    users: dict[str, User] = {}
    for person in data.PEOPLE:
        user = User.objects.filter(email__iexact=person.email).first()
        if user is None:
            user = User.objects.create(
                email=person.email,
                full_name=person.full_name,
                language=person.language,
                password=hashed,
            )
        users[person.email] = user
    return users


def _load(password: str) -> Organization:
    now = clock.now()
    users = _users(password)

    org = accounts.organization_create(
        name=data.ORG_NAME, owner=users[data.ADMIN], slug=data.ORG_SLUG
    )
    # No service sets the approval rule yet: one approval, no final sign-off.
    org.default_language = "fr"
    org.approvals_required = 1
    org.final_approval_required = False
    org.save(update_fields=["default_language", "approvals_required", "final_approval_required"])

    admin = Membership.objects.get(organization=org, user=users[data.ADMIN])
    teams = {
        name: accounts.team_create(actor=admin, name=name, kind="department") for name in data.TEAMS
    }

    members: dict[str, Membership] = {}
    for person in data.PEOPLE:
        team_ids = [teams[person.team].pk]
        if person.email == data.ADMIN:
            members[person.email] = accounts.membership_update(
                actor=admin, membership=admin, team_ids=team_ids, title=person.title
            )
        else:
            members[person.email] = accounts.membership_add(
                organization=org,
                user=users[person.email],
                roles=list(person.roles),
                team_ids=team_ids,
                title=person.title,
            )

    editor = members[data.CONTENT]
    topics = {name: content.topic_create(membership=editor, name=name).pk for name in data.TOPICS}
    campaigns = {
        c.name: content.campaign_create(
            membership=editor,
            name=c.name,
            description=c.description,
            starts_on=(now + dt.timedelta(days=c.starts_in_days)).date(),
            ends_on=(now + dt.timedelta(days=c.ends_in_days)).date(),
        ).pk
        for c in data.CAMPAIGNS
    }

    for person in data.PEOPLE:
        if person.enrolment is None:
            continue
        enrolment = person.enrolment
        membership = members[person.email]
        accounts.ambassador_opt_in(
            membership=membership,
            data=accounts.EnrolmentData(
                topic_ids=[topics[name] for name in enrolment.interests],
                languages=list(enrolment.languages),
                help_with=list(enrolment.help_with),
                networks=[
                    accounts.PresenceData(
                        network=p.network,
                        audience=p.audience,
                        handle=p.handle,
                        instance=p.instance,
                    )
                    for p in enrolment.networks
                ],
            ),
        )
        if enrolment.withdrew:
            accounts.ambassador_opt_out(membership=membership)

    for demo_item in data.ITEMS:
        _item(demo_item, members=members, topics=topics, campaigns=campaigns, now=now)
    # Items whose expiry was backdated above become expired, as the worker would do.
    content.items_refresh_states(now=now)
    return org


def _item(
    demo: data.DemoItem,
    *,
    members: dict[str, Membership],
    topics: dict[str, int],
    campaigns: dict[str, int],
    now: dt.datetime,
) -> ContentItem:
    author = members[demo.author]
    approver = members[demo.approver]
    # An expired item went live first; its expiry is set in the past once it is live.
    expire_at = None if demo.state == data.EXPIRED else _days(now, demo.expire_in_days)
    item = content.item_create(
        membership=author,
        data=content.ItemData(
            title=demo.title,
            language=demo.language,
            body=demo.body,
            link=demo.link,
            content_type=demo.content_type,
            priority=demo.priority,
            important=demo.important,
            featured=demo.featured,
            publish_at=_days(now, demo.publish_in_days),
            expire_at=expire_at,
            campaign_id=campaigns[demo.campaign] if demo.campaign else None,
            topic_ids=[topics[name] for name in demo.topics],
            copies=[content.CopyData(network, text) for network, text in demo.copies],
        ),
    )
    if demo.link:  # no network here: the preview is given, not read (the queued read skips it)
        item = previews.attach(item, demo)
    stays_draft = demo.state == data.DRAFT or (
        demo.state == data.ARCHIVED and demo.archived_from == data.DRAFT
    )
    if not stays_draft:
        item = content.item_submit(membership=author, item=item)
        if demo.state == data.CHANGES_REQUESTED:
            item = content.item_request_changes(
                membership=approver, item=item, comment=demo.comment
            )
        elif demo.state != data.IN_REVIEW:
            item = content.item_approve(membership=approver, item=item)
    if demo.state == data.EXPIRED:
        expired_at = _days(now, demo.expire_in_days)
        ContentItem.objects.filter(pk=item.pk).update(expire_at=expired_at)
        item.expire_at = expired_at
    if demo.state == data.ARCHIVED:
        item = content.item_archive(
            membership=members[data.COMMUNITY], item=item, comment=demo.comment
        )
    expected = {data.APPROVED: State.APPROVED, data.EXPIRED: State.LIVE}.get(demo.state, demo.state)
    if item.state != expected:  # pragma: no cover - a data mistake, caught by the tests
        raise RuntimeError(f"demo item {demo.title!r} is {item.state}, expected {expected}")
    return item
