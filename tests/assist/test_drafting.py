"""Drafting copies with the organization's model, against a local fake OpenAI-compatible
server (tests/assist/conftest.py): a good answer proposed then added through approval, the
key sent as a Bearer token, a draft over the limit refused, a guardrail flagged, and every
failure (timeout, refusal, HTTP errors, malformed or too large answers, connection refused)
a clear message with nothing saved and neither key nor prompt in the logs."""

from __future__ import annotations

import json
import logging
import socket
import time

import pytest
from django.urls import reverse
from django.utils import translation

from portevoix.assist.models import AssistedCopy
from portevoix.content.models import State
from portevoix.governance import services as governance_services
from portevoix.governance.models import AuditEntry
from tests import factories
from tests.assist.conftest import API_KEY, MODEL, completion, copies, turn_on
from tests.peers.server import Resp

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.peers]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def item(manager):
    return factories.make_item(manager, copies=[])


def ask(client, item, networks=("linkedin", "x"), tone="friendly", language="fr"):
    return client.post(
        reverse("assist:draft", args=[item.pk]),
        {"networks": list(networks), "language": language, "tone": tone},
    )


def tokens(response):
    return [d.token for d in response.context["result"].drafts if d.token]


def test_a_good_answer_is_proposed_then_added_through_approval(client, manager, model_on, item):
    client.force_login(manager.user)
    page = client.get(reverse("content:item", args=[item.pk])).content.decode()
    assert f"Draft copies with the model ({MODEL})" in page
    response = ask(client, item)
    assert response.status_code == 200
    body = response.content.decode()
    assert "drafted by a language model" in body and MODEL in body
    assert "Nous recrutons des ingénieurs à Lyon" in body
    # Proposed only: nothing saved yet.
    assert item.copies.count() == 0 and not AssistedCopy.objects.exists()
    (sent,) = model_on.requests
    assert sent.headers["authorization"] == f"Bearer {API_KEY}"
    request = sent.json()
    assert request["model"] == MODEL and request["stream"] is False
    prompt = request["messages"][1]["content"]
    assert "French" in prompt and "warm and friendly" in prompt and item.title in prompt
    assert "linkedin: at most 3000" in prompt and "x: at most 280" in prompt

    added = client.post(reverse("assist:add", args=[item.pk]), {"draft": tokens(response)})
    assert added.status_code == 302 and added.url == reverse("content:item", args=[item.pk])
    assert sorted(item.copies.values_list("network", flat=True)) == ["linkedin", "x"]
    assert set(AssistedCopy.objects.values_list("network", "model")) == {
        ("linkedin", MODEL),
        ("x", MODEL),
    }
    entry = AuditEntry.objects.get(action="assist.copies_added")
    assert entry.after == {"networks": ["linkedin", "x"], "model": MODEL}
    # The item's page keeps the mark while the copies say what the model drafted.
    page = client.get(reverse("content:item", args=[item.pk])).content.decode()
    assert f"LinkedIn, X: drafted by a language model ({MODEL})" in page
    # Sent twice, the form adds nothing more.
    client.post(reverse("assist:add", args=[item.pk]), {"draft": tokens(response)})
    assert item.copies.count() == 2


def test_an_approved_item_goes_back_to_review(client, manager, approver, model_on):
    item = factories.make_live_item(manager, approver)
    assert item.state in {State.APPROVED, State.LIVE}
    client.force_login(manager.user)
    response = ask(client, item, networks=("linkedin",))
    client.post(reverse("assist:add", args=[item.pk]), {"draft": tokens(response)})
    item.refresh_from_db()
    assert item.state == State.IN_REVIEW
    assert item.copies.filter(network="linkedin").count() == 2  # the old one and the draft


def test_a_draft_over_the_limit_is_refused_with_why(client, manager, model_on, item):
    model_on.answer = lambda req: copies(linkedin="Un bon texte.", x="Trop long. " * 40)
    client.force_login(manager.user)
    response = ask(client, item)
    drafts = {d.network: d for d in response.context["result"].drafts}
    assert drafts["x"].refused and drafts["x"].token == ""
    assert "too many" in drafts["x"].errors[0]
    assert not drafts["linkedin"].refused and drafts["linkedin"].token
    assert "Refused, not addable" in response.content.decode()
    client.post(reverse("assist:add", args=[item.pk]), {"draft": tokens(response)})
    assert list(item.copies.values_list("network", flat=True)) == ["linkedin"]


