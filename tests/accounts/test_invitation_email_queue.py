"""The invitation email task carries the invitation's id, never the accept link's secret
token (issue 9): the token is sealed on the invitation row until the email is sent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from huey.contrib.djhuey import HUEY

from portevoix.accounts import services
from portevoix.accounts.models import Invitation
from portevoix.core import clock


@pytest.fixture
def queued():
    """Tasks are queued (not run at once) for the test; yields the pending tasks' reader."""
    HUEY.immediate = False
    HUEY.flush()
    try:
        yield HUEY.pending
    finally:
        HUEY.flush()
        HUEY.immediate = True


def _invite(admin, django_capture_on_commit_callbacks, email="new@example.org"):
    with django_capture_on_commit_callbacks(execute=True):
        return services.invitation_create(actor=admin, email=email, language="fr")


def test_queued_task_carries_no_token(admin, queued, django_capture_on_commit_callbacks):
    issued = _invite(admin, django_capture_on_commit_callbacks)
    tasks = queued()
    assert len(tasks) == 1
    task = tasks[0]
    assert task.name.endswith("send_invitation_email")
    assert task.args == (issued.invitation.pk, "fr")
    stored = repr((task.args, task.kwargs))
    assert issued.token not in stored and "/invitations/" not in stored
    # Nor in the queue's storage, whatever its encoding.
    raw = b"".join(bytes(item) for item in HUEY.storage.enqueued_items())
    assert issued.token.encode() not in raw
    # The row keeps the token sealed, never in clear.
    invitation = Invitation.objects.get(pk=issued.invitation.pk)
    assert invitation.token_sealed and issued.token not in invitation.token_sealed


def test_the_task_builds_the_link_at_send_time(admin, queued, django_capture_on_commit_callbacks):
    issued = _invite(admin, django_capture_on_commit_callbacks)
    task = queued()[0]
    HUEY.immediate = True
    services.invitation_email_send(invitation_id=task.args[0], language=task.args[1])
    assert len(mail.outbox) == 1
    assert issued.url in mail.outbox[0].body
    # Once sent, the sealed token is gone: a second run sends nothing.
    assert Invitation.objects.get(pk=issued.invitation.pk).token_sealed == ""
    assert services.invitation_email_send(invitation_id=task.args[0], language="fr") is False
    assert len(mail.outbox) == 1


def test_nothing_sent_for_a_withdrawn_or_expired_invitation(
    admin, queued, django_capture_on_commit_callbacks
):
    withdrawn = _invite(admin, django_capture_on_commit_callbacks, "a@example.org")
    services.invitation_revoke(actor=admin, invitation=withdrawn.invitation)
    assert Invitation.objects.get(pk=withdrawn.invitation.pk).token_sealed == ""
    expired = _invite(admin, django_capture_on_commit_callbacks, "b@example.org")
    Invitation.objects.filter(pk=expired.invitation.pk).update(
        expires_at=clock.now() - dt.timedelta(minutes=1)
    )
    for issued in (withdrawn, expired):
        sent = services.invitation_email_send(invitation_id=issued.invitation.pk, language="en")
        assert sent is False
    assert mail.outbox == []


def test_end_to_end_the_email_still_carries_the_link(admin, django_capture_on_commit_callbacks):
    issued = _invite(admin, django_capture_on_commit_callbacks)  # tasks run at once in tests
    assert len(mail.outbox) == 1 and issued.url in mail.outbox[0].body
    membership = services.invitation_accept(
        token=issued.token, full_name="New Person", password="a-Long-pass-phrase-42"
    )
    assert membership.organization_id == admin.organization_id
