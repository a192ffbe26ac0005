"""Reading a link's preview: the page's Open Graph, Twitter card, <title> and description, and
a local copy of its image. Plain values in and out, no ORM (content/previews.py stores them).

Every request goes through the SSRF guard of `portevoix.networks.base`: `guard_url` checks
each URL before it is asked for (https only; http and private addresses only for the hosts of
SOCIAL_ALLOWED_PRIVATE_HOSTS), and the guarded transport of `http_client` checks the address
it actually connects to (a name that resolves elsewhere later cannot lead inside). Redirects
are followed by hand, at most `MAX_REDIRECTS`, each one checked again. Each fetch has a total
time limit and reads a bounded number of bytes, streamed (compressed bodies are inflated
with a bound too). The page must be text/html, the image image/* in a format Pillow reads;
the image is verified, turned upright, stripped of its metadata (EXIF, GPS...), shrunk to at
most `IMAGE_MAX_SIDE` and re-encoded as JPEG.

The page is parsed with the standard library's `html.parser`: it tolerates broken markup,
has no native code, and reading a few tags of the <head> needs nothing more.
"""

from __future__ import annotations

import codecs
import io
import re
import time
import unicodedata
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
from PIL import Image, ImageOps, UnidentifiedImageError

from portevoix.networks.base import UnsafeAddress, guard_url, http_client

MAX_HTML_BYTES = 512 * 1024
MAX_IMAGE_BYTES = 5 * 1024 * 1024
# Decoded size: beyond this, an image is refused before its pixels are decoded.
MAX_IMAGE_PIXELS = 40_000_000
IMAGE_MIN_WIDTH, IMAGE_MIN_HEIGHT = 64, 32
IMAGE_MAX_SIDE = 1200
IMAGE_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
MAX_REDIRECTS = 3
TOTAL_SECONDS = 5.0
TITLE_MAX, DESCRIPTION_MAX, SITE_MAX = 300, 500, 120
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
# Bidirectional controls can make a title read differently from what it is.
_BIDI = dict.fromkeys(
    map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)
_CHARSET_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)


class PreviewError(Exception):
    """The preview could not be read; `reason` is a short code (previews.REASONS)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class PageMeta:
    title: str = ""
    description: str = ""
    site: str = ""
    image_url: str = ""


@dataclass
class PreviewImage:
    data: bytes  # JPEG
    width: int
    height: int


@dataclass
class Preview:
    url: str  # the page's address after redirects
    title: str
    description: str
    site: str
    image: PreviewImage | None = None
    # Why there is no image although the page named one ("" when fine or none named).
    image_reason: str = ""


# --------------------------------------------------------------------------- text


def clean(value: str, limit: int) -> str:
    """One line of plain text: no control or bidi characters, spaces collapsed, at most
    `limit` characters."""
    value = value.translate(_BIDI)
    value = "".join(
        " " if unicodedata.category(ch) in {"Cc", "Zl", "Zp"} else ch
        for ch in value
        if unicodedata.category(ch) not in {"Cs", "Co", "Cn"}
    )
    value = " ".join(value.split())
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return value


def host_label(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


# --------------------------------------------------------------------------- parsing


class _HeadParser(HTMLParser):
    """Collects <meta property|name content>, the first <title> before the body, <base>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.base = ""
        self.title_parts: list[str] = []
        self._in_title = False
        self._title_done = False
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): (value or "") for name, value in attrs}
        if tag == "meta":
            key = (values.get("property") or values.get("name") or "").strip().lower()
            if key and "content" in values:
                self.meta.setdefault(key, values["content"])
        elif tag == "title" and not self._title_done and not self._in_body:
            self._in_title = True
        elif tag == "base" and not self.base:
            self.base = values.get("href", "").strip()
        elif tag in {"body", "svg"}:
            self._in_body = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title = False
            self._title_done = True

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)


def _first(meta: dict[str, str], *keys: str) -> str:
    for key in keys:
        value = meta.get(key, "").strip()
        if value:
            return value
    return ""


