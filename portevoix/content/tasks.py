"""Background tasks of content: thin, they take ids and call services.

Periodic schedules are not declared here: they all live in `config/schedule.py`.
"""

from huey.contrib.djhuey import db_task

from . import services


@db_task()
def refresh_states() -> int:
    """Approved items past publish-at go live; live ones past expire-at expire."""
    return services.items_refresh_states()


# Registration hook for the one schedule module. The worker (`manage.py run_huey`) imports the
# `tasks` module of every installed app, and `config` is not an app: importing the schedule
# here is what makes the worker see its periodic tasks. Kept last, after the tasks that the
# schedule uses, because config.schedule imports this module back.
import config.schedule  # noqa: E402, F401