def test_a_competitors_name_is_flagged(client, manager, admin, model_on, item):
    governance_services.rule_create(
        actor=admin,
        data=governance_services.RuleData(kind="competitor", action="warn", terms=["VoltaVerde"]),
    )
    model_on.answer = lambda req: copies(linkedin="Mieux que VoltaVerde, évidemment.")
    client.force_login(manager.user)
    response = ask(client, item, networks=("linkedin",))
    (draft,) = response.context["result"].drafts
    assert draft.flags and "VoltaVerde" in draft.flags[0]
    assert not draft.refused  # flagged, for the writer and the approvers to judge
    assert "the guardrails flag" in response.content.decode()


def test_a_network_the_model_left_out_is_said(client, manager, model_on, item):
    model_on.answer = lambda req: copies(linkedin="Un texte.")
    client.force_login(manager.user)
    response = ask(client, item)
    assert response.context["result"].missing == ["X"]


def _fails(client, manager, item, caplog, expected):
    client.force_login(manager.user)
    with caplog.at_level(logging.DEBUG):
        response = ask(client, item)
    assert response.status_code == 200
    body = response.content.decode()
    assert expected in body and "Nothing was saved" in body
    assert response.context["result"] is None
    assert item.copies.count() == 0 and not AssistedCopy.objects.exists()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert API_KEY not in logged and item.title not in logged
    assert "assist_draft_failed" in logged


def test_a_timeout(client, manager, admin, fake_model, item, caplog):
    turn_on(admin, fake_model.url, timeout=1)

    def slow(req):
        time.sleep(2)
        return copies(linkedin="Trop tard.")

    fake_model.answer = slow
    _fails(client, manager, item, caplog, "did not answer within 1 seconds")


@pytest.mark.parametrize(
    "answer",
    [
        completion("", finish_reason="content_filter"),
        completion(None, refusal="I can't help with that."),
        completion("   "),
    ],
    ids=["content_filter", "refusal", "empty"],
)
def test_a_refusal(client, manager, model_on, item, caplog, answer):
    model_on.answer = lambda req: answer
    _fails(client, manager, item, caplog, "The model declined to write these copies")


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (401, "refused the key (401)"),
        (404, "does not know this address or model (404)"),
        (429, "too many requests (429)"),
        (500, "The model&#x27;s server failed (500)"),
        (400, "refused the request (400)"),
    ],
)
def test_http_errors(client, manager, model_on, item, caplog, status, expected):
    model_on.answer = lambda req: Resp(status, {"error": {"message": "nope"}})
    _fails(client, manager, item, caplog, expected)


@pytest.mark.parametrize(
    "answer",
    [
        Resp(200, "<html>not json</html>"),
        Resp(200, {"unexpected": True}),
        completion("Here are your posts: LinkedIn - hello"),
        completion(json.dumps({"copies": "none"})),
        completion(json.dumps({"copies": [{"network": "tiktok", "text": "hi"}]})),
    ],
    ids=["not-json", "no-choices", "prose", "wrong-shape", "unknown-network"],
)
def test_malformed_answers(client, manager, model_on, item, caplog, answer):
    model_on.answer = lambda req: answer
    client.force_login(manager.user)
    response = ask(client, item)
    assert "expected format" in response.content.decode() or "could not be read" in (
        response.content.decode()
    )
    assert item.copies.count() == 0


def test_a_fenced_json_answer_is_read(client, manager, model_on, item):
    answer = json.dumps({"copies": [{"network": "LinkedIn", "text": "Ok."}]})
    fenced = f"```json\n{answer}\n```"
    model_on.answer = lambda req: completion(fenced)
    client.force_login(manager.user)
    (draft,) = ask(client, item).context["result"].drafts
    assert (draft.network, draft.text) == ("linkedin", "Ok.")


def test_a_cut_answer(client, manager, model_on, item, caplog):
    model_on.answer = lambda req: completion('{"copies": [{"network": "x"', finish_reason="length")
    _fails(client, manager, item, caplog, "cut before its end")


def test_an_answer_too_large(client, manager, model_on, item, caplog):
    model_on.answer = lambda req: completion("x" * (300 * 1024))
    _fails(client, manager, item, caplog, "too large")


