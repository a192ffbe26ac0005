"""How a post's text fits a network: its length as the network counts it and the
translated reasons it does not fit (content's messages, one wording everywhere). No ORM."""

from __future__ import annotations

from portevoix.content.services import copy_error_message
from portevoix.core.networks import CopyCheck, check_copy


def copy_report(network: str, text: str) -> tuple[CopyCheck, list[str]]:
    """The length of `text` on `network` and why it does not fit (translated), if so."""
    result = check_copy(network, text)
    return result, [copy_error_message(network, code, result.length) for code in result.errors]


def copy_errors(network: str, text: str) -> list[str]:
    """Why `text` does not fit `network` (translated), or an empty list."""
    return copy_report(network, text)[1]
