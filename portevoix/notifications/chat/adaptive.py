"""Teams messages as Adaptive Cards, sent to a Teams incoming webhook or a Workflows URL.

Followed: the Adaptive Cards schema explorer, https://adaptivecards.io/explorer/ (an
`AdaptiveCard` of version 1.4 with `body` elements TextBlock, FactSet, ColumnSet and
Container, and `actions` Action.OpenUrl), and Microsoft's "Create and send messages with
incoming webhooks" (https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using),
which wraps the card in {"type": "message", "attachments": [{"contentType":
"application/vnd.microsoft.card.adaptive", "content": card}]}. The tests parse every card
with the `adaptivecards` npm package (tests/notifications/adaptive_validate.js); `validate`
here is the quick structural check the delivery runs before posting.

Adaptive Cards render text as plain text with a small Markdown subset: our users' texts are
passed through `plain`, which keeps Markdown from turning a title into a link.
"""

from __future__ import annotations

import re
from typing import Any

CARD_VERSION = "1.4"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
ELEMENT_TYPES = {"TextBlock", "FactSet", "ColumnSet", "Container", "Image"}
ACTION_TYPES = {"Action.OpenUrl"}
_MARKDOWN = re.compile(r"([\\`*_\[\]()#>!~|-])")


def plain(text: str, limit: int = 2000) -> str:
    """A user's text shown as is: Markdown characters escaped, cut at `limit`."""
    text = text.strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return _MARKDOWN.sub(r"\\\1", text)


def text_block(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text or "-", "wrap": True, **style}


def facts(rows: list[tuple[str, str]]) -> dict[str, Any]:
    return {"type": "FactSet", "facts": [{"title": t, "value": v} for t, v in rows]}


def open_url(title: str, url: str) -> dict[str, Any]:
    return {"type": "Action.OpenUrl", "title": title[:80], "url": url}


def card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {
        "$schema": SCHEMA,
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "body": body,
    }
    if actions:
        content["actions"] = actions
    return content


def message(content: dict[str, Any]) -> dict[str, Any]:
    """The webhook's body around one card."""
    return {
        "type": "message",
        "attachments": [{"contentType": CONTENT_TYPE, "contentUrl": None, "content": content}],
    }


def _check_element(element: Any, where: str, errors: list[str]) -> None:
    if not isinstance(element, dict) or element.get("type") not in ELEMENT_TYPES:
        errors.append(f"{where}: unknown element")
        return
    kind = element["type"]
    if kind == "TextBlock" and not isinstance(element.get("text"), str):
        errors.append(f"{where}.text: required")
    elif kind == "FactSet":
        rows = element.get("facts")
        if not isinstance(rows, list) or not all(
            isinstance(r, dict)
            and isinstance(r.get("title"), str)
            and isinstance(r.get("value"), str)
            for r in rows
        ):
            errors.append(f"{where}.facts: title and value strings")
    elif kind == "Container":
        for n, child in enumerate(element.get("items") or []):
            _check_element(child, f"{where}.items[{n}]", errors)
    elif kind == "ColumnSet":
        for n, column in enumerate(element.get("columns") or []):
            if not isinstance(column, dict) or column.get("type") != "Column":
                errors.append(f"{where}.columns[{n}]: a Column")
                continue
            for m, child in enumerate(column.get("items") or []):
                _check_element(child, f"{where}.columns[{n}].items[{m}]", errors)
    elif kind == "Image" and not str(element.get("url", "")).startswith("https://"):
        errors.append(f"{where}.url: https")


def validate(payload: Any) -> list[str]:
    """What is wrong with a Teams webhook body and its card (empty when nothing)."""
    if not isinstance(payload, dict) or payload.get("type") != "message":
        return ["the body must be a message"]
    attachments = payload.get("attachments")
    if not isinstance(attachments, list) or len(attachments) != 1:
        return ["exactly one attachment"]
    attachment = attachments[0]
    if not isinstance(attachment, dict) or attachment.get("contentType") != CONTENT_TYPE:
        return ["the attachment must be an Adaptive Card"]
    content = attachment.get("content")
    errors: list[str] = []
    if not isinstance(content, dict) or content.get("type") != "AdaptiveCard":
        return ["content: an AdaptiveCard"]
    if content.get("version") != CARD_VERSION:
        errors.append(f"version: {CARD_VERSION}")
    body = content.get("body")
    if not isinstance(body, list) or not body:
        errors.append("body: at least one element")
    else:
        for n, element in enumerate(body):
            _check_element(element, f"body[{n}]", errors)
    for n, action in enumerate(content.get("actions") or []):
        if not isinstance(action, dict) or action.get("type") not in ACTION_TYPES:
            errors.append(f"actions[{n}]: unknown action")
        elif not str(action.get("url", "")).startswith(("https://", "http://")):
            errors.append(f"actions[{n}].url: http(s)")
        elif not action.get("title"):
            errors.append(f"actions[{n}].title: required")
    return errors
