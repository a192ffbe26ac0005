"""Plain helpers shared by the accounts view tests."""

from __future__ import annotations

from django.http import HttpResponse


def page_text(response: HttpResponse) -> str:
    return response.content.decode()
