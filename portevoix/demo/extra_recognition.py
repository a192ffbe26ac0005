"""Demo recognition: points for the demo's confirmed shares and counted clicks (through the
recognition services, keyed per event, so loading twice awards nothing more), and a few
ambassadors who chose each way of appearing (one choice, kept by accounts, for the boards
and the dashboards): by name, under a pseudonym (written or made up), or not at all. The
organization's default stays "under a pseudonym".
"""

from __future__ import annotations

from portevoix.accounts import services as accounts_services
from portevoix.accounts.models import Membership, Organization
from portevoix.core import clock
from portevoix.core.tenancy import scoped
from portevoix.recognition import services
from portevoix.sharing.models import Click, Share, ShareState
from portevoix.sharing.signals import CountedClick

from . import data

# (email, visibility, pseudonym): the others keep the organization's default.
CHOICES = (
    (data.AMBASSADOR, "name", ""),
    (data.COMMUNITY, "name", ""),
    (data.CONTENT, "pseudonym", "Plume verte"),
    (data.CONTENT_2, "hidden", ""),
)

NAMED_MORE = 6


def load(org: Organization) -> None:
    now = clock.now()
    shares = (
        scoped(Share, org)
        .filter(state__in=(ShareState.CONFIRMED, ShareState.PUBLISHED), removed_at__isnull=True)
        .order_by("created_at", "pk")
    )
    for share in shares.iterator():
        services.on_share_posted(
            organization_id=org.pk,
            membership_id=share.membership_id,
            share_id=share.pk,
            network=share.network,
            personalized=share.personalized,
            at=min(share.confirmed_at or share.created_at, now),
        )
    # What the worker does once a share commits, done here at once: the next parts of the
    # demo (names on the boards, rewards, badges) read these points.
    services.pending_awards_drain()
    clicks = scoped(Click, org).filter(counted=True).order_by("at", "pk")
    services.on_clicks_counted(
        clicks=[
            CountedClick(org.pk, c.membership_id_copy, c.link_id, c.network, c.click_id, c.at)
            for c in clicks.iterator()
        ]
    )
    members = {
        m.user.email: m
        for m in scoped(Membership, org).filter(is_active=True).select_related("user")
    }
    for email, visibility, pseudonym in CHOICES:
        membership = members.get(email)
        if membership is not None:
            accounts_services.visibility_set(
                membership=membership, visibility=visibility, pseudonym=pseudonym
            )
    # A few more by name, so that the boards show people as well as pseudonyms.
    chosen = {email for email, _visibility, _pseudonym in CHOICES}
    with_points = set(
        scoped(Membership, org).filter(point_totals__isnull=False).values_list("pk", flat=True)
    )
    others = sorted(
        (m for email, m in members.items() if email not in chosen and m.pk in with_points),
        key=lambda m: m.pk,
    )
    for membership in others[:NAMED_MORE]:
        accounts_services.visibility_set(membership=membership, visibility="name")
