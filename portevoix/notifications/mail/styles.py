"""The emails' styles. Mail clients ignore style sheets, so each class of the email
templates becomes its `style` attribute when a piece is compiled (once per run): the
templates hold no style attribute (the site's CSP forbids them on its pages), the emails
carry them."""

from __future__ import annotations

import re

STYLES = {
    "m1": (
        "max-width:600px;margin:0 auto;padding:16px;"
        "font-family:Inter,Arial,Helvetica,sans-serif;color:#18181b;line-height:1.5;overflow-wrap:anywhere"
    ),
    "m2": "padding:8px 0 16px",
    "m3": "margin:0;font-size:14px;color:#3f3f46",
    "m4": "margin:4px 0 0;font-size:22px",
    "m5": "background:#ffffff;border-radius:8px;padding:16px",
    "m6": "margin:0 0 8px",
    "m7": "margin:0 0 16px",
    "m8": "margin:16px 0 0",
    "m9": "color:#1d4ed8;text-decoration:underline",
    "m10": "padding:16px 0;font-size:13px;color:#3f3f46",
    "m11": "margin:0",
    "m12": "border:1px solid #d4d4d8;border-radius:8px;padding:12px;margin:0 0 16px",
    "m13": "margin:0 0 4px;font-size:18px",
    "m14": "color:#b91c1c",
    "m15": "margin:0 0 8px;color:#3f3f46",
    "m16": "margin:8px 0 0",
    "m17": "margin:0 0 4px;font-size:14px;font-weight:600",
    "m18": (
        "margin:0 0 8px;padding:8px;background:#f4f4f5;border-radius:6px;"
        "white-space:pre-wrap;overflow-wrap:anywhere;font-family:inherit;font-size:14px"
    ),
    "m19": (
        "display:inline-block;padding:10px 16px;background:#1d4ed8;"
        "color:#ffffff;border-radius:6px;text-decoration:none;font-weight:600"
    ),
    "m20": "margin:8px 0 16px",
    "m21": "margin:0 0 4px;font-size:16px",
    "m22": "margin:0;padding-left:20px",
}

_CLASS = re.compile(r'class="(m\d+)"')


def inline(html: str) -> str:
    """`html` with each `class="mN"` of STYLES replaced by its style attribute."""
    return _CLASS.sub(lambda m: f'style="{STYLES[m.group(1)]}"', html)
