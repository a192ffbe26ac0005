"""Reading a link's preview (content/preview_fetch.py): parsing, limits, redirects, content
types, the SSRF guard. No socket: pages are served by httpx.MockTransport, and host names
resolve through a fake resolver (public addresses except where a test says otherwise)."""

from __future__ import annotations

import gzip
import io
import socket
from collections.abc import Callable, Iterator

import httpx
import pytest
from django.test import override_settings
from PIL import Image

from portevoix.content import preview_fetch
from portevoix.content.preview_fetch import PreviewError, fetch_preview, parse_page

# Host name -> the address the fake resolver gives it.
ADDRESSES = {
    "news.example": "93.184.215.14",
    "www.news.example": "93.184.215.14",
    "cdn.example": "93.184.215.15",
    "intranet.example": "10.0.0.7",
    "metadata.example": "169.254.169.254",
}


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: object, *args: object, **kwargs: object) -> list:
        address = ADDRESSES.get(str(host).lower())
        if address is None:
            try:
                socket.inet_aton(str(host))
            except OSError:
                raise socket.gaierror(socket.EAI_NONAME, "not found") from None
            return real(host, port, *args, **kwargs)  # type: ignore[arg-type]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return ADDRESSES


def jpeg(width: int = 1600, height: int = 900, **save: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(buffer, format="JPEG", **save)
    return buffer.getvalue()


PAGE = """<!doctype html><html><head>
<meta charset="utf-8">
<title>Fallback title</title>
<meta property="og:title" content="Nous ouvrons un site &agrave; Lyon">
<meta property="og:description" content="Cent emplois d'ici 2027.">
<meta property="og:site_name" content="Lumen &Eacute;nergie">
<meta property="og:image" content="/images/lyon.jpg">
<link rel="icon" href="/favicon.ico">
</head><body><svg><title>Not the title</title></svg><p>Hello</p></body></html>"""


def respond(status: int, body: bytes = b"", **headers: str) -> httpx.Response:
    """A response whose body is streamed, as from a real server (content=bytes would be
    read into memory at once)."""
    headers = {name.replace("_", "-"): value for name, value in headers.items()}
    return httpx.Response(status, stream=httpx.ByteStream(body), headers=headers)


class Site:
    """A handler for httpx.MockTransport: routes by URL, records what was asked."""

    def __init__(self, routes: dict[str, Callable[[httpx.Request], httpx.Response]]):
        self.routes = routes
        self.requests: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        self.requests.append(url)
        route = self.routes.get(url)
        if route is None:
            return httpx.Response(404, text="not found")
        return route(request)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


def html(body: str = PAGE, **headers: str) -> Callable[[httpx.Request], httpx.Response]:
    headers = {"content_type": "text/html; charset=utf-8", **headers}
    return lambda request: respond(200, body.encode(), **headers)


def image(data: bytes, content_type: str = "image/jpeg") -> Callable:
    return lambda request: respond(200, data, content_type=content_type)


def redirect(location: str, status: int = 302) -> Callable:
    return lambda request: respond(status, location=location)


def fetch(site: Site, url: str = "https://news.example/lyon") -> preview_fetch.Preview:
    return fetch_preview(url, transport=site.transport)


def reason(site: Site, url: str = "https://news.example/lyon") -> str:
    with pytest.raises(PreviewError) as caught:
        fetch(site, url)
    return caught.value.reason


# --------------------------------------------------------------------------- parsing


def test_open_graph_tags_win_and_the_relative_image_is_resolved():
    meta = parse_page(PAGE, "https://news.example/fr/lyon")
    assert meta.title == "Nous ouvrons un site à Lyon"
    assert meta.description == "Cent emplois d'ici 2027."
    assert meta.site == "Lumen Énergie"
    assert meta.image_url == "https://news.example/images/lyon.jpg"  # not the favicon


def test_twitter_card_then_title_and_description_then_the_host():
    page = """<head><title> Plain
      title </title><meta name="twitter:image" content="img/card.png">
      <meta name="description" content="A description"></head>"""
    meta = parse_page(page, "https://www.news.example/a/b")
    assert (meta.title, meta.description) == ("Plain title", "A description")
    assert meta.site == "news.example"
    assert meta.image_url == "https://www.news.example/a/img/card.png"
    twitter = '<meta name="twitter:title" content="Card"><title>T</title>'
    assert parse_page(twitter, "https://news.example/").title == "Card"


def test_base_href_and_unsafe_image_schemes():
    page = '<base href="https://cdn.example/assets/"><meta property="og:image" content="x.jpg">'
    assert parse_page(page, "https://news.example/").image_url == "https://cdn.example/assets/x.jpg"
    for bad in ("javascript:alert(1)", "data:image/png;base64,AAAA", "ftp://news.example/x.jpg"):
        page = f'<title>t</title><meta property="og:image" content="{bad}">'
        assert parse_page(page, "https://news.example/").image_url == ""


def test_text_is_cleaned_and_cut():
    title = "A\u202etitle\x00 with\ncontrols\u2066 " + "x" * 400
    meta = parse_page(f'<meta property="og:title" content="{title}">', "https://news.example/")
    assert meta.title.startswith("Atitle with controls x")
    assert len(meta.title) == preview_fetch.TITLE_MAX
    assert meta.title.endswith("…")
    assert not any(ch in meta.title for ch in "\u202e\x00\n\u2066")
    long = "d" * 2000
    meta = parse_page(f'<meta name="description" content="{long}">', "https://news.example/")
    assert len(meta.description) == preview_fetch.DESCRIPTION_MAX


def test_broken_markup_keeps_what_was_read():
    meta = parse_page(
        '<meta property="og:title" content="Still here"><<<!-- <title', "https://n.example/"
    )
    assert meta.title == "Still here"


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        ("é".encode("latin-1"), "text/html; charset=ISO-8859-1", "é"),
        (b'<meta charset="windows-1252">\x80', "text/html", '<meta charset="windows-1252">€'),
        ("é".encode(), "text/html; charset=bogus-charset", "é"),
        (b"\xef\xbb\xbf\xc3\xa9", "text/html; charset=latin-1", "é"),
    ],
)
def test_the_charset_comes_from_the_header_then_the_page(body, content_type, expected):
    assert preview_fetch.decode_html(body, content_type) == expected


