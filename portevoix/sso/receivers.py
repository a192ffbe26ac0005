"""Password login asks single sign-on first (accounts' `password_login` signal)."""

from __future__ import annotations

from typing import Any

from portevoix.accounts import signals


def _password_login(sender: Any, email: str, **kw: Any) -> str | None:
    from . import services

    return services.password_login_refusal(email)


def connect() -> None:
    signals.password_login.connect(_password_login, dispatch_uid="sso_password_login")
