"""Forms of the accounts pages: they parse and render; services decide.

Django renders `aria-invalid` and `aria-describedby` (help text and errors) on bound fields;
`core.web.apply_domain_error` puts a service's `DomainError.field_errors` next to the right field.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portevoix.core.api_access import API_AREAS
from portevoix.core.networks import Network

from .models import LANGUAGE_CHOICES, AmbassadorProfile, ApiToken, Organization, Team
from .roles import ALL_ROLES, ASSIGNABLE_ROLES
from .services import EnrolmentData, PresenceData

ROLE_ANY = ""


class DomainForm(forms.Form):
    """A form that shows the field errors of a service's DomainError: views call
    `core.web.apply_domain_error(form, exc, field_map=form.map_domain_field)`."""

    # Service field name -> form field name, where they differ.
    domain_field_map: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def map_domain_field(self, name: str) -> str | None:
        target = self.domain_field_map.get(name, name)
        return target if target in self.fields else None


def _checkboxes(choices: Iterable[tuple[Any, Any]], label: Any, **kwargs: Any) -> Any:
    return forms.MultipleChoiceField(
        label=label,
        choices=list(choices),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        **kwargs,
    )


def team_choices(teams: Iterable[Team]) -> list[tuple[str, str]]:
    return [(str(team.pk), team.name) for team in teams]


def _int_list(values: Iterable[str]) -> list[int]:
    return [int(value) for value in values]


# --- Organization


class OrgSwitchForm(forms.Form):
    organization = forms.IntegerField(min_value=1)
    next = forms.CharField(required=False, max_length=2000)


class OrganizationForm(DomainForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    default_language = forms.ChoiceField(
        label=_("Default language"),
        choices=LANGUAGE_CHOICES,
        help_text=_("Used for invitations and as the default language of new content."),
    )
    approvals_required = forms.IntegerField(
        label=_("Approvals required"),
        min_value=1,
        max_value=10,
        help_text=_("How many approvers must approve an item before it goes live (1 to 10)."),
    )
    final_approval_required = forms.BooleanField(
        label=_("A final approver signs last"),
        required=False,
        help_text=_("After the approvals above, someone with the final approver role signs."),
    )
    review_days = forms.IntegerField(
        label=_("Days to review"),
        required=False,  # empty keeps the current number
        min_value=1,
        max_value=60,
        help_text=_("When an item is submitted, the approvers have this many days (1 to 60)."),
    )
    reschedule_requires_review = forms.BooleanField(
        label=_("Moving approved content on the calendar sends it back to review"),
        required=False,
        help_text=_("Otherwise an approved or live item keeps its approval when its date moves."),
    )
    two_factor_required_for_admins = forms.BooleanField(
        label=_("Administrators must use two-step verification"),
        required=False,
        help_text=_(
            "An administrator without it is asked to set it up (an authenticator app) before "
            "anything else, you included."
        ),
    )

    @classmethod
    def initial_for(cls, organization: Organization) -> dict[str, Any]:
        return {
            "name": organization.name,
            "default_language": organization.default_language,
            "approvals_required": organization.approvals_required,
            "final_approval_required": organization.final_approval_required,
            "review_days": organization.review_days,
            "reschedule_requires_review": organization.reschedule_requires_review,
            "two_factor_required_for_admins": organization.two_factor_required_for_admins,
        }


class TwoFactorCodeForm(DomainForm):
    """A code of the second step: six digits from the app (or, where allowed, a recovery
    code)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args: Any, help_text: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = help_text or _(
            "The six digits your authenticator app shows now, or one of your recovery codes."
        )


class FirstRunForm(DomainForm):
    """A new organization and its first administrator (the first-run page)."""

    name = forms.CharField(label=_("Organization name"), max_length=120)
    admin_email = forms.EmailField(
        label=_("First administrator's email"),
        help_text=_("They receive a link to choose their password."),
    )
    admin_name = forms.CharField(label=_("Their full name"), max_length=150, required=False)
    language = forms.ChoiceField(
        label=_("Default language"), choices=LANGUAGE_CHOICES, initial="fr"
    )


