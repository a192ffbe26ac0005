"""What the redirect's click journal hands to `services.clicks_ingest`. No ORM."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class ClickRecord:
    """One request to /l/<code>, as journaled by the redirect.

    journal_key: unique and stable for this request (ingesting it twice inserts one row).
    visitor: `visitor.visitor_hash(ip, user_agent, day)`, never the raw IP.
    bot / head: redirected but never counted (the ingester skips them).
    referrer_network: the network the visitor came from ("" when unknown).
    country: ISO 3166 alpha-2 from the optional GeoIP database, else "".
    click_id: the first-party id given to the destination (`pv_click`), [A-Za-z0-9_-]{1,32}.
    own: the sharer's own click (their browser carried their member mark): stored, never
    counted (docs/decisions/0005).
    """

    journal_key: str
    code: str
    at: dt.datetime
    visitor: str
    bot: bool
    head: bool
    referrer_network: str
    country: str
    click_id: str
    own: bool = False
