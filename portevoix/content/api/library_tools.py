"""The library's tools in the API, beside `endpoints` on the same router: duplicate an
item, a new draft from a template, an item's images (add, multipart; remove), and the
calendar's move. What the library, the editor and the calendar offer, through the same
selectors and services."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Schema, Status
from ninja.files import UploadedFile
from pydantic import AwareDatetime

from portevoix.accounts.permissions import require
from portevoix.core.api_support import DbId, responses
from portevoix.core.errors import DomainError, NotFound

from .. import selectors, services
from ..services import library as library_services
from ..services import schedule as schedule_services
from .endpoints import _detail_out, _image_out, _membership, router
from .schemas import ImageOut, ItemDetailOut

MAX_ALT_TEXT = 300  # the page's form


@router.post("/content/{item_id}/duplicate", response=responses({201: ItemDetailOut}))
def item_duplicate(request: HttpRequest, item_id: DbId) -> Status[ItemDetailOut]:
    """A copy of the item as a new draft (its texts, copies, topics, campaign), as the
    library's "Duplicate"."""
    membership = _membership(request)
    item = selectors.item_for_editor(membership=membership, pk=item_id)
    require(membership, "content.create")
    new = library_services.item_duplicate(membership=membership, item=item)
    return Status(201, _detail_out(request, membership, new.pk))


@router.post("/content/{item_id}/from-template", response=responses({201: ItemDetailOut}))
def item_from_template(request: HttpRequest, item_id: DbId) -> Status[ItemDetailOut]:
    """A new draft from a template item (409 if the item is not a template)."""
    membership = _membership(request)
    template = selectors.item_for_editor(membership=membership, pk=item_id)
    require(membership, "content.create")
    new = library_services.item_from_template(membership=membership, template=template)
    return Status(201, _detail_out(request, membership, new.pk))


@router.post("/content/{item_id}/images", response=responses({201: ImageOut}))
def image_add(
    request: HttpRequest,
    item_id: DbId,
    image: File[UploadedFile],
    alt_text: Form[str] = "",
) -> Status[ImageOut]:
    """Add an image (multipart/form-data: `image`, the file; `alt_text`): JPEG, PNG, GIF or
    WebP, checked as on the page. On approved or live content it sends it back to review."""
    membership = _membership(request)
    item = selectors.item_for_editor(membership=membership, pk=item_id)
    require(membership, "content.edit", item)
    if len(alt_text) > MAX_ALT_TEXT or "\x00" in alt_text:
        message = _("At most %(max)d characters.") % {"max": MAX_ALT_TEXT}
        raise DomainError(message, field_errors={"alt_text": [message]})
    added = services.image_add(membership=membership, item=item, upload=image, alt_text=alt_text)
    return Status(201, _image_out(request, added))


@router.delete("/content/{item_id}/images/{image_id}", response=responses({204: None}))
def image_remove(request: HttpRequest, item_id: DbId, image_id: DbId) -> Status[None]:
    """Remove one of the item's images (another item's image: 404)."""
    membership = _membership(request)
    item = selectors.item_for_editor(membership=membership, pk=item_id)
    image = next((img for img in item.images.all() if img.pk == image_id), None)
    if image is None:
        raise NotFound(_("Not found."))
    services.image_remove(membership=membership, image=image)
    return Status(204, None)


class RescheduleIn(Schema):
    publish_at: AwareDatetime = Field(..., description="ISO 8601 with a time zone; from now on")


@router.post("/content/{item_id}/reschedule", response=responses({200: ItemDetailOut}))
def item_reschedule(request: HttpRequest, item_id: DbId, payload: RescheduleIn) -> ItemDetailOut:
    """Move an item to a new publish-at, keeping the length of its live period: what the
    calendar's "Move to" does (its readers, `calendar.view`, who may edit the item)."""
    membership = _membership(request)
    require(membership, "calendar.view")
    item = selectors.item_for_editor(membership=membership, pk=item_id)
    schedule_services.item_reschedule(
        membership=membership, item=item, publish_at=payload.publish_at
    )
    return _detail_out(request, membership, item_id)
