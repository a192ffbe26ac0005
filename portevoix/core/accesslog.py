"""granian's access log without personal data, for `manage.py serve` with ACCESS_LOG=1.

The default is no access log at all (privacy, and about twice the redirect throughput).
When an operator turns it on, each line holds the time, method, path, protocol, status and
duration: never the client address (no `%(addr)s`, no `X-Forwarded-For` header), never the
query string, and the paths that carry a secret or identify a visitor are masked:
`/l/<code>` (the tracked link of one ambassador's share), `/invitations/<token>/` and the
password-reset link `/password/reset/<uid>/<token>/`.

Imported by granian's worker processes through the logging configuration written by
`serve` (a `logging.config.dictConfig` filter): no Django import here.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from pathlib import Path
from typing import Any

# No %(addr)s and no %(query_string)s: see the module docstring.
ACCESS_LOG_FORMAT = '[%(time)s] "%(method)s %(path)s %(protocol)s" %(status)d %(dt_ms).3f'
MASK = "***"
# A path segment after one of these prefixes is a secret or a per-visitor code (anywhere in
# a text: a path alone, or a URL in a message).
_SECRET_PATH = re.compile(
    r"(/l/|/invitations/|/calendar/ical/|/password/reset/[^/\s\"'?&#]+/)[^/\s\"'?&#]+"
)


def mask_path(text: str) -> str:
    """`/l/abc123` -> `/l/***`, `/invitations/<token>/` -> `/invitations/***/`."""
    return _SECRET_PATH.sub(lambda m: m.group(1) + MASK, text)


def _masked(value: object) -> object:
    return mask_path(value) if isinstance(value, str) else value


class MaskSecrets(logging.Filter):
    """Masks secret paths in a record's message and arguments: granian's access-log records
    (their args are a dict) and Django's (`django.request` logs "Not Found: <path>" for an
    unknown or used invitation link). Used by `serve`'s granian log config and by LOGGING."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_path(record.msg)
        args = record.args
        if isinstance(args, dict):
            record.args = {key: _masked(value) for key, value in args.items()}
        elif isinstance(args, tuple):
            record.args = tuple(_masked(value) for value in args)
        return True


def granian_log_config() -> dict[str, Any]:
    """granian's own logging configuration with the masking filter on its access handler."""
    from granian.log import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"mask_secrets": {"()": f"{__name__}.MaskSecrets"}}
    config["handlers"]["access"]["filters"] = ["mask_secrets"]
    return config


def write_granian_log_config(path: Path) -> Path:
    path.write_text(json.dumps(granian_log_config()))
    return path
