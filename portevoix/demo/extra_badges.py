"""Demo badges and challenges, through the recognition services: the built-in badges that
the demo's shares, clicks and courses already earned (checked with each ledger entry when
`extra_recognition` loaded them), one badge of the organization's own, a running challenge
with its progress, and a finished one whose bonus was paid. Loaded once (`EXTRAS`)."""

from __future__ import annotations

import datetime as dt

from portevoix.accounts.models import Membership, Organization
from portevoix.core import clock
from portevoix.core.tenancy import scoped
from portevoix.recognition import services

from . import data


def load(org: Organization) -> None:
    now = clock.now()
    members = {
        m.user.email: m
        for m in scoped(Membership, org).filter(is_active=True).select_related("user")
    }
    admin = members[data.ADMIN]
    community = members.get(data.COMMUNITY, admin)
    services.badges_ensure_defaults(organization_id=org.pk)
    services.badge_create(
        actor=admin,
        name="Cœur du réseau",
        description="50 points gagnés : votre réseau vous suit.",
        counter="points",
        threshold=50,
        shape="hexagon",
        color="red",
    )
    # The badges of points already earned (the badge did not exist then).
    for membership in members.values():
        services.badges_check(
            organization_id=org.pk, membership_id=membership.pk, counters={"points"}, at=now
        )
    services.challenge_create(
        actor=community,
        data=services.ChallengeData(
            title="Semaine du partage",
            description="Tous ensemble : 200 partages d'ici vendredi.",
            metric="shares",
            target=200,
            starts_at=now - dt.timedelta(days=10),
            ends_at=now + dt.timedelta(days=4),
            scope="organization",
            min_score=2,
            bonus_points=20,
        ),
    )
    services.challenge_create(
        actor=community,
        data=services.ChallengeData(
            title="Premiers clics de la rentrée",
            description="500 clics uniques sur nos contenus en un mois.",
            metric="clicks",
            target=500,
            starts_at=now - dt.timedelta(days=30),
            ends_at=now - dt.timedelta(hours=1),
            scope="organization",
            min_score=1,
            bonus_points=15,
        ),
    )