# --------------------------------------------------------------------------- fetching


def exif_jpeg() -> bytes:
    """A 900x1600 portrait photo stored sideways (orientation 6) with a GPS position."""
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to show
    exif[0x010F] = "Camera maker"
    exif.get_ifd(0x8825)[2] = (48.0, 51.0, 24.0)  # GPS latitude
    return jpeg(1600, 900, exif=exif.tobytes())


def test_a_page_and_its_image_give_a_local_re_encoded_copy():
    site = Site(
        {
            "https://news.example/lyon": html(),
            "https://news.example/images/lyon.jpg": image(exif_jpeg()),
        }
    )
    preview = fetch(site)
    assert (preview.url, preview.title, preview.site) == (
        "https://news.example/lyon",
        "Nous ouvrons un site à Lyon",
        "Lumen Énergie",
    )
    assert preview.image is not None and preview.image_reason == ""
    with Image.open(io.BytesIO(preview.image.data)) as stored:
        assert stored.format == "JPEG"
        # Turned upright, then shrunk to at most 1200 px.
        assert stored.size == (preview.image.width, preview.image.height) == (675, 1200)
        assert not stored.getexif()
        assert "exif" not in stored.info and "icc_profile" not in stored.info


def test_a_wide_image_is_at_most_1200_px_wide_and_transparency_is_flattened():
    buffer = io.BytesIO()
    Image.new("RGBA", (2400, 1260), (0, 0, 0, 0)).save(buffer, format="PNG")
    result = preview_fetch.reencode_image(buffer.getvalue())
    assert (result.width, result.height) == (1200, 630)
    with Image.open(io.BytesIO(result.data)) as stored:
        assert stored.mode == "RGB"
        assert stored.getpixel((10, 10)) == (255, 255, 255)


