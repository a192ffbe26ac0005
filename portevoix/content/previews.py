"""Link previews of content items: what is stored, when it is read, and by whom.

- Saving an item whose link is new or changed (`link_set`, called by the item services)
  clears the old preview, marks the new one pending and queues `tasks.fetch_link_preview`
  once the transaction commits: the page is never read during a request.
- The task (`item_preview_fetch`) reads the page through `preview_fetch` (SSRF guard, time
  and size limits) and stores the result, only if the item still has the same link and still
  waits for it: a task run twice, or after the link changed again, changes nothing.
- A failure is stored as status "failed" with a short reason; it never blocks saving,
  submitting or publishing, and a preview read earlier from the same link stays shown.
- Content managers read it again with "Refresh preview" (`item_preview_refresh`).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.errors import Conflict

from . import preview_fetch
from .models import ContentItem, PreviewStatus

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from portevoix.accounts.models import Membership

PREVIEW_FIELDS = [
    "preview_url",
    "preview_title",
    "preview_description",
    "preview_site",
    "preview_image",
    "preview_image_width",
    "preview_image_height",
    "preview_status",
    "preview_reason",
    "preview_fetched_at",
]

# What a reason code means, for the editor (the codes are stored; these are shown).
REASONS: dict[str, _StrPromise] = {
    "bad_url": gettext_lazy("the link is not a valid web address"),
    "not_https": gettext_lazy("only https:// links are read"),
    "unsafe_address": gettext_lazy("the link leads to an address that is not allowed"),
    "timeout": gettext_lazy("the site did not answer in time"),
    "connection": gettext_lazy("the site could not be reached"),
    "too_many_redirects": gettext_lazy("the link redirects too many times"),
    "content_type": gettext_lazy("the link is not a web page"),
    "encoding": gettext_lazy("the page is compressed in a way that is not supported"),
    "too_large": gettext_lazy("the page is too large"),
    "no_metadata": gettext_lazy("the page has no title or image"),
    "image_type": gettext_lazy("the page's image is not a JPEG, PNG, GIF or WebP image"),
    "image_too_large": gettext_lazy("the page's image is too large"),
    "image_too_small": gettext_lazy("the page's image is too small"),
    "image_invalid": gettext_lazy("the page's image could not be read"),
}


def reason_label(code: str) -> str:
    """The editor's explanation of a reason code ("http_404" included)."""
    if not code:
        return ""
    if code in REASONS:
        return str(REASONS[code])
    status = code.removeprefix("image_").removeprefix("http_")
    if status.isdigit():
        if code.startswith("image_"):
            return _("the page's image answered with the error %(status)s") % {"status": status}
        return _("the site answered with the error %(status)s") % {"status": status}
    if code.startswith("image_"):
        return _("the page's image could not be read")
    return _("the page could not be read")


def _clear(item: ContentItem) -> None:
    item.preview_url = item.preview_title = item.preview_description = item.preview_site = ""
    item.preview_image = None
    item.preview_image_width = item.preview_image_height = None
    item.preview_reason = ""
    item.preview_fetched_at = None


def _delete_file_on_commit(item: ContentItem, name: str) -> None:
    if name:
        storage = item.preview_image.storage
        transaction.on_commit(lambda: storage.delete(name))


def _queue_on_commit(item: ContentItem) -> None:
    def queue() -> None:
        from .tasks import fetch_link_preview  # tasks imports the services, which import us

        fetch_link_preview(item.pk)

    transaction.on_commit(queue)


def link_set(item: ContentItem, link: str) -> None:
    """Set an item's link (the item services call this before saving the item). A new or
    changed link clears the preview and, once saved, queues its reading."""
    link = link.strip()
    if link == item.link:
        return
    old_image = item.preview_image.name if item.preview_image else ""
    item.link = link
    _clear(item)
    _delete_file_on_commit(item, old_image)
    if link and settings.LINK_PREVIEWS:
        item.preview_status = PreviewStatus.PENDING
        _queue_on_commit(item)
    else:
        item.preview_status = PreviewStatus.NONE


