"""Secrets stored in the database are encrypted with a key derived from the settings."""

from __future__ import annotations

import pytest
from django.test import override_settings

from portevoix.core import crypto


def test_round_trip_and_no_plain_text():
    token = crypto.encrypt("pvck_secret-value é")
    assert "secret" not in token
    assert crypto.decrypt(token) == "pvck_secret-value é"
    assert crypto.encrypt("same") != crypto.encrypt("same")  # random IV


def test_tampered_or_foreign_tokens_are_refused():
    token = crypto.encrypt("value")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token[:-4] + "AAAA")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt("not a token")
    other = override_settings(FIELD_ENCRYPTION_KEY="a-completely-different-key-0123456789abcdef")
    with other, pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)


def test_rotation_first_key_encrypts_every_key_decrypts():
    old = "the-old-field-encryption-key-0123456789abcdef"
    new = "the-new-field-encryption-key-0123456789abcdef"
    with override_settings(FIELD_ENCRYPTION_KEY=old):
        token = crypto.encrypt("value")
    with override_settings(FIELD_ENCRYPTION_KEY=f"{new},{old}"):
        assert crypto.decrypt(token) == "value"
        fresh = crypto.encrypt("value")
    with override_settings(FIELD_ENCRYPTION_KEY=new):
        assert crypto.decrypt(fresh) == "value"
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(token)


def test_without_a_field_key_it_is_derived_from_the_secret_key():
    with override_settings(FIELD_ENCRYPTION_KEY="", SECRET_KEY="s" * 50):
        token = crypto.encrypt("value")
        assert crypto.decrypt(token) == "value"
    # Derived with HKDF: not usable with SECRET_KEY itself as the field key.
    same_as_secret = override_settings(FIELD_ENCRYPTION_KEY="s" * 50, SECRET_KEY="s" * 50)
    with same_as_secret, pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)
    other_secret = override_settings(FIELD_ENCRYPTION_KEY="", SECRET_KEY="t" * 50)
    with other_secret, pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)
