"""What every app's erasure service receives: one person of one organization being erased
(docs/decisions/0022-erasure.md). Plain values only, so that core imports no app.

`privacy.services_erasure` builds it (accounts moves the membership onto a pseudonymous
account first), then calls each app's `services...member_erase(person=...)` in one
transaction. Each app deletes or pseudonymizes the rows it owns; the rows that figures are
counted on stay, attached to the same (now pseudonymous) membership.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ErasedPerson:
    organization_id: int
    membership_id: int
    # The account the person logged in with (deleted at the end when they have no other
    # organization) and the pseudonymous account the membership now belongs to.
    user_id: int
    placeholder_user_id: int
    # "Former member #<short id>", in the organization's language.
    pseudonym: str
    # The address the person logged in with (for what is kept by address, not by member).
    email: str = ""
    # The organization's language, for the few words an app writes in place of a text.
    language: str = "fr"
    # The person's words that no row may keep anywhere (name, email, title, handles...),
    # replaced by the pseudonym wherever a text must stay (the audit log's JSON).
    words: tuple[str, ...] = field(default_factory=tuple)

    def scrub(self, value: Any) -> Any:
        """`value` (a string, or JSON made of dicts and lists) with every one of the
        person's words replaced by the pseudonym, case-insensitively."""
        if isinstance(value, str):
            for word in self.words:
                value = re.sub(re.escape(word), self.pseudonym, value, flags=re.IGNORECASE)
            return value
        if isinstance(value, dict):
            return {key: self.scrub(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.scrub(item) for item in value]
        return value

    def mentions(self, value: Any) -> bool:
        return self.scrub(value) != value


def words_of(*values: str) -> tuple[str, ...]:
    """The distinct non-trivial words to scrub, longest first (so that "Jane Doe" goes
    before "Jane")."""
    seen = {v.strip() for v in values if v and len(v.strip()) >= 3}
    return tuple(sorted(seen, key=lambda v: (-len(v), v)))