def test_redirects_are_followed_three_times_at_most():
    site = Site(
        {
            "https://news.example/a": redirect("/b", 301),
            "https://news.example/b": redirect("https://www.news.example/c", 307),
            "https://www.news.example/c": redirect("d#fragment", 308),
            "https://www.news.example/d": html("<title>Arrived</title>"),
        }
    )
    preview = fetch(site, "https://news.example/a")
    assert (preview.title, preview.url) == ("Arrived", "https://www.news.example/d")
    assert preview.site == "news.example"
    site.routes["https://www.news.example/d"] = redirect("/e")
    site.routes["https://www.news.example/e"] = html("<title>Too far</title>")
    assert reason(site, "https://news.example/a") == "too_many_redirects"


@override_settings(SOCIAL_ALLOWED_PRIVATE_HOSTS=[])
@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/",
        "https://10.1.2.3/admin",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/",
        "https://intranet.example/",
        "https://metadata.example/",
    ],
)
def test_the_guard_refuses_private_addresses(url):
    site = Site({url: html()})
    assert reason(site, url) == "unsafe_address"
    assert site.requests == []  # refused before any request


@override_settings(SOCIAL_ALLOWED_PRIVATE_HOSTS=[])
@pytest.mark.parametrize(
    "target", ["https://127.0.0.1/", "https://intranet.example/", "http://169.254.169.254/"]
)
def test_a_redirect_to_a_private_address_is_refused(target):
    site = Site({"https://news.example/lyon": redirect(target), target: html()})
    assert reason(site) in {"unsafe_address", "not_https"}
    assert site.requests == ["https://news.example/lyon"]


@override_settings(SOCIAL_ALLOWED_PRIVATE_HOSTS=[])
def test_https_only_and_no_redirect_to_http():
    site = Site({"http://news.example/lyon": html()})
    assert reason(site, "http://news.example/lyon") == "not_https"
    site = Site({"https://news.example/lyon": redirect("http://news.example/plain")})
    assert reason(site) == "not_https"
    assert reason(site, "ftp://news.example/file") == "bad_url"
    assert reason(site, "https://nowhere.example/") == "unsafe_address"  # does not resolve


@override_settings(SOCIAL_ALLOWED_PRIVATE_HOSTS=[])
def test_the_guarded_transport_checks_the_address_it_connects_to(monkeypatch):
    """DNS rebinding: the name resolves to a public address when checked, then to a private
    one when connecting; the connection is refused before any socket is opened."""
    answers = iter(["93.184.215.14", "10.0.0.7"])

    def getaddrinfo(host: str, port: object, *args: object, **kwargs: object) -> list:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers, "10.0.0.7"), port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with pytest.raises(PreviewError) as caught:
        fetch_preview("https://rebind.example/")  # the real, guarded transport
    assert caught.value.reason == "unsafe_address"


@pytest.mark.parametrize(
    ("status", "expected"), [(404, "http_404"), (500, "http_500"), (304, "http_304")]
)
def test_an_error_status_fails(status, expected):
    site = Site({"https://news.example/lyon": lambda request: respond(status)})
    assert reason(site) == expected


def test_only_html_pages_and_image_images():
    pdf = lambda request: respond(200, b"%PDF-1.7", content_type="application/pdf")  # noqa: E731
    assert reason(Site({"https://news.example/lyon": pdf})) == "content_type"
    site = Site(
        {
            "https://news.example/lyon": html(),
            "https://news.example/images/lyon.jpg": html("<p>not an image</p>"),
        }
    )
    preview = fetch(site)
    assert preview.image is None and preview.image_reason == "image_content_type"
    assert preview.title == "Nous ouvrons un site à Lyon"  # the page still gives a preview


def test_a_page_with_neither_title_nor_image_fails():
    site = Site({"https://news.example/lyon": html("<p>Nothing here</p>")})
    assert reason(site) == "no_metadata"


