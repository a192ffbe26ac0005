"""Demo surveys: one closed anonymous barometer with its answers (eNPS, a scale, a free
text: results and eNPS to look at) and one open survey waiting for answers.

`load(org)` writes through the surveys services, as the demo ambassadors would answer, and
is idempotent (an organization that has surveys is left untouched). The closed survey is
created open, answered, closed by the administrator, and only then is its deadline moved
into the past (a direct write: services refuse a past deadline).
"""

from __future__ import annotations

import datetime as dt

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.models import Membership, MembershipRole, Organization
from portevoix.accounts.roles import Role
from portevoix.core import clock
from portevoix.core.tenancy import scoped
from portevoix.surveys import services
from portevoix.surveys.models import Kind, Survey

Q = services.QuestionData

# (eNPS 0-10, usefulness 1-5, free text), one a demo ambassador.
ANSWERS = (
    (10, 5, "Les visuels prêts à partager me font gagner beaucoup de temps."),
    (9, 4, "J'aimerais plus de contenus sur nos métiers techniques."),
    (9, 5, ""),
    (8, 4, "Des textes plus courts pour LinkedIn, s'il vous plaît."),
    (7, 3, "Je ne sais pas toujours quoi ajouter en commentaire personnel."),
    (10, 5, "Le classement motive l'équipe, merci !"),
    (6, 3, "Trop de notifications certaines semaines."),
    (4, 2, "Je manque de temps pour partager pendant la journée."),
    (9, 4, ""),
    (8, 4, "Une formation sur Bluesky serait utile."),
)


def _admin(org: Organization) -> Membership | None:
    row = (
        MembershipRole.objects.filter(membership__organization=org, role=Role.ADMIN)
        .order_by("membership_id")
        .first()
    )
    return row.membership if row else None


def load(org: Organization) -> None:
    admin = _admin(org)
    if admin is None or scoped(Survey, org).exists():
        return
    now = clock.now()
    barometer = services.survey_create(
        actor=admin,
        data=services.SurveyData(
            title="Baromètre du programme ambassadeurs",
            intro="Cinq minutes pour nous dire comment vit le programme. Merci !",
            anonymous=True,
            deadline=now + dt.timedelta(days=7),
            questions=[
                services.QuestionData(
                    kind=Kind.ENPS,
                    text="Quelle est la probabilité que vous recommandiez notre programme "
                    "ambassadeurs à un collègue ou un ami ?",
                ),
                Q(kind=Kind.SCALE5, text="Les contenus proposés vous sont-ils utiles ?"),
                Q(kind=Kind.TEXT, text="Que devrions-nous améliorer ?", required=False),
            ],
        ),
    )
    services.survey_launch(actor=admin, survey_id=barometer.pk)
    people = scoped(Membership, org).filter(
        pk__in=account_selectors.ambassador_ids(organization_id=org.pk)
    )
    questions = list(barometer.questions.all())
    for person, (score, scale, text) in zip(people.order_by("pk"), ANSWERS, strict=False):
        services.survey_answer(
            membership=person,
            survey_id=barometer.pk,
            answers={
                questions[0].pk: str(score),
                questions[1].pk: str(scale),
                questions[2].pk: text,
            },
        )
    services.survey_close(actor=admin, survey_id=barometer.pk)
    Survey.objects.filter(pk=barometer.pk).update(
        deadline=now - dt.timedelta(days=3), launched_at=now - dt.timedelta(days=17)
    )
    opened = services.survey_create(
        actor=admin,
        data=services.SurveyData(
            title="Vos formats préférés",
            intro="Aidez-nous à choisir les prochains contenus.",
            anonymous=False,
            deadline=now + dt.timedelta(days=10),
            questions=[
                Q(
                    kind=Kind.MULTIPLE,
                    text="Quels formats partagez-vous volontiers ?",
                    choices=["Vidéo courte", "Article de blog", "Offre d'emploi", "Infographie"],
                ),
                Q(
                    kind=Kind.SINGLE,
                    text="Quel réseau utilisez-vous le plus ?",
                    choices=["LinkedIn", "Bluesky", "Mastodon", "X"],
                ),
                Q(kind=Kind.SCALE10, text="À quel point vous sentez-vous à l'aise pour partager ?"),
            ],
        ),
    )
    services.survey_launch(actor=admin, survey_id=opened.pk)
