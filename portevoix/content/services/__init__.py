"""Every write to the content library and its approval workflow."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import can, require
from portevoix.core import clock, images, search
from portevoix.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from portevoix.core.markdown import render_markdown
from portevoix.core.networks import LIMITS, UNITS, Network, check_copy
from portevoix.core.networks import error_message as network_error_message
from portevoix.core.tenancy import scoped
from portevoix.governance import gates

from .. import previews, selectors, signals
from ..models import (
    Approval,
    Campaign,
    ContentImage,
    ContentItem,
    ContentType,
    NetworkCopy,
    State,
    Topic,
    Transition,
)
from ..taxonomy import campaign_create as campaign_create
from ..taxonomy import topic_create as topic_create
from . import approvals as review

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

EDITABLE_STATES = {State.DRAFT, State.CHANGES_REQUESTED, State.IN_REVIEW}
BACK_TO_REVIEW_STATES = {State.APPROVED, State.LIVE, State.EXPIRED}


@dataclass
class CopyData:
    network: str
    text: str


@dataclass
class ItemData:
    title: str
    language: str
    body: str = ""
    link: str = ""
    content_type: str = ContentType.COMPANY_NEWS
    priority: int = 0
    important: bool = False
    featured: bool = False
    publish_at: dt.datetime | None = None
    expire_at: dt.datetime | None = None
    campaign_id: int | None = None
    topic_ids: list[int] = field(default_factory=list)
    copies: list[CopyData] = field(default_factory=list)


def copy_error_message(network: str, code: str, length: int) -> str:
    label = Network.LABELS.get(network, network)
    if code == "too_long":
        return _("%(network)s: %(length)d of %(limit)d %(unit)s, %(over)d too many.") % {
            "network": label,
            "length": length,
            "limit": LIMITS[network],
            "unit": _(UNITS[network]),
            "over": length - LIMITS[network],
        }
    if code == "empty":
        return _("%(network)s: the text is empty.") % {"network": label}
    if code == "too_many_links":
        return _("%(network)s: at most 5 links per post.") % {"network": label}
    return network_error_message(network, code) or f"{label}: {code}"


def validate_copies(copies: list[CopyData]) -> dict[str, list[str]]:
    """Field errors keyed `copies.<index>.text`; empty when every copy fits its network."""
    errors: dict[str, list[str]] = {}
    for index, copy in enumerate(copies):
        if copy.network not in Network.ALL:
            errors[f"copies.{index}.network"] = [_("Unknown network.")]
            continue
        check = check_copy(copy.network, copy.text)
        if not check.ok:
            errors[f"copies.{index}.text"] = [
                copy_error_message(copy.network, code, check.length) for code in check.errors
            ]
    return errors


def item_data_of(item: ContentItem) -> ItemData:
    """The item as `ItemData`, for a service that changes one part of it (adds copies) and
    calls `item_update` with the rest as it is."""
    return ItemData(
        title=item.title,
        language=item.language,
        body=item.body,
        link=item.link,
        content_type=item.content_type,
        priority=item.priority,
        important=item.important,
        featured=item.featured,
        publish_at=item.publish_at,
        expire_at=item.expire_at,
        campaign_id=item.campaign_id,
        topic_ids=[topic.pk for topic in item.topics.all()],
        copies=[CopyData(copy.network, copy.text) for copy in item.copies.all()],
    )


def _validate_item(membership: Membership, data: ItemData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = [_("A title is required.")]
    elif len(data.title) > 200:
        errors["title"] = [_("At most 200 characters.")]
    if data.language not in {"fr", "en"}:
        errors["language"] = [_("Choose French or English.")]
    if data.content_type not in ContentType.values:
        errors["content_type"] = [_("Unknown content type.")]
    if data.link and not data.link.lower().startswith(("http://", "https://")):
        errors["link"] = [_("The link must start with http:// or https://.")]
    if data.publish_at and data.expire_at and data.expire_at <= data.publish_at:
        errors["expire_at"] = [_("The expiry must come after the publication date.")]
    for name in ("publish_at", "expire_at"):
        value = getattr(data, name)
        if value is not None and value.tzinfo is None:
            errors[name] = [_("The date needs a time zone.")]
    if not -100 <= data.priority <= 100:
        errors["priority"] = [_("Priority goes from -100 to 100.")]
    org = membership.organization
    if (
        data.campaign_id is not None
        and not scoped(Campaign, org).filter(pk=data.campaign_id).exists()
    ):
        errors["campaign_id"] = [_("Unknown campaign.")]
    if data.topic_ids:
        found = scoped(Topic, org).filter(pk__in=data.topic_ids).count()
        if found != len(set(data.topic_ids)):
            errors["topic_ids"] = [_("Unknown topic.")]
    errors.update(validate_copies(data.copies))
    return errors


def _record(
    item: ContentItem, actor_id: int | None, to_state: str, action: str, comment: str = ""
) -> Transition:
    transition = Transition.objects.create(
        item=item,
        actor_id=actor_id,
        from_state=item.state,
        to_state=to_state,
        action=action,
        comment=comment,
        at=clock.now(),
    )
    signals.announce_if_live(item, to_state)
    item.state = to_state
    return transition


def _apply(item: ContentItem, data: ItemData) -> None:
    item.title = data.title.strip()
    item.body = data.body
    item.body_html = render_markdown(data.body)
    item.search_text = search.search_key(f"{item.title}\n{data.body}")
    previews.link_set(item, data.link)  # a new link clears the preview and queues its reading
    item.language = data.language
    item.content_type = data.content_type
    item.priority = data.priority
    item.important = data.important
    item.featured = data.featured
    item.publish_at = data.publish_at
    item.expire_at = data.expire_at
    item.campaign_id = data.campaign_id


def _replace_copies(item: ContentItem, copies: list[CopyData]) -> None:
    item.copies.all().delete()
    variants: dict[str, int] = {}
    rows = []
    for copy in copies:
        variants[copy.network] = variants.get(copy.network, 0) + 1
        rows.append(
            NetworkCopy(
                item=item, network=copy.network, variant=variants[copy.network], text=copy.text
            )
        )
    NetworkCopy.objects.bulk_create(rows)


@transaction.atomic
def item_create(*, membership: Membership, data: ItemData) -> ContentItem:
    require(membership, "content.create")
    errors = _validate_item(membership, data)
    if errors:
        raise DomainError(_("The item has errors."), field_errors=errors)
    item = ContentItem(organization=membership.organization, author=membership.user)
    _apply(item, data)
    item.save()
    item.topics.set(data.topic_ids)
    _replace_copies(item, data.copies)
    Transition.objects.create(
        item=item,
        actor=membership.user,
        from_state=State.DRAFT,
        to_state=State.DRAFT,
        action="create",
        at=clock.now(),
    )
    return item


@transaction.atomic
def item_update(*, membership: Membership, item: ContentItem, data: ItemData) -> ContentItem:
    """Edit an item. Editing approved, live or expired content sends it back to review."""
    require(membership, "content.edit", item)
    item = ContentItem.objects.select_for_update().get(pk=item.pk)
    if item.state == State.ARCHIVED:
        raise Conflict(_("Archived content cannot be edited; restore it first."))
    errors = _validate_item(membership, data)
    if errors:
        raise DomainError(_("The item has errors."), field_errors=errors)
    _apply(item, data)
    item.revision += 1
    if item.state in BACK_TO_REVIEW_STATES:
        _record(
            item,
            membership.user_id,
            State.IN_REVIEW,
            "edit",
            _("Edited after approval: back to review."),
        )
        item.review_due_at = review.review_due_for(membership=membership, due_at=None)
    item.save()
    item.topics.set(data.topic_ids)
    _replace_copies(item, data.copies)
    return item


def _locked(item: ContentItem) -> ContentItem:
    return ContentItem.objects.select_for_update().get(pk=item.pk)


@transaction.atomic
def item_submit(
    *,
    membership: Membership,
    item: ContentItem,
    comment: str = "",
    review_due_at: dt.datetime | None = None,
) -> ContentItem:
    """Send an item to review, due at `review_due_at` (default: in the organization's number
    of review days)."""
    require(membership, "content.submit", item)
    item = _locked(item)
    if item.state not in {State.DRAFT, State.CHANGES_REQUESTED}:
        raise Conflict(_("Only a draft or an item with changes requested can be submitted."))
    if not item.copies.exists():
        raise DomainError(
            _("Add at least one network copy before submitting."),
            field_errors={"copies": [_("At least one network copy is required.")]},
        )
    item.review_due_at = review.review_due_for(membership=membership, due_at=review_due_at)
    _record(item, membership.user_id, State.IN_REVIEW, "submit", comment)
    item.save(update_fields=["state", "updated_at", "review_due_at"])
    return item


def _state_after_approval(item: ContentItem) -> str:
    if item.publish_at is None or item.publish_at <= clock.now():
        if item.expire_at is not None and item.expire_at <= clock.now():
            return State.EXPIRED
        return State.LIVE
    return State.APPROVED


@transaction.atomic
def item_approve(*, membership: Membership, item: ContentItem, comment: str = "") -> ContentItem:
    """One approval. The item is approved once the organization's rule is met."""
    if not can(membership, "content.approve", item):
        if item.author_id == membership.user_id:
            raise PermissionDenied(_("You cannot approve your own item."))
        raise PermissionDenied(_("You are not an approver."))
    item = _locked(item)
    if item.state != State.IN_REVIEW:
        raise Conflict(_("Only an item in review can be approved."))
    org = membership.organization
    current = Approval.objects.filter(item=item, revision=item.revision)
    if current.filter(approver=membership.user).exists():
        raise Conflict(_("You have already approved this version."))
    regular = current.filter(is_final=False).count()
    is_final = False
    if org.final_approval_required and regular >= org.approvals_required:
        # The regular approvals are in: only a final approver may sign now, and last.
        if not can(membership, "content.approve_final", item):
            raise PermissionDenied(_("A final approver must sign last."))
        is_final = True
    Approval.objects.create(
        item=item, approver=membership.user, revision=item.revision, is_final=is_final
    )
    done = is_final or (not org.final_approval_required and regular + 1 >= org.approvals_required)
    if done:
        transition = _record(
            item, membership.user_id, _state_after_approval(item), "approve", comment
        )
        item.live_at = max(item.publish_at or clock.now(), clock.now())
        item.review_due_at = None
        review.revision_snapshot_record(item=item)
        review.author_email_queue(transition=transition)
    else:
        Transition.objects.create(
            item=item,
            actor=membership.user,
            from_state=item.state,
            to_state=item.state,
            action="approve",
            comment=comment,
            at=clock.now(),
        )
    item.save(update_fields=["state", "updated_at", "live_at", "review_due_at"])
    return item


