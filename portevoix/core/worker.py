"""A web worker's start, before its first request (config/wsgi.py;
docs/decisions/0039-web-worker-gc.md).

Django loads the URLconf (every app's addresses, the API's schemas) and the translation
catalogs on the first request that needs them. `settle` loads them at start instead, then,
with `WEB_GC_FREEZE`, moves everything the worker holds at that point into the garbage
collector's permanent generation (`gc.freeze`): those 300,000-odd objects live as long as
the process, and a full collection no longer scans them. Without it, a full collection
scanned them all, every few seconds under load: 200-400 ms with every thread of the process
waiting, the long tail of the team's pages. `WEB_GC_THRESHOLD` sets the collector's
thresholds (the youngest generation every 7,000 allocations rather than 700, so fewer of a
request's objects are still alive, and promoted, when it runs).
"""

from __future__ import annotations

import gc

from django.conf import settings
from django.urls import get_resolver, reverse
from django.utils import translation


def settle() -> int:
    """Load what the first request would load, then freeze it and set the thresholds.
    Answers how many objects are frozen (0 with `WEB_GC_FREEZE` off)."""
    get_resolver().resolve("/healthz")  # imports the URLconf
    reverse("healthz")  # builds the reverse lookup tables
    for code, _name in settings.LANGUAGES:
        translation.activate(code)  # loads the language's catalogs
    translation.deactivate()
    gc.set_threshold(*settings.WEB_GC_THRESHOLD)
    if not settings.WEB_GC_FREEZE:
        return 0
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
