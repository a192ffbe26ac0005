"""What other apps call before letting a person share or publish text, and to record what
admins do.

- `sharing_blockers(membership)`: why the member may not share (or personalize) now: the
  current charter is not acknowledged, a required course is not passed. Each blocker has
  a URL where the member can lift it.
- `guardrails_check(organization=, text=, network=)`: the organization's guardrail rules on
  a text; blocking matches must refuse the text, warnings let it through (then call
  `moderation_flag`). The result's `text` has the required disclosure added where it fits.
- `moderation_flag(...)`: put a text that passed with warnings into the moderation queue.
- `audit_record(...)`: one line in the append-only audit log, in the caller's transaction.
- `RequiredDisclosure` and `required_disclosures(organization)`: disclosures that apps above
  governance require on every share (`settings.GUARDRAIL_DISCLOSURE_PROVIDERS`: rewards'
  incentive disclosure when its rewards are of value), with why; `guardrails_check` adds
  them like a disclosure rule, `required_disclosures_add` adds them to a suggested copy.
- `Removal`: what an app's moderation remover answers (see governance/services/moderation.py:
  the apps that own reportable objects list their removers in `settings.MODERATION_REMOVERS`).

The signatures are a contract between apps: keep them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from portevoix.accounts import selectors as account_selectors
from portevoix.core import clock
from portevoix.core.networks import Network, check_copy
from portevoix.core.tenancy import scoped
from portevoix.training import selectors as training_selectors

from . import db, matching, selectors, signals
from .models import AuditEntry, CaseSource, CaseStatus, ModerationCase


@dataclass(frozen=True)
class Blocker:
    code: str  # "charter" | "course"
    message: str
    url: str

    def with_next(self, next_url: str | None) -> Blocker:
        """This blocker, its link bringing the member back to `next_url` (a path of this
        site) once it is lifted. Only the charter page follows `next` (and checks it is
        local): other blockers are returned unchanged."""
        if self.code != "charter" or not next_url:
            return self
        return replace(self, url=f"{self.url}?{urlencode({'next': next_url})}")


@dataclass(frozen=True)
class GuardrailMatch:
    rule_id: int
    kind: str  # blocked_term | avoid_word | competitor | link_domain | disclosure
    action: str  # "block" | "warn"
    term: str
    start: int
    end: int
    reason: str


@dataclass(frozen=True)
class GuardrailResult:
    text: str  # the text, with the required disclosure added where it fits
    matches: tuple[GuardrailMatch, ...] = field(default_factory=tuple)

    @property
    def blocked(self) -> bool:
        return any(m.action == "block" for m in self.matches)

    @property
    def warned(self) -> bool:
        return any(m.action == "warn" for m in self.matches)


# --- Sharing blockers


def _course_url(course: Any) -> str:
    getter = getattr(course, "get_absolute_url", None)
    if callable(getter):
        return str(getter())
    for name in ("training:course", "training:course_detail"):
        try:
            return reverse(name, args=[course.pk])
        except NoReverseMatch:
            continue
    return "/training/"


def sharing_blockers(membership: Any, *, personalize: bool = False) -> list[Blocker]:
    """Why `membership` may not share (or personalize) now: charter not acknowledged,
    required course not passed. Empty when they may."""
    blockers: list[Blocker] = []
    current = selectors.charter_to_accept(membership)
    if current is not None:
        blockers.append(
            Blocker(
                code="charter",
                message=_("Read and accept the social media charter (version %(number)s).")
                % {"number": current.number},
                url=reverse("governance:charter"),
            )
        )
    purpose = "personalize" if personalize else "share"
    missing = training_selectors.missing_required_courses(membership=membership, purpose=purpose)
    for course in missing:
        blockers.append(
            Blocker(
                code="course",
                message=_("Pass the course “%(title)s”.")
                % {"title": getattr(course, "title", str(course))},
                url=_course_url(course),
            )
        )
    return blockers


# --- Guardrails


def _platform_domains() -> list[str]:
    """The platform's own host: tracked short links always point there."""
    host = urlsplit(settings.SITE_URL).hostname
    return [host] if host else []


