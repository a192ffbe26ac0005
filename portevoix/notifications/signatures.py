"""Email signatures: the organization's social links and banner (set by its admins), and
each ambassador's own signature, as HTML that mail clients keep (a table, inline styles,
no class, no script), with every text escaped and every link http(s).

The banner leads to an item of the current campaign chosen by the admins, through the
ambassador's own tracked link (`sharing.services.link_get_or_create`, network LinkedIn:
see docs/decisions/0014-chat-and-signatures.md), so the clicks count for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.content.selectors import live_since
from portevoix.core import clock
from portevoix.core.errors import DomainError, NotFound
from portevoix.core.networks import Network
from portevoix.core.tenancy import scoped
from portevoix.governance import gates
from portevoix.sharing import selectors as sharing_selectors
from portevoix.sharing import services as sharing_services

from .models_chat import SignatureSettings

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

LINK_FIELDS = (
    ("website_url", "Website"),
    ("linkedin_url", "LinkedIn"),
    ("x_url", "X"),
    ("facebook_url", "Facebook"),
    ("instagram_url", "Instagram"),
    ("youtube_url", "YouTube"),
)
URL_FIELDS = (*(name for name, _label in LINK_FIELDS), "banner_image_url")
BANNER_NETWORK = Network.LINKEDIN


def safe_url(url: str) -> str:
    """`url` when it is an absolute http(s) address with a host, else ''."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if (
        parts.scheme not in {"http", "https"}
        or not parts.hostname
        or any(c in url for c in "\"'<> \n\r\t\\")
    ):
        return ""
    return url


# --------------------------------------------------------------------------- settings


@dataclass
class SignatureData:
    urls: dict[str, str] = field(default_factory=dict)
    banner_alt: str = ""
    banner_item_id: int | None = None


def signature_settings_for(*, organization_id: int) -> SignatureSettings:
    """The organization's settings, or empty ones (unsaved)."""
    found = scoped(SignatureSettings, organization_id).select_related("banner_item").first()
    return found or SignatureSettings(organization_id=organization_id, updated_at=clock.now())


def signature_settings_edit(*, membership: Membership) -> SignatureSettings:
    require(membership, "org.manage")
    return signature_settings_for(organization_id=membership.organization_id)


def banner_choices(*, membership: Membership) -> list[tuple[int, str]]:
    """The live items a banner may lead to (id, title), newest first."""
    require(membership, "org.manage")
    return [
        (item.pk, item.title)
        for item in live_since.live_items(organization_id=membership.organization_id)
    ]


def signature_settings_update(*, actor: Membership, data: SignatureData) -> SignatureSettings:
    require(actor, "org.manage")
    errors: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    for name in URL_FIELDS:
        value = (data.urls.get(name) or "").strip()
        if value and not safe_url(value):
            errors[name] = [_("An address starting with https:// (or http://).")]
        clean[name] = value
    if clean["banner_image_url"] and not data.banner_alt.strip():
        errors["banner_alt"] = [_("Describe the banner for those who cannot see it.")]
    allowed = {pk for pk, _title in banner_choices(membership=actor)}
    if data.banner_item_id is not None and data.banner_item_id not in allowed:
        errors["banner_item"] = [_("Choose content that is live.")]
    if errors:
        raise DomainError(_("The signature settings have errors."), field_errors=errors)
    with transaction.atomic():
        current = scoped(SignatureSettings.objects.select_for_update(), actor.organization_id)
        settings = current.first() or SignatureSettings(organization_id=actor.organization_id)
        before = _described(settings) if settings.pk else None
        for name, value in clean.items():
            setattr(settings, name, value)
        settings.banner_alt = data.banner_alt.strip()[:200]
        settings.banner_item_id = data.banner_item_id
        settings.updated_at = clock.now()
        settings.save()
        gates.audit_record(
            organization=actor.organization,
            actor=actor,
            action="signature.settings_set",
            object_type="signature_settings",
            object_id=settings.pk,
            before=before,
            after=_described(settings),
        )
    return settings


def _described(settings: SignatureSettings) -> dict[str, object]:
    return {
        **{name: getattr(settings, name) for name in URL_FIELDS},
        "banner_item_id": settings.banner_item_id,
    }


