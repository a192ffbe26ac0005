"""What the training pages share besides `core.web`: the confirmation page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def confirm_page(
    request: HttpRequest,
    *,
    title: str,
    question: str,
    action_label: str,
    cancel_url: str,
    detail: str = "",
    form: Any = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "training/confirm.html",
        {
            "title": title,
            "question": question,
            "detail": detail,
            "action_label": action_label,
            "cancel_url": cancel_url,
            "form": form,
        },
        status=status,
    )
