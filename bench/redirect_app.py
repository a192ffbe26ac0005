"""Prototype of the tracked-link redirect hot path, for benchmarking only (not production code).

One module, several faces of the same handler:

- ``rsgi_app``      granian RSGI interface
- ``asgi_app``      raw ASGI callable (granian ASGI, uvicorn)
- ``dispatch_app``  ASGI: /l/ -> the fast handler, everything else -> Django's ASGI app

Each request: look the code up in an in-process dict, build the Location URL, record the click
*before* answering, then answer 302. How the click is recorded is chosen by REDIRECT_SINK:

- ``none``   no record (reference: what the server + handler cost alone)
- ``file``   one line appended with os.write() to an O_APPEND segment file of this process.
             When write() has returned, the bytes are in the kernel page cache: a SIGKILL of
             the process right after the 302 cannot lose them.
- ``redis``  XADD to a Redis stream; requests that arrive together are group-committed in
             one pipeline, and each request awaits its own XADD reply before answering.
- ``redisb`` like ``redis``, but a group of clicks is ONE stream entry (lines joined): one XADD
             per group instead of one per click.
- ``redis1`` XADD awaited per request with no grouping (naive, for comparison).

Environment: REDIRECT_SINK, REDIRECT_JOURNAL_DIR, REDIRECT_SEGMENT_BYTES, REDIS_URL.
"""

from __future__ import annotations

import asyncio
import os
import time
from hashlib import blake2b

SINK = os.environ.get("REDIRECT_SINK", "file")
JOURNAL_DIR = os.environ.get("REDIRECT_JOURNAL_DIR", "/tmp/portevoix-clicks")  # noqa: S108
SEGMENT_BYTES = int(os.environ.get("REDIRECT_SEGMENT_BYTES", str(64 * 1024 * 1024)))
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
STREAM = "portevoix:clicks"
SECRET = os.environ.get("REDIRECT_SECRET", "bench-secret").encode()

# --- the code -> destination cache. In production: filled lazily from the DB on a miss, with a
# short TTL, and a negative entry for unknown codes. Here: a static dict.
# value: (destination, utm query string to append)
CACHE: dict[str, tuple[str, str]] = {
    "abc123": (
        "https://example.org/blog/launch",
        "utm_source=linkedin&utm_medium=social&utm_campaign=launch&utm_content=abc123",
    ),
}


# --- privacy: salted visitor hash, the salt rotates daily (derived from the secret + day number).
_salt_day = -1
_salt = b""