@transaction.atomic
def item_request_changes(*, membership: Membership, item: ContentItem, comment: str) -> ContentItem:
    require(membership, "content.request_changes", item)
    if not comment.strip():
        raise DomainError(
            _("Say what must change."), field_errors={"comment": [_("A comment is required.")]}
        )
    item = _locked(item)
    if item.state != State.IN_REVIEW:
        raise Conflict(_("Changes can only be requested on an item in review."))
    transition = _record(
        item, membership.user_id, State.CHANGES_REQUESTED, "request_changes", comment
    )
    item.review_due_at = None
    item.save(update_fields=["state", "updated_at", "review_due_at"])
    review.author_email_queue(transition=transition)
    return item


@transaction.atomic
def item_comment(*, membership: Membership, item: ContentItem, comment: str) -> Transition:
    require(membership, "content.view_history", item)
    if not comment.strip():
        raise DomainError(_("The comment is empty."), field_errors={"comment": [_("Required.")]})
    # The organization's guardrails run on every text a person writes (governance).
    check = gates.guardrails_check(
        organization=membership.organization, text=comment.strip(), network=""
    )
    if check.blocked:
        raise DomainError(
            _("The comment contains words that are not allowed."),
            field_errors={"comment": gates.describe_all(check, action="block")},
        )
    transition = Transition.objects.create(
        item=item,
        actor=membership.user,
        from_state=item.state,
        to_state=item.state,
        action="comment",
        comment=comment.strip(),
        at=clock.now(),
    )
    if check.warned:
        gates.moderation_flag(
            organization=membership.organization,
            author=membership,
            text=transition.comment,
            reason="\n".join(gates.describe_all(check, action="warn")),
            source="content.comment",
            object_id=transition.pk,
        )
    return transition


