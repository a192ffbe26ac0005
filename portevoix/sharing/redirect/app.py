"""GET /l/<code>: a WSGI function in front of Django. Imports no template, form or middleware.

Per request: validate the code, look it up in the in-process cache (filled from the
database on a miss), append the click to the journal (HEAD requests are redirected but not
journaled), answer 302. The only database access is a read on a cache miss.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from portevoix.sharing.visitor import local_day, mark_in_cookies, member_mark, visitor_hash

from .journal import JournalWriter, clean_field

logger = logging.getLogger("portevoix.redirect")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
# Links kept per process; past it, the least recently used ones are dropped one by one.
CACHE_MAX_ENTRIES = 100_000


@dataclass(frozen=True)
class _Entry:
    expires: float
    base: str  # destination before its fragment, with our query parameters
    joiner: str  # "?" or "&" before pv_click
    fragment: str  # "" or "#..."
    fallback: str  # where unknown/expired codes go ("" for the 404 page)
    owner: str = ""  # the sharer's member mark: a click carrying it is their own


class LinkCache:
    """code -> destination, per process. Found links live LINK_CACHE_SECONDS, unknown or
    not-live codes LINK_NEGATIVE_CACHE_SECONDS, so an archived item stops redirecting within
    that time. At most `max_entries` codes: past it, the least recently used code is
    dropped (one per insertion), so the links in use stay cached."""

    def __init__(self, ttl: float, negative_ttl: float, max_entries: int = CACHE_MAX_ENTRIES):
        self.ttl = ttl
        self.negative_ttl = negative_ttl
        self.max_entries = max(1, max_entries)
        self._data: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, code: object) -> bool:
        return code in self._data

    def get(self, code: str) -> _Entry:
        now = time.monotonic()
        entry = self._data.get(code)
        if entry is not None and entry.expires > now:
            # Atomic under the GIL: no lock on a hit. (try/except, not contextlib.suppress:
            # this is the hot path.)
            try:  # noqa: SIM105
                self._data.move_to_end(code)
            except KeyError:  # evicted by another thread meanwhile: still a valid answer
                pass
            return entry
        entry = self._load(code, now)
        with self._lock:
            self._data[code] = entry
            self._data.move_to_end(code)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)
        return entry

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def _load(self, code: str, now: float) -> _Entry:
        from django.db import close_old_connections, connection

        from portevoix.sharing import selectors

        # Django's request signals do not run for this path: drop stale connections here
        # (never inside a transaction, as in tests).
        if not connection.in_atomic_block:
            close_old_connections()
        destination = selectors.destination_for_code(code)
        if destination is None:
            # The selectors' rule for a safe destination (utm.safe_destination), not a copy.
            fallback = selectors.fallback_for_code(code) or ""
            return _Entry(now + self.negative_ttl, "", "", "", fallback)
        url = destination.url_with_utm
        base, _, fragment = url.partition("#")
        joiner = "&" if "?" in base else "?"
        owner = member_mark(destination.owner_user_id) if destination.owner_user_id else ""
        return _Entry(now + self.ttl, base, joiner, f"#{fragment}" if fragment else "", "", owner)


_NOT_FOUND = (
    "<!doctype html><html lang='fr'><head><meta charset='utf-8'>"
    "<meta name='viewport' content='width=device-width, initial-scale=1'>"
    "<title>Lien indisponible · Link unavailable</title>"
    "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;"
    "padding:0 1rem;color:#1b1f24}h1{font-size:1.4rem}</style></head><body>"
    "<h1>Ce lien n'est plus disponible</h1>"
    "<p>Le contenu partagé a peut-être expiré ou été retiré.</p>"
    "<h1 lang='en'>This link is no longer available</h1>"
    "<p lang='en'>The shared content may have expired or been withdrawn.</p>"
    "</body></html>"
).encode()


class Redirector:
    def __init__(self, *, journal: JournalWriter, cache: LinkCache, cookie_secure: bool):
        self.journal = journal
        self.cache = cache
        self.cookie_attrs = (
            "; Path=/; Max-Age=2592000; HttpOnly; SameSite=None; Secure"
            if cookie_secure
            else "; Path=/; Max-Age=2592000; HttpOnly; SameSite=Lax"
        )
        self.proxy_hops = settings.TRUSTED_PROXY_HOPS
        self._geoip = _open_geoip(settings.GEOIP_DB_PATH)
        self._day_minute = -1
        self._day = dt.date.min
        self._random = threading.local()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        return self.redirect(environ, start_response, environ.get("PATH_INFO", ""))

    def redirect(
        self, environ: dict[str, Any], start_response: Callable[..., Any], path: str
    ) -> list[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method != "GET" and method != "HEAD":
            start_response("405 Method Not Allowed", [("Allow", "GET, HEAD")])
            return [b""]
        code = path[3:]
        if code.endswith("/"):
            code = code[:-1]
        if not (4 <= len(code) <= 16 and code.isascii() and code.isalnum()):
            return self._not_found(start_response, "")
        try:
            entry = self.cache.get(code)
        except Exception:  # the database is unreachable: say so kindly, never a traceback
            logger.exception("redirect: cannot read link %s", code)
            start_response("503 Service Unavailable", [("Retry-After", "30")])
            return [b""]
        if not entry.base:
            return self._not_found(start_response, entry.fallback)
        click_id = self._click_id()
        if method == "GET":  # HEAD is redirected but not journaled: it is not a visit
            self._journal(environ, code, click_id, entry.owner)
        start_response(
            "302 Found",
            [
                ("Location", f"{entry.base}{entry.joiner}pv_click={click_id}{entry.fragment}"),
                ("Cache-Control", "private, no-store"),
                ("Set-Cookie", f"pv_click={click_id}{self.cookie_attrs}"),
            ],
        )
        return [b""]

    def _click_id(self) -> str:
        """18 hex characters from the OS's CSPRNG, drawn 512 at a time per thread."""
        local = self._random
        at = getattr(local, "at", 4608)
        if at >= 4608:
            local.pool = os.urandom(4608)
            at = 0
        local.at = at + 9
        return local.pool[at : at + 9].hex()

    def _not_found(self, start_response: Callable[..., Any], fallback: str) -> list[bytes]:
        if fallback:
            start_response(
                "302 Found",
                [("Location", fallback), ("Cache-Control", "no-store"), ("Content-Length", "0")],
            )
            return [b""]
        start_response(
            "404 Not Found",
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(_NOT_FOUND))),
                ("Cache-Control", "no-store"),
            ],
        )
        return [_NOT_FOUND]

    def _client_ip(self, environ: dict[str, Any]) -> str:
        if self.proxy_hops:
            forwarded = [p.strip() for p in environ.get("HTTP_X_FORWARDED_FOR", "").split(",")]
            if len(forwarded) >= self.proxy_hops and forwarded[-self.proxy_hops]:
                return forwarded[-self.proxy_hops]
        return str(environ.get("REMOTE_ADDR", ""))

    def _day_for(self, now: float) -> dt.date:
        """The visitor salt's day, `visitor.local_day` of now (recomputed once a minute)."""
        minute = int(now // 60)
        if minute != self._day_minute:
            self._day = local_day(dt.datetime.fromtimestamp(now, tz=dt.UTC))
            self._day_minute = minute
        return self._day

    def _journal(self, environ: dict[str, Any], code: str, click_id: str, owner: str) -> None:
        now = time.time()
        ip = self._client_ip(environ) if self.proxy_hops else environ.get("REMOTE_ADDR", "")
        ua = environ.get("HTTP_USER_AGENT", "")
        visitor = visitor_hash(ip, ua, self._day_for(now))
        referrer = environ.get("HTTP_REFERER")
        ref_host = clean_field(urlsplit(referrer).hostname or "", 100) if referrer else ""
        country = self._country(ip) if self._geoip is not None else ""
        # The sharer's own click (their browser carries their mark): journaled as "1", never
        # counted. Only this flag is written, never the mark (docs/decisions/0005).
        own = "0"
        if owner:
            cookies = environ.get("HTTP_COOKIE")
            if cookies and hmac.compare_digest(mark_in_cookies(cookies), owner):
                own = "1"
        self.journal.write(
            f"{int(now * 1000)}\t{code}\t{visitor}\t{click_id}\t0\t{ref_host}\t{country}"
            f"\t{clean_field(ua, 300) if ua else ''}\t{own}\n"
        )

    def _country(self, ip: str) -> str:
        if self._geoip is None or not ip:
            return ""
        try:
            found = self._geoip.get(ip)
        except ValueError:
            return ""
        if isinstance(found, dict):
            country = found.get("country") or found.get("registered_country") or {}
            iso = country.get("iso_code", "") if isinstance(country, dict) else ""
            return iso if isinstance(iso, str) and len(iso) == 2 else ""
        return ""


def _open_geoip(path: str) -> Any:
    if not path:
        return None
    try:
        import maxminddb

        return maxminddb.open_database(path)
    except (OSError, ValueError, ImportError):
        logger.warning("GEOIP_DB_PATH=%s cannot be read: countries will be unknown", path)
        return None


_default: Redirector | None = None
_default_lock = threading.Lock()


def default_redirector() -> Redirector:
    """This process's redirector, configured from settings (one journal writer per process)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Redirector(
                journal=JournalWriter(
                    Path(settings.CLICK_JOURNAL_DIR),
                    segment_seconds=settings.CLICK_SEGMENT_SECONDS,
                    segment_bytes=settings.CLICK_SEGMENT_BYTES,
                ),
                cache=LinkCache(settings.LINK_CACHE_SECONDS, settings.LINK_NEGATIVE_CACHE_SECONDS),
                cookie_secure=settings.HTTPS,
            )
        return _default


def build(django_app: WSGIApp) -> WSGIApp:
    """The web tier's WSGI app: /l/ to the redirect, everything else to Django."""
    redirector = default_redirector()

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/l/"):
            return redirector.redirect(environ, start_response, path)
        return django_app(environ, start_response)

    application.redirector = redirector  # type: ignore[attr-defined]
    return application


__all__ = ["LinkCache", "Redirector", "build", "default_redirector"]
