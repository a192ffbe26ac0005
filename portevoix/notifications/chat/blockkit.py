"""Slack messages in Block Kit, and a check of a message against Block Kit's documented
structure and limits.

Followed: Slack's Block Kit reference, https://api.slack.com/reference/block-kit/blocks
(a message holds at most 50 blocks; `header` plain text of at most 150 characters; `section`
text of at most 3000 characters, at most 10 fields of 2000 each, `block_id` at most 255;
`context` at most 10 elements; `actions` at most 25 elements; `divider`), composition
objects https://api.slack.com/reference/block-kit/composition-objects (a text object is
`plain_text` or `mrkdwn`, 1 to 3000 characters; `emoji` only on plain text) and block
elements https://api.slack.com/reference/block-kit/block-elements#button (a button's text
is plain text of at most 75 characters, `action_id` at most 255, `url` at most 3000,
`value` at most 2000, `style` "primary" or "danger"). Incoming webhooks take
{"text": fallback, "blocks": [...]}: https://api.slack.com/messaging/webhooks.

Texts from our users are escaped for mrkdwn (&, <, >), so nobody's title can ping a channel
or forge a link.
"""

from __future__ import annotations

from typing import Any

MAX_BLOCKS = 50
MAX_HEADER = 150
MAX_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_BLOCK_ID = 255
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_ACTION_ID = 255
MAX_URL = 3000
MAX_VALUE = 2000
MAX_ALT_TEXT = 2000
BLOCK_TYPES = {"section", "header", "context", "actions", "divider", "image"}
BUTTON_STYLES = {"primary", "danger"}


