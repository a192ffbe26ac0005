"""Engagement measures from publishing's snapshots, and the deltas `rollup_add` takes."""

from __future__ import annotations

# --- Engagement from publishing snapshots

# (likes, replies, reposts, quotes, impressions), as in an EngagementSnapshot: None where
# the network does not give the figure.
EngagementFigures = tuple[int | None, int | None, int | None, int | None, int | None]
ENGAGEMENT_MEASURES = ("engagements", "impressions", "impression_engagements")


def engagement_measures(figures: EngagementFigures | None) -> dict[str, int]:
    """The three engagement measures of one post's latest snapshot (None: no snapshot)."""
    if figures is None:
        return dict.fromkeys(ENGAGEMENT_MEASURES, 0)
    if len(figures) != 5:
        raise ValueError("expected (likes, replies, reposts, quotes, impressions)")
    likes, replies, reposts, quotes, impressions = figures
    engagements = sum(v or 0 for v in (likes, replies, reposts, quotes))
    return {
        "engagements": engagements,
        "impressions": impressions or 0,
        "impression_engagements": engagements if impressions is not None else 0,
    }


def engagement_delta(
    previous: EngagementFigures | None, current: EngagementFigures
) -> dict[str, int]:
    """What a post's cell gains (or loses) when its latest snapshot goes from `previous`
    (None: the post had none) to `current`: {engagements, impressions,
    impression_engagements}, to pass to `rollup_add` as is. Each tuple is (likes, replies,
    reposts, quotes, impressions), None where the network does not give the figure."""
    before, after = engagement_measures(previous), engagement_measures(current)
    return {m: after[m] - before[m] for m in ENGAGEMENT_MEASURES}
