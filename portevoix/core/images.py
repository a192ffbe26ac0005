"""The one check of an uploaded image, for every app that accepts them (content items, ideas):
its size, and that Pillow reads it as an allowed type. Pure: no app's models.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from .errors import DomainError

# Pillow's format name -> the extension the file is saved with.
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
ALLOWED_IMAGE_FORMATS = frozenset(EXTENSIONS)


def checked_image_format(upload: UploadedFile, *, field: str) -> str:
    """The image's Pillow format, after checking its size (settings.MAX_IMAGE_BYTES) and that
    it is a JPEG, PNG, GIF or WebP image; a `DomainError` on `field` otherwise. The upload is
    left rewound."""
    max_bytes = settings.MAX_IMAGE_BYTES
    if upload.size is not None and upload.size > max_bytes:
        raise DomainError(
            _("The image is too large."),
            field_errors={field: [_("At most %(mb)d MB.") % {"mb": max_bytes // (1024 * 1024)}]},
        )
    try:
        upload.seek(0)
        with Image.open(upload) as img:
            fmt = img.format or ""
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DomainError(
            _("This file is not an image."),
            field_errors={field: [_("Upload a JPEG, PNG, GIF or WebP image.")]},
        ) from exc
    if fmt not in ALLOWED_IMAGE_FORMATS:
        raise DomainError(
            _("This image type is not allowed."),
            field_errors={field: [_("Upload a JPEG, PNG, GIF or WebP image.")]},
        )
    upload.seek(0)
    return fmt