def parse_page(html: str, page_url: str) -> PageMeta:
    """Title, description, site name and image URL (absolute) of an HTML page."""
    parser = _HeadParser()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # given up on broken markup: keep what was read
        pass
    meta = parser.meta
    title = _first(meta, "og:title", "twitter:title") or "".join(parser.title_parts)
    description = _first(meta, "og:description", "twitter:description", "description")
    site = _first(meta, "og:site_name", "application-name") or host_label(page_url)
    image = _first(
        meta,
        "og:image:secure_url",
        "og:image",
        "og:image:url",
        "twitter:image",
        "twitter:image:src",
    )
    base = urljoin(page_url, parser.base) if parser.base else page_url
    image_url = urljoin(base, image) if image else ""
    if urlsplit(image_url).scheme not in {"http", "https"}:
        image_url = ""
    return PageMeta(
        title=clean(title, TITLE_MAX),
        description=clean(description, DESCRIPTION_MAX),
        site=clean(site, SITE_MAX),
        image_url=image_url[:2000],
    )


def decode_html(body: bytes, content_type: str) -> str:
    """The page as text: the charset of the header, else of a <meta>, else UTF-8."""
    charset = ""
    if body.startswith(codecs.BOM_UTF8):
        charset = "utf-8-sig"
    if not charset:
        match = re.search(r"charset\s*=\s*\"?([\w.:-]+)", content_type, re.I)
        charset = match.group(1) if match else ""
    if not charset:
        found = _CHARSET_META.search(body[:4096])
        charset = found.group(1).decode("ascii", "replace") if found else ""
    try:
        codecs.lookup(charset or "utf-8")
    except LookupError:
        charset = ""
    return body.decode(charset or "utf-8", errors="replace")


# --------------------------------------------------------------------------- HTTP


def _check(url: str) -> None:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in {"http", "https"}:
        raise PreviewError("bad_url")
    try:
        guard_url(url)
    except UnsafeAddress as exc:
        raise PreviewError("not_https" if scheme == "http" else "unsafe_address") from exc


def _read(response: httpx.Response, limit: int, deadline: float, *, truncate: bool) -> bytes:
    """At most `limit` bytes of the body, inflated with a bound when compressed. Over the
    limit: the first `limit` bytes (`truncate`), else PreviewError("too_large")."""
    declared = response.headers.get("content-length", "")
    if not truncate and declared.isdigit() and int(declared) > limit:
        raise PreviewError("too_large")
    encoding = response.headers.get("content-encoding", "").strip().lower()
    inflater = None
    if encoding in {"gzip", "x-gzip", "deflate"}:
        inflater = zlib.decompressobj(32 + zlib.MAX_WBITS)  # gzip or zlib header
    elif encoding not in {"", "identity"}:
        raise PreviewError("encoding")
    body = bytearray()
    for chunk in response.iter_raw(64 * 1024):
        if time.monotonic() > deadline:
            raise PreviewError("timeout")
        if inflater is not None:
            try:
                data = inflater.decompress(chunk, limit + 1 - len(body))
            except zlib.error as exc:
                raise PreviewError("encoding") from exc
        else:
            data = chunk
        body += data
        if len(body) > limit:
            if truncate:
                return bytes(body[:limit])
            raise PreviewError("too_large")
    return bytes(body)


