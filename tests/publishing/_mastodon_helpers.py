"""Plain helpers of the Mastodon connector tests (tests/publishing/test_mastodon_*.py)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from typing import Any

from portevoix.networks.base import PostRequest


def make_post(link: str | None = None, text: str = "") -> tuple[PostRequest, list[dict[str, Any]]]:
    link = link or f"https://go.portevoix.test/s/{secrets.token_hex(6)}"
    saved: list[dict[str, Any]] = []
    post = PostRequest(
        key=uuid.uuid4().hex,
        text=text or f"Our new report is out: {link} #advocacy",
        link_url=link,
        save_state=saved.append,
    )
    return post, saved


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
