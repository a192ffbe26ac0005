"""The demo's link previews: given, not read (`make run` has no network)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from PIL import Image

from portevoix.content.models import ContentItem, PreviewStatus
from portevoix.demo import data, extra_library
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


@pytest.mark.slow
def test_every_linked_demo_item_has_a_preview(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=StringIO())
    linked = ContentItem.objects.filter(organization__slug=data.ORG_SLUG).exclude(link="")
    # + the approvals' open day and the draft of the demo's accepted idea (it has a link)
    extras = sum(1 for t in extra_library.TEMPLATES if t.link) + 2
    assert linked.count() == sum(1 for d in data.ITEMS if d.link) + extras
    for item in linked:
        assert item.preview_status == PreviewStatus.OK, item.title
        assert item.preview_title == item.title and item.preview_image
        assert (tmp_path / item.preview_image.name).exists()
    unlinked = ContentItem.objects.filter(organization__slug=data.ORG_SLUG, link="")
    assert not unlinked.exclude(preview_status=PreviewStatus.NONE).exists()
