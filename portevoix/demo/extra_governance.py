"""Governance demo data for Lumen Énergie: the social media charter (version 1, and a
published version 2 with its summary of changes, in French and English), guardrail rules,
acknowledgements, a few moderation cases and the audit entries that go with them.

`load(org)` runs once on a freshly loaded demo organization. Every write goes through the
governance services (so the audit log is real), except the dates of version 1, which are
moved back in time so the demo has a history. The demo ambassador (ambassadrice@...)
accepted version 1 but not version 2: logging in as her shows the charter gate and what
changed.
"""

# The copy is written for people: typographic apostrophes and dashes are intended.

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import translation

from portevoix.accounts.models import AmbassadorProfile, Membership, Organization
from portevoix.accounts.roles import Role
from portevoix.content import services as content
from portevoix.content.models import ContentItem, State
from portevoix.core import clock
from portevoix.governance import services
from portevoix.governance.models import (
    CharterAcknowledgement,
    CharterVersion,
    ModerationCase,
)

from . import data

CHARTER_V1_FR = """\
## Pourquoi cette charte

Le programme **Tous Ambassadeurs** invite chaque collaborateur de Lumen Énergie à parler de
notre métier sur les réseaux sociaux. Cette charte dit simplement comment le faire bien,
pour vous comme pour l'entreprise.

## Le volontariat avant tout

- Participer est un choix : personne n'est obligé de partager quoi que ce soit, et vous
  pouvez quitter le programme à tout moment, sans avoir à vous justifier.
- Vous parlez en votre nom. Vos comptes restent les vôtres.

## Confidentialité

- Ne publiez jamais d'information interne : projets non annoncés, chiffres non publiés,
  données de clients ou de collègues.
- En cas de doute, ne publiez pas et demandez au community manager.

## Respect

- Restez courtois, y compris face à la critique. Ne répondez pas à chaud.
- Pas de propos dénigrants sur nos concurrents, nos clients ou nos partenaires.
"""

CHARTER_V1_EN = """\
## Why this charter

The **Tous Ambassadeurs** programme invites every Lumen Énergie employee to talk about our
work on social networks. This charter simply says how to do it well, for you and for the
company.

## Voluntary, always

- Taking part is a choice: nobody has to share anything, and you may leave the programme
  at any time without giving a reason.
- You speak in your own name. Your accounts remain yours.

## Confidentiality

- Never post internal information: unannounced projects, unpublished figures, data about
  customers or colleagues.
- When in doubt, do not post, and ask the community manager.

## Respect

- Stay courteous, including when you are criticised. Do not answer in the heat of the
  moment.
- No disparaging remarks about our competitors, customers or partners.
"""

CHARTER_V2_FR = (
    CHARTER_V1_FR
    + """
## Transparence : dites que vous êtes collaborateur

Quand vous partagez un contenu de Lumen Énergie, indiquez votre lien avec l'entreprise.
Portevoix ajoute **#collaborateur** (ou **#employee** en anglais) à la fin de vos textes
quand il y a la place ; ne le retirez pas.

## Le ton de la marque

Nous parlons d'énergie avec précision et optimisme. Évitez les formules commerciales comme
« pas cher » ou « low cost » : parlez plutôt de coût maîtrisé ou de retour sur
investissement.

## En cas de crise

- Si un événement grave touche l'entreprise, le secteur ou votre région, la cellule de
  veille peut suspendre toutes les publications programmées : c'est normal.
- Ne commentez pas une crise en cours : renvoyez vers les communiqués officiels et signalez
  au community manager ce que vous voyez passer.
- Un contenu vous semble inapproprié ? Utilisez « Signaler » : la modération le traitera.
"""
)

CHARTER_V2_EN = (
    CHARTER_V1_EN
    + """
## Transparency: say that you work here

When you share Lumen Énergie content, say how you are connected to the company. Portevoix
adds **#employee** (or **#collaborateur** in French) at the end of your texts when there is
room; do not remove it.

## The brand's voice

We talk about energy with precision and optimism. Avoid sales phrases such as "cheap" or
"low cost": talk about controlled costs or return on investment instead.

## In a crisis

- When a serious event hits the company, the industry or your region, the vigilance team
  may pause every scheduled post: this is expected.
- Do not comment on an ongoing crisis: point to the official statements and tell the
  community manager what you see.
- Something looks inappropriate? Use "Report": moderation will look at it.
"""
)

SUMMARY_V2 = (
    "Trois nouveautés : la mention #collaborateur / #employee, ajoutée automatiquement ; "
    "le ton de la marque (mots à éviter) ; la conduite à tenir en cas de crise et le "
    "bouton « Signaler ».\n"
    "Three additions: the #collaborateur / #employee disclosure, added automatically; the "
    "brand's voice (words to avoid); what to do in a crisis, and the Report button."
)