LENGTH_ERRORS = frozenset({"too_long", "too_many_bytes"})


def _fits(network: str) -> matching.FitCheck | None:
    if network not in Network.ALL:
        return None
    # Every limit of length counts: characters, and Bluesky's bytes.
    return lambda candidate: not LENGTH_ERRORS.intersection(check_copy(network, candidate).errors)


def default_reason(kind: str, code: str = "") -> str:
    """What the writer is told when the rule has no message of its own."""
    if kind == matching.BLOCKED_TERM:
        return _("This term must not appear in a public text.")
    if kind == matching.AVOID_WORD:
        return _("This word does not fit the brand's voice.")
    if kind == matching.COMPETITOR:
        return _("This is a competitor's name: be careful what you say about it.")
    if kind == matching.LINK_DOMAIN:
        return _("Links should point to an approved site.")
    if code == "disclosure_no_room":
        return _("The required disclosure does not fit in the text: shorten it.")
    return _("The text must carry the required disclosure.")


def check_rules(
    *, rules: list[matching.Rule], text: str, network: str
) -> tuple[matching.Outcome, GuardrailResult]:
    """Run `rules` on `text` (the rule list comes from the database or a draft form)."""
    network = network if network in Network.ALL else ""
    outcome = matching.check(
        text,
        rules,
        network=network,
        fits=_fits(network),
        extra_allowed_domains=_platform_domains(),
    )
    result = GuardrailResult(
        text=outcome.text,
        matches=tuple(
            GuardrailMatch(
                rule_id=hit.rule_id,
                kind=hit.kind,
                action=hit.action,
                term=hit.term,
                start=hit.start,
                end=hit.end,
                reason=hit.reason or default_reason(hit.kind, hit.code),
            )
            for hit in outcome.hits
        ),
    )
    return outcome, result


def guardrails_check(*, organization: Any, text: str, network: str) -> GuardrailResult:
    """Run the organization's guardrail rules on `text` written for `network` ("" when the
    text has no network, such as a comment), then the disclosures required by the apps
    above governance (`required_disclosures`)."""
    rules = selectors.active_rules(organization)
    if rules:
        _outcome, result = check_rules(rules=rules, text=text, network=network)
    else:
        result = GuardrailResult(text=text)
    return _with_required(organization, result, network)


# --- Disclosures required by other apps (a hook: governance imports none of them)


@dataclass(frozen=True)
class RequiredDisclosure:
    """A disclosure every share must carry: {network or "*": text}, and why (shown to the
    ambassador on the share page)."""

    disclosures: dict[str, str]
    reason: str


def required_disclosures(organization: Any) -> list[RequiredDisclosure]:
    """What `settings.GUARDRAIL_DISCLOSURE_PROVIDERS` require of the organization's shares
    (each provider takes the organization and returns a `RequiredDisclosure` or None)."""
    found = []
    for path in getattr(settings, "GUARDRAIL_DISCLOSURE_PROVIDERS", ()):
        required = import_string(path)(organization)
        if required is not None and required.disclosures:
            found.append(required)
    return found


def _with_required(organization: Any, result: GuardrailResult, network: str) -> GuardrailResult:
    if not network:
        return result
    for required in required_disclosures(organization):
        rule = matching.Rule(
            id=0,
            kind=matching.DISCLOSURE,
            action=matching.BLOCK,
            disclosures=dict(required.disclosures),
            reason=required.reason,
        )
        _outcome, extra = check_rules(rules=[rule], text=result.text, network=network)
        result = GuardrailResult(text=extra.text, matches=result.matches + extra.matches)
    return result


def required_disclosures_add(*, organization: Any, text: str, network: str) -> GuardrailResult:
    """Only the disclosures required by other apps, on a text the organization wrote (a
    suggested copy): added where they fit, a blocking match where they do not."""
    return _with_required(organization, GuardrailResult(text=text), network)


