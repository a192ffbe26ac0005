"""The demo's link previews: given, not read (`make run` has no network)."""

from __future__ import annotations

import pytest
from PIL import Image

from portevoix.content.models import PreviewStatus
from portevoix.demo import data
from portevoix.demo import previews as demo_previews
from tests.factories import make_item

pytestmark = pytest.mark.django_db


def test_a_demo_item_gets_a_drawn_card(manager, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    demo = next(d for d in data.ITEMS if d.link.startswith(data.SITE))
    item = make_item(manager, link=demo.link)
    item = demo_previews.attach(item, demo)
    assert (item.preview_status, item.preview_title, item.preview_site) == (
        PreviewStatus.OK,
        demo.title,
        data.ORG_NAME,
    )
    assert item.preview_description and "**" not in item.preview_description
    with Image.open(tmp_path / item.preview_image.name) as card:
        assert card.format == "JPEG" and card.size == (600, 315)
    other = "https://observatoire-enr.example.org/barometre"
    assert demo_previews.site_name(other) == "observatoire-enr.example.org"


# Every linked item of the loaded demo has its card: tests/demo/test_load_demo.py (it shares
# the module's one load of the demo).