RULES: tuple[services.RuleData, ...] = (
    services.RuleData(
        kind="blocked_term",
        action="block",
        terms=["Projet Orion", "chiffre d'affaires prévisionnel", "LumenStock 2"],
        reason="Information confidentielle : projet non annoncé ou chiffre interne.",
    ),
    services.RuleData(
        kind="avoid_word",
        action="warn",
        terms=["low cost", "pas cher", "cheap"],
        reason="Pas le ton de la marque : parlez de coût maîtrisé.",
    ),
    services.RuleData(
        kind="competitor",
        action="warn",
        terms=["Solaris Power", "VoltaVerde", "Helion Stockage"],
        reason="Nom d'un concurrent : restez factuel et courtois.",
    ),
    services.RuleData(
        kind="link_domain",
        action="warn",
        allowed_domains=["lumen-energie.example.com"],
        reason="Partagez de préférence nos propres pages.",
    ),
    services.RuleData(
        kind="disclosure",
        action="warn",
        disclosures={
            "linkedin": "#collaborateur",
            "facebook": "#collaborateur",
            "*": "#employee",
        },
        reason="Dites que vous travaillez chez Lumen Énergie.",
    ),
)


def _by_role(org: Organization, role: str) -> Membership | None:
    return (
        Membership.objects.filter(organization=org, is_active=True, role_rows__role=role)
        .select_related("user", "organization")
        .order_by("pk")
        .first()
    )


def _ambassadors(org: Organization) -> list[Membership]:
    ids = AmbassadorProfile.objects.filter(
        membership__organization=org, membership__is_active=True, opted_in=True
    ).values_list("membership_id", flat=True)
    return list(
        Membership.objects.filter(pk__in=list(ids))
        .select_related("user", "organization")
        .order_by("pk")
    )


def load(org: Organization) -> None:
    """Create the governance demo data of `org` (once, on a fresh organization)."""
    if CharterVersion.objects.filter(organization=org).exists():
        return  # already loaded
    admin = _by_role(org, Role.ADMIN)
    community = _by_role(org, Role.COMMUNITY_MANAGER) or admin
    if admin is None or community is None:
        return
    now = clock.now()
    # Texts stored along the way (guardrail messages of the cases) in the demo's language.
    with transaction.atomic(), translation.override(org.default_language or "fr"):
        v1 = services.charter_draft_create(
            actor=admin, body_fr=CHARTER_V1_FR, body_en=CHARTER_V1_EN
        )
        v1 = services.charter_publish(actor=admin, version=v1, summary_of_changes="")
        # Version 1 is three months old.
        published_v1 = now - dt.timedelta(days=90)
        CharterVersion.objects.filter(pk=v1.pk).update(published_at=published_v1)

        ambassadors = _ambassadors(org)
        for membership in ambassadors:
            ack = services.charter_acknowledge(membership=membership)
            CharterAcknowledgement.objects.filter(pk=ack.pk).update(
                at=published_v1 + dt.timedelta(days=1 + membership.pk % 20)
            )

        v2 = services.charter_draft_create(
            actor=admin, body_fr=CHARTER_V2_FR, body_en=CHARTER_V2_EN
        )
        services.charter_publish(actor=admin, version=v2, summary_of_changes=SUMMARY_V2)
        # About two ambassadors in three accepted version 2; the demo ambassador did not.
        for index, membership in enumerate(ambassadors):
            if membership.user.email == data.AMBASSADOR or index % 3 == 2:
                continue
            services.charter_acknowledge(membership=membership)

        for rule in RULES:
            services.rule_create(actor=community, data=rule)

        _moderation(org, community, ambassadors)


def _moderation(org: Organization, community: Membership, ambassadors: list[Membership]) -> None:
    """Real texts through the real checks: two workflow comments that pass with warnings
    (one still open, one rejected), and a colleague's report on a live item."""
    items = list(ContentItem.objects.filter(organization=org).order_by("pk"))
    if not items:
        return
    editor = _by_role(org, Role.CONTENT_MANAGER) or community
    content.item_comment(
        membership=editor,
        item=items[0],
        comment="Et si on ajoutait une comparaison avec VoltaVerde dans la copie LinkedIn ?",
    )
    comment = content.item_comment(
        membership=editor,
        item=items[-1],
        comment="Pour la copie X : « la batterie low cost des PME » ?",
    )
    case = ModerationCase.objects.filter(
        organization=org, object_type="content.comment", object_id=str(comment.pk)
    ).first()
    if case is not None:
        services.moderation_decide(
            actor=community,
            case=case,
            decision="reject",
            reason="« Low cost » n'est pas notre ton : parlons de coût maîtrisé ou de retour "
            "sur investissement.",
        )
        # The demo sends no email.
        ModerationCase.objects.filter(pk=case.pk).update(notified_at=clock.now())
    live = [i for i in items if i.state in {State.LIVE, State.APPROVED}]
    reporters = [m for m in ambassadors if m.user.email != data.AMBASSADOR]
    if live and reporters:
        services.moderation_report(
            membership=reporters[-1],
            item_id=live[0].pk,
            reason="Le visuel montre l'écran d'un client avec son nom lisible.",
        )