def _daily_salt(now: float) -> bytes:
    global _salt_day, _salt
    day = int(now // 86400)
    if day != _salt_day:
        _salt = blake2b(SECRET + str(day).encode(), digest_size=16).digest()
        _salt_day = day
    return _salt


def visitor_hash(now: float, ip: str, ua: str) -> str:
    return blake2b(_daily_salt(now) + ip.encode() + b"\0" + ua.encode(), digest_size=12).hexdigest()


def ua_class(ua: str) -> str:
    if not ua:
        return "unknown"
    low = ua.lower()
    if "bot" in low or "spider" in low or "crawl" in low or "preview" in low:
        return "bot"
    if "mobi" in low or "android" in low:
        return "mobile"
    return "desktop"


def referrer_host(ref: str) -> str:
    if not ref:
        return ""
    i = ref.find("://")
    host = ref[i + 3 :] if i >= 0 else ref
    for sep in "/?#":
        j = host.find(sep)
        if j >= 0:
            host = host[:j]
    host = host.rpartition("@")[2].lower()
    # the journal is tab separated: keep only what a host name may contain
    return host[:253] if host.replace(".", "").replace("-", "").replace(":", "").isalnum() else ""


def click_line(code: str, now: float, ip: str, ua: str, ref: str) -> bytes:
    return (
        f"{code}\t{now:.3f}\t{visitor_hash(now, ip, ua)}\t{ua_class(ua)}\t{referrer_host(ref)}\n"
    ).encode()


def location(code: str) -> str | None:
    hit = CACHE.get(code)
    if hit is None:
        return None
    dest, utm = hit
    return dest + ("&" if "?" in dest else "?") + utm


# --- the embedded journal: append-only segment files, one writer process per file.
class Journal:
    def __init__(self, directory: str, max_bytes: int) -> None:
        self.dir = directory
        self.max_bytes = max_bytes
        self.fd = -1
        self.size = 0
        self.seq = 0
        os.makedirs(directory, exist_ok=True)

    def _open(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # the closed segment is now complete: the ingester may take it
        self.seq += 1
        name = f"clicks-{os.getpid()}-{int(time.time())}-{self.seq:06d}.open"
        path = os.path.join(self.dir, name)
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        self.size = 0

    def append(self, line: bytes) -> None:
        if self.fd < 0 or self.size >= self.max_bytes:
            self._open()
        n = os.write(self.fd, line)  # returns once the bytes are in the page cache
        self.size += n


JOURNAL = Journal(JOURNAL_DIR, SEGMENT_BYTES) if SINK == "file" else None


# --- Redis: one client per worker process, created lazily inside the running loop.
class RedisSink:
    def __init__(self) -> None:
        import redis.asyncio as aioredis

        self.client = aioredis.from_url(REDIS_URL)
        self.pending: list[tuple[bytes, asyncio.Future]] = []
        self.flushing = False
        self.one_entry = SINK == "redisb"

    async def add_one(self, line: bytes) -> None:
        await self.client.xadd(STREAM, {"c": line})

    async def add(self, line: bytes) -> None:
        fut = asyncio.get_running_loop().create_future()
        self.pending.append((line, fut))
        if not self.flushing:
            self.flushing = True
            asyncio.get_running_loop().create_task(self._flush())
        await fut

    async def _flush(self) -> None:
        try:
            while self.pending:
                batch, self.pending = self.pending, []
                try:
                    if self.one_entry:
                        # the whole batch in one stream entry: one command, one round trip
                        await self.client.xadd(STREAM, {"c": b"".join(line for line, _ in batch)})
                    else:
                        pipe = self.client.pipeline(transaction=False)
                        for line, _ in batch:
                            pipe.xadd(STREAM, {"c": line})
                        await pipe.execute()
                except Exception as exc:  # production: fall back to the file journal
                    for _, fut in batch:
                        if not fut.done():
                            fut.set_exception(exc)
                else:
                    for _, fut in batch:
                        if not fut.done():
                            fut.set_result(None)
        finally:
            self.flushing = False


_redis: RedisSink | None = None


def _redis_sink() -> RedisSink:
    global _redis
    if _redis is None:
        _redis = RedisSink()
    return _redis


async def record(line: bytes) -> None:
    if SINK in ("redis", "redisb"):
        await _redis_sink().add(line)
    else:
        await _redis_sink().add_one(line)


# --- RSGI (granian)
_RSGI_404 = [("content-type", "text/plain")]


async def rsgi_app(scope, proto) -> None:
    path = scope.path
    code = path[3:] if path.startswith("/l/") else ""
    loc = location(code)
    if loc is None:
        proto.response_str(404, _RSGI_404, "not found")
        return
    if SINK != "none":
        now = time.time()
        h = scope.headers
        line = click_line(
            code,
            now,
            scope.client.rpartition(":")[0],
            h.get("user-agent", ""),
            h.get("referer", ""),
        )
        if JOURNAL is not None:
            JOURNAL.append(line)
        else:
            await record(line)
    proto.response_empty(302, [("location", loc), ("cache-control", "no-store")])


# --- ASGI (granian ASGI, uvicorn)
_ASGI_404_START = {
    "type": "http.response.start",
    "status": 404,
    "headers": [(b"content-type", b"text/plain"), (b"content-length", b"9")],
}
_ASGI_404_BODY = {"type": "http.response.body", "body": b"not found"}
_EMPTY_BODY = {"type": "http.response.body", "body": b""}


async def _lifespan(receive, send) -> None:
    while True:
        msg = await receive()
        if msg["type"] == "lifespan.startup":
            # production: open the journal segment, start the ingester/ Redis client here
            await send({"type": "lifespan.startup.complete"})
        elif msg["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def redirect_asgi(scope, receive, send) -> None:
    path = scope["path"]
    code = path[3:] if path.startswith("/l/") else ""
    loc = location(code)
    if loc is None:
        await send(_ASGI_404_START)
        await send(_ASGI_404_BODY)
        return
    if SINK != "none":
        now = time.time()
        ua = ref = b""
        for k, v in scope["headers"]:
            if k == b"user-agent":
                ua = v
            elif k == b"referer":
                ref = v
        client = scope.get("client")
        line = click_line(
            code, now, client[0] if client else "", ua.decode("latin-1"), ref.decode("latin-1")
        )
        if JOURNAL is not None:
            JOURNAL.append(line)
        else:
            await record(line)
    await send(
        {
            "type": "http.response.start",
            "status": 302,
            "headers": [
                (b"location", loc.encode()),
                (b"cache-control", b"no-store"),
                (b"content-length", b"0"),
            ],
        }
    )
    await send(_EMPTY_BODY)


async def asgi_app(scope, receive, send) -> None:
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
        return
    await redirect_asgi(scope, receive, send)


# --- ASGI dispatcher: the redirect in front of Django, in one process.
_django = None


def _django_app():
    global _django
    if _django is None:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        from django.core.asgi import get_asgi_application

        _django = get_asgi_application()
    return _django


_django_wsgi = None
if os.environ.get("REDIRECT_WITH_DJANGO") == "1":
    import gc

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if os.environ.get("REDIRECT_DJANGO_IFACE") == "wsgi":
        from django.core.wsgi import get_wsgi_application

        _django_wsgi = get_wsgi_application()
    else:
        _django_app()  # import Django at start-up, not on the first request
    if os.environ.get("REDIRECT_GC_FREEZE", "1") == "1":
        gc.collect()
        gc.freeze()  # Django's import-time objects are never garbage: keep them out of GC scans


async def dispatch_app(scope, receive, send) -> None:
    t = scope["type"]
    if t == "http" and scope["path"].startswith("/l/"):
        await redirect_asgi(scope, receive, send)
    elif t == "lifespan":
        await _lifespan(receive, send)  # Django's ASGI handler does not speak lifespan
    else:
        await _django_app()(scope, receive, send)


# --- WSGI (granian WSGI): the embedded-journal hot path is synchronous anyway.
_WSGI_404 = [("Content-Type", "text/plain"), ("Content-Length", "9")]


def wsgi_redirect(environ, start_response):
    path = environ["PATH_INFO"]
    code = path[3:] if path.startswith("/l/") else ""
    loc = location(code)
    if loc is None:
        start_response("404 Not Found", _WSGI_404)
        return [b"not found"]
    if JOURNAL is not None:
        line = click_line(
            code,
            time.time(),
            environ.get("REMOTE_ADDR", ""),
            environ.get("HTTP_USER_AGENT", ""),
            environ.get("HTTP_REFERER", ""),
        )
        JOURNAL.append(line)
    start_response(
        "302 Found", [("Location", loc), ("Cache-Control", "no-store"), ("Content-Length", "0")]
    )
    return []


def wsgi_dispatch(environ, start_response):
    if environ["PATH_INFO"].startswith("/l/"):
        return wsgi_redirect(environ, start_response)
    return _django_wsgi(environ, start_response)