# --- People


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    role = forms.ChoiceField(label=_("Role"), required=False)
    inactive = forms.BooleanField(label=_("Include inactive members"), required=False)

    def __init__(
        self, *args: Any, teams: Sequence[Team] = (), allow_inactive: bool = False, **kwargs: Any
    ):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        team_field = cast(forms.ChoiceField, self.fields["team"])
        team_field.choices = [("", _("All teams")), *team_choices(teams)]
        role_field = cast(forms.ChoiceField, self.fields["role"])
        role_field.choices = [(ROLE_ANY, _("All roles")), *ALL_ROLES]
        if not allow_inactive:
            del self.fields["inactive"]

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for `selectors.members`; invalid input filters nothing."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        role = data.get("role") or None
        return {
            "search": (data.get("q") or "").strip() or None,
            "team_id": data.get("team"),
            "role": None if role == "ambassador" else role,
            "ambassadors_only": role == "ambassador",
            "include_inactive": bool(data.get("inactive")),
        }


class MemberEditForm(DomainForm):
    domain_field_map: ClassVar[dict[str, str]] = {"team_ids": "teams"}

    roles = _checkboxes(
        ASSIGNABLE_ROLES,
        _("Roles"),
        help_text=_(
            "Being an ambassador is not a role anyone can give: it is each person's own choice."
        ),
    )
    teams = _checkboxes([], _("Teams"))
    title = forms.CharField(label=_("Job title"), required=False, max_length=120)
    is_active = forms.BooleanField(
        label=_("Active member"),
        required=False,
        help_text=_("An inactive member can no longer sign in to this organization."),
    )

    def __init__(self, *args: Any, teams: Sequence[Team] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["teams"]).choices = team_choices(teams)

    def team_ids(self) -> list[int]:
        return _int_list(self.cleaned_data["teams"])


class InvitationForm(DomainForm):
    domain_field_map: ClassVar[dict[str, str]] = {"team_ids": "teams"}

    email = forms.EmailField(label=_("Email address"), max_length=254)
    roles = _checkboxes(
        ASSIGNABLE_ROLES,
        _("Roles"),
        help_text=_(
            "Optional. Nobody is made an ambassador by invitation: each person opts in freely."
        ),
    )
    teams = _checkboxes([], _("Teams"))
    language = forms.ChoiceField(
        label=_("Language of the email"), choices=LANGUAGE_CHOICES, initial="fr"
    )

    def __init__(self, *args: Any, teams: Sequence[Team] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["teams"]).choices = team_choices(teams)
        self.fields["email"].widget.attrs.update({"autocomplete": "off"})

    def team_ids(self) -> list[int]:
        return _int_list(self.cleaned_data["teams"])


