"""Link previews end to end: a real HTTP server on 127.0.0.1 serves a page with Open Graph
tags and an image; an item saved with its link gets the preview through the task and the
real guarded transport. 127.0.0.1 is reached only because the test allows it."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings
from PIL import Image

from portevoix.content.models import PreviewStatus
from tests.factories import make_item

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

PAGE = b"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Lumen</title>
<meta property="og:title" content="LumenStock : la batterie des PME">
<meta property="og:site_name" content="Lumen &#201;nergie">
<meta property="og:image" content="/static/card.png">
</head><body><p>Bonjour</p></body></html>"""


def card_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1800, 945), (240, 180, 20)).save(buffer, format="PNG")
    return buffer.getvalue()


class Handler(BaseHTTPRequestHandler):
    asked: list[str] = []
    image = card_png()

    def do_GET(self) -> None:
        type(self).asked.append(self.path)
        if self.path == "/go":
            self.send_response(302)
            self.send_header("Location", "/lumenstock")
            self.end_headers()
            return
        routes = {"/lumenstock": (PAGE, "text/html"), "/static/card.png": (self.image, "image/png")}
        if self.path not in routes:
            self.send_error(404)
            return
        body, content_type = routes[self.path]
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Handler.asked = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def test_an_item_gets_the_preview_of_a_real_page(
    manager, server, settings, tmp_path, django_capture_on_commit_callbacks
):
    # All through pytest-django's `settings` (not with @override_settings as well: the
    # fixture's undo, running after the decorator's, would put the decorator's settings
    # back for the rest of the process).
    settings.LINK_PREVIEWS = True
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    settings.MEDIA_ROOT = tmp_path
    link = f"http://{server}/go"
    with django_capture_on_commit_callbacks(execute=True):  # the queue runs the task now
        item = make_item(manager, link=link)
    item.refresh_from_db()
    assert item.preview_status == PreviewStatus.OK, item.preview_reason
    assert Handler.asked == ["/go", "/lumenstock", "/static/card.png"]
    assert item.link == link and item.preview_url == f"http://{server}/lumenstock"
    assert (item.preview_title, item.preview_site) == (
        "LumenStock : la batterie des PME",
        "Lumen Énergie",
    )
    assert (item.preview_image_width, item.preview_image_height) == (1200, 630)
    with Image.open(tmp_path / item.preview_image.name) as stored:
        assert stored.format == "JPEG" and stored.size == (1200, 630)


@override_settings(LINK_PREVIEWS=True, SOCIAL_ALLOWED_PRIVATE_HOSTS=[])
@pytest.mark.parametrize(("scheme", "reason"), [("http", "not_https"), ("https", "unsafe_address")])
def test_the_same_server_is_out_of_reach_when_not_allowed(
    manager, server, scheme, reason, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        item = make_item(manager, link=f"{scheme}://{server}/lumenstock")
    item.refresh_from_db()
    assert (item.preview_status, item.preview_reason) == (PreviewStatus.FAILED, reason)
    assert Handler.asked == []
