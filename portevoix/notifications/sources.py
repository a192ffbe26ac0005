"""Where notifications come from: the events other apps announce (their declared
`signals`, received in `receivers.py` and handled here in a task), and the one that time
brings (an event tomorrow, read from training's selectors by a periodic task).

Notifications imports these apps' selectors and signals; none of them imports
notifications. Every handler is idempotent: each event has its dedupe key.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Any

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.roles import ROLE_ACTIONS
from portevoix.analytics.selectors import goals as analytics_goals
from portevoix.content import selectors as content_selectors
from portevoix.core import clock
from portevoix.core.errors import NotFound
from portevoix.governance import selectors as governance_selectors
from portevoix.ideas import selectors as ideas_selectors
from portevoix.publishing import selectors as publishing_selectors
from portevoix.recognition import selectors as recognition_selectors
from portevoix.rewards import selectors as rewards_selectors
from portevoix.surveys import selectors as survey_selectors
from portevoix.training import selectors as training_selectors

from . import messages, services
from .models import Kind, Notification

if TYPE_CHECKING:
    from portevoix.training.models import Registration

EVENT_AHEAD = dt.timedelta(hours=24)


def item_live(*, organization_id: int, item_id: int) -> int:
    """Important content reached the feed: every ambassador whose feed shows it."""
    try:
        item = content_selectors.live_item(organization_id=organization_id, item_id=item_id)
    except NotFound:
        return 0
    if not item.important:
        return 0
    return len(
        services.notify(
            organization_id=organization_id,
            membership_ids=account_selectors.ambassador_ids_reading(
                organization_id=organization_id, language=item.language
            ),
            kind=Kind.CONTENT_LIVE,
            dedupe_key=f"item:{item.pk}:live",
            build=lambda tz: messages.content_live(item, tz),
        )
    )


def post_finished(*, organization_id: int, post_id: int) -> int:
    """A post went out or failed. A post shared "now" that went out says nothing (the
    ambassador saw it); a scheduled one, or any failure, tells the account owner."""
    try:
        post = publishing_selectors.post_outcome(organization_id=organization_id, post_id=post_id)
    except NotFound:
        return 0
    if post.state not in {"published", "failed"} or (
        post.state == "published" and post.mode == "now"
    ):
        return 0
    return len(
        services.notify(
            organization_id=organization_id,
            membership_ids=[post.membership_id],
            kind=Kind.POST_OUTCOME,
            dedupe_key=f"post:{post.pk}:{post.state}",
            build=lambda tz: messages.post_outcome(post, tz),
        )
    )


def connection_needs_reconnect(*, organization_id: int, connection_id: int) -> int:
    try:
        connection = publishing_selectors.connection_of(
            organization_id=organization_id, connection_id=connection_id
        )
    except NotFound:
        return 0
    if connection.status != "needs_reconnect":
        return 0
    stamp = connection.updated_at.strftime("%Y%m%d%H%M%S")
    return len(
        services.notify(
            organization_id=organization_id,
            membership_ids=[connection.membership_id],
            kind=Kind.RECONNECT,
            dedupe_key=f"connection:{connection.pk}:reconnect:{stamp}",
            build=lambda tz: messages.reconnect(connection, tz),
        )
    )


def suggestion_answered(*, organization_id: int, case_id: int) -> int:
    try:
        case = governance_selectors.decided_case(organization_id=organization_id, case_id=case_id)
    except NotFound:
        return 0
    if case.source != "suggestion" or case.author_id is None:
        return 0
    return len(
        services.notify(
            organization_id=organization_id,
            membership_ids=[case.author_id],
            kind=Kind.SUGGESTION,
            dedupe_key=f"case:{case.pk}:answered",
            build=lambda tz: messages.suggestion_answered(case, tz),
        )
    )


def reward_answered(*, organization_id: int, redemption_id: int, status: str) -> int:
    """The member hears that their request was approved, given or refused (once each)."""
    try:
        redemption = rewards_selectors.decided_redemption(
            organization_id=organization_id, redemption_id=redemption_id
        )
    except NotFound:
        return 0
    if redemption.status != status:
        return 0  # answered again since: that answer has its own notice
    return len(
        services.notify(
            organization_id=organization_id,
            membership_ids=[redemption.membership_id],
            kind=Kind.REWARD,
            dedupe_key=f"redemption:{redemption.pk}:{status}",
            build=lambda tz: messages.reward_answered(redemption, tz),
        )
    )


def badge_earned(*, organization_id: int, award_id: int) -> int:
    """A person earned a badge: them, once per badge (in-app, and pushed where they can)."""
    try:
        award = recognition_selectors.earned_badge(
            organization_id=organization_id, award_id=award_id
        )
    except NotFound:
        return 0
    return len(
        services.notify(
            organization_id=organization_id,
            membership_ids=[award.membership_id],
            kind=Kind.BADGE,
            dedupe_key=f"badge:{award.badge_id}",
            build=lambda tz: messages.badge_earned(award.badge, tz),
        )
    )


def goal_reached(*, organization_id: int, goal_id: int) -> int:
    """A goal was reached: the program team (who reads the organization's analytics) and,
    when the goal is shown to ambassadors, its ambassadors (a team's goal: that team's)."""
    try:
        goal = analytics_goals.reached_goal(organization_id=organization_id, goal_id=goal_id)
    except NotFound:
        return 0
    roles = [role for role, actions in ROLE_ACTIONS.items() if "analytics.view_org" in actions]
    team = account_selectors.active_members_with_roles(
        organization_id=organization_id, roles=roles
    ).values_list("pk", flat=True)
    recipients = set(team)
    if goal.visible_to_ambassadors:
        ambassadors = account_selectors.ambassador_ids(organization_id=organization_id)
        if goal.team_id is not None:
            members = set(account_selectors.team_member_ids(team_id=goal.team_id))
            ambassadors = [pk for pk in ambassadors if pk in members]
        recipients.update(ambassadors)
    return len(
        services.notify(
            organization_id=organization_id,
            membership_ids=sorted(recipients),
            kind=Kind.GOAL,
            dedupe_key=f"goal:{goal.pk}:reached",
            build=lambda tz: messages.goal_reached(goal, tz),
        )
    )


def idea_decided(*, organization_id: int, idea_id: int) -> int:
    """The author of an idea that was triaged (a "suggestion answered" notification)."""
    try:
        idea = ideas_selectors.decided_idea(organization_id=organization_id, idea_id=idea_id)
    except NotFound:
        return 0
    return len(
        services.notify(
            organization_id=organization_id,
            membership_ids=[idea.author_id],
            kind=Kind.SUGGESTION,
            dedupe_key=f"idea:{idea.pk}:{idea.status}",
            build=lambda tz: messages.idea_decided(idea, tz),
        )
    )


def survey(*, organization_id: int, survey_id: int, what: str) -> int:
    """A survey opened ("open": its whole audience) or closes soon ("remind": those who
    have not answered), once per survey and member for each."""
    try:
        found = survey_selectors.launched_survey(
            organization_id=organization_id, survey_id=survey_id
        )
    except NotFound:
        return 0
    if what == "remind":
        ids = survey_selectors.pending_member_ids(survey=found)
    else:
        ids = survey_selectors.audience_member_ids(survey=found)
    return len(
        services.notify(
            organization_id=organization_id,
            membership_ids=ids,
            kind=Kind.SURVEY,
            dedupe_key=f"survey:{found.pk}:{'remind' if what == 'remind' else 'open'}",
            build=lambda tz: messages.survey(found, tz, reminder=what == "remind"),
        )
    )


def events_tomorrow(*, now: dt.datetime | None = None) -> int:
    """Everyone registered for an event that starts within the next 24 hours, once per
    registration and start time (a moved event is announced again)."""
    now = now or clock.now()
    registrations = training_selectors.registrations_starting(after=now, until=now + EVENT_AHEAD)

    def key(registration: Registration) -> str:
        event = registration.event
        return f"event:{event.pk}:{int(event.starts_at.timestamp())}"

    done = set(
        Notification.objects.filter(
            kind=Kind.EVENT, dedupe_key__in={key(r) for r in registrations}
        ).values_list("membership_id", "dedupe_key")
    )
    created = 0
    for registration in registrations:
        if (registration.membership_id, key(registration)) in done:
            continue
        event = registration.event
        created += len(
            services.notify(
                organization_id=registration.organization_id,
                membership_ids=[registration.membership_id],
                kind=Kind.EVENT,
                dedupe_key=key(registration),
                build=functools.partial(_event_message, event, now),
                now=now,
            )
        )
    return created


def _event_message(event: Any, now: dt.datetime, tz: dt.tzinfo) -> messages.Message:
    return messages.event_soon(event, tz, now)


def integration_disabled(
    *, organization_id: int, integration: str, object_id: int, name: str, failures: int
) -> int:
    """An outgoing webhook endpoint turned itself off after failures: the people who manage
    the organization's webhooks hear of it, with a link to the endpoint's page."""
    if integration != "webhook":
        return 0
    from django.urls import reverse
    from django.utils.translation import gettext as _

    roles = [role for role, actions in ROLE_ACTIONS.items() if "webhooks.manage" in actions]
    managers = account_selectors.active_members_with_roles(
        organization_id=organization_id, roles=roles
    ).values_list("pk", flat=True)

    def build(tz: dt.tzinfo) -> messages.Message:
        return messages.Message(
            title=_("The webhook endpoint “%(name)s” was turned off") % {"name": name[:80]},
            body=_(
                "Its deliveries failed %(count)d times in a row. Check the receiver, then turn "
                "the endpoint on again: events are not sent to it meanwhile."
            )
            % {"count": failures},
            url=reverse("webhooks:endpoint", kwargs={"pk": object_id}),
        )

    return len(
        services.notify(
            organization_id=organization_id,
            membership_ids=list(managers),
            kind=Kind.WEBHOOK_DISABLED,
            dedupe_key=f"webhook:{object_id}:off:{int(clock.now().timestamp())}",
            build=build,
        )
    )
