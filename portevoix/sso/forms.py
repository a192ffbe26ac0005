"""Forms of single sign-on: the provider's settings, and the login page's address field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Protocol

MAX_METADATA_UPLOAD = 1024 * 1024


class ProviderForm(forms.Form):
    protocol = forms.ChoiceField(
        label=_("Protocol"),
        choices=Protocol.choices,
        initial=Protocol.OIDC,
        required=False,
        widget=forms.RadioSelect,
    )
    issuer = forms.URLField(
        label=_("Issuer"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_(
            "The identity provider's address; its settings are read from "
            "/.well-known/openid-configuration under it."
        ),
    )
    client_id = forms.CharField(label=_("Client ID"), max_length=255, required=False)
    client_secret = forms.CharField(
        label=_("Client secret"),
        max_length=1000,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Stored encrypted; never shown again."),
    )
    idp_metadata = forms.CharField(
        label=_("Identity provider's SAML metadata"),
        required=False,
        max_length=MAX_METADATA_UPLOAD,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=_(
            "Paste the XML your identity provider gives (its entity ID, single sign-on "
            "address and signing certificate), or upload the file below."
        ),
    )
    idp_metadata_file = forms.FileField(label=_("…or its metadata file"), required=False)
    allow_idp_initiated = forms.BooleanField(
        label=_("Allow logins started from the identity provider's portal"),
        required=False,
        help_text=_(
            "IdP-initiated SAML: off by default, since such a login was not asked for here."
        ),
    )
    claim_email = forms.CharField(
        label=_("Attribute for the email address"),
        max_length=200,
        initial="email",
        required=False,
        help_text=_("SAML: when it is missing, the NameID is used if it is an email address."),
    )
    domains = forms.CharField(
        label=_("Email domains"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The domains your organization owns, one a line or separated by commas. People "
            "with these addresses log in here; a domain belongs to one organization only."
        ),
    )
    enabled = forms.BooleanField(label=_("Single sign-on is on"), required=False, initial=True)
    enforced = forms.BooleanField(
        label=_("Require single sign-on for these domains"),
        required=False,
        help_text=_("Password login is then refused for these addresses."),
    )
    break_glass_email = forms.EmailField(
        label=_("Break-glass administrator"),
        required=False,
        help_text=_(
            "The one administrator who may still log in with a password, should the "
            "identity provider fail. Required when single sign-on is required."
        ),
    )
    claim_name = forms.CharField(
        label=_("Claim for the name"), max_length=200, initial="name", required=False
    )
    claim_title = forms.CharField(
        label=_("Claim for the job title"), max_length=200, initial="job_title", required=False
    )
    claim_groups = forms.CharField(
        label=_("Claim for the groups"),
        max_length=200,
        initial="groups",
        required=False,
        help_text=_(
            "Groups whose name is the name of one of your teams put the person in that team."
        ),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["client_secret"].help_text = _("Leave empty to keep the current secret.")

    def clean_protocol(self) -> str:
        return str(self.cleaned_data.get("protocol") or Protocol.OIDC)

    def clean_idp_metadata_file(self) -> str:
        upload = self.cleaned_data.get("idp_metadata_file")
        if not upload:
            return ""
        if upload.size > MAX_METADATA_UPLOAD:
            raise forms.ValidationError(_("This metadata is too large."))
        try:
            return str(upload.read().decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("This is not SAML metadata.")) from exc

    def metadata_text(self) -> str:
        """The uploaded file's metadata, else the pasted one."""
        return self.cleaned_data.get("idp_metadata_file") or self.cleaned_data.get(
            "idp_metadata", ""
        )

    def domain_list(self) -> list[str]:
        raw = self.cleaned_data.get("domains") or ""
        return [part for line in raw.splitlines() for part in line.split(",") if part.strip()]


class StartForm(forms.Form):
    email = forms.EmailField(label=_("Work email address"), max_length=254)
    next = forms.CharField(required=False, max_length=2000)
