"""How a post's text fits a network: its length as the network counts it and the
translated reasons it does not fit (content's messages, one wording everywhere), and the
organization's guardrails it runs into (governance's rules). No ORM of its own."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from portevoix.content.services import copy_error_message
from portevoix.core.networks import CopyCheck, check_copy
from portevoix.governance import gates


def copy_report(network: str, text: str) -> tuple[CopyCheck, list[str]]:
    """The length of `text` on `network` and why it does not fit (translated), if so."""
    result = check_copy(network, text)
    return result, [copy_error_message(network, code, result.length) for code in result.errors]


def copy_errors(network: str, text: str) -> list[str]:
    """Why `text` does not fit `network` (translated), or an empty list."""
    return copy_report(network, text)[1]


def normalized(text: str) -> str:
    """`text` with its runs of white space as one space, for comparing texts."""
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class GuardrailHit:
    """One guardrail a text runs into: "block" refuses the share, "warn" lets it through
    to the moderators."""

    action: str
    kind: str
    term: str
    message: str


def guardrail_hits(*, organization: Any, text: str, network: str) -> tuple[GuardrailHit, ...]:
    """The organization's guardrails that `text` written for `network` runs into, each once
    (the same rules refuse or flag the text when it is shared)."""
    found = gates.guardrails_check(organization=organization, text=text, network=network)
    hits = (
        GuardrailHit(action=m.action, kind=m.kind, term=m.term, message=gates.describe(m))
        for m in found.matches
    )
    return tuple(dict.fromkeys(hits))


_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def text_fingerprint(text: str) -> str:
    """A hash of what a text says, whatever its links (each sharer's tracked link differs),
    case, accents' case, punctuation and spacing: equal for the same words in the same
    order. "" for an empty text. 32 hex characters; the text itself is not kept."""
    words = _NOT_WORD.sub(" ", _URL.sub(" ", text).casefold()).split()
    if not words:
        return ""
    return hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=16).hexdigest()
