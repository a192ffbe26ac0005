"""Demo idea box for Lumen Énergie: a few ideas of each kind (content to share, customer
insights from the field, improvements to the program) with votes and comments; one
accepted into a content draft by the content manager, one declined with its reason.

Everything goes through the idea box's services: the authors and commenters are the
members the charter gate lets through (the demo keeps someone who has not accepted the
current charter, to show the gate), and the texts pass the demo's guardrails.
"""

from __future__ import annotations

from portevoix.accounts import services as accounts_services
from portevoix.accounts.models import Membership, MembershipRole, Organization
from portevoix.accounts.roles import Role
from portevoix.core.tenancy import scoped
from portevoix.ideas import services

from . import data, previews

# (kind, title, body, link)
IDEAS = (
    (
        "content",
        "Une vidéo de la pose des panneaux à Villeurbanne",
        "L'équipe chantier a filmé la pose en accéléré : trente secondes qui montrent bien "
        "notre savoir-faire. Parfait pour LinkedIn.",
        "https://lumen-energie.example.com/chantiers/villeurbanne",
    ),
    (
        "content",
        "Portrait de nos alternantes en R&D",
        "Trois alternantes travaillent sur le stockage : un portrait croisé pour la "
        "campagne de recrutement.",
        "",
    ),
    (
        "insight",
        "Les syndics demandent des chiffres d'économies concrets",
        "En rendez-vous, les syndics de copropriété veulent un exemple chiffré sur un "
        "immeuble comparable avant de parler de devis.",
        "",
    ),
    (
        "insight",
        "Les agriculteurs s'intéressent aux ombrières photovoltaïques",
        "Trois exploitations m'ont posé la question au salon de Lyon : l'ombrière qui "
        "protège les cultures et produit de l'électricité.",
        "",
    ),
    (
        "improvement",
        "Un rappel mensuel des contenus les plus partagés",
        "Un court message chaque mois avec les trois contenus qui ont le mieux marché, "
        "pour donner envie aux ambassadeurs moins actifs.",
        "",
    ),
    (
        "improvement",
        "Des textes plus courts pour X",
        "Les textes proposés pour X sont souvent trop longs : deux versions courtes suffiraient.",
        "",
    ),
)
COMMENTS = (
    (0, "Excellente idée, la vidéo est déjà prête côté chantier."),
    (0, "On pourrait ajouter un mot du chef de chantier."),
    (2, "Même retour chez les bailleurs sociaux de mon secteur."),
    (4, "Oui, et pourquoi pas avec le nombre de clics de chacun ?"),
)
ACCEPTED, DECLINED = 0, 5
DECLINE_REASON = (
    "Les textes pour X sont déjà raccourcis depuis la dernière mise à jour de l'éditeur : "
    "merci pour la remarque !"
)


def load(org: Organization) -> None:
    members = list(
        scoped(Membership, org).filter(is_active=True).select_related("user").order_by("pk")
    )
    by_email = {m.user.email: m for m in members}
    manager = by_email.get(data.CONTENT)
    writers = [m for m in members if m is not manager and not services.charter_blockers(m)]
    if manager is None or not writers:
        return
    _advocacy_board(members, by_email.get(data.ADMIN))
    ideas = []
    for index, (kind, title, body, link) in enumerate(IDEAS):
        author = writers[index % len(writers)]
        ideas.append(
            services.idea_post(
                membership=author,
                data=services.IdeaData(kind=kind, title=title, body=body, link=link),
            )
        )
    for index, idea in enumerate(ideas):
        voters = [m for m in members if m.pk != idea.author_id][: 2 + (len(ideas) - index)]
        for voter in voters:
            services.idea_vote(membership=voter, idea_id=idea.pk, vote=True)
    for index, text in COMMENTS:
        idea = ideas[index]
        commenter = next((m for m in writers if m.pk != idea.author_id), writers[0])
        services.idea_comment(membership=commenter, idea_id=idea.pk, body=text)
    accepted = services.idea_accept(membership=manager, idea_id=ideas[ACCEPTED].pk)
    if accepted.content_item is not None and accepted.content_item.link:
        previews.attach_own(accepted.content_item)  # as if its link had been read
    services.idea_decline(membership=manager, idea_id=ideas[DECLINED].pk, reason=DECLINE_REASON)


def _advocacy_board(members: list[Membership], admin: Membership | None) -> None:
    """A member of the advocacy board (triages ideas): the first employee without a role
    who is not one of the printed logins."""
    logins = {email for _role, email in data.LOGINS}
    with_roles = set(
        MembershipRole.objects.filter(membership__in=members)
        .exclude(role=Role.AMBASSADOR)
        .values_list("membership_id", flat=True)
    )
    chosen = next(
        (m for m in members if m.user.email not in logins and m.pk not in with_roles), None
    )
    if admin is not None and chosen is not None:
        accounts_services.membership_update(
            actor=admin, membership=chosen, roles=[Role.ADVOCACY_BOARD]
        )
