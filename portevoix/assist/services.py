"""Every write of drafting assistance, and the drafting call itself.

- `settings_save`: `assist.manage` (administrators); the base URL checked by
  `networks.base.guard_url`; the API key sealed with `core.crypto`, never shown back;
  audited without the key (only whether one is saved, and whether it changed).
- `drafts_make`: for who may edit the item (`content.edit`), when the organization has
  the model on: one draft per network asked for, each checked against the network's limits
  (a draft over it is refused: shown with why, not addable) and the guardrails (flagged).
  Nothing is written. Each addable draft carries a signed token (item, network, text, model).
- `drafts_add`: the drafts a person chose become copies of the item through
  `content.services.item_update` (approval applies: an approved item goes back to review),
  and the mark of each (`AssistedCopy`) is kept for the item's page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.content import services as content_services
from portevoix.core import clock, crypto
from portevoix.core.errors import Conflict, DomainError
from portevoix.core.networks import Network, check_copy
from portevoix.governance import gates
from portevoix.networks import base

from . import drafting, selectors
from .models import AssistedCopy, AssistSettings

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

logger = logging.getLogger("portevoix.assist")

MIN_TIMEOUT, MAX_TIMEOUT = 1, 120
MAX_KEY_CHARS = 500
TOKEN_SALT = "portevoix.assist.draft"  # noqa: S105 - a signing namespace, not a secret
TOKEN_MAX_AGE = 2 * 60 * 60  # a draft may be added within two hours of being made


class DraftingFailed(DomainError):
    """The model could not give drafts (timeout, refusal, bad answer...): nothing saved."""

    status = 502


@dataclass
class SettingsData:
    enabled: bool
    base_url: str
    model: str
    timeout_seconds: int = 30
    api_key: str = ""  # a new key; "" keeps the saved one
    remove_key: bool = False


@dataclass(frozen=True)
class Draft:
    network: str
    text: str
    length: int
    limit: int
    errors: list[str]  # why it does not fit the network: refused
    flags: list[str]  # the guardrails it runs into: flagged, for the writer to judge
    token: str = ""  # signed, to add it; "" when refused

    @property
    def refused(self) -> bool:
        return bool(self.errors)

    @property
    def label(self) -> str:
        return str(Network.LABELS.get(self.network, self.network))


@dataclass(frozen=True)
class DraftSet:
    model: str
    drafts: list[Draft]
    missing: list[str] = field(default_factory=list)  # networks the model left out


def _described(row: AssistSettings) -> dict[str, Any]:
    return {
        "enabled": row.enabled,
        "base_url": row.base_url,
        "model": row.model,
        "timeout_seconds": row.timeout_seconds,
        "key_saved": bool(row.api_key_sealed),
    }


def _clean(data: SettingsData) -> tuple[SettingsData, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    url = data.base_url.strip().rstrip("/")
    model = data.model.strip()
    if url:
        if "?" in url or "#" in url:
            errors["base_url"] = [_("The base URL has no query or fragment.")]
        else:
            try:
                base.guard_url(url)
            except base.UnsafeAddress as exc:
                errors["base_url"] = [exc.user_message]
    elif data.enabled:
        errors["base_url"] = [_("A base URL is needed to turn drafting assistance on.")]
    if data.enabled and not model:
        errors["model"] = [_("A model name is needed to turn drafting assistance on.")]
    if len(model) > 200:
        errors["model"] = [_("At most 200 characters.")]
    if len(url) > 500:
        errors["base_url"] = [_("At most 500 characters.")]
    if not MIN_TIMEOUT <= data.timeout_seconds <= MAX_TIMEOUT:
        errors["timeout_seconds"] = [
            _("Between %(min)d and %(max)d seconds.") % {"min": MIN_TIMEOUT, "max": MAX_TIMEOUT}
        ]
    key = data.api_key.strip()
    if len(key) > MAX_KEY_CHARS or any(ch.isspace() for ch in key):
        errors["api_key"] = [_("This key is not valid.")]
    clean = SettingsData(
        enabled=data.enabled,
        base_url=url,
        model=model,
        timeout_seconds=data.timeout_seconds,
        api_key=key,
        remove_key=data.remove_key,
    )
    return clean, errors


def settings_save(*, actor: Membership, data: SettingsData) -> AssistSettings:
    """Save the organization's model connection (administrators)."""
    require(actor, "assist.manage")
    data, errors = _clean(data)
    if errors:
        raise DomainError(_("The settings have errors."), field_errors=errors)
    with transaction.atomic():
        row, _created = AssistSettings.objects.select_for_update().get_or_create(
            organization_id=actor.organization_id
        )
        before = _described(row)
        row.enabled = data.enabled
        row.base_url = data.base_url
        row.model = data.model
        row.timeout_seconds = data.timeout_seconds
        key_changed = False
        if data.remove_key and row.api_key_sealed:
            row.api_key_sealed = ""
            key_changed = True
        elif data.api_key:
            row.api_key_sealed = crypto.encrypt(data.api_key)
            key_changed = True
        row.updated_at = clock.now()
        row.save()
        after = {**_described(row), "key_changed": key_changed}
        gates.audit_record(
            organization=actor.organization_id,
            actor=actor,
            action="assist.settings_changed",
            object_type="assist_settings",
            object_id=row.pk,
            before=before,
            after=after,
        )
    return row


