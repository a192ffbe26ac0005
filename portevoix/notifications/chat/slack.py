"""Slack interactivity: a member clicks "Share" under a message; Slack POSTs the click to
/hooks/slack/interactivity/<organization slug>/.

- The request is checked with the organization's signing secret, as Slack documents it
  (https://api.slack.com/authentication/verifying-requests-from-slack): the signature
  `v0=` + HMAC-SHA256 of `v0:<X-Slack-Request-Timestamp>:<raw body>`, compared in constant
  time, and a timestamp at most five minutes away from now (no replay).
- The view answers Slack at once (Slack wants an answer within 3 seconds); the click is
  kept (its `response_url` sealed) and answered from the queue: the clicking Slack user's
  email is read with users.info (the bot token, scope users:read.email) at
  SLACK_API_BASE_URL, matched to an active member of the organization by email, and the
  member alone gets, through the `response_url` (`response_type: "ephemeral"`), their own
  tracked link and the ready text. Anyone else gets a polite private answer, no link.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from portevoix.accounts import selectors as account_selectors
from portevoix.core import clock, crypto
from portevoix.core.errors import DomainError, NotFound, PermissionDenied
from portevoix.core.networks import Network
from portevoix.core.tenancy import scoped
from portevoix.networks.base import ConnectorError, guard_url, http_client
from portevoix.sharing import services as sharing_services

from ..models_chat import SlackApp, SlackShareRequest
from . import blockkit
from .messages import SHARE_ACTION

logger = logging.getLogger("portevoix.notifications.chat")

WINDOW_SECONDS = 5 * 60
MAX_BODY = 64 * 1024
SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,38}$")
SHARE_NETWORK = Network.LINKEDIN


def signature_of(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def _signing_secret(organization_id: int) -> str:
    app = scoped(SlackApp, organization_id).first()
    if app is None or not app.signing_secret_sealed:
        return ""
    try:
        return crypto.decrypt(app.signing_secret_sealed)
    except crypto.DecryptionError:
        return ""


def request_verify(
    *, organization_id: int, timestamp: str, signature: str, body: bytes, now: float | None = None
) -> bool:
    """Whether a request comes from the organization's Slack app, now."""
    secret = _signing_secret(organization_id)
    if not secret or not timestamp.isdigit() or not signature.startswith("v0="):
        return False
    current = clock.now().timestamp() if now is None else now
    if abs(current - int(timestamp)) > WINDOW_SECONDS:
        return False
    return hmac.compare_digest(signature_of(secret, timestamp, body), signature)


@dataclass(frozen=True)
class ShareClick:
    slack_user: str
    item_id: int
    response_url: str


def parse_click(form_payload: str) -> ShareClick | None:
    """The "Share" click of a block_actions payload, or None (another button, a URL
    button's echo, or anything we do not handle)."""
    try:
        payload = json.loads(form_payload)
    except ValueError:
        return None
    if not isinstance(payload, dict) or payload.get("type") != "block_actions":
        return None
    user = str((payload.get("user") or {}).get("id") or "")
    response_url = str(payload.get("response_url") or "")
    for action in payload.get("actions") or []:
        if not isinstance(action, dict) or action.get("action_id") != SHARE_ACTION:
            continue
        value = str(action.get("value") or "")
        if (
            SLACK_USER.match(user)
            and value.isdigit()
            and response_url.startswith(("https://", "http://"))
        ):
            return ShareClick(user, int(value), response_url[:2000])
    return None


def share_click_record(*, organization_id: int, click: ShareClick) -> int:
    """Keep the click (its response_url sealed); answered by `share_click_answer` on the
    queue once committed. Returns the request's id."""
    with transaction.atomic():
        request = SlackShareRequest.objects.create(
            organization_id=organization_id,
            slack_user=click.slack_user,
            item_id=click.item_id,
            response_url_sealed=crypto.encrypt(click.response_url),
            created_at=clock.now(),
        )
        pk = request.pk

        def queue() -> None:
            from .tasks import chat_slack_share

            chat_slack_share(pk)

        transaction.on_commit(queue)
    return pk


def _slack_email(organization_id: int, slack_user: str) -> str:
    """The Slack user's email, read with users.info and the bot token ('' when unknown)."""
    app = scoped(SlackApp, organization_id).first()
    if app is None or not app.bot_token_sealed:
        return ""
    token = crypto.decrypt(app.bot_token_sealed)
    base = settings.SLACK_API_BASE_URL
    guard_url(base)
    with http_client(headers={"Authorization": f"Bearer {token}"}) as client:
        response = client.get(f"{base}/users.info", params={"user": slack_user})
    if response.status_code != 200:
        return ""
    body = response.json()
    if not isinstance(body, dict) or not body.get("ok"):
        return ""
    profile = (body.get("user") or {}).get("profile") or {}
    return str(profile.get("email") or "")


def _answer_for(organization_id: int, slack_user: str, item_id: int) -> tuple[str, dict[str, Any]]:
    """(outcome, the private message) for the clicking Slack user."""
    email = _slack_email(organization_id, slack_user)
    member = (
        account_selectors.active_member_by_email(organization_id=organization_id, email=email)
        if email
        else None
    )
    language = (member.user.language if member else "") or account_selectors.organization_language(
        organization_id=organization_id
    )
    with translation.override(language):
        if member is None:
            return "unknown", _private(
                _(
                    "Thank you for your interest! We could not find your Portevoix account "
                    "with your Slack email address. Ask the program team to invite you."
                )
            )
        try:
            prepared = sharing_services.share_prepare(
                membership=member, item_id=item_id, network=SHARE_NETWORK
            )
        except (PermissionDenied, NotFound, DomainError):
            return "refused", _private(
                _(
                    "Thank you! This content cannot be shared from your account right now: "
                    "open Portevoix to see why."
                )
            )
        if prepared.blockers:
            return "blocked", _private(
                _("Thank you! Before you share, there is a step left in Portevoix: %(step)s")
                % {"step": prepared.blockers[0].message}
            )
        text = prepared.variants[0][1] if prepared.variants else prepared.short_url
        return "answered", {
            "response_type": "ephemeral",
            "replace_original": False,
            "text": _("Your link: %(url)s") % {"url": prepared.short_url},
            "blocks": [
                blockkit.section(
                    _("Here is your own link to share *%(title)s*:")
                    % {"title": blockkit.escape(prepared.item.title)}
                    + f"\n{prepared.short_url}"
                ),
                blockkit.section(blockkit.escape(text)),
                blockkit.context(_("Only you can see this message.")),
            ],
        }


def _private(text: str) -> dict[str, Any]:
    return {"response_type": "ephemeral", "replace_original": False, "text": text}


def share_click_answer(*, request_id: int) -> str:
    """Answer one click privately, once."""
    with transaction.atomic():
        request = SlackShareRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None or request.answered_at is not None:
            return "done"
        request.answered_at = clock.now()
        request.save(update_fields=["answered_at"])
    try:
        outcome, body = _answer_for(request.organization_id, request.slack_user, request.item_id)
        url = crypto.decrypt(request.response_url_sealed)
        guard_url(url)
        with http_client() as client:
            client.post(url, json=body)
    except (ConnectorError, httpx.HTTPError, crypto.DecryptionError, ValueError):
        outcome = "failed"
    request.outcome = outcome
    request.response_url_sealed = ""  # answered: the address is of no use any more
    request.save(update_fields=["outcome", "response_url_sealed"])
    logger.info(
        "slack_share_answered",
        extra={"organization_id": request.organization_id, "outcome": outcome},
    )
    return outcome