def test_connection_refused(client, manager, admin, item, caplog):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    turn_on(admin, f"http://127.0.0.1:{port}")
    _fails(client, manager, item, caplog, "could not be reached")


def test_a_private_address_is_refused_at_connection_time(
    client, manager, admin, model_on, item, caplog, settings
):
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = []  # the operator took the host off the list
    _fails(client, manager, item, caplog, "address is not allowed")
    assert model_on.requests == []


def test_an_altered_token_adds_nothing(client, manager, model_on, item):
    client.force_login(manager.user)
    token = tokens(ask(client, item))[0]
    response = client.post(reverse("assist:add", args=[item.pk]), {"draft": token[:-3] + "abc"})
    assert response.status_code == 302 and response.url == reverse("assist:draft", args=[item.pk])
    assert item.copies.count() == 0


def test_a_token_of_another_item_adds_nothing(client, manager, model_on, item):
    other = factories.make_item(manager, copies=[])
    client.force_login(manager.user)
    token = tokens(ask(client, other))[0]
    client.post(reverse("assist:add", args=[item.pk]), {"draft": token})
    assert item.copies.count() == 0 and other.copies.count() == 0


# --- Off by default, and roles


def test_off_by_default_no_button_and_posts_refused(client, manager, item, fake_model):
    client.force_login(manager.user)
    page = client.get(reverse("content:item", args=[item.pk])).content.decode()
    assert "Draft copies with the model" not in page
    assert client.get(reverse("assist:draft", args=[item.pk])).status_code == 404
    assert ask(client, item).status_code == 404
    assert client.post(reverse("assist:add", args=[item.pk]), {"draft": "x"}).status_code == 404
    assert fake_model.requests == [] and item.copies.count() == 0


def test_a_plain_member_gets_403(client, member, model_on, item):
    client.force_login(member.user)
    assert client.get(reverse("assist:draft", args=[item.pk])).status_code == 403
    assert ask(client, item).status_code == 403
    assert client.post(reverse("assist:add", args=[item.pk]), {"draft": "x"}).status_code == 403
    assert model_on.requests == []


def test_an_outsider_gets_404(client, outsider, model_on, item):
    turn_on(outsider, model_on.url)  # their own organization has a model on too
    client.force_login(outsider.user)
    page = client.get(reverse("content:item", args=[item.pk]))
    assert page.status_code == 404
    assert client.get(reverse("assist:draft", args=[item.pk])).status_code == 404
    assert ask(client, item).status_code == 404
    assert client.post(reverse("assist:add", args=[item.pk]), {"draft": "x"}).status_code == 404
    assert model_on.requests == []


def test_add_answers_only_post(client, manager, model_on, item):
    client.force_login(manager.user)
    assert client.get(reverse("assist:add", args=[item.pk])).status_code == 405
    assert client.put(reverse("assist:draft", args=[item.pk])).status_code == 405


def test_an_accepted_idea_offers_its_draft_and_drafting_from_it(client, manager, member, model_on):
    from portevoix.content.models import ContentItem
    from portevoix.ideas import services as idea_services

    idea = idea_services.idea_post(
        membership=member,
        data=idea_services.IdeaData(
            kind="content", title="Nos ingénieurs à Lyon", body="Montrer l'équipe du site."
        ),
    )
    idea_page = reverse("ideas:idea", args=[idea.pk])
    client.force_login(manager.user)
    assert "Draft copies with the model" not in client.get(idea_page).content.decode()
    idea_services.idea_accept(membership=manager, idea_id=idea.pk)
    idea.refresh_from_db()
    assert idea.content_item_id is not None
    item = ContentItem.objects.get(pk=idea.content_item_id)
    page = client.get(idea_page).content.decode()
    assert reverse("content:item", args=[item.pk]) in page and "Open the content draft" in page
    assert reverse("assist:draft", args=[item.pk]) in page
    assert f"Draft copies with the model ({MODEL})" in page
    response = ask(client, item)
    assert response.status_code == 200 and tokens(response)
    brief = json.loads(model_on.requests[-1].body)["messages"][-1]["content"]
    assert "Nos ingénieurs à Lyon" in brief and "Montrer l'équipe du site." in brief
    client.force_login(member.user)  # the idea's author, who may not open the library
    page = client.get(idea_page).content.decode()
    assert "Open the content draft" not in page and "Draft copies" not in page
