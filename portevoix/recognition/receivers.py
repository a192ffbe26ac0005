"""Recognition listens to the apps below it through their declared signals (each sent
inside the transaction of its event, so the points commit with it)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from portevoix.accounts import signals as accounts_signals
from portevoix.ideas import signals as ideas_signals
from portevoix.publishing import signals as publishing_signals
from portevoix.sharing import signals as sharing_signals
from portevoix.surveys import signals as survey_signals
from portevoix.training import selectors as training_selectors
from portevoix.training import signals as training_signals

from . import services
from .models import PointRule
from .services.rules import rules_forget
from .services.totals import teams_follow_member

_UID = "recognition."


def _share_posted(sender: Any, **kwargs: Any) -> None:
    services.on_share_posted(
        organization_id=kwargs["organization_id"],
        membership_id=kwargs["membership_id"],
        share_id=kwargs["share_id"],
        network=kwargs["network"],
        personalized=kwargs["personalized"],
        at=kwargs["at"],
    )
    services.fairplay_share_posted(
        organization_id=kwargs["organization_id"],
        membership_id=kwargs["membership_id"],
        share_id=kwargs["share_id"],
        text_hash=kwargs.get("text_hash", ""),
        at=kwargs["at"],
    )


def _share_removed(sender: Any, **kwargs: Any) -> None:
    services.on_share_removed(
        organization_id=kwargs["organization_id"], share_id=kwargs["share_id"]
    )


def _clicks_counted(sender: Any, **kwargs: Any) -> None:
    services.on_clicks_counted(clicks=kwargs["clicks"])


def _conversion_recorded(sender: Any, **kwargs: Any) -> None:
    services.on_conversion_recorded(
        organization_id=kwargs["organization_id"],
        membership_id=kwargs["membership_id"],
        conversion_id=kwargs["conversion_id"],
        network=kwargs["network"],
        at=kwargs["at"],
    )


def _engagement_changed(sender: Any, **kwargs: Any) -> None:
    services.on_engagement_changed(
        organization_id=kwargs["organization_id"],
        membership_id=kwargs["membership_id"],
        share_id=kwargs["share_id"],
        snapshot_id=kwargs["snapshot_id"],
        network=kwargs["network"],
        at=kwargs["at"],
        likes=kwargs["likes"],
        reposts=kwargs["reposts"],
        comments=kwargs["comments"],
    )


def _post_deleted(sender: Any, **kwargs: Any) -> None:
    if kwargs.get("share_id"):
        services.on_post_deleted(
            organization_id=kwargs["organization_id"], share_id=kwargs["share_id"]
        )


def _course_passed(sender: Any, **kwargs: Any) -> None:
    services.on_course_passed(
        organization_id=kwargs["organization_id"],
        membership_id=kwargs["membership_id"],
        course_id=kwargs["course_id"],
        at=kwargs["at"],
    )


def _attendance_marked(sender: Any, **kwargs: Any) -> None:
    services.on_attendance_marked(
        organization_id=kwargs["organization_id"],
        event_id=kwargs["event_id"],
        at=kwargs["at"],
        attended=kwargs["attended"],
        absent=kwargs["absent"],
    )
    if kwargs["attended"]:  # a session that took place: its coach spoke
        services.on_session_coached(
            organization_id=kwargs["organization_id"],
            coach_id=training_selectors.event_coach_id(
                organization_id=kwargs["organization_id"], event_id=kwargs["event_id"]
            ),
        )


def _idea_accepted(sender: Any, **kwargs: Any) -> None:
    services.on_idea_accepted(
        organization_id=kwargs["organization_id"],
        membership_id=kwargs["author_id"],
        idea_id=kwargs["idea_id"],
        at=kwargs["at"],
    )


def _survey_answered(sender: Any, **kwargs: Any) -> None:
    services.on_survey_answered(
        organization_id=kwargs["organization_id"],
        membership_id=kwargs["membership_id"],
        survey_id=kwargs["survey_id"],
        at=kwargs["at"],
    )


def _team_links_changed(sender: Any, **kwargs: Any) -> None:
    teams_follow_member(
        organization_id=kwargs["organization_id"],
        membership_id=kwargs["membership_id"],
        added=kwargs["added"],
        removed=kwargs["removed"],
    )


def _listing_changed(sender: Any, **kwargs: Any) -> None:
    services.listing_refresh(
        organization_id=kwargs["organization_id"], membership_ids=kwargs["membership_ids"]
    )


def _rule_written(sender: Any, instance: PointRule, **kwargs: Any) -> None:
    rules_forget(instance.organization_id)


def connect() -> None:
    for model_signal in (post_save, post_delete):
        model_signal.connect(
            _rule_written, sender=PointRule, dispatch_uid=_UID + "rule_written", weak=False
        )
    pairs = (
        (accounts_signals.team_links_changed, _team_links_changed),
        (accounts_signals.listing_changed, _listing_changed),
        (sharing_signals.share_posted, _share_posted),
        (sharing_signals.share_removed, _share_removed),
        (sharing_signals.clicks_counted, _clicks_counted),
        (sharing_signals.conversion_recorded, _conversion_recorded),
        (publishing_signals.engagement_changed, _engagement_changed),
        (publishing_signals.post_deleted, _post_deleted),
        (training_signals.course_passed, _course_passed),
        (training_signals.attendance_marked, _attendance_marked),
        (ideas_signals.idea_accepted, _idea_accepted),
        (survey_signals.survey_answered, _survey_answered),
    )
    for signal, receiver in pairs:
        signal.connect(receiver, dispatch_uid=_UID + receiver.__name__, weak=False)
