"""The call to an OpenAI-compatible chat completions endpoint, and the reading of its answer.

Plain data in, plain data out, no database. The request goes through the SSRF-guarded
client of `networks.base` (the address is checked at connection time, on the address
actually used; private addresses only for hosts the operator listed in
SOCIAL_ALLOWED_PRIVATE_HOSTS), with a time limit over the whole exchange and a size limit on
the answer. Every failure is one `AssistError` whose `user_message` is safe to show; neither
the key nor the prompt is ever put in an error or a log line.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

import httpx
from django.utils.translation import gettext as _

from portevoix.core.networks import LIMITS, UNITS, Network
from portevoix.networks import base

MAX_ANSWER_BYTES = 256 * 1024
MAX_TOKENS = 2000
MAX_BODY_CHARS = 4000  # of the item's text sent to the model

TONES = {
    "professional": "professional and clear",
    "friendly": "warm and friendly",
    "enthusiastic": "enthusiastic, with energy (no more than two exclamation marks)",
    "neutral": "neutral and factual",
}
LANGUAGES = {"fr": "French", "en": "English"}


class AssistError(Exception):
    """Drafting failed; `user_message` says why, for the page (no key, no prompt)."""

    def __init__(self, user_message: str, *, kind: str, status: int | None = None) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.kind = kind  # for the log line: timeout, connection, http, refused, malformed...
        self.status = status


@dataclass(frozen=True)
class Endpoint:
    base_url: str  # e.g. http://ollama:11434/v1
    model: str
    api_key: str = ""
    timeout: float = 30.0


@dataclass(frozen=True)
class Brief:
    title: str
    body: str
    link: str
    networks: tuple[str, ...]
    language: str  # fr | en
    tone: str  # a key of TONES


def completions_url(base_url: str) -> str:
    return base_url.rstrip("/") + "/chat/completions"


def messages_for(brief: Brief) -> list[dict[str, str]]:
    """The chat messages: what to write, for which networks, and the answer's exact shape."""
    limits = "\n".join(
        f"- {network}: at most {LIMITS[network]} {UNITS[network]}" for network in brief.networks
    )
    system = (
        "You write social media posts that employees share about their company. "
        "Answer with one JSON object and nothing else, of this shape: "
        '{"copies": [{"network": "<network code>", "text": "<the post>"}]}, '
        "with exactly one copy for each network asked for. Respect each network's limit. "
        "Do not invent facts, figures or quotes that are not in the content."
    )
    link = f"Link (include it once in each post): {brief.link}\n" if brief.link else ""
    user = (
        f"Language: {LANGUAGES.get(brief.language, 'English')}\n"
        f"Tone: {TONES.get(brief.tone, TONES['professional'])}\n"
        f"Networks and their limits:\n{limits}\n"
        f"{link}"
        f"Title: {brief.title}\n"
        f"Content:\n{brief.body[:MAX_BODY_CHARS]}"
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def request_body(endpoint: Endpoint, brief: Brief) -> dict[str, Any]:
    return {
        "model": endpoint.model,
        "messages": messages_for(brief),
        "temperature": 0.7,
        "max_tokens": MAX_TOKENS,
        "stream": False,
    }


def _http_error(status: int) -> AssistError:
    if status in (401, 403):
        message = _("The model's server refused the key (%(status)s). Check the API key.")
    elif status == 404:
        message = _("The model's server does not know this address or model (%(status)s).")
    elif status == 429:
        message = _("The model's server has too many requests (%(status)s). Try again later.")
    elif status >= 500:
        message = _("The model's server failed (%(status)s). Try again later.")
    else:
        message = _("The model's server refused the request (%(status)s).")
    return AssistError(message % {"status": status}, kind="http", status=status)


def call(endpoint: Endpoint, brief: Brief, *, transport: httpx.BaseTransport | None = None) -> str:
    """POST the brief to `{base}/chat/completions`; the text of the model's answer."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if endpoint.api_key:
        headers["Authorization"] = f"Bearer {endpoint.api_key}"
    extra: dict[str, Any] = {} if transport is None else {"transport": transport}
    deadline = time.monotonic() + endpoint.timeout
    too_slow = AssistError(
        _("The model did not answer within %(seconds)d seconds.")
        % {"seconds": round(endpoint.timeout)},
        kind="timeout",
    )
    try:
        with (
            base.http_client(timeout=httpx.Timeout(endpoint.timeout), **extra) as client,
            client.stream(
                "POST",
                completions_url(endpoint.base_url),
                json=request_body(endpoint, brief),
                headers=headers,
            ) as response,
        ):
            if response.status_code >= 400:
                raise _http_error(response.status_code)
            if response.status_code != 200:
                raise AssistError(
                    _("The model's server gave an unexpected answer (%(status)s).")
                    % {"status": response.status_code},
                    kind="http",
                    status=response.status_code,
                )
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_ANSWER_BYTES:
                    raise AssistError(
                        _("The model's answer is too large (over %(kb)d KB).")
                        % {"kb": MAX_ANSWER_BYTES // 1024},
                        kind="too_large",
                    )
                if time.monotonic() > deadline:
                    raise too_slow
                chunks.append(chunk)
    except base.UnsafeAddress as exc:
        raise AssistError(
            _("The model's address is not allowed: %(reason)s") % {"reason": exc.user_message},
            kind="address",
        ) from exc
    except httpx.TimeoutException as exc:
        raise too_slow from exc
    except httpx.HTTPError as exc:
        raise AssistError(
            _("The model's server could not be reached (connection failed)."), kind="connection"
        ) from exc
    return answer_text(b"".join(chunks))


def answer_text(raw: bytes) -> str:
    """The assistant message's text from a chat completion; AssistError when the model
    refused (content filter, an explicit refusal, no text) or the answer is not one."""
    malformed = AssistError(
        _("The model's server did not answer in the expected format."), kind="malformed"
    )
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise malformed from exc
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise malformed
    choice = choices[0]
    found = choice.get("message")
    message: dict[str, Any] = found if isinstance(found, dict) else {}
    refused = AssistError(
        _("The model declined to write these copies. Try another tone, or write them yourself."),
        kind="refused",
    )
    if choice.get("finish_reason") == "content_filter" or message.get("refusal"):
        raise refused
    content = message.get("content")
    if not isinstance(content, str) or not content.strip():
        raise refused
    if choice.get("finish_reason") == "length":
        raise AssistError(
            _("The model's answer was cut before its end. Ask for fewer networks at once."),
            kind="truncated",
        )
    return content


_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.IGNORECASE)


def parse_copies(content: str, networks: tuple[str, ...]) -> dict[str, str]:
    """{network: text} from the model's JSON (a code fence around it is tolerated), only
    for the networks asked for, the first copy of each. AssistError when it is not JSON of
    the asked shape or has no copy for any network asked for."""
    malformed = AssistError(
        _("The model's answer could not be read as copies. Try again."), kind="malformed"
    )
    text = _FENCE.sub("", content.strip())
    start, end = text.find("{"), text.rfind("}")
    if start == -1 or end <= start:
        raise malformed
    try:
        data = json.loads(text[start : end + 1])
    except ValueError as exc:
        raise malformed from exc
    rows = data.get("copies") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise malformed
    found: dict[str, str] = {}
    for row in rows:
        if not isinstance(row, dict):
            continue
        network, copy = row.get("network"), row.get("text")
        if not isinstance(network, str) or not isinstance(copy, str):
            continue
        network = _network_code(network)
        if network in networks and network not in found and copy.strip():
            found[network] = copy.strip()
    if not found:
        raise malformed
    return found


def _network_code(name: str) -> str:
    """A network as the model may name it ("LinkedIn", "Twitter"): our code."""
    key = name.strip().casefold()
    for code, label in Network.LABELS.items():
        if key in (code, str(label).casefold()):
            return code
    return {"twitter": Network.X, "x (twitter)": Network.X}.get(key, key)
