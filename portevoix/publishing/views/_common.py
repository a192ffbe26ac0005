"""What the pages of publishing share."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse


def callback_uri(request: HttpRequest, network: str) -> str:
    """Where a network sends the member back after its authorization page."""
    return request.build_absolute_uri(reverse("publishing:callback", args=[network]))
