"""Run by test_rollups: threads adding to one rollup cell at once, on a SQLite file
database configured as in production (WAL, busy timeout). Prints the cell as JSON."""

from __future__ import annotations

import json
import os
import sys
import threading
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
os.environ.pop("DATABASE_URL", None)
os.environ["SQLITE_PATH"] = sys.argv[1]

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

THREADS, PER_THREAD = int(sys.argv[2]), int(sys.argv[3])


def main() -> None:
    call_command("migrate", verbosity=0)  # a copy of a migrated database: nothing to apply
    from portevoix.accounts.models import Organization
    from portevoix.analytics.models import DailyRollup, MemberRollup
    from portevoix.analytics.rollups import rollup_add

    org = Organization.objects.create(name="C", slug="c")
    errors: list[str] = []
    barrier = threading.Barrier(THREADS)

    def work() -> None:
        try:
            barrier.wait()
            for _ in range(PER_THREAD):
                rollup_add(
                    organization_id=org.pk,
                    day=__import__("datetime").date(2026, 3, 14),
                    item_id=11,
                    campaign_id=5,
                    membership_id=22,
                    network="linkedin",
                    clicks=1,
                    unique_visitors=1,
                    conversion_value=Decimal("1.10"),
                )
        except Exception as exc:  # reported
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cell = DailyRollup.objects.get()
    month = MemberRollup.objects.get(grain="m")
    print(
        json.dumps(
            {
                "errors": errors,
                "clicks": cell.clicks,
                "unique_visitors": cell.unique_visitors,
                "cents": cell.conversion_value_cents,
                "month_clicks": month.clicks,
            }
        )
    )


main()