@transaction.atomic
def item_archive(*, membership: Membership, item: ContentItem, comment: str = "") -> ContentItem:
    require(membership, "content.archive", item)
    item = _locked(item)
    if item.state == State.ARCHIVED:
        raise Conflict(_("The item is already archived."))
    _record(item, membership.user_id, State.ARCHIVED, "archive", comment)
    item.save(update_fields=["state", "updated_at"])
    return item


def item_moderation_remove(*, actor: Membership, object_id: str, comment: str = "") -> str:
    """Moderation takes a reported item down: it is archived (governance calls this through
    `settings.MODERATION_REMOVERS`). Returns a `gates.Removal` outcome."""
    try:
        item = selectors.item_for_editor(membership=actor, pk=int(object_id))
    except (NotFound, ValueError):  # the item is gone
        return gates.Removal.GONE
    if item.state == State.ARCHIVED:
        return gates.Removal.ALREADY_DONE
    item_archive(membership=actor, item=item, comment=comment)
    return gates.Removal.DONE


@transaction.atomic
def item_restore(*, membership: Membership, item: ContentItem, comment: str = "") -> ContentItem:
    """Bring an archived item back as a draft (it must be approved again)."""
    require(membership, "content.archive", item)
    item = _locked(item)
    if item.state != State.ARCHIVED:
        raise Conflict(_("Only an archived item can be restored."))
    item.revision += 1
    _record(item, membership.user_id, State.DRAFT, "restore", comment)
    item.save(update_fields=["state", "revision", "updated_at"])
    return item