def test_a_timeout_fails(monkeypatch):
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    assert reason(Site({"https://news.example/lyon": slow})) == "timeout"

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    assert reason(Site({"https://news.example/lyon": refused})) == "connection"


def test_the_total_time_limit_covers_a_slow_body(monkeypatch):
    clock = iter(range(0, 1000, 2))  # every look at the clock: two more seconds
    monkeypatch.setattr(preview_fetch.time, "monotonic", lambda: float(next(clock)))

    def dribble(request: httpx.Request) -> httpx.Response:
        chunks = (b"<title>x</title>" + b" " * 70_000 for _ in range(100))
        return httpx.Response(200, content=chunks, headers={"content-type": "text/html"})

    assert reason(Site({"https://news.example/lyon": dribble})) == "timeout"


def streamed(total: int, read: list[int], head: bytes = b"") -> Iterator[bytes]:
    yield head
    read.append(len(head))
    chunk = b"x" * 65536
    while sum(read) < total:
        read.append(len(chunk))
        yield chunk


def test_at_most_512_kb_of_html_are_read():
    read: list[int] = []
    head = b"<title>Big page</title>"

    def big(request: httpx.Request) -> httpx.Response:
        body = streamed(20 * 1024 * 1024, read, head)
        return httpx.Response(200, content=body, headers={"content-type": "text/html"})

    preview = fetch(Site({"https://news.example/lyon": big}))
    assert preview.title == "Big page"
    assert sum(read) < preview_fetch.MAX_HTML_BYTES + 2 * 65536  # stopped, not 20 MB


def test_a_compressed_page_is_inflated_with_a_bound():
    bomb = gzip.compress(b"<title>Bomb</title>" + b" " * (50 * 1024 * 1024))
    assert len(bomb) < 100_000

    def page(request: httpx.Request) -> httpx.Response:
        return respond(200, bomb, content_type="text/html", content_encoding="gzip")

    assert fetch(Site({"https://news.example/lyon": page})).title == "Bomb"
    brotli = lambda request: respond(  # noqa: E731
        200, b"??", content_type="text/html", content_encoding="br"
    )
    assert reason(Site({"https://news.example/lyon": brotli})) == "encoding"


def test_an_image_over_5_mb_is_not_kept():
    read: list[int] = []

    def huge(request: httpx.Request) -> httpx.Response:
        # No Content-Length: the limit applies to what is streamed.
        body = streamed(50 * 1024 * 1024, read)
        return httpx.Response(200, content=body, headers={"content-type": "image/jpeg"})

    site = Site({"https://news.example/lyon": html(), "https://news.example/images/lyon.jpg": huge})
    preview = fetch(site)
    assert preview.image is None and preview.image_reason == "image_too_large"
    assert sum(read) < preview_fetch.MAX_IMAGE_BYTES + 2 * 65536
    declared = lambda request: respond(  # noqa: E731
        200, b"x", content_type="image/jpeg", content_length=str(6 * 1024 * 1024)
    )
    site.routes["https://news.example/images/lyon.jpg"] = declared
    assert fetch(site).image_reason == "image_too_large"


def test_a_decompression_bomb_is_refused_before_decoding():
    buffer = io.BytesIO()
    Image.new("1", (8000, 6000)).save(buffer, format="PNG")  # 48 Mpx, a few kB
    assert len(buffer.getvalue()) < 5 * 1024 * 1024
    with pytest.raises(PreviewError) as caught:
        preview_fetch.reencode_image(buffer.getvalue())
    assert caught.value.reason == "image_too_large"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (jpeg(16, 16), "image_too_small"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>x</script></svg>", "image_invalid"),
        (jpeg()[:200], "image_invalid"),
    ],
)
def test_images_that_are_refused(data, expected):
    with pytest.raises(PreviewError) as caught:
        preview_fetch.reencode_image(data)
    assert caught.value.reason == expected


def test_an_image_format_outside_the_list_is_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (200, 100)).save(buffer, format="BMP")
    with pytest.raises(PreviewError) as caught:
        preview_fetch.reencode_image(buffer.getvalue())
    assert caught.value.reason == "image_type"
