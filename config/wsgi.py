"""The web tier: /l/<code> goes to the tracked-link redirect, everything else to Django."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_wsgi_application()

from portevoix.core.worker import settle  # noqa: E402  (needs settings loaded)
from portevoix.sharing.redirect.app import build  # noqa: E402

application = build(django_application)
settle()  # last: what the worker loaded is frozen (docs/decisions/0039-web-worker-gc.md)
