"""The Threads connector's publishing against the local fake of the Threads API
(tests/peers/fake_threads.py): the container saved before it is published, found again after
a lost answer, reused or replaced, never published twice."""

from __future__ import annotations

import pytest

from portevoix.networks.base import AuthError, PermanentError, TransientError
from tests.publishing._threads_helpers import (
    LINK,
    USER,
    Saver,
    ctx_for,
    form_of,
    make_post,
    threads_fixtures,
)

pytestmark = pytest.mark.peers

_one_tls_context, server, fake, connector = threads_fixtures()


# --------------------------------------------------------------------------- publishing


def test_publish_saves_the_container_before_publishing_it(connector, fake):
    token = fake.long_lived_token(USER)
    saver = Saver(fake)
    result = connector.publish(ctx_for(token), make_post(saver))

    [publish_index] = fake.publish_calls()
    publish_call = fake.app.calls[publish_index]
    creation_id = form_of(publish_call)["creation_id"]
    seen_then, first_state = saver.saved[0]
    assert first_state == {"container_id": creation_id}
    assert seen_then <= publish_index  # saved before threads_publish reached Threads

    create = next(c for c in fake.app.calls if c.path == f"/v1.0/{USER}/threads")
    assert form_of(create)["media_type"] == "TEXT"
    assert form_of(create)["text"] == f"Our new report is out {LINK}"
    assert form_of(create)["link_attachment"] == LINK
    status_checks = [c for c in fake.app.calls if c.path == f"/v1.0/{creation_id}"]
    assert status_checks and status_checks[0].query["fields"] == "status,error_message"

    media = fake.media[result.remote_id]
    assert media.text.endswith(LINK) and media.link == LINK
    assert result.url == f"https://www.threads.net/@alice/post/{media.shortcode}"
    assert fake.containers[creation_id].status == "PUBLISHED"
    assert saver.last == {"container_id": creation_id, "media_id": result.remote_id}


def test_find_published_without_a_container_is_none(connector, fake):
    token = fake.long_lived_token(USER)
    assert connector.find_published(ctx_for(token), make_post(Saver(fake))) is None
    assert fake.app.calls == []


def test_lost_answer_of_threads_publish_is_found_again(connector, fake):
    token = fake.long_lived_token(USER)
    saver = Saver(fake)
    fake.fail_next_publish_after_commit()
    with pytest.raises(TransientError):
        connector.publish(ctx_for(token), make_post(saver))
    assert "media_id" not in saver.last  # only the container was known

    retry = make_post(Saver(fake), saver.last)
    found = connector.find_published(ctx_for(token), retry)

    [media] = fake.user_media(USER)
    assert found is not None and found.remote_id == media.media_id
    assert found.url.endswith(media.shortcode)
    listing = next(c for c in fake.app.calls if c.path == f"/v1.0/{USER}/threads" and c.query)
    assert listing.query["fields"].startswith("id,text,permalink")
    assert fake.container_creations() == 1 and len(fake.publish_calls()) == 1

    # Even if the engine called publish, it would not publish twice.
    again = connector.publish(ctx_for(token), retry)
    assert again.remote_id == media.media_id
    assert fake.container_creations() == 1 and len(fake.publish_calls()) == 1


def test_saved_media_id_is_used_directly(connector, fake):
    token = fake.long_lived_token(USER)
    saver = Saver(fake)
    result = connector.publish(ctx_for(token), make_post(saver))
    calls = len(fake.app.calls)
    found = connector.find_published(ctx_for(token), make_post(Saver(fake), saver.last))
    assert found is not None and found.remote_id == result.remote_id
    assert found.url == result.url
    # Container status, then the media by id: no listing.
    assert [c.path for c in fake.app.calls[calls:]] == [
        f"/v1.0/{saver.last['container_id']}",
        f"/v1.0/{result.remote_id}",
    ]