def escape(text: str) -> str:
    """Text for mrkdwn: Slack's three control characters escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plain(text: str, limit: int = MAX_TEXT) -> dict[str, Any]:
    return {"type": "plain_text", "text": cut(text, limit) or "-", "emoji": True}


def mrkdwn(text: str, limit: int = MAX_TEXT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": cut(text, limit) or "-"}


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": plain(text, MAX_HEADER)}


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text)}


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [mrkdwn(text)]}


def link(url: str, label: str) -> str:
    """A mrkdwn link <url|label>; the label escaped, the url given by us (http(s))."""
    return f"<{url}|{escape(label).replace('|', '¦')}>"


def button(
    text: str, *, action_id: str, url: str = "", value: str = "", style: str = ""
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(text, MAX_BUTTON_TEXT),
        "action_id": action_id[:MAX_ACTION_ID],
    }
    if url:
        element["url"] = url[:MAX_URL]
    if value:
        element["value"] = value[:MAX_VALUE]
    if style:
        element["style"] = style
    return element


def actions(*elements: dict[str, Any], block_id: str = "") -> dict[str, Any]:
    block: dict[str, Any] = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id[:MAX_BLOCK_ID]
    return block


def message(fallback: str, blocks: list[dict[str, Any]]) -> dict[str, Any]:
    """An incoming webhook's body: the notification's text and at most 50 blocks."""
    return {"text": cut(fallback, MAX_TEXT), "blocks": blocks[:MAX_BLOCKS]}


# --------------------------------------------------------------------------- validation


def _check_text(obj: Any, where: str, errors: list[str], *, limit: int, plain_only: bool) -> None:
    if not isinstance(obj, dict) or obj.get("type") not in {"plain_text", "mrkdwn"}:
        errors.append(f"{where}: not a text object")
        return
    if plain_only and obj["type"] != "plain_text":
        errors.append(f"{where}: must be plain_text")
    text = obj.get("text")
    if not isinstance(text, str) or not 1 <= len(text) <= limit:
        errors.append(f"{where}: text must have 1 to {limit} characters")
    if "emoji" in obj and obj["type"] != "plain_text":
        errors.append(f"{where}: emoji is only for plain_text")
    extra = set(obj) - {"type", "text", "emoji", "verbatim"}
    if extra:
        errors.append(f"{where}: unknown fields {sorted(extra)}")


def _check_url(url: Any, where: str, errors: list[str]) -> None:
    if (
        not isinstance(url, str)
        or not url.startswith(("https://", "http://"))
        or len(url) > MAX_URL
    ):
        errors.append(f"{where}: url must be http(s), at most {MAX_URL} characters")


def _check_button(element: Any, where: str, errors: list[str]) -> None:
    if not isinstance(element, dict) or element.get("type") != "button":
        errors.append(f"{where}: only buttons are used here")
        return
    _check_text(
        element.get("text"), f"{where}.text", errors, limit=MAX_BUTTON_TEXT, plain_only=True
    )
    action_id = element.get("action_id")
    if action_id is not None and (not isinstance(action_id, str) or len(action_id) > MAX_ACTION_ID):
        errors.append(f"{where}.action_id: at most {MAX_ACTION_ID} characters")
    if "url" in element:
        _check_url(element["url"], f"{where}.url", errors)
    if "value" in element and (
        not isinstance(element["value"], str) or len(element["value"]) > MAX_VALUE
    ):
        errors.append(f"{where}.value: at most {MAX_VALUE} characters")
    if "style" in element and element["style"] not in BUTTON_STYLES:
        errors.append(f"{where}.style: primary or danger")
    extra = set(element) - {"type", "text", "action_id", "url", "value", "style"}
    if extra:
        errors.append(f"{where}: unknown fields {sorted(extra)}")


def _check_block(block: Any, where: str, errors: list[str]) -> None:
    if not isinstance(block, dict) or block.get("type") not in BLOCK_TYPES:
        errors.append(f"{where}: unknown block type")
        return
    kind = block["type"]
    block_id = block.get("block_id")
    if block_id is not None and (not isinstance(block_id, str) or len(block_id) > MAX_BLOCK_ID):
        errors.append(f"{where}.block_id: at most {MAX_BLOCK_ID} characters")
    if kind == "header":
        _check_text(block.get("text"), f"{where}.text", errors, limit=MAX_HEADER, plain_only=True)
    elif kind == "section":
        if "text" not in block and "fields" not in block:
            errors.append(f"{where}: a section needs text or fields")
        if "text" in block:
            _check_text(block["text"], f"{where}.text", errors, limit=MAX_TEXT, plain_only=False)
        fields = block.get("fields", [])
        if not isinstance(fields, list) or len(fields) > MAX_FIELDS:
            errors.append(f"{where}.fields: at most {MAX_FIELDS}")
        else:
            for n, field in enumerate(fields):
                _check_text(
                    field, f"{where}.fields[{n}]", errors, limit=MAX_FIELD_TEXT, plain_only=False
                )
        if "accessory" in block:
            _check_button(block["accessory"], f"{where}.accessory", errors)
    elif kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= MAX_CONTEXT_ELEMENTS:
            errors.append(f"{where}.elements: 1 to {MAX_CONTEXT_ELEMENTS}")
        else:
            for n, element in enumerate(elements):
                _check_text(
                    element, f"{where}.elements[{n}]", errors, limit=MAX_TEXT, plain_only=False
                )
    elif kind == "actions":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= MAX_ACTIONS_ELEMENTS:
            errors.append(f"{where}.elements: 1 to {MAX_ACTIONS_ELEMENTS}")
        else:
            ids = [e.get("action_id") for e in elements if isinstance(e, dict)]
            if len([i for i in ids if i]) != len({i for i in ids if i}):
                errors.append(f"{where}: action_id must be unique in a block")
            for n, element in enumerate(elements):
                _check_button(element, f"{where}.elements[{n}]", errors)
    elif kind == "image":
        _check_url(block.get("image_url"), f"{where}.image_url", errors)
        alt = block.get("alt_text")
        if not isinstance(alt, str) or not 1 <= len(alt) <= MAX_ALT_TEXT:
            errors.append(f"{where}.alt_text: 1 to {MAX_ALT_TEXT} characters")


def validate(payload: Any) -> list[str]:
    """What is wrong with an incoming webhook's message (empty when nothing)."""
    errors: list[str] = []
    if not isinstance(payload, dict):
        return ["the message is not an object"]
    blocks = payload.get("blocks")
    text = payload.get("text")
    if blocks is None and not text:
        errors.append("a message needs text or blocks")
    if text is not None and (not isinstance(text, str) or len(text) > MAX_TEXT * 13):
        errors.append("text: a string")  # the top-level text is the notification's fallback
    if blocks is not None:
        if not isinstance(blocks, list) or not 1 <= len(blocks) <= MAX_BLOCKS:
            errors.append(f"blocks: 1 to {MAX_BLOCKS}")
        else:
            ids = [b.get("block_id") for b in blocks if isinstance(b, dict) and b.get("block_id")]
            if len(ids) != len(set(ids)):
                errors.append("block_id must be unique in a message")
            for n, block in enumerate(blocks):
                _check_block(block, f"blocks[{n}]", errors)
    extra = set(payload) - {"text", "blocks", "response_type", "replace_original", "mrkdwn"}
    if extra:
        errors.append(f"unknown fields {sorted(extra)}")
    return errors