def items_refresh_states(*, now: dt.datetime | None = None) -> int:
    """Move approved items past publish-at to live, and live ones past expire-at to expired.

    Run periodically by the worker. Readers never depend on it: the feed filters by time.
    Returns how many items changed.
    """
    now = now or clock.now()
    changed = 0
    to_live = ContentItem.objects.filter(state=State.APPROVED, publish_at__lte=now).exclude(
        expire_at__lte=now
    )
    to_expired = ContentItem.objects.filter(
        state__in=[State.APPROVED, State.LIVE], expire_at__lte=now
    )
    for qs, target in ((to_expired, State.EXPIRED), (to_live, State.LIVE)):
        for pk in list(qs.values_list("pk", flat=True)[:1000]):
            with transaction.atomic():
                item = ContentItem.objects.select_for_update().get(pk=pk)
                if item.state not in {State.APPROVED, State.LIVE} or item.state == target:
                    continue
                _record(item, None, target, "schedule")
                item.save(update_fields=["state", "updated_at"])
                changed += 1
    return changed


def image_add(
    *, membership: Membership, item: ContentItem, upload: UploadedFile, alt_text: str = ""
) -> ContentImage:
    """Attach an image after checking that it really is an image of an allowed type and size."""
    require(membership, "content.edit", item)
    fmt = images.checked_image_format(upload, field="image")
    ext = images.EXTENSIONS[fmt]
    upload.name = f"image.{ext}"
    with transaction.atomic():
        item = _locked(item)
        _touch_for_edit(membership, item, _("Image added after approval: back to review."))
        position = item.images.count()
        image = ContentImage(item=item, alt_text=alt_text[:300], position=position)
        image.file.save(upload.name, upload, save=False)
        image.save()
    return image


def image_remove(*, membership: Membership, image: ContentImage) -> None:
    require(membership, "content.edit", image.item)
    with transaction.atomic():
        item = _locked(image.item)
        _touch_for_edit(membership, item, _("Image removed after approval: back to review."))
        name = image.file.name
        image.delete()
        # The file goes only once the row is gone for good.
        transaction.on_commit(lambda: image.file.storage.delete(name))


def _touch_for_edit(membership: Membership, item: ContentItem, comment: str) -> None:
    """An image change is an edit: refused on archived items, and approved content goes
    back to review (new revision, so earlier approvals no longer count)."""
    if item.state == State.ARCHIVED:
        raise Conflict(_("Archived content cannot be edited; restore it first."))
    item.revision += 1
    if item.state in BACK_TO_REVIEW_STATES:
        _record(item, membership.user_id, State.IN_REVIEW, "edit", comment)
    item.save(update_fields=["state", "revision", "updated_at"])
