"""The search key of a text: what a search compares, the same on SQLite and PostgreSQL.

Neither database folds accents the same way (SQLite has no `unaccent`, and its `LIKE`
folds ASCII letters only), so the text is folded in Python when it is written, into a
column of its own, and a query is folded the same way before it is looked up with a plain
`LIKE '%…%'` (`contains`). Folding: Unicode NFKD with the combining accents dropped,
`casefold()` (ß -> ss), the ligatures œ and æ opened, invisible characters (zero-width
space, soft hyphen) dropped, and every run of white space made one space.

Pure functions, no ORM.
"""

from __future__ import annotations

import re
import unicodedata

# Letters that NFKD keeps as one letter.
_EXTRA_FOLDS = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "ı": "i"})  # noqa: RUF001
_SPACES = re.compile(r"\s+")
# A query is cut to this many words and this many characters (a search box, not a dump).
MAX_QUERY_WORDS = 8
MAX_QUERY_CHARS = 100


def search_key(text: str) -> str:
    """`text` with accents off, case folded, ligatures opened, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    kept = "".join(
        char
        for char in decomposed
        if not unicodedata.combining(char) and unicodedata.category(char) != "Cf"
    )
    return _SPACES.sub(" ", kept.casefold().translate(_EXTRA_FOLDS)).strip()


def query_terms(query: str) -> list[str]:
    """The folded words of a search query (each must appear in the text), at most
    `MAX_QUERY_WORDS`; empty when the query has no word."""
    folded = search_key((query or "")[:MAX_QUERY_CHARS])
    return folded.split(" ")[:MAX_QUERY_WORDS] if folded else []
