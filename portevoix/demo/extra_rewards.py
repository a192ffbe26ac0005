"""Demo rewards: a catalogue of six rewards (one per kind, one for the Ventes team only), a
monthly budget, and two redemptions: the demo ambassador's, approved, and a colleague's
first one, waiting for approval, each holding its points (through the services). Loaded
after recognition, so that they have points to spend; a request they cannot afford is
skipped.
"""

from __future__ import annotations

from portevoix.accounts.models import Membership, Organization, Team
from portevoix.core.errors import DomainError
from portevoix.core.tenancy import scoped
from portevoix.recognition import selectors as recognition_selectors
from portevoix.rewards import services

from . import data

CATALOGUE = (
    (
        "gift",
        "Gourde isotherme Lumen",
        "Une gourde en inox aux couleurs de Lumen Énergie.",
        20,
        40,
        "",
    ),
    (
        "donation",
        "Don de 20 € à une association",
        "Nous versons 20 € à l'association de votre choix parmi nos partenaires climat.",
        30,
        None,
        "",
    ),
    (
        "training",
        "Formation « Prendre la parole sur LinkedIn »",
        "Une demi-journée avec notre coach, en petit groupe.",
        60,
        12,
        "",
    ),
    (
        "event_invitation",
        "Invitation au Salon Énergies Renouvelables de Lyon",
        "Une entrée et le déjeuner sur notre stand.",
        80,
        10,
        data.SALES,
    ),
    (
        "speaker_slot",
        "Intervenir à notre prochain webinaire",
        "Dix minutes pour présenter votre métier aux candidats.",
        100,
        2,
        "",
    ),
    (
        "day_off",
        "Une demi-journée offerte",
        "À poser avec l'accord de votre responsable.",
        250,
        5,
        "",
    ),
)


def load(org: Organization) -> None:
    admin = scoped(Membership, org).select_related("organization").get(user__email=data.ADMIN)
    services.settings_update(
        actor=admin,
        data=services.SettingsData(
            monthly_budget=2000, first_needs_approval=True, of_value=False, disclosure="#salarié"
        ),
    )
    teams = dict(scoped(Team, org).values_list("name", "pk"))
    rewards = []
    for kind, title, description, cost, stock, team in CATALOGUE:
        rewards.append(
            services.reward_save(
                actor=admin,
                data=services.RewardData(
                    kind=kind,
                    title=title,
                    description=description,
                    cost=cost,
                    stock=stock,
                    team_ids=[teams[team]] if team in teams else [],
                ),
            )
        )
    ambassador = (
        scoped(Membership, org)
        .select_related("organization")
        .filter(user__email=data.AMBASSADOR)
        .first()
    )
    gift, donation = rewards[0], rewards[1]
    try:
        if ambassador is not None and _spendable(ambassador) >= gift.cost:
            first = services.redemption_request(membership=ambassador, reward_id=gift.pk)
            services.redemption_approve(actor=admin, pk=first.pk)
        # A colleague's first request, waiting for the administrator.
        colleagues = (
            scoped(Membership, org)
            .select_related("organization")
            .filter(is_active=True, ambassador__isnull=False)
            .exclude(user__email__in=(data.AMBASSADOR, data.ADMIN))
            .order_by("pk")
        )
        for colleague in colleagues[:20]:
            if _spendable(colleague) >= donation.cost:
                services.redemption_request(membership=colleague, reward_id=donation.pk)
                break
    except DomainError:
        pass  # not enough points in this demo: the catalogue is there all the same


def _spendable(membership: Membership) -> int:
    return recognition_selectors.balance(membership=membership)[1]
