"""Background tasks of recognition: thin, they call services. The periodic run is declared
in `config/schedule.py`, like every schedule."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from . import services


@db_task()
def close_months() -> int:
    """The month's top 10 get their badge once the month is over (idempotent)."""
    return services.months_close_due()


@db_task()
def pay_challenge_bonuses(challenge_id: int) -> int:
    """A challenge reached its target: each qualifying participant's bonus (keyed, once)."""
    return services.challenge_pay_bonuses_by_id(challenge_id=challenge_id)


@db_task()
def check_listing() -> int:
    """The boards' listed flags set again where they disagree with people's state."""
    return services.listing_check()


@db_task()
def fold_histogram() -> int:
    """Each bucket of the boards' histogram folded into one row (the awards insert theirs)."""
    return services.histogram_compact()


@db_task()
def give_pending_awards() -> int:
    """The awards written by their events' transactions (the shares'), given in batches."""
    return services.pending_awards_drain()