def describe(match: GuardrailMatch) -> str:
    """One line for the writer: which words matched and why."""
    if match.kind == matching.DISCLOSURE:
        return _("Missing “%(term)s”: %(reason)s") % {"term": match.term, "reason": match.reason}
    return _("“%(term)s”: %(reason)s") % {"term": match.term, "reason": match.reason}


def describe_all(result: GuardrailResult, *, action: str | None = None) -> list[str]:
    """The lines for the writer, each once (a term found twice is one line)."""
    lines = (describe(m) for m in result.matches if action is None or m.action == action)
    return list(dict.fromkeys(lines))


# --- Moderation


class Removal:
    """What a moderation remover (`settings.MODERATION_REMOVERS`) did with the object."""

    DONE = "done"  # taken down now
    ALREADY_DONE = "already_done"  # it was already down
    GONE = "gone"  # no such object any more


def moderation_flag(
    *, organization: Any, author: Any, text: str, reason: str, source: str, object_id: int
) -> None:
    """Put a text that passed with warnings into the moderation queue.

    `source` names what the text belongs to ("sharing.share", "content.comment"...); a
    source starting with "ideas" or "suggestion" is queued as a suggestion. One open case
    per object: flagging it again updates the text and the reason."""
    kind = (
        CaseSource.SUGGESTION if source.startswith(("ideas", "suggestion")) else CaseSource.WARNING
    )
    membership = account_selectors.as_membership(organization=organization, person=author)
    with transaction.atomic():
        case = (
            scoped(ModerationCase, organization)
            .select_for_update()
            .filter(
                source=kind,
                object_type=source[:40],
                object_id=str(object_id)[:40],
                status=CaseStatus.OPEN,
            )
            .first()
        )
        if case is not None:
            case.text = text
            case.flag_reason = reason
            case.save(update_fields=["text", "flag_reason"])
            return
        case = ModerationCase.objects.create(
            organization=organization,
            source=kind,
            author=membership,
            text=text,
            object_type=source[:40],
            object_id=str(object_id)[:40],
            flag_reason=reason,
            created_at=clock.now(),
        )
        signals.announce_case_opened(case)


# --- Audit log


def audit_record(
    *,
    organization: Any,
    actor: Any,
    action: str,
    object_type: str,
    object_id: str | int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Write one audit entry. `organization` is an Organization or its id; `actor` is a
    Membership, a User or None (the system). Call it inside the transaction of the change it
    records, so both are kept or neither."""
    user = account_selectors.user_of(actor)
    label = f"{user.display_name} <{user.email}>" if user is not None else ""
    AuditEntry.objects.create(
        organization_id=getattr(organization, "pk", organization),
        actor=user,
        actor_label=label[:400],
        action=action[:60],
        object_type=object_type[:60],
        object_id=str(object_id)[:60],
        before=before,
        after=after,
        at=clock.now(),
    )


def audit_purge_organization(*, organization_id: int) -> int:
    """Delete every audit entry of an organization that is being deleted as a whole (the
    only deletion the audit log allows: governance.db). Call it inside the transaction that
    deletes the organization. Returns how many entries went."""
    from django.db import connections, router

    using = router.db_for_write(AuditEntry)
    connection = connections[using]
    with transaction.atomic(using=using), db.purge_unlocked(connection, organization_id):
        return scoped(AuditEntry, organization_id)._raw_delete(using)


def record_account_event(sender: Any, **event: Any) -> None:
    """Receiver of `accounts.signals.audit_event` (connected by governance's app config):
    accounts sits below governance, so it sends what belongs in the log and we write it."""
    audit_record(
        organization=event["organization_id"],
        actor=event["actor"],
        action=event["action"],
        object_type=event["object_type"],
        object_id=event["object_id"],
        before=event.get("before"),
        after=event.get("after"),
    )