def item_preview_refresh(*, membership: Membership, item: ContentItem) -> ContentItem:
    """Read the item's link again (the "Refresh preview" button). The preview read earlier
    stays shown until the new one is in."""
    require(membership, "content.edit", item)
    if not item.link:
        raise Conflict(_("This item has no link to preview."))
    if not settings.LINK_PREVIEWS:
        raise Conflict(_("Link previews are switched off on this server."))
    with transaction.atomic():
        item = ContentItem.objects.select_for_update().get(pk=item.pk)
        item.preview_status = PreviewStatus.PENDING
        item.preview_reason = ""
        item.save(update_fields=["preview_status", "preview_reason"])
        _queue_on_commit(item)
    return item


def _image_name(data: bytes) -> str:
    return f"preview-{hashlib.sha256(data).hexdigest()[:16]}.jpg"


def _store(item: ContentItem, preview: preview_fetch.Preview) -> None:
    old_image = item.preview_image.name if item.preview_image else ""
    item.preview_url = preview.url
    item.preview_title = preview.title
    item.preview_description = preview.description
    item.preview_site = preview.site
    item.preview_status = PreviewStatus.OK
    item.preview_reason = preview.image_reason
    item.preview_fetched_at = clock.now()
    if preview.image is not None:
        # Saving the file sets the width and height fields from the image itself.
        name = _image_name(preview.image.data)
        item.preview_image.save(name, ContentFile(preview.image.data, name=name), save=False)
    else:
        item.preview_image = None
        item.preview_image_width = item.preview_image_height = None
    if old_image and old_image != item.preview_image.name:
        _delete_file_on_commit(item, old_image)


def item_preview_fetch(*, item_id: int) -> str:
    """Read and store the preview of a pending item (the task's body). Returns what happened:
    "ok", "failed", "skipped" (nothing pending), "stale" (the link changed meanwhile) or
    "gone"."""
    item = ContentItem.objects.filter(pk=item_id).first()
    if item is None:
        return "gone"
    if item.preview_status != PreviewStatus.PENDING or not item.link:
        return "skipped"
    link = item.link
    preview: preview_fetch.Preview | None = None
    reason = ""
    # Network I/O outside any transaction: no row stays locked while a site answers.
    try:
        preview = preview_fetch.fetch_preview(link)
    except preview_fetch.PreviewError as exc:
        reason = exc.reason[:40]
    with transaction.atomic():
        item = ContentItem.objects.select_for_update().filter(pk=item_id).first()
        if item is None:
            return "gone"
        if item.link != link or item.preview_status != PreviewStatus.PENDING:
            return "stale"
        if preview is not None:
            _store(item, preview)
        else:
            item.preview_status = PreviewStatus.FAILED
            item.preview_reason = reason
            item.preview_fetched_at = clock.now()
        item.save(update_fields=PREVIEW_FIELDS)
    return "ok" if preview is not None else "failed"


def item_preview_set(
    *,
    item: ContentItem,
    title: str,
    site: str,
    description: str = "",
    image: bytes | None = None,
) -> ContentItem:
    """Store a preview known in advance, without reading the link (the demo, which runs
    with no network). The image goes through the same checks and re-encoding."""
    preview = preview_fetch.Preview(
        url=item.link,
        title=preview_fetch.clean(title, preview_fetch.TITLE_MAX),
        description=preview_fetch.clean(description, preview_fetch.DESCRIPTION_MAX),
        site=preview_fetch.clean(site, preview_fetch.SITE_MAX),
        image=preview_fetch.reencode_image(image) if image is not None else None,
    )
    with transaction.atomic():
        item = ContentItem.objects.select_for_update().get(pk=item.pk)
        _store(item, preview)
        item.save(update_fields=PREVIEW_FIELDS)
    return item
