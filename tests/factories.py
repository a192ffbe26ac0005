"""Small builders for tests. They call services where a service exists."""

from __future__ import annotations

import itertools

from portevoix.accounts import services as account_services
from portevoix.accounts.models import Membership, Organization, User
from portevoix.accounts.roles import Role
from portevoix.content import services as content_services
from portevoix.content.models import ContentItem
from portevoix.content.services import CopyData, ItemData

_seq = itertools.count(1)

PASSWORD = "correct-horse-battery-staple"


def make_user(email: str | None = None, full_name: str = "") -> User:
    n = next(_seq)
    return User.objects.create_user(
        email or f"user{n}@example.org", PASSWORD, full_name=full_name or f"User {n}"
    )


def make_org(name: str | None = None) -> Organization:
    n = next(_seq)
    owner = make_user(f"owner{n}@example.org", f"Owner {n}")
    return account_services.organization_create(
        name=name or f"Org {n}", owner=owner, slug=f"org-{n}"
    )


def make_member(
    org: Organization,
    *roles: str,
    email: str | None = None,
    ambassador: bool = False,
    languages: list[str] | None = None,
    topic_ids: list[int] | None = None,
) -> Membership:
    user = make_user(email)
    membership = account_services.membership_add(organization=org, user=user, roles=list(roles))
    if ambassador:
        account_services.ambassador_opt_in(
            membership=membership,
            data=account_services.EnrolmentData(
                languages=languages or ["fr", "en"],
                help_with=["sharing"],
                topic_ids=topic_ids or [],
                networks=[account_services.PresenceData(network="linkedin", audience=300)],
            ),
        )
    return membership


def item_data(**overrides: object) -> ItemData:
    data = ItemData(
        title="Nous recrutons des ingénieurs",
        language="fr",
        body="Rejoignez **notre équipe**.",
        link="https://example.org/jobs/42",
        copies=[
            CopyData("linkedin", "Nous recrutons ! https://example.org/jobs/42"),
            CopyData("x", "On recrute #jobs https://example.org/jobs/42"),
        ],
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def make_item(author: Membership, **overrides: object) -> ContentItem:
    return content_services.item_create(membership=author, data=item_data(**overrides))


def make_live_item(author: Membership, approver: Membership, **overrides: object) -> ContentItem:
    item = make_item(author, **overrides)
    content_services.item_submit(membership=author, item=item)
    return content_services.item_approve(membership=approver, item=item)


ROLES = Role
