"""Web pages of sharing, by page family: the share page (`share`), the shares lists
(`shares`), the tracking settings (`tracking`) and the public endpoints (`public`: the
conversion pixel, /l/<code> under Django).

Views parse, authorize, call one service or selector, and render.
"""

from __future__ import annotations

from .public import CLICK_COOKIE, PIXEL_GIF, pixel, short_link
from .share import share, share_check, share_copy
from .shares import my_shares, org_shares, share_confirm, share_remove
from .tracking import tracking_key, tracking_settings

__all__ = [
    "CLICK_COOKIE",
    "PIXEL_GIF",
    "my_shares",
    "org_shares",
    "pixel",
    "share",
    "share_check",
    "share_confirm",
    "share_copy",
    "share_remove",
    "short_link",
    "tracking_key",
    "tracking_settings",
]
