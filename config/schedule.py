"""Every periodic schedule of Portevoix, in one place.

Each entry is a huey periodic task that runs one app task in the worker. The worker finds this
module through `portevoix/content/tasks.py`, which imports it (the worker imports the `tasks`
module of each installed app; `config` is not an app).

The worker that runs the schedule is started by `manage.py serve`, or by `manage.py run_huey`
on its own. With several worker machines (Redis), every consumer enqueues periodic tasks: run
one with the schedule and the others with `run_huey --no-periodic`. The tasks below are
idempotent anyway, so a duplicate run does no harm.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from portevoix.content import tasks as content_tasks

EVERY_MINUTE = crontab(minute="*")


# `expires`: a run that could not start within the minute is dropped, not queued up behind.
@db_periodic_task(EVERY_MINUTE, expires=55)
def content_refresh_states() -> int:
    """Every minute: content reaches ambassadors at publish-at and leaves them at expire-at."""
    return int(content_tasks.refresh_states.call_local())


@db_periodic_task(crontab(minute="41"), expires=3000)
def content_review_reminders() -> int:
    """Every hour: each approver hears about the items of their queue due within a day or
    overdue, once per item and day."""
    return int(content_tasks.send_review_reminders.call_local())


@db_periodic_task(crontab(minute="*/5"), expires=240)
def training_event_reminders() -> int:
    """Every five minutes: the reminder with the calendar invitation, once per registration,
    within 24 hours of each coaching session or event."""
    from portevoix.training import tasks as training_tasks

    return int(training_tasks.send_event_reminders.call_local())


@db_periodic_task(EVERY_MINUTE, expires=55)
def publishing_due() -> dict[str, int]:
    """Every minute: scheduled posts that are due go out (each in its own task); what a
    crisis pause holds is set aside."""
    from portevoix.publishing import tasks as publishing_tasks

    result: dict[str, int] = publishing_tasks.publish_due.call_local()
    return result


@db_periodic_task(crontab(minute="*/30"), expires=1500)
def publishing_sync_engagement() -> int:
    """Every 30 minutes: likes, replies, reposts, quotes and views of recent posts."""
    from portevoix.publishing import tasks as publishing_tasks

    return int(publishing_tasks.sync_engagement.call_local())


@db_periodic_task(crontab(minute="17"), expires=3000)
def publishing_sync_accounts() -> int:
    """Every hour: refresh tokens before they expire, and follower counts."""
    from portevoix.publishing import tasks as publishing_tasks

    return int(publishing_tasks.sync_accounts.call_local())


@db_periodic_task(crontab(minute="*/5"), expires=240)
def notifications_release_held() -> int:
    """Every five minutes: pushes held during quiet hours go out once they end."""
    from portevoix.notifications import tasks as notification_tasks

    return int(notification_tasks.release_held_pushes.call_local())


@db_periodic_task(crontab(minute="*/15"), expires=600)
def notifications_events_tomorrow() -> int:
    """Every 15 minutes: "tomorrow" for each registration of an event within 24 hours."""
    from portevoix.notifications import tasks as notification_tasks

    return int(notification_tasks.notify_events_tomorrow.call_local())


@db_periodic_task(crontab(minute="17"), expires=3000)
def analytics_check_goals() -> int:
    """Every hour: a goal whose figure reached its target is recorded as reached and
    announced, once (a goal is looked at until the day after its deadline)."""
    from portevoix.analytics import tasks as analytics_tasks

    return int(analytics_tasks.check_goals.call_local())


@db_periodic_task(crontab(minute="7"), expires=3000)
def analytics_send_reports() -> int:
    """Every hour: the scheduled reports whose moment came go out, one delivery per
    recipient and period, each sent once (a failed one is tried again with a backoff)."""
    from portevoix.analytics import tasks as analytics_tasks

    return int(analytics_tasks.send_due_reports.call_local())


@db_periodic_task(crontab(hour="*/6", minute="23"), expires=3600)
def recognition_close_months() -> int:
    """Every six hours: once a month is over, its top 10 get their badge (each month once
    per organization, so the runs after the first change nothing)."""
    from portevoix.recognition import tasks as recognition_tasks

    return int(recognition_tasks.close_months.call_local())


@db_periodic_task(crontab(minute="*/5"), expires=240)
def recognition_give_pending_awards() -> int:
    """Every five minutes: the shares' awards still waiting (their task is queued when the
    share commits; this gives those whose task was lost, each once)."""
    from portevoix.recognition import tasks as recognition_tasks

    return int(recognition_tasks.give_pending_awards.call_local())


@db_periodic_task(EVERY_MINUTE, expires=55)
def recognition_fold_histogram() -> int:
    """Every minute: the rows each award adds to the boards' histogram folded into one per
    bucket (a rank sums the rows above; fewer rows, faster ranks)."""
    from portevoix.recognition import tasks as recognition_tasks

    return int(recognition_tasks.fold_histogram.call_local())


@db_periodic_task(crontab(hour="3", minute="41"), expires=3600)
def recognition_check_listing() -> int:
    """Every night: the boards' "listed" flags on the points totals set again wherever they
    disagree with people's state (for a change no signal told; usually none)."""
    from portevoix.recognition import tasks as recognition_tasks

    return int(recognition_tasks.check_listing.call_local())