def _usable(membership: Membership) -> AssistSettings:
    row = selectors.enabled_settings(membership.organization_id)
    if row is None:
        raise Conflict(_("Drafting assistance is off for this organization."))
    return row


def _endpoint(row: AssistSettings) -> drafting.Endpoint:
    key = ""
    if row.api_key_sealed:
        try:
            key = crypto.decrypt(row.api_key_sealed)
        except crypto.DecryptionError as exc:
            raise DraftingFailed(
                _("The saved API key cannot be read: an administrator must save it again.")
            ) from exc
    return drafting.Endpoint(
        base_url=row.base_url, model=row.model, api_key=key, timeout=float(row.timeout_seconds)
    )


def _token(item: Any, network: str, text: str, model: str) -> str:
    payload = {"o": item.organization_id, "i": item.pk, "n": network, "t": text, "m": model}
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


def _checked(item: Any, network: str, text: str, model: str) -> Draft:
    report = content_services.validate_copies([content_services.CopyData(network, text)])
    errors = [message for messages in report.values() for message in messages]
    check = gates.guardrails_check(organization=item.organization, text=text, network=network)
    flags = list(dict.fromkeys(gates.describe(match) for match in check.matches))
    fit = check_copy(network, text)
    return Draft(
        network=network,
        text=text,
        length=fit.length,
        limit=fit.limit,
        errors=errors,
        flags=flags,
        token="" if errors else _token(item, network, text, model),
    )


def drafts_make(
    *,
    membership: Membership,
    item: Any,
    networks: list[str],
    language: str,
    tone: str,
    transport: httpx.BaseTransport | None = None,
) -> DraftSet:
    """Ask the organization's model for one copy per network; check each. Writes nothing."""
    require(membership, "content.edit", item)
    row = _usable(membership)
    chosen = tuple(n for n in Network.ALL if n in set(networks))
    errors: dict[str, list[str]] = {}
    if not chosen:
        errors["networks"] = [_("Choose at least one network.")]
    if language not in drafting.LANGUAGES:
        errors["language"] = [_("Choose French or English.")]
    if tone not in drafting.TONES:
        errors["tone"] = [_("Choose a tone.")]
    if errors:
        raise DomainError(_("The request has errors."), field_errors=errors)
    brief = drafting.Brief(
        title=item.title,
        body=item.body,
        link=item.link,
        networks=chosen,
        language=language,
        tone=tone,
    )
    try:
        content = drafting.call(_endpoint(row), brief, transport=transport)
        copies = drafting.parse_copies(content, chosen)
    except drafting.AssistError as exc:
        logger.warning(
            "assist_draft_failed org=%s item=%s kind=%s status=%s",
            item.organization_id,
            item.pk,
            exc.kind,
            exc.status,
        )
        raise DraftingFailed(exc.user_message) from exc
    drafts = [_checked(item, network, text, row.model) for network, text in copies.items()]
    logger.info(
        "assist_draft org=%s item=%s asked=%s drafted=%s refused=%s",
        item.organization_id,
        item.pk,
        len(chosen),
        len(drafts),
        sum(1 for d in drafts if d.refused),
    )
    return DraftSet(
        model=row.model,
        drafts=drafts,
        missing=[str(Network.LABELS[n]) for n in chosen if n not in copies],
    )


def _read_token(item: Any, token: str) -> tuple[str, str, str]:
    expired = DomainError(_("These drafts are too old or altered: draft them again."))
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature as exc:  # SignatureExpired included
        raise expired from exc
    if (
        not isinstance(payload, dict)
        or payload.get("o") != item.organization_id
        or payload.get("i") != item.pk
        or payload.get("n") not in Network.ALL
    ):
        raise expired
    return str(payload["n"]), str(payload["t"]), str(payload["m"])


def drafts_add(*, membership: Membership, item: Any, tokens: list[str]) -> Any:
    """Add the chosen drafts as copies of the item (through `item_update`, so an approved
    item goes back to review), each marked as drafted by its model. A draft already among
    the item's copies is not added twice (a form sent twice adds nothing more)."""
    require(membership, "content.edit", item)
    _usable(membership)
    if not tokens:
        raise DomainError(_("Choose at least one draft to add."))
    chosen = [_read_token(item, token) for token in dict.fromkeys(tokens)]
    with transaction.atomic():
        data = content_services.item_data_of(item)
        present = {(copy.network, copy.text) for copy in data.copies}
        added = [(n, t, m) for n, t, m in chosen if (n, t) not in present]
        if not added:
            return item
        data.copies += [content_services.CopyData(n, t) for n, t, _m in added]
        item = content_services.item_update(membership=membership, item=item, data=data)
        now = clock.now()
        AssistedCopy.objects.bulk_create(
            AssistedCopy(
                organization_id=item.organization_id,
                item_id=item.pk,
                network=n,
                text=t,
                model=m,
                created_at=now,
            )
            for n, t, m in added
        )
        gates.audit_record(
            organization=item.organization_id,
            actor=membership,
            action="assist.copies_added",
            object_type="content.item",
            object_id=item.pk,
            before=None,
            after={"networks": [n for n, _t, _m in added], "model": added[0][2]},
        )
    return item
