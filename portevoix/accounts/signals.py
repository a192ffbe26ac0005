"""What accounts tells other apps about its teams, as Django signals (a declared surface:
other apps connect to these, never to accounts' models or their tables).

- `team_links_changed`: a member joined or left teams. Sent with `organization_id`,
  `membership_id`, `added` (team ids) and `removed` (team ids), once per member and change,
  inside the transaction of the change, whichever code changed the links (services, admin,
  `membership.teams.add(...)`, `team.memberships.remove(...)`, `clear()`, `set()`): accounts
  relays Django's `m2m_changed` of `Membership.teams`, and reports only links that really
  appeared or disappeared.
- `team_deleted`: a team was deleted. Sent with `organization_id` and `team_id`.
- `ambassador_withdrew`: a member withdrew from the ambassador programme. Sent with
  `organization_id` and `membership_id`, once the withdrawal is committed (notifications
  deletes the member's push subscriptions on it).
- `member_joined`: someone became a member of an organization (an invitation accepted, a
  member added, single sign-on's first visit; a deactivated membership made active again
  by these). Sent with `organization_id` and `membership_id`, once committed.
- `password_login`: someone is about to log in with a password. Sent with `email` before the
  password is checked; a receiver answers a message (str) to refuse password login for this
  address (single sign-on enforced by the organization, `sso`), or None.
- `audit_event`: something accounts did belongs in an organization's audit log (two-step
  verification turned on or off, a recovery code used, the organization's 2FA policy).
  Sent with `organization_id`, `actor` (the User), `action`, `object_type`, `object_id`,
  `before` and `after`, inside the transaction of the change; governance, above accounts,
  writes the entry (`gates.audit_record`) in that same transaction.

- `listing_changed`: what decides whether a member is listed on the boards may have changed
  (a membership activated or deactivated, an ambassador profile's opt-in, withdrawal or
  visibility choice saved). Sent with `organization_id` and `membership_ids` (a list, or
  None for every member of the organization), inside the transaction of the change: accounts
  relays Django's `post_save` of `Membership` and `AmbassadorProfile` (unless `update_fields`
  names none of those fields) and sends it for every member when an organization is closed.
  A receiver reads the state again (`selectors.unlisted_among`): it may come for nothing.

- `member_erasing`: a person's data is being erased (docs/decisions/0022-erasure.md). Sent
  with `person` (a `core.erasure.ErasedPerson`) inside the erasure's transaction, after
  accounts moved the membership onto its pseudonymous account: scim and planning, which
  no app imports, delete their rows of the person in that same transaction.

`connect()` is called by `AccountsConfig.ready()`.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal

from .models import AmbassadorProfile, Membership, Team

team_links_changed = Signal()
team_deleted = Signal()
ambassador_withdrew = Signal()
password_login = Signal()
audit_event = Signal()
member_joined = Signal()
listing_changed = Signal()
# Sent INSIDE an erasure's transaction with `person` (core.erasure.ErasedPerson): the apps
# no app imports (scim's directory records, planning's calendar feed tokens) delete their
# rows of the person.
member_erasing = Signal()

_BEFORE = "_accounts_team_links_before"


def _on_teams_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kw: Any
) -> None:
    if action not in {"post_add", "pre_remove", "post_remove", "pre_clear", "post_clear"}:
        return
    if action in {"pre_remove", "pre_clear"}:
        # Remember the links that exist: remove() signals every id it was given, even
        # those that were not linked.
        links = Membership.teams.through.objects.filter(
            **({"team_id": instance.pk} if reverse else {"membership_id": instance.pk})
        )
        if action == "pre_remove":
            ids = pk_set or set()
            links = links.filter(
                **({"membership_id__in": ids} if reverse else {"team_id__in": ids})
            )
        setattr(instance, _BEFORE, list(links.values_list("membership_id", "team_id")))
        return
    if action == "post_add":
        ids = pk_set or set()  # add() signals only the links it created
        pairs = [(m, instance.pk) for m in ids] if reverse else [(instance.pk, t) for t in ids]
        removing = False
    else:
        pairs = getattr(instance, _BEFORE, [])
        removing = True
    organization_id = instance.organization_id
    for membership_id, team_id in pairs:
        team_links_changed.send(
            sender=Membership,
            organization_id=organization_id,
            membership_id=membership_id,
            added=[] if removing else [team_id],
            removed=[team_id] if removing else [],
        )


def _on_team_deleted(sender: Any, instance: Team, **kw: Any) -> None:
    team_deleted.send(sender=Team, organization_id=instance.organization_id, team_id=instance.pk)


# The fields that decide whether a member is listed on the boards.
_LISTING_FIELDS = {
    Membership: {"is_active"},
    AmbassadorProfile: {"opted_in", "opted_out_at", "visibility"},
}


def _on_listing_saved(sender: Any, instance: Any, update_fields: Any = None, **kw: Any) -> None:
    if update_fields is not None and not _LISTING_FIELDS[sender] & set(update_fields):
        return
    if sender is Membership:
        organization_id, membership_id = instance.organization_id, instance.pk
    else:
        membership_id = instance.membership_id
        organization_id = (
            Membership.objects.filter(pk=membership_id)
            .values_list("organization_id", flat=True)
            .first()
        )
        if organization_id is None:
            return
    listing_changed.send(
        sender=sender, organization_id=organization_id, membership_ids=[membership_id]
    )


def connect() -> None:
    m2m_changed.connect(
        _on_teams_changed, sender=Membership.teams.through, dispatch_uid="accounts_team_links"
    )
    for model in _LISTING_FIELDS:
        post_save.connect(
            _on_listing_saved, sender=model, dispatch_uid=f"accounts_listing_{model.__name__}"
        )
    post_delete.connect(_on_team_deleted, sender=Team, dispatch_uid="accounts_team_deleted")


def password_login_refusal(email: str) -> str | None:
    """The first refusal a receiver of `password_login` gives for `email`, or None."""
    for _receiver, answer in password_login.send(sender=None, email=email):
        if answer:
            return str(answer)
    return None


def announce_member_joined(membership: Membership) -> None:
    """Send `member_joined` for `membership` once the transaction commits."""
    sent = {"organization_id": membership.organization_id, "membership_id": membership.pk}
    transaction.on_commit(lambda: member_joined.send(sender=Membership, **sent))