@db_periodic_task(crontab(minute="*/5"), expires=240)
def surveys_tick() -> dict[str, int]:
    """Every five minutes: the one reminder of each survey a day before its deadline
    (claimed once, never twice), then the surveys past their deadline closed (anonymous
    answers written in their final shuffled order)."""
    from portevoix.surveys import tasks as survey_tasks

    result: dict[str, int] = survey_tasks.tick.call_local()
    return result


@db_periodic_task(EVERY_MINUTE, expires=55)
def notifications_chat_due() -> int:
    """Every minute: Slack and Teams messages due for their (next) attempt."""
    from portevoix.notifications.chat import tasks as chat_tasks

    return chat_tasks.chat_due()


@db_periodic_task(crontab(minute="*/15"), expires=840)
def notifications_chat_challenges() -> int:
    """Every 15 minutes: challenges that passed 25, 50, 75 or 100 %, to the channels."""
    from portevoix.notifications.chat import tasks as chat_tasks

    return chat_tasks.chat_challenges()


@db_periodic_task(crontab(day_of_week="1", hour="8", minute="5"), expires=3000)
def notifications_chat_weekly_digest() -> int:
    """Mondays at 08:05 (server time): the week's new content to the channels taking it."""
    from portevoix.notifications.chat import tasks as chat_tasks

    return chat_tasks.chat_weekly_digest()


@db_periodic_task(crontab(minute="2"), expires=3000)
def notifications_digests_due() -> int:
    """Every hour: the organizations whose digest hour it is (in their time zone) start
    their daily digest, and on their day their weekly one (each once per period); each run
    goes on in batches of 500 members, each batch queueing the next."""
    from portevoix.notifications.mail import tasks as mail_tasks

    return int(mail_tasks.digests_due())


@db_periodic_task(crontab(minute="*/5"), expires=240)
def notifications_mail_resume() -> int:
    """Every five minutes: email retries that are due (backoff), deliveries left by a
    worker that died (lease expired) and digest runs that stopped moving go on."""
    from portevoix.notifications.mail import tasks as mail_tasks

    return int(mail_tasks.mail_resume())


@db_periodic_task(EVERY_MINUTE, expires=55)
def webhooks_due() -> int:
    """Every minute: webhook deliveries whose next attempt has come (the retries, with their
    backoff; a first attempt is sent as soon as its event is committed)."""
    from portevoix.webhooks import tasks as webhook_tasks

    return int(webhook_tasks.deliver_due.call_local())


@db_periodic_task(crontab(minute="37"), expires=3000)
def privacy_cleanup_exports() -> int:
    """Every hour: the archives of people's own data whose link expired are deleted (the
    file; the row stays, marked expired), and requests stuck for a day are given up."""
    from portevoix.privacy import tasks as privacy_tasks

    return int(privacy_tasks.cleanup_exports.call_local())


@db_periodic_task(crontab(minute="*/10"), expires=540)
def privacy_organization_sweep() -> int:
    """Every ten minutes: organization archives whose link expired are deleted, and an
    organization whose deletion was asked and not finished (a lost task) is deleted."""
    from portevoix.privacy import tasks as privacy_tasks

    return int(privacy_tasks.organization_sweep.call_local())


@db_periodic_task(crontab(minute="17"), expires=3000)
def privacy_erasures() -> int:
    """Every hour: the data of people who left more than their organization's delay ago
    ("erase N days after leaving") is erased; one transaction per person, an erased one
    is left alone, so a late or doubled run erases each person once."""
    from portevoix.privacy import tasks as privacy_tasks

    return int(privacy_tasks.run_erasures.call_local())


@db_periodic_task(crontab(minute="*/5"), expires=240)
def listening_poll_feeds() -> int:
    """Every five minutes: the listening feeds whose interval passed are read (conditional
    GET; each feed claimed by one worker), and their entries that match a monitor stored as
    mentions, each once per organization."""
    from portevoix.listening import tasks as listening_tasks

    return int(listening_tasks.poll_feeds.call_local())


@db_periodic_task(crontab(minute="12"), expires=3000)
def listening_spike_alerts() -> int:
    """Every hour (at :12, so the 5-minute polls brought the hour in): each active monitor's
    last complete hour against the median of its 7 days before; an alert once per monitor,
    kind and hour, told to the community managers and admins (decision 0027)."""
    from portevoix.listening import tasks as listening_tasks

    return int(listening_tasks.spike_alerts.call_local())


@db_periodic_task(crontab(minute="47"), expires=3000)
def listening_purge_mentions() -> int:
    """Every hour: mentions older than their organization's retention (90 days unless it
    chose otherwise) are deleted."""
    from portevoix.listening import tasks as listening_tasks

    return int(listening_tasks.purge_mentions.call_local())


@db_periodic_task(crontab(minute="29"), expires=3000)
def listening_recount_voice() -> int:
    """Every hour: the share of voice counts of today and yesterday are recomputed from the
    mentions (idempotent; repairs a sentiment filled in later or a post deleted at its
    source; the counts are otherwise added as each mention is stored)."""
    from portevoix.listening import tasks as listening_tasks

    return int(listening_tasks.recount_voice.call_local())


@db_periodic_task(crontab(minute="53"), expires=3000)
def listening_snapshot_benchmarks() -> int:
    """Every hour: each benchmarked public account gets its snapshot of the day, once (one
    row per account and day; an account that could not be read is tried again next hour)."""
    from portevoix.listening import tasks as listening_tasks

    return int(listening_tasks.snapshot_benchmarks.call_local())
