"""A local fake of an OpenAI-compatible server (tests/peers/server.py), and an organization
with drafting assistance on, pointed at it. Nothing here needs a real model."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from portevoix.assist import services
from tests.peers.server import FakeApp, Req, Resp, serve

API_KEY = "sk-test-9f8e7d6c5b4a"
MODEL = "llama3.1:8b"


def completion(content: Any, *, finish_reason: str = "stop", **message: Any) -> Resp:
    """A chat completion as OpenAI's API answers it (one choice)."""
    return Resp(
        200,
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": MODEL,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, **message},
                    "finish_reason": finish_reason,
                }
            ],
        },
    )


def copies(**texts: str) -> Resp:
    rows = [{"network": network, "text": text} for network, text in texts.items()]
    return completion(json.dumps({"copies": rows}))


@dataclass
class FakeModel:
    app: FakeApp
    url: str = ""
    answer: Callable[[Req], Resp] = field(
        default=lambda req: copies(
            linkedin="Nous recrutons des ingénieurs à Lyon : rejoignez-nous ! "
            "https://example.org/jobs/42",
            x="On recrute des ingénieurs à Lyon #jobs https://example.org/jobs/42",
        )
    )

    @property
    def requests(self) -> list[Req]:
        return [call for call in self.app.calls if call.path == "/v1/chat/completions"]


@pytest.fixture
def fake_model() -> Iterator[FakeModel]:
    model = FakeModel(app=FakeApp("openai"))
    model.app.route("POST", "/v1/chat/completions")(lambda req: model.answer(req))
    with serve(model.app) as url:
        model.url = url
        yield model


def turn_on(admin: Any, url: str, *, timeout: int = 5, key: str = API_KEY) -> None:
    services.settings_save(
        actor=admin,
        data=services.SettingsData(
            enabled=True,
            base_url=f"{url}/v1",
            model=MODEL,
            timeout_seconds=timeout,
            api_key=key,
        ),
    )


@pytest.fixture
def model_on(admin: Any, fake_model: FakeModel) -> FakeModel:
    turn_on(admin, fake_model.url)
    return fake_model
