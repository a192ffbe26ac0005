from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portevoix.accounts.roles import Role
from portevoix.content import selectors, services
from portevoix.content.models import State, Transition
from portevoix.core import clock
from portevoix.core.errors import Conflict, DomainError, PermissionDenied
from tests.factories import item_data, make_item, make_member

pytestmark = pytest.mark.django_db


def test_create_submit_approve_goes_live(manager, approver):
    item = make_item(manager)
    assert item.state == State.DRAFT
    services.item_submit(membership=manager, item=item)
    item.refresh_from_db()
    assert item.state == State.IN_REVIEW
    services.item_approve(membership=approver, item=item, comment="OK")
    item.refresh_from_db()
    assert item.state == State.LIVE
    actions = list(item.transitions.values_list("action", "from_state", "to_state"))
    assert actions == [
        ("create", "draft", "draft"),
        ("submit", "draft", "in_review"),
        ("approve", "in_review", "live"),
    ]
    last = item.transitions.last()
    assert last is not None
    assert last.actor == approver.user and last.comment == "OK"


def test_author_cannot_approve_own_item(org, manager):
    both = make_member(org, Role.CONTENT_MANAGER, Role.APPROVER)
    item = make_item(both)
    services.item_submit(membership=both, item=item)
    with pytest.raises(PermissionDenied):
        services.item_approve(membership=both, item=item)


def test_several_approvals_and_final_approver_last(org, manager, approver, final_approver):
    org.approvals_required = 2
    org.final_approval_required = True
    org.save()
    second = make_member(org, Role.APPROVER)
    item = make_item(manager)
    services.item_submit(membership=manager, item=item)
    # The final approver cannot sign before the regular approvals are in.
    services.item_approve(membership=approver, item=item)
    item.refresh_from_db()
    assert item.state == State.IN_REVIEW
    with pytest.raises(Conflict):
        services.item_approve(membership=approver, item=item)  # twice by the same person
    services.item_approve(membership=second, item=item)
    item.refresh_from_db()
    assert item.state == State.IN_REVIEW  # still waiting for the final approver
    third = make_member(org, Role.APPROVER)
    with pytest.raises(PermissionDenied):
        services.item_approve(membership=third, item=item)
    services.item_approve(membership=final_approver, item=item)
    item.refresh_from_db()
    assert item.state == State.LIVE


def test_request_changes_needs_comment_and_resubmit(manager, approver):
    item = make_item(manager)
    services.item_submit(membership=manager, item=item)
    with pytest.raises(DomainError):
        services.item_request_changes(membership=approver, item=item, comment="  ")
    services.item_request_changes(membership=approver, item=item, comment="Trop long")
    item.refresh_from_db()
    assert item.state == State.CHANGES_REQUESTED
    services.item_update(membership=manager, item=item, data=item_data(title="Plus court"))
    services.item_submit(membership=manager, item=item)
    item.refresh_from_db()
    assert item.state == State.IN_REVIEW


def test_editing_approved_item_sends_it_back_to_review(manager, approver):
    item = make_item(manager)
    services.item_submit(membership=manager, item=item)
    services.item_approve(membership=approver, item=item)
    services.item_update(membership=manager, item=item, data=item_data(title="Changed"))
    item.refresh_from_db()
    assert item.state == State.IN_REVIEW
    assert item.revision == 2
    # The old approval does not count for the new revision: approve again.
    services.item_approve(membership=approver, item=item)
    item.refresh_from_db()
    assert item.state == State.LIVE


def test_future_publish_then_live_then_expired(manager, approver):
    now = clock.now()
    item = make_item(
        manager, publish_at=now + dt.timedelta(hours=1), expire_at=now + dt.timedelta(days=1)
    )
    services.item_submit(membership=manager, item=item)
    services.item_approve(membership=approver, item=item)
    item.refresh_from_db()
    assert item.state == State.APPROVED
    assert selectors.effective_state(item, now) == State.APPROVED
    assert services.items_refresh_states(now=now + dt.timedelta(hours=2)) == 1
    item.refresh_from_db()
    assert item.state == State.LIVE
    assert services.items_refresh_states(now=now + dt.timedelta(days=2)) == 1
    item.refresh_from_db()
    assert item.state == State.EXPIRED
    assert Transition.objects.filter(item=item, actor=None).count() == 2


def test_archive_and_restore(manager, approver):
    item = make_item(manager)
    services.item_archive(membership=manager, item=item, comment="obsolète")
    item.refresh_from_db()
    assert item.state == State.ARCHIVED
    with pytest.raises(Conflict):
        services.item_update(membership=manager, item=item, data=item_data())
    services.item_restore(membership=manager, item=item)
    item.refresh_from_db()
    assert item.state == State.DRAFT


def test_copy_too_long_for_x_is_refused_with_reason(manager):
    long_text = "a" * 281
    with pytest.raises(DomainError) as exc:
        make_item(manager, copies=[services.CopyData("x", long_text)])
    errors = exc.value.field_errors
    assert "copies.0.text" in errors
    assert "281" in errors["copies.0.text"][0] and "280" in errors["copies.0.text"][0]


def test_submit_needs_a_copy(manager):
    item = make_item(manager, copies=[])
    with pytest.raises(DomainError):
        services.item_submit(membership=manager, item=item)


def test_markdown_is_sanitized(manager):
    item = make_item(manager, body="Hi <script>alert(1)</script> [x](javascript:alert(1)) **b**")
    assert "<script>" not in item.body_html
    assert "javascript:" not in item.body_html
    assert "<strong>b</strong>" in item.body_html


def test_ambassador_cannot_create(ambassador):
    with pytest.raises(PermissionDenied):
        make_item(ambassador)


def test_validation_errors(manager, other_org):
    from portevoix.content.models import Topic

    foreign = Topic.objects.create(organization=other_org, name="Foreign", slug="foreign")
    with pytest.raises(DomainError) as exc:
        make_item(manager, title="", language="de", link="ftp://x", topic_ids=[foreign.pk])
    assert set(exc.value.field_errors) >= {"title", "language", "link", "topic_ids"}


def _png() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, format="PNG")
    return SimpleUploadedFile("x.png", buf.getvalue(), content_type="image/png")


def test_image_change_on_approved_item_sends_it_back_to_review(
    manager, approver, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    item = make_item(manager)
    services.item_submit(membership=manager, item=item)
    services.item_approve(membership=approver, item=item)
    image = services.image_add(membership=manager, item=item, upload=_png(), alt_text="logo")
    item.refresh_from_db()
    assert item.state == State.IN_REVIEW and item.revision == 2
    services.image_remove(membership=manager, image=image)
    assert item.images.count() == 0


def test_image_refused_on_archived_item(manager, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = make_item(manager)
    services.item_archive(membership=manager, item=item)
    with pytest.raises(Conflict):
        services.image_add(membership=manager, item=item, upload=_png())


def test_non_image_upload_is_refused(manager, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = make_item(manager)
    fake = SimpleUploadedFile("x.png", b"<script>alert(1)</script>", content_type="image/png")
    with pytest.raises(DomainError):
        services.image_add(membership=manager, item=item, upload=fake)
