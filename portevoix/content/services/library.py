"""Writes of the library beyond the editor: file an item in a campaign or under a topic,
duplicate an item, mark it as a template and start a draft from a template.

Filing (campaign, topic) is classification, not content: it does not make a new revision
and does not send approved content back to review. It is refused on archived items, like
every edit, and recorded in the item's history.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.errors import Conflict, DomainError
from portevoix.core.tenancy import scoped

from ..models import Campaign, ContentImage, ContentItem, State, Topic, Transition
from . import CopyData, ItemData, item_create

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


def _note(membership: Membership, item: ContentItem, comment: str) -> None:
    """A line in the item's history that changes no state."""
    Transition.objects.create(
        item=item,
        actor=membership.user,
        from_state=item.state,
        to_state=item.state,
        action="edit",
        comment=comment,
        at=clock.now(),
    )


def _locked_editable(membership: Membership, item: ContentItem) -> ContentItem:
    require(membership, "content.edit", item)
    item = ContentItem.objects.select_for_update().get(pk=item.pk)
    if item.state == State.ARCHIVED:
        raise Conflict(_("Archived content cannot be edited; restore it first."))
    return item


@transaction.atomic
def item_set_campaign(
    *, membership: Membership, item: ContentItem, campaign_id: int | None
) -> ContentItem:
    """File the item in a campaign (None: no campaign)."""
    item = _locked_editable(membership, item)
    campaign = None
    if campaign_id is not None:
        campaign = scoped(Campaign, membership.organization_id).filter(pk=campaign_id).first()
        if campaign is None:
            raise DomainError(
                _("Unknown campaign."), field_errors={"campaign_id": [_("Unknown campaign.")]}
            )
    if item.campaign_id == campaign_id:
        return item
    item.campaign = campaign
    item.save(update_fields=["campaign", "updated_at"])
    if campaign is None:
        _note(membership, item, _("Removed from its campaign."))
    else:
        _note(membership, item, _("Moved to the campaign “%(name)s”.") % {"name": campaign.name})
    return item


@transaction.atomic
def item_add_topic(*, membership: Membership, item: ContentItem, topic_id: int) -> ContentItem:
    """Add a topic to the item (nothing happens if it already has it)."""
    item = _locked_editable(membership, item)
    topic = scoped(Topic, membership.organization_id).filter(pk=topic_id).first()
    if topic is None:
        raise DomainError(_("Unknown topic."), field_errors={"topic_ids": [_("Unknown topic.")]})
    if item.topics.filter(pk=topic.pk).exists():
        return item
    item.topics.add(topic)
    item.save(update_fields=["updated_at"])
    _note(membership, item, _("Topic “%(name)s” added.") % {"name": topic.name})
    return item


@transaction.atomic
def item_set_template(
    *, membership: Membership, item: ContentItem, is_template: bool
) -> ContentItem:
    """Mark the item as a template for recurring content, or unmark it."""
    item = _locked_editable(membership, item)
    if item.is_template == is_template:
        return item
    item.is_template = is_template
    item.save(update_fields=["is_template", "updated_at"])
    _note(
        membership,
        item,
        _("Marked as a template.") if is_template else _("No longer a template."),
    )
    return item


def _data_from(item: ContentItem, title: str) -> ItemData:
    return ItemData(
        title=title,
        language=item.language,
        body=item.body,
        link=item.link,
        content_type=item.content_type,
        priority=item.priority,
        important=item.important,
        featured=item.featured,
        campaign_id=item.campaign_id,
        topic_ids=[topic.pk for topic in item.topics.all()],
        copies=[CopyData(copy.network, copy.text) for copy in item.copies.all()],
    )


def _copy_images(source: ContentItem, target: ContentItem) -> None:
    for image in source.images.all():
        try:
            with image.file.open("rb") as handle:
                data = handle.read()
        except OSError:  # the file is gone: the copy goes without it
            continue
        copy = ContentImage(item=target, alt_text=image.alt_text, position=image.position)
        copy.file.save(os.path.basename(image.file.name), ContentFile(data), save=False)
        copy.save()


@transaction.atomic
def item_duplicate(*, membership: Membership, item: ContentItem) -> ContentItem:
    """A new draft with the item's title "(copy)", text, link, copies, topics, campaign and
    images; not its dates, state or approvals. Recorded as a creation (`item_create`)."""
    require(membership, "content.view_library", item)
    title = _("%(title)s (copy)") % {"title": item.title}
    if len(title) > 200:
        suffix = _("(copy)")
        title = f"{item.title[: 199 - len(suffix)]} {suffix}"
    new = item_create(membership=membership, data=_data_from(item, title))
    _copy_images(item, new)
    return new


@transaction.atomic
def item_from_template(*, membership: Membership, template: ContentItem) -> ContentItem:
    """A new draft from a template: its title, text, link, copies, topics, campaign and
    images. The draft is not a template itself."""
    require(membership, "content.view_library", template)
    if not template.is_template:
        raise Conflict(_("This item is not a template."))
    new = item_create(membership=membership, data=_data_from(template, template.title))
    _copy_images(template, new)
    return new
