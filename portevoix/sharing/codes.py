"""Short codes of tracked links and first-party click ids. Pure, no ORM."""

from __future__ import annotations

import re
import secrets
import string

ALPHABET = string.digits + string.ascii_letters  # base62
CODE_LENGTH = 7  # 62**7 ≈ 3.5e12 codes
CODE_RE = re.compile(r"^[0-9A-Za-z]{4,16}$")
CLICK_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def new_code(length: int = CODE_LENGTH) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def is_code(value: str) -> bool:
    return bool(CODE_RE.match(value or ""))


def is_click_id(value: str) -> bool:
    return bool(CLICK_ID_RE.match(value or ""))
