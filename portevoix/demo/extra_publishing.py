"""Publishing demo data for Lumen Énergie: the organization's posting rhythm (at most one
post a day on LinkedIn, two hours between posts on X) and a delegation: the sales director
(direction@, Olivier Garnier) joins the programme and lets his assistant (membre@, Hugo
Lambert) prepare posts for him to approve (seed 001).

Connected accounts are not invented: a developer connects the demo ambassador to the local
Bluesky and Mastodon peers (README, "Connected accounts in development").
"""

from __future__ import annotations

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts import services as account_services
from portevoix.accounts.models import Membership, Organization
from portevoix.content.models import Topic
from portevoix.publishing import services

from . import data


def _member(org: Organization, email: str) -> Membership:
    return Membership.objects.select_related("user").get(organization=org, user__email=email)


def load(org: Organization) -> None:
    community = _member(org, data.COMMUNITY)
    services.cadence_set(actor=community, network="linkedin", max_per_day=1, min_gap_minutes=0)
    services.cadence_set(actor=community, network="x", max_per_day=0, min_gap_minutes=120)
    executive = _member(org, data.EXECUTIVE)
    profile = account_selectors.ambassador_profile(membership=executive)
    if profile is None or not profile.opted_in:
        account_services.ambassador_opt_in(
            membership=executive,
            data=account_services.EnrolmentData(
                languages=["fr", "en"],
                help_with=["sharing"],
                topic_ids=list(
                    Topic.objects.filter(organization=org).values_list("pk", flat=True)[:2]
                ),
                networks=[account_services.PresenceData(network="linkedin", audience=2400)],
            ),
        )
    assistant = _member(org, data.MEMBER)
    services.delegation_grant(executive=executive, assistant_id=assistant.pk)