# --------------------------------------------------------------------------- a signature


@dataclass(frozen=True)
class SignatureParts:
    name: str
    title: str
    organization: str
    email: str
    links: list[tuple[str, str]]
    banner_image: str
    banner_alt: str
    banner_link: str


@dataclass(frozen=True)
class Signature:
    parts: SignatureParts
    html: str

    @property
    def title(self) -> str:
        return self.parts.title

    @property
    def links(self) -> list[tuple[str, str]]:
        return self.parts.links

    @property
    def banner_link(self) -> str:
        return self.parts.banner_link


def member_signature(*, membership: Membership) -> Signature:
    """The member's signature and its HTML. Creates their tracked link to the banner's
    item the first time (once; the same link afterwards)."""
    require(membership, "share.create")
    settings = signature_settings_for(organization_id=membership.organization_id)
    user = membership.user
    links = [
        (label, url) for name, label in LINK_FIELDS if (url := safe_url(getattr(settings, name)))
    ]
    banner_image = safe_url(settings.banner_image_url)
    banner_link = ""
    if banner_image and settings.banner_item_id:
        try:
            item = sharing_selectors.live_item(
                membership=membership, item_id=settings.banner_item_id
            )
        except NotFound:
            item = None
        if item is not None:
            link = sharing_services.link_get_or_create(
                membership=membership, item=item, network=BANNER_NETWORK
            )
            banner_link = safe_url(sharing_selectors.short_url(link.code))
    parts = SignatureParts(
        name=user.full_name or user.email,
        title=membership.title,
        organization=membership.organization.name,
        email=user.email,
        links=links,
        banner_image=banner_image,
        banner_alt=settings.banner_alt,
        banner_link=banner_link,
    )
    return Signature(parts=parts, html=signature_html(parts))


# Mail clients drop style sheets and classes: every style is inline, on a layout table.
TABLE = (
    "border-collapse:collapse;font-family:Arial,Helvetica,sans-serif;font-size:14px;"
    "line-height:1.4;color:#1f2933;max-width:600px;"
)
NAME = "padding:0 0 4px 0;font-size:16px;font-weight:bold;color:#1f2933;"
MUTED = "padding:0;color:#52606d;"
LINE = "padding:0 0 6px 0;"
LINK = "color:#1d4ed8;text-decoration:underline;"
IMAGE = "display:block;width:100%;max-width:600px;height:auto;border:0;"


def signature_html(parts: SignatureParts) -> str:
    """The signature as HTML for mail clients. Every value is escaped (`format_html`);
    the addresses were checked by `safe_url` (http(s) only)."""
    name, title, organization, email = parts.name, parts.title, parts.organization, parts.email
    links, banner_image = parts.links, parts.banner_image
    banner_alt, banner_link = parts.banner_alt, parts.banner_link
    rows = [format_html('<tr><td style="{}">{}</td></tr>', NAME, name)]
    if title:
        rows.append(format_html('<tr><td style="{}">{}</td></tr>', MUTED, title))
    rows.append(format_html('<tr><td style="{}{}">{}</td></tr>', MUTED, LINE, organization))
    rows.append(
        format_html(
            '<tr><td style="{}"><a href="mailto:{}" style="{}">{}</a></td></tr>',
            LINE,
            email,
            LINK,
            email,
        )
    )
    if links:
        separator = format_html('<span style="{}"> &middot; </span>', "color:#9aa5b1;")
        anchors = format_html_join(
            separator,
            '<a href="{}" style="{}">{}</a>',
            ((url, LINK, label) for label, url in links),
        )
        rows.append(format_html('<tr><td style="{}">{}</td></tr>', LINE, anchors))
    if banner_image:
        image = format_html(
            '<img src="{}" alt="{}" width="600" style="{}">', banner_image, banner_alt, IMAGE
        )
        if banner_link:
            image = format_html(
                '<a href="{}" style="text-decoration:none;">{}</a>', banner_link, image
            )
        rows.append(format_html('<tr><td style="padding:4px 0 0 0;">{}</td></tr>', image))
    return format_html(
        '<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="{}">{}'
        "</table>",
        TABLE,
        mark_safe("".join(rows)),  # noqa: S308  (each row built by format_html above)
    )
