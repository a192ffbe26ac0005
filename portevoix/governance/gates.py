"""What other apps call before letting a person share or publish text.

OWNED BY THE GOVERNANCE WORK (issue 5). The signatures below are the contract that the
sharing app relies on; the governance work replaces the bodies with the real checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Blocker:
    code: str  # "charter" | "course"
    message: str
    url: str


@dataclass(frozen=True)
class GuardrailMatch:
    rule_id: int
    kind: str  # blocked_term | avoid_word | competitor | link_domain | disclosure
    action: str  # "block" | "warn"
    term: str
    start: int
    end: int
    reason: str


@dataclass(frozen=True)
class GuardrailResult:
    text: str  # the text, with the required disclosure added where it fits
    matches: tuple[GuardrailMatch, ...] = field(default_factory=tuple)

    @property
    def blocked(self) -> bool:
        return any(m.action == "block" for m in self.matches)

    @property
    def warned(self) -> bool:
        return any(m.action == "warn" for m in self.matches)


def sharing_blockers(membership: Any, *, personalize: bool = False) -> list[Blocker]:
    """Why `membership` may not share (or personalize) now: charter not acknowledged,
    required course not passed. Empty when they may."""
    return []


def guardrails_check(*, organization: Any, text: str, network: str) -> GuardrailResult:
    """Run the organization's guardrail rules on `text` written for `network`."""
    return GuardrailResult(text=text)


def moderation_flag(
    *, organization: Any, author: Any, text: str, reason: str, source: str, object_id: int
) -> None:
    """Put a text that passed with warnings into the moderation queue."""
    return None
