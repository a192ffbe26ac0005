"""Link previews of the demo items, set without reading the links: `make run` has no network,
and the demo's links point to reserved `*.example.com` hosts. Each preview gets a card image
drawn here (a sun over panels, in the item's colours, with the site's name), then goes through
the same checks and re-encoding as a fetched image (`content.previews.item_preview_set`)."""

from __future__ import annotations

import hashlib
import io
from urllib.parse import urlsplit

from PIL import Image, ImageDraw, ImageFont

from portevoix.content import previews
from portevoix.content.models import ContentItem

from . import data

WIDTH, HEIGHT = 600, 315  # the Open Graph ratio (1.91:1), small enough to draw quickly
PALETTES = (
    ((255, 196, 61), (31, 95, 191)),
    ((242, 133, 0), (16, 82, 73)),
    ((255, 221, 87), (89, 43, 140)),
    ((250, 160, 90), (20, 60, 110)),
)


def site_name(link: str) -> str:
    host = (urlsplit(link).hostname or "").removeprefix("www.")
    return data.ORG_NAME if link.startswith(data.SITE) else host


def card_image(title: str, site: str) -> bytes:
    """A JPEG card: sky, sun, rows of panels, the site's name; colours chosen by the title."""
    seed = hashlib.sha256(title.encode()).digest()
    sun, sky = PALETTES[seed[0] % len(PALETTES)]
    img = Image.new("RGB", (WIDTH, HEIGHT), sky)
    draw = ImageDraw.Draw(img)
    x = 80 + seed[1] % 380
    draw.ellipse((x, 30, x + 110, 140), fill=sun)
    for row in range(3):
        top = 175 + row * 45
        for col in range(8):
            left = col * 78 - (row * 20) % 78
            draw.polygon(
                [(left, top + 38), (left + 64, top + 38), (left + 74, top), (left + 10, top)],
                fill=(28, 40, 64),
                outline=(150, 180, 220),
            )
    font = ImageFont.load_default(size=30)
    draw.text((24, 20), site, fill=(255, 255, 255), font=font)
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def attach(item: ContentItem, demo: data.DemoItem) -> ContentItem:
    """Give a demo item with a link its preview (status ok), as if the link had been read."""
    site = site_name(demo.link)
    return previews.item_preview_set(
        item=item,
        title=demo.title,
        site=site,
        description=demo.body.split("\n", 1)[0].replace("**", ""),
        image=card_image(demo.title, site),
    )


def attach_own(item: ContentItem) -> ContentItem:
    """The same for a demo item made in an extra (no `DemoItem`): from its own title, link
    and body."""
    site = site_name(item.link)
    return previews.item_preview_set(
        item=item,
        title=item.title,
        site=site,
        description=item.body.split("\n", 1)[0].replace("**", ""),
        image=card_image(item.title, site),
    )
