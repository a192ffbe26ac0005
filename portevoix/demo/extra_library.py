"""Demo templates for recurring content: a job offer and an event, which the content
manager starts new drafts from (the library's "Templates" tab, "New from template").

`load(org)` writes through content's services (`item_create`, then `item_set_template`)."""

from __future__ import annotations

from portevoix.accounts.models import Membership, Organization
from portevoix.content.services import CopyData, ItemData, item_create
from portevoix.content.services.library import item_set_template
from portevoix.core.tenancy import scoped
from portevoix.demo import previews

from . import data

TEMPLATES = (
    ItemData(
        title="[Modèle] Offre d'emploi : intitulé du poste, ville",
        language="fr",
        content_type="job_offer",
        body=(
            "**Le poste** : deux phrases sur la mission.\n\n"
            "**Le profil** : trois compétences clés.\n\n"
            "**Où** : ville, télétravail possible ou non."
        ),
        link="https://lumen-energie.example/carrieres",
        copies=[
            CopyData(
                "linkedin",
                "Nous recrutons : [poste] à [ville]. Détails et candidature : "
                "https://lumen-energie.example/carrieres",
            ),
            CopyData("x", "On recrute ! [poste] à [ville] https://lumen-energie.example/carrieres"),
        ],
    ),
    ItemData(
        title="[Template] Event: name, date, place",
        language="en",
        content_type="event",
        body="**When**: date and time.\n\n**Where**: venue, city.\n\n**Why come**: one sentence.",
        link="https://lumen-energie.example/events",
        copies=[
            CopyData(
                "linkedin",
                "Join us at [event], [date] in [city]: https://lumen-energie.example/events",
            ),
        ],
    ),
)


def load(org: Organization) -> None:
    manager = scoped(Membership, org).filter(user__email=data.CONTENT).first()
    if manager is None:
        return
    for template in TEMPLATES:
        item = previews.attach_own(item_create(membership=manager, data=template))
        item_set_template(membership=manager, item=item, is_template=True)