def test_finished_container_is_reused_never_a_second_one(connector, fake):
    token = fake.long_lived_token(USER)
    crashed = Saver(fake, fail=True)
    with pytest.raises(RuntimeError):
        connector.publish(ctx_for(token), make_post(crashed))
    container_id = crashed.last["container_id"]
    assert fake.publish_calls() == [] and fake.container_creations() == 1

    retry_saver = Saver(fake)
    retry = make_post(retry_saver, crashed.last)
    assert connector.find_published(ctx_for(token), retry) is None  # FINISHED: not published
    result = connector.publish(ctx_for(token), retry)

    assert fake.container_creations() == 1
    [publish_index] = fake.publish_calls()
    assert form_of(fake.app.calls[publish_index])["creation_id"] == container_id
    assert fake.containers[container_id].media_id == result.remote_id
    assert len(fake.user_media(USER)) == 1


@pytest.mark.parametrize("status", ["EXPIRED", "ERROR"])
def test_expired_or_failed_container_gives_a_new_one(connector, fake, status):
    token = fake.long_lived_token(USER)
    crashed = Saver(fake, fail=True)
    with pytest.raises(RuntimeError):
        connector.publish(ctx_for(token), make_post(crashed))
    old = crashed.last["container_id"]
    fake.set_container_status(old, status, error_message="UNKNOWN")

    saver = Saver(fake)
    retry = make_post(saver, crashed.last)
    assert connector.find_published(ctx_for(token), retry) is None
    result = connector.publish(ctx_for(token), retry)

    assert fake.container_creations() == 2
    new = saver.saved[0][1]["container_id"]
    assert new != old
    [publish_index] = fake.publish_calls()
    assert saver.saved[0][0] <= publish_index
    assert form_of(fake.app.calls[publish_index])["creation_id"] == new
    assert fake.containers[old].status == status
    assert [m.media_id for m in fake.user_media(USER)] == [result.remote_id]


def test_unknown_container_is_searched_for_then_replaced(connector, fake):
    token = fake.long_lived_token(USER)
    saver = Saver(fake)
    fake.fail_next_publish_after_commit()
    with pytest.raises(TransientError):
        connector.publish(ctx_for(token), make_post(saver))
    # Threads forgets the container: the post is found by its link all the same.
    del fake.containers[saver.last["container_id"]]
    retry = make_post(Saver(fake), saver.last)
    found = connector.find_published(ctx_for(token), retry)
    [media] = fake.user_media(USER)
    assert found is not None and found.remote_id == media.media_id

    # A forgotten container that never published: a new one.
    crashed = Saver(fake, fail=True)
    other = make_post(crashed)
    other.text, other.link_url = "Second item https://pv.test/l/Zz9", "https://pv.test/l/Zz9"
    with pytest.raises(RuntimeError):
        connector.publish(ctx_for(token), other)
    del fake.containers[crashed.last["container_id"]]
    other.state, other.save_state = dict(crashed.last), Saver(fake)
    assert connector.find_published(ctx_for(token), other) is None
    result = connector.publish(ctx_for(token), other)
    assert fake.container_creations() == 3
    assert [m.media_id for m in fake.user_media(USER)] == [result.remote_id, media.media_id]


def test_container_in_progress_is_waited_for(connector, fake):
    token = fake.long_lived_token(USER)
    crashed = Saver(fake, fail=True)
    with pytest.raises(RuntimeError):
        connector.publish(ctx_for(token), make_post(crashed))
    container_id = crashed.last["container_id"]

    # Still processing longer than we wait: no publish, try again later.
    fake.set_container_status(container_id, "FINISHED", in_progress_polls=10)
    retry = make_post(Saver(fake), crashed.last)
    assert connector.find_published(ctx_for(token), retry) is None
    with pytest.raises(TransientError):
        connector.publish(ctx_for(token), retry)
    assert fake.publish_calls() == []

    # Ready after two more reads: published, with the same container.
    fake.set_container_status(container_id, "FINISHED", in_progress_polls=2)
    result = connector.publish(ctx_for(token), retry)
    assert fake.containers[container_id].media_id == result.remote_id
    assert fake.container_creations() == 1


def test_text_too_long_is_a_permanent_refusal(connector, fake):
    token = fake.long_lived_token(USER)
    post = make_post(Saver(fake))
    post.text = "x" * 501 + " " + LINK
    with pytest.raises(PermanentError) as refused:
        connector.publish(ctx_for(token), post)
    assert not isinstance(refused.value, AuthError)
    assert "500 characters" in refused.value.user_message
    assert fake.containers == {}
