"""The one error of signing in through an identity provider, whatever its protocol."""

from __future__ import annotations


class SignInError(Exception):
    """`message` may be shown to the person logging in; `detail` is for the logs (never a
    token, an assertion or a secret)."""

    def __init__(self, message: str, *, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.detail = detail[:500]