def _get(
    client: httpx.Client,
    url: str,
    *,
    accept: str,
    content_types: tuple[str, ...],
    limit: int,
    truncate: bool,
) -> tuple[str, bytes, str]:
    """GET `url`, following at most MAX_REDIRECTS redirects, each checked by the guard.
    Returns the final URL, the body and its content type."""
    deadline = time.monotonic() + TOTAL_SECONDS
    for _hop in range(MAX_REDIRECTS + 1):
        _check(url)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise PreviewError("timeout")
        try:
            with client.stream(
                "GET", url, headers={"Accept": accept}, timeout=httpx.Timeout(remaining)
            ) as response:
                if response.status_code in REDIRECT_STATUSES:
                    location = response.headers.get("location", "").strip()
                    if not location:
                        raise PreviewError(f"http_{response.status_code}")
                    url = urljoin(str(response.url), location).split("#", 1)[0]
                    continue
                if not 200 <= response.status_code < 300:
                    raise PreviewError(f"http_{response.status_code}")
                content_type = response.headers.get("content-type", "")
                mime = content_type.split(";", 1)[0].strip().lower()
                if not mime.startswith(content_types):
                    raise PreviewError("content_type")
                body = _read(response, limit, deadline, truncate=truncate)
                return str(response.url), body, content_type
        except UnsafeAddress as exc:  # the guarded transport, at connection time
            raise PreviewError("unsafe_address") from exc
        except httpx.TimeoutException as exc:
            raise PreviewError("timeout") from exc
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise PreviewError("bad_url") from exc
        except httpx.HTTPError as exc:
            raise PreviewError("connection") from exc
    raise PreviewError("too_many_redirects")


# --------------------------------------------------------------------------- image


def reencode_image(data: bytes) -> PreviewImage:
    """Verify an image, turn it upright, drop its metadata, shrink it, encode it as JPEG."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in IMAGE_FORMATS:
                raise PreviewError("image_type")
            width, height = probe.size
            if width * height > MAX_IMAGE_PIXELS:
                raise PreviewError("image_too_large")
            if width < IMAGE_MIN_WIDTH or height < IMAGE_MIN_HEIGHT:
                raise PreviewError("image_too_small")
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            img.draft("RGB", (IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))  # JPEG: decode smaller
            upright = ImageOps.exif_transpose(img)
            if upright.mode in {"RGBA", "LA", "P", "PA"}:
                rgba = upright.convert("RGBA")
                flat = Image.new("RGB", rgba.size, (255, 255, 255))
                flat.paste(rgba, mask=rgba.getchannel("A"))
            else:
                flat = upright.convert("RGB")
            flat.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE), Image.Resampling.LANCZOS)
            # Nothing of the original's metadata is kept (EXIF, GPS, XMP, ICC, comments).
            flat.info = {}
            out = io.BytesIO()
            flat.save(out, format="JPEG", quality=82, optimize=True, progressive=True)
    except PreviewError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise PreviewError("image_invalid") from exc
    except (OSError, SyntaxError, ValueError, TypeError, EOFError) as exc:
        raise PreviewError("image_invalid") from exc
    return PreviewImage(out.getvalue(), flat.width, flat.height)


# --------------------------------------------------------------------------- the fetch


def fetch_preview(url: str, *, transport: httpx.BaseTransport | None = None) -> Preview:
    """Read the preview of `url`. Raises PreviewError when the page cannot be read; a page
    whose image cannot be read gives a preview without image (`image_reason` says why).
    `transport` replaces the guarded one (tests); URLs are still checked by `guard_url`."""
    kwargs = {"transport": transport} if transport is not None else {}
    with http_client(headers={"Accept-Encoding": "gzip, deflate"}, **kwargs) as client:
        page_url, body, content_type = _get(
            client,
            url,
            accept="text/html",
            content_types=("text/html",),
            limit=MAX_HTML_BYTES,
            truncate=True,
        )
        meta = parse_page(decode_html(body, content_type), page_url)
        if not meta.title and not meta.image_url:
            raise PreviewError("no_metadata")
        preview = Preview(
            url=page_url[:2000], title=meta.title, description=meta.description, site=meta.site
        )
        if meta.image_url:
            try:
                _image_url, data, _type = _get(
                    client,
                    meta.image_url,
                    accept="image/*",
                    content_types=("image/",),
                    limit=MAX_IMAGE_BYTES,
                    truncate=False,
                )
                preview.image = reencode_image(data)
            except PreviewError as exc:
                preview.image_reason = (
                    exc.reason if exc.reason.startswith("image_") else f"image_{exc.reason}"
                )[:40]
    return preview