class AcceptInvitationForm(DomainForm):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not too common."),
    )
    password_confirm = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].widget.attrs.update({"autocomplete": "name"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("password")
            and data.get("password_confirm")
            and data["password"] != data["password_confirm"]
        ):
            self.add_error("password_confirm", gettext("The two passwords differ."))
        return data


# --- Teams


class TeamForm(DomainForm):
    name = forms.CharField(label=_("Team name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=Team.KIND_CHOICES, initial="department")


# --- API tokens


class TokenForm(DomainForm):
    name = forms.CharField(
        label=_("Token name"),
        max_length=80,
        help_text=_("What the token is for, e.g. “Reporting script”."),
    )
    access = forms.ChoiceField(
        label=_("Access"),
        choices=[("write", _("Read and write")), ("read", _("Read only"))],
        initial="write",
        required=False,  # not sent: read and write, as tokens were before scopes
        widget=forms.RadioSelect,
    )
    coverage = forms.ChoiceField(
        label=_("Areas of the API"),
        choices=[("all", _("All areas")), ("chosen", _("Only the areas ticked below"))],
        initial="all",
        required=False,  # not sent: all areas
        widget=forms.RadioSelect,
    )
    areas = _checkboxes(API_AREAS, _("Areas"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("coverage") == "chosen" and not data.get("areas"):
            self.add_error("areas", _("Choose at least one area of the API."))
        return data

    def scopes(self) -> dict[str, Any]:
        """The service's keyword arguments: `can_write` and `areas` (None: all areas)."""
        data = self.cleaned_data
        chosen = data["coverage"] == "chosen"
        return {"can_write": data["access"] != "read", "areas": data["areas"] if chosen else None}


def token_scopes(token: ApiToken) -> dict[str, str]:
    """How the token list shows a token's scopes: its access and its areas."""
    if token.all_areas:
        areas = gettext("All areas")
    else:
        chosen = set(token.areas)
        areas = ", ".join(str(label) for code, label in API_AREAS if code in chosen)
    access = gettext("Read and write") if token.can_write else gettext("Read only")
    return {"access": access, "areas": areas}


# --- Voluntary enrolment


@dataclass
class NetworkRow:
    """The fields of one network in the enrolment form, for the template."""

    code: str
    label: str
    use: forms.BoundField
    audience: forms.BoundField
    handle: forms.BoundField
    instance: forms.BoundField | None


class EnrolmentForm(DomainForm):
    """Interests, languages, how to help, and one row per network."""

    domain_field_map: ClassVar[dict[str, str]] = {"topic_ids": "topics"}

    topics = _checkboxes(
        [], _("Topics that interest you"), help_text=_("Optional: your feed shows them first.")
    )
    languages = _checkboxes(
        LANGUAGE_CHOICES, _("Languages you share in"), help_text=_("At least one.")
    )
    help_with = _checkboxes(
        AmbassadorProfile.HELP_CHOICES,
        _("How you want to help"),
        help_text=_("Choose one or more; you can change this at any time."),
    )

    def __init__(self, *args: Any, topics: Sequence[Any] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        topic_field = cast(forms.ChoiceField, self.fields["topics"])
        topic_field.choices = [(str(t.pk), t.name) for t in topics]
        for code in Network.ALL:
            self.fields[f"{code}_use"] = forms.BooleanField(label=_("I use it"), required=False)
            self.fields[f"{code}_audience"] = forms.IntegerField(
                label=_("Audience (followers or connections)"),
                required=False,
                min_value=0,
                max_value=500_000_000,
            )
            self.fields[f"{code}_handle"] = forms.CharField(
                label=_("Handle or profile address"), required=False, max_length=200
            )
            if code == Network.MASTODON:
                self.fields[f"{code}_instance"] = forms.CharField(
                    label=_("Instance"),
                    required=False,
                    max_length=200,
                    help_text=_("The server of your account, e.g. mastodon.social."),
                )
        self._network_order: list[str] = []

    @classmethod
    def initial_for(cls, profile: AmbassadorProfile | None) -> dict[str, Any]:
        if profile is None:
            return {}  # nothing is pre-ticked: every choice is the member's own
        initial: dict[str, Any] = {
            "topics": [str(t.pk) for t in profile.interests.all()],
            "languages": list(profile.languages),
            "help_with": list(profile.help_with),
        }
        for presence in profile.networks.all():
            initial[f"{presence.network}_use"] = True
            initial[f"{presence.network}_audience"] = presence.audience
            initial[f"{presence.network}_handle"] = presence.handle
            if presence.network == Network.MASTODON:
                initial[f"{presence.network}_instance"] = presence.instance
        return initial

    def network_rows(self) -> list[NetworkRow]:
        rows = []
        for code in Network.ALL:
            rows.append(
                NetworkRow(
                    code=code,
                    label=Network.LABELS[code],
                    use=self[f"{code}_use"],
                    audience=self[f"{code}_audience"],
                    handle=self[f"{code}_handle"],
                    instance=self[f"{code}_instance"] if code == Network.MASTODON else None,
                )
            )
        return rows

    def to_data(self) -> EnrolmentData:
        data = self.cleaned_data
        networks = []
        self._network_order = []
        for code in Network.ALL:
            if not data.get(f"{code}_use"):
                continue
            self._network_order.append(code)
            networks.append(
                PresenceData(
                    network=code,
                    audience=data.get(f"{code}_audience") or 0,
                    handle=data.get(f"{code}_handle") or "",
                    instance=data.get(f"{code}_instance") or "",
                )
            )
        return EnrolmentData(
            topic_ids=_int_list(data.get("topics") or []),
            languages=list(data.get("languages") or []),
            help_with=list(data.get("help_with") or []),
            networks=networks,
        )

    def map_domain_field(self, name: str) -> str | None:
        # "networks.<index>.<attribute>" -> "<network>_<attribute>"
        if name.startswith("networks."):
            _prefix, index, attribute = [*name.split("."), "", ""][:3]
            try:
                code = self._network_order[int(index)]
            except (ValueError, IndexError):
                return None
            target = f"{code}_{'use' if attribute == 'network' else attribute}"
            return target if target in self.fields else None
        return super().map_domain_field(name)
