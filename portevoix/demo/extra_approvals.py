"""Demo approvals: the approver's queue shows what it is for. One item that was approved, then
edited (so its review shows what changed since the approved version: title, body, a copy,
the publication date), and one item in review whose due date has passed (highlighted).

`load(org)` writes through the content services; only the overdue date is set directly (a
submission "three days ago" cannot be made through the service today).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from portevoix.accounts.models import Membership, Organization
from portevoix.content import services
from portevoix.content.models import ContentItem, State
from portevoix.core import clock
from portevoix.core.tenancy import scoped
from portevoix.demo import previews

AUTHOR = "contenu@demo.portevoix.org"
APPROVER = "approbation@demo.portevoix.org"
SITE = "https://lumen-energie.example.com"
OVERDUE = "Alternance : chargé·e de communication digitale (H/F)"


def load(org: Organization) -> None:
    author = scoped(Membership, org).filter(user__email=AUTHOR).first()
    approver = scoped(Membership, org).filter(user__email=APPROVER).first()
    if author is None or approver is None:
        return
    now = clock.now()
    link = f"{SITE}/actualites/portes-ouvertes-usine"
    data = services.ItemData(
        title="Portes ouvertes de notre usine de Villeurbanne",
        language="fr",
        body="Le samedi, venez découvrir comment nous assemblons nos batteries.",
        link=link,
        content_type="event",
        publish_at=now + dt.timedelta(days=6),
        copies=[
            services.CopyData(
                "linkedin",
                "Portes ouvertes samedi à Villeurbanne : venez voir comment nous assemblons "
                f"nos batteries.\n\n{link}\n\n#PortesOuvertes #Industrie",
            ),
            services.CopyData("x", f"Portes ouvertes samedi dans notre usine 🔋 {link}"),
        ],
    )
    item = services.item_create(membership=author, data=data)
    services.item_submit(membership=author, item=item)
    item = services.item_approve(membership=approver, item=item)  # scheduled: not live yet
    edited = dataclasses.replace(
        data,
        title="Portes ouvertes de notre usine de Villeurbanne : inscriptions ouvertes",
        body=(
            "Le samedi 14, venez découvrir comment nous assemblons nos batteries. "
            "Visite guidée sur inscription, places limitées."
        ),
        publish_at=now + dt.timedelta(days=4),
        copies=[
            services.CopyData(
                "linkedin",
                "Portes ouvertes samedi 14 à Villeurbanne : visite guidée de l'atelier "
                f"batteries, sur inscription.\n\n{link}\n\n#PortesOuvertes #Industrie",
            ),
            services.CopyData("x", f"Portes ouvertes samedi 14 dans notre usine 🔋 {link}"),
        ],
    )
    services.item_update(membership=author, item=item, data=edited)  # back to review
    previews.attach_own(scoped(ContentItem, org).get(pk=item.pk))  # as if its link was read
    overdue = scoped(ContentItem, org).filter(title=OVERDUE, state=State.IN_REVIEW)
    overdue.update(review_due_at=now - dt.timedelta(hours=20))
