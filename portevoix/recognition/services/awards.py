"""From the other apps' events to ledger entries: one function per signal, each keyed so
that a replay awards nothing (see `ledger`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from ..models import RuleCode
from .batch import points_award_many
from .ledger import Award, points_award, points_reverse, points_reverse_source
from .pending import awards_defer, pending_forget_source


def _award_once(
    organization_id: int,
    membership_id: int,
    rule: str,
    source: tuple[str, int],
    key: str,
    at: dt.datetime,
    network: str = "",
    count: int = 1,
) -> None:
    """One event's award, keyed `key` (a replay writes nothing): `source` is the event's
    kind and id in its app."""
    points_award(
        award=Award(
            organization_id=organization_id,
            membership_id=membership_id,
            rule=rule,
            source_type=source[0],
            source_id=source[1],
            key=key,
            at=at,
            network=network,
            count=count,
        )
    )


def on_share_posted(
    *,
    organization_id: int,
    membership_id: int,
    share_id: int,
    network: str,
    personalized: bool,
    at: dt.datetime,
) -> None:
    """A share confirmed or published: the share, and an original post when rewritten.
    Written to be given once the share's transaction commits, in a batch (`pending`: one
    insert in the share's transaction)."""
    awards_defer(
        awards=[
            Award(
                organization_id=organization_id,
                membership_id=membership_id,
                rule=rule,
                source_type="share",
                source_id=share_id,
                key=key,
                at=at,
                network=network,
            )
            for rule, key, earned in (
                (RuleCode.SHARE, f"share:{share_id}", True),
                (RuleCode.ORIGINAL_POST, f"original:{share_id}", personalized),
            )
            if earned
        ]
    )


def on_share_removed(*, organization_id: int, share_id: int) -> None:
    """A share taken down by moderation loses what it earned (share and original post),
    given or still waiting."""
    pending_forget_source(organization_id=organization_id, source_type="share", source_id=share_id)
    points_reverse_source(organization_id=organization_id, source_type="share", source_id=share_id)


def on_clicks_counted(*, clicks: Sequence[Any]) -> None:
    """Counted clicks only (first of a human visitor on a link that day), each once; the
    batch is written in a few queries (`batch.points_award_many`)."""
    points_award_many(
        awards=[
            Award(
                organization_id=click.organization_id,
                membership_id=click.membership_id,
                rule=RuleCode.CLICK,
                source_type="link",
                source_id=click.link_id,
                key=f"click:{click.click_id}",
                network=click.network,
                at=click.at,
            )
            for click in clicks
        ]
    )


def on_conversion_recorded(
    *, organization_id: int, membership_id: int, conversion_id: int, network: str, at: dt.datetime
) -> None:
    _award_once(
        organization_id,
        membership_id,
        RuleCode.CONVERSION,
        ("conversion", conversion_id),
        f"conversion:{conversion_id}",
        at,
        network=network,
    )


def on_engagement_changed(
    *,
    organization_id: int,
    membership_id: int,
    share_id: int,
    snapshot_id: int,
    network: str,
    at: dt.datetime,
    likes: int,
    reposts: int,
    comments: int,
) -> None:
    """What a post gained since its previous snapshot, weighted by each rule."""
    for rule, count in (
        (RuleCode.LIKE, likes),
        (RuleCode.REPOST, reposts),
        (RuleCode.COMMENT, comments),
    ):
        if count > 0:
            _award_once(
                organization_id,
                membership_id,
                rule,
                ("share", share_id),
                f"{rule}:{snapshot_id}",
                at,
                network=network,
                count=count,
            )


def on_course_passed(
    *, organization_id: int, membership_id: int, course_id: int, at: dt.datetime
) -> None:
    """Once per course and person, even when a revoked certificate is earned again."""
    _award_once(
        organization_id,
        membership_id,
        RuleCode.COURSE_PASSED,
        ("course", course_id),
        f"course:{course_id}:{membership_id}",
        at,
    )


def on_attendance_marked(
    *,
    organization_id: int,
    event_id: int,
    at: dt.datetime,
    attended: Iterable[int],
    absent: Iterable[int],
) -> None:
    """Those who came earn the event once; someone marked absent after all loses it."""
    for membership_id in attended:
        _award_once(
            organization_id,
            membership_id,
            RuleCode.EVENT_ATTENDED,
            ("event", event_id),
            f"event:{event_id}:{membership_id}",
            at,
        )
    for membership_id in absent:
        points_reverse(organization_id=organization_id, key=f"event:{event_id}:{membership_id}")


def on_idea_accepted(
    *, organization_id: int, membership_id: int, idea_id: int, at: dt.datetime
) -> None:
    """An idea of the idea box accepted: its author earns it once, whatever is replayed."""
    _award_once(
        organization_id,
        membership_id,
        RuleCode.IDEA_ACCEPTED,
        ("idea", idea_id),
        f"idea:{idea_id}",
        at,
    )


def on_survey_answered(
    *, organization_id: int, membership_id: int, survey_id: int, at: dt.datetime
) -> None:
    """Once per survey and person (the survey says who answered, never what)."""
    _award_once(
        organization_id,
        membership_id,
        RuleCode.SURVEY_ANSWERED,
        ("survey", survey_id),
        f"survey:{survey_id}:{membership_id}",
        at,
    )
