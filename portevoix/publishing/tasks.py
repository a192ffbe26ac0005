"""Background tasks of publishing: thin, they take ids and call the engine.

Periodic schedules live in `config/schedule.py`.
"""

from huey.contrib.djhuey import db_task

from . import engine, selectors, sync


@db_task(retries=0)
def publish_post(post_id: int) -> str:
    """Publish one post if it is due (the engine's claim makes a duplicate task harmless)."""
    return engine.post_publish(post_id=post_id)


@db_task()
def publish_due() -> dict[str, int]:
    """Hold what a pause holds; enqueue every due post."""
    held = engine.posts_hold_paused()
    ids = selectors.due_post_ids()
    for post_id in ids:
        publish_post(post_id)
    return {"held": held, "enqueued": len(ids)}


@db_task()
def sync_engagement() -> int:
    return sync.engagement_sync()


@db_task()
def sync_accounts() -> int:
    """Refresh expiring tokens, then follower counts."""
    return sync.connections_refresh_expiring() + sync.followers_sync()
