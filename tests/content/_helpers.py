"""Plain helpers shared by the content view tests."""

from __future__ import annotations

import io

from django.test import Client
from PIL import Image

from portevoix.content import services
from portevoix.content.models import ContentImage


def login(client: Client, membership) -> Client:
    client.force_login(membership.user)
    return client


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def add_image(membership, item) -> ContentImage:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png")
    return services.image_add(membership=membership, item=item, upload=upload, alt_text="A photo")


def item_post(**overrides: str | list[str]) -> dict[str, str | list[str]]:
    data: dict[str, str | list[str]] = {
        "title": "Nouveau site à Lyon",
        "body": "Nous ouvrons **un site** à Lyon.",
        "link": "https://example.org/lyon",
        "language": "fr",
        "content_type": "company_news",
        "priority": "5",
        "publish_at": "",
        "expire_at": "",
        "copy_linkedin_1": "Nous ouvrons un site à Lyon ! https://example.org/lyon",
        "copy_x_1": "Lyon, nous voilà https://example.org/lyon",
    }
    data.update(overrides)
    return data
