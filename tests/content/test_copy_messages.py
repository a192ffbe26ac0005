"""Every copy error code the network rules give has a sentence, in English and in French."""

from __future__ import annotations

from django.utils import translation

from portevoix.content.services import copy_error_message


def test_bluesky_byte_limit_has_a_sentence():
    message = copy_error_message("bluesky", "too_many_bytes", 0)
    assert message.startswith("Bluesky: ")
    assert "3000 bytes" in message
    assert "too_many_bytes" not in message


def test_x_invalid_characters_has_a_sentence_in_french():
    with translation.override("fr"):
        message = copy_error_message("x", "invalid_characters", 0)
    assert "invalid_characters" not in message
    assert "caractères" in message
