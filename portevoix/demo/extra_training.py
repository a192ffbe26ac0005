"""Demo training: the starter course in French and English, and three coaching sessions.

`load(org)` writes through the training services (the demo obeys the same rules as real
data) and is idempotent: an organization that already has courses is left untouched. The
people it uses are found by their demo email addresses; any other organization (tests,
a fresh install) gets the same course and events with whichever members it has.

The course is required before personalizing texts only, so that the demo ambassadors can
share at once. No email is sent: registrations are made quietly and marked as reminded.
Direct model writes are used only to move the past session into the past and to mark
the demo registrations as reminded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from portevoix.accounts.models import Membership, MembershipRole, Organization
from portevoix.accounts.roles import Role
from portevoix.core import clock
from portevoix.core.tenancy import scoped
from portevoix.training import services
from portevoix.training.models import Course, Event, EventKind, Lesson, Registration

DOMAIN = "demo.portevoix.org"


def _email(local: str) -> str:
    return f"{local}@{DOMAIN}"


ADMIN = _email("admin")
COACH = _email("community")
AMBASSADOR = _email("ambassadrice")
# Passed the course (certificate), in their language.
PASSED = (
    _email("ambassadrice"),
    _email("contenu"),
    _email("community"),
    _email("lukas.schneider"),
    _email("priya.nair"),
    _email("maxime.chevalier"),
)
# Started: lessons read, and for some a first attempt below the pass mark.
IN_PROGRESS = (
    (_email("membre"), 2, False),
    (_email("lucas.robin"), 4, True),
    (_email("claire.rousseau"), 1, False),
)


@dataclass(frozen=True)
class DemoLesson:
    title: str
    body: str


@dataclass(frozen=True)
class DemoQuestion:
    kind: str
    prompt: str
    choices: tuple[tuple[str, bool], ...]
    explanation: str
    lesson: int  # index of the lesson it checks


@dataclass(frozen=True)
class DemoCourse:
    language: str
    title: str
    summary: str
    lessons: tuple[DemoLesson, ...]
    questions: tuple[DemoQuestion, ...]


FR = DemoCourse(
    language="fr",
    title="Bien partager : le parcours de l'ambassadeur",
    summary=(
        "Vingt minutes pour partager sereinement : la charte et le volontariat, ce qu'on "
        "partage et ce qu'on garde pour soi, vos réglages de confidentialité sur LinkedIn et X, "
        "et ce que mesurent vraiment les liens suivis."
    ),
    lessons=(
        DemoLesson(
            "La charte et le volontariat",
            """\
Le programme Tous Ambassadeurs repose sur **le volontariat**. Personne n'est obligé de
partager quoi que ce soit, et personne n'est évalué sur le nombre de ses partages.

- Vous vous inscrivez vous-même, depuis *Mon profil d'ambassadeur*, et vous pouvez vous
  **retirer à tout moment**, sans justification. L'inscription et le retrait sont datés et
  conservés, c'est tout.
- Vous choisissez vos réseaux, vos sujets et vos langues.
- Vos comptes restent **les vôtres** : Portevoix ne publie jamais à votre place sans que vous
  l'ayez demandé, et ne lit pas vos messages.

### La charte des réseaux sociaux

La charte est le texte commun, validé par la direction, que chaque ambassadeur lit et
accepte. Elle tient en quelques principes :

1. **Parler en son nom.** Vous partagez votre regard de professionnel ; vous ne parlez pas au
   nom de l'entreprise, sauf mandat explicite.
2. **Être transparent.** Quand vous parlez de l'entreprise, dites que vous y travaillez
   (par exemple : « Je travaille chez Lumen Énergie »).
3. **Être respectueux** envers les clients, les concurrents, les collègues et les
   personnes qui ne sont pas d'accord.
4. **Protéger ce qui est confidentiel** (voir la leçon suivante).
5. **Demander en cas de doute** à l'équipe réseaux sociaux : mieux vaut une question qu'un
   partage regretté.

Quand la charte change, une nouvelle version vous est présentée : vous la relisez avant de
partager à nouveau.
""",
        ),
        DemoLesson(
            "Ce qu'on partage, ce qu'on ne partage pas",
            """\
### À partager sans hésiter

- Les contenus de la bibliothèque : ils ont été relus et approuvés.
- Les offres d'emploi publiées, les événements publics, les articles du site.
- Votre expertise : un retour d'expérience, une veille commentée, une question ouverte.
- Vos mots à vous : personnaliser un texte suggéré le rend plus authentique.

### À garder pour soi

- **Tout ce qui n'est pas public** : chiffres non publiés, projets, prix, résultats avant
  leur annonce officielle, documents internes, photos de locaux sensibles ou d'écrans.
- **Les informations sur les clients et partenaires** sans leur accord écrit.
- **Les données personnelles** de collègues ou de clients (noms, photos, coordonnées).
- **Les jugements sur les concurrents** : on peut parler de ce que *nous* faisons, pas
  dénigrer ce que font les autres. Citer un concurrent, c'est l'affaire de l'équipe
  communication.
- **Les sujets de polémique** au nom de l'entreprise (politique, religion, etc.).

### En cas de crise

Quand l'entreprise traverse une crise (incident, « bad buzz », accident), **on ne réagit pas
à chaud** : pas de commentaire, pas de défense improvisée. L'équipe peut suspendre tous les
partages programmés depuis Portevoix ; seuls les messages officiels sont alors à relayer. Si
vous voyez passer quelque chose d'inquiétant, signalez-le à l'équipe réseaux sociaux.
""",
        ),
        DemoLesson(
            "Vos réglages de confidentialité sur LinkedIn et X",
            """\
Quelques minutes de réglages suffisent pour partager en gardant la main sur ce que vous
montrez. Les intitulés des menus changent souvent : cherchez les mots-clés indiqués plutôt
qu'un chemin exact.

### LinkedIn

Les réglages sont sous votre photo, menu **Vous**, puis **Préférences et confidentialité**.

- **Visibilité** : choisissez ce que voient les personnes non connectées et les moteurs de
  recherche (*profil public*), qui peut voir vos relations et votre adresse e-mail, et
  comment vous apparaissez quand vous consultez le profil de quelqu'un.
- **Confidentialité des données** : vous y trouverez notamment les options sur l'usage de
  vos données (par exemple pour entraîner des outils d'IA) ; décidez en connaissance de
  cause.
- **Connexion et sécurité** : activez la **vérification en deux étapes**.
- Pour chaque publication, vous choisissez qui la voit (tout le monde, ou vos relations
  uniquement) au moment de publier.

### X (ex-Twitter)

Les réglages sont dans **Plus**, puis **Paramètres et confidentialité**.

- **Confidentialité et sécurité** : vous pouvez **protéger vos posts** (seuls vos abonnés
  approuvés les voient — mais vos partages du programme seront alors peu visibles), régler
  qui peut vous identifier sur les photos, qui peut vous envoyer des messages, et si l'on
  peut vous trouver par votre e-mail ou votre numéro.
- Ne joignez pas votre **position** à vos posts.
- **Sécurité et accès au compte** : activez l'**authentification à deux facteurs**.
- Regardez aussi les options sur le partage de vos données et leur usage pour l'IA.

### Compte personnel ou compte lié à l'entreprise ?

Les deux sont possibles. Un compte personnel mêle vie pro et perso : soignez d'autant plus
vos réglages. Un compte « pro » (par exemple `@Prénom_Lumen`) simplifie la séparation.

Une vidéo de démonstration est disponible : [voir la vidéo](https://video.example.com/lumen/reglages-confidentialite).
""",
        ),
        DemoLesson(
            "Les liens suivis : ce qui est mesuré, et ce qui ne l'est pas",
            """\
Quand vous partagez depuis Portevoix, le lien du contenu est remplacé par un **lien court**
(`/l/…`) propre à vous, au contenu et au réseau. Il mène au même endroit ; il permet de
savoir ce que vos partages apportent.

### Comment un clic est compté

- Un visiteur qui clique plusieurs fois le même jour sur le même lien compte **une seule
  fois** par jour.
- **Aucune adresse IP n'est enregistrée.** Le temps de la requête, elle sert à calculer
  une empreinte (un *hachage salé*) ; le sel change **chaque jour**, si bien qu'on ne peut
  ni remonter au visiteur, ni le suivre d'un jour à l'autre.
- On garde le réseau, le jour et, si l'installation en dispose, le pays.
- Le lien de destination peut porter des paramètres de campagne (UTM) : le réseau, la
  campagne, et pour vous un identifiant **pseudonyme** qui ne révèle pas votre nom.
- Si le site de destination signale une inscription ou une candidature qui suit un clic, elle
  est attribuée au partage (c'est ce qui permet de mesurer les « leads »).

### Ce qui est mesuré à votre sujet

Les partages que vous faites depuis Portevoix (quel contenu, quel réseau, quand, si vous avez
personnalisé le texte), les clics et les conversions de vos liens, et l'audience que vous
avez déclarée dans votre profil.

### Qui voit quoi

- **Vous** voyez vos propres partages et leurs résultats.
- **L'équipe du programme** (administration, community management, analyse) voit les
  résultats par contenu, campagne, équipe et ambassadeur, pour piloter le programme et
  reconnaître les contributions — jamais pour sanctionner.
- **Personne** ne voit qui a cliqué, vos messages privés, vos mots de passe, ni ce que vous
  publiez en dehors de Portevoix.

Vous pouvez demander l'export ou l'effacement de vos données à tout moment.
""",
        ),
    ),
    questions=(
        DemoQuestion(
            "single",
            "Devenir ambassadeur, c'est :",
            (
                ("Obligatoire pour les équipes marketing et ventes", False),
                ("Volontaire, et l'on peut se retirer à tout moment", True),
                ("Volontaire, mais définitif une fois inscrit", False),
            ),
            "Le programme repose sur le volontariat : on s'inscrit soi-même et l'on se retire "
            "quand on veut, sans justification.",
            0,
        ),
        DemoQuestion(
            "multiple",
            "Lesquels de ces contenus ne doit-on PAS partager ? (plusieurs réponses)",
            (
                ("Le chiffre d'affaires du trimestre, avant sa publication officielle", True),
                ("Une offre d'emploi publiée sur le site carrières", False),
                ("Le nom d'un client et son projet, sans son accord", True),
                ("Un article de la bibliothèque approuvé par l'équipe", False),
            ),
            "Tout ce qui n'est pas public (chiffres, projets) et toute information sur un client "
            "sans son accord reste interne. Les offres publiées et les contenus approuvés sont "
            "faits pour être partagés.",
            1,
        ),
        DemoQuestion(
            "single",
            "L'entreprise fait face à un « bad buzz ». Que faites-vous ?",
            (
                ("Je défends l'entreprise en répondant aux commentaires", False),
                (
                    "Je ne réagis pas à chaud, je ne relaie que les messages officiels et je "
                    "signale ce que je vois à l'équipe",
                    True,
                ),
                ("Je continue à partager comme d'habitude", False),
            ),
            "En crise, une réaction improvisée peut aggraver la situation. L'équipe peut "
            "suspendre les partages programmés ; relayez seulement les messages officiels.",
            1,
        ),
        DemoQuestion(
            "single",
            "Sur X, comment réserver vos posts à vos abonnés approuvés ?",
            (
                ("En protégeant vos posts dans les réglages de confidentialité", True),
                ("En supprimant votre photo de profil", False),
                ("C'est impossible sur X", False),
            ),
            "Dans Paramètres et confidentialité, puis Confidentialité et sécurité, l'option "
            "« protéger vos posts » réserve vos posts aux abonnés que vous approuvez.",
            2,
        ),
        DemoQuestion(
            "multiple",
            "Que mesure un lien suivi Portevoix ? (plusieurs réponses)",
            (
                ("Le nombre de clics sur votre lien", True),
                ("Le réseau sur lequel vous l'avez partagé", True),
                ("L'adresse IP de chaque visiteur", False),
                ("Vos messages privés sur le réseau", False),
            ),
            "Le lien compte les clics par réseau et par jour. Aucune adresse IP n'est "
            "enregistrée, et Portevoix n'a aucun accès à vos messages.",
            3,
        ),
        DemoQuestion(
            "single",
            "Une même personne clique cinq fois dans la journée sur votre lien. Combien de "
            "clics sont comptés ?",
            (("Un", True), ("Cinq", False), ("Aucun", False)),
            "Un visiteur compte une fois par lien et par jour, grâce à une empreinte dont le sel "
            "change chaque jour : on ne peut pas le suivre d'un jour à l'autre.",
            3,
        ),
    ),
)

EN = DemoCourse(
    language="en",
    title="Sharing well: the ambassador's course",
    summary=(
        "Twenty minutes to share with confidence: the charter and the voluntary principle, "
        "what to share and what to keep to yourself, your privacy settings on LinkedIn and X, "
        "and what tracked links really measure."
    ),
    lessons=(
        DemoLesson(
            "The charter and the voluntary principle",
            """\
The ambassador programme is **voluntary**. Nobody has to share anything, and nobody is
assessed on how much they share.

- You sign up yourself, from *My ambassador profile*, and you may **withdraw at any time**,
  with no reason given. Signing up and withdrawing are dated and kept, nothing more.
- You choose your networks, your topics and your languages.
- Your accounts stay **yours**: Portevoix never posts on your behalf unless you ask it to,
  and never reads your messages.

### The social media charter

The charter is the shared text, approved by management, that every ambassador reads and
accepts. It comes down to a few principles:

1. **Speak for yourself.** You share your view as a professional; you do not speak on
   behalf of the company unless you are explicitly asked to.
2. **Be transparent.** When you talk about the company, say that you work there
   (for example: "I work at Lumen Énergie").
3. **Be respectful** of customers, competitors, colleagues and people who disagree.
4. **Protect what is confidential** (see the next lesson).
5. **Ask when in doubt**: a question to the social media team beats a share you regret.

When the charter changes, the new version is shown to you: you read it again before your
next share.
""",
        ),
        DemoLesson(
            "What to share and what not to",
            """\
### Share freely

- Content from the library: it has been reviewed and approved.
- Published job offers, public events, articles from the website.
- Your expertise: lessons learnt, industry news with your comment, an open question.
- Your own words: personalizing a suggested text makes it more genuine.

### Keep to yourself

- **Anything not public**: unpublished figures, projects, prices, results before their
  official announcement, internal documents, photos of sensitive premises or screens.
- **Information about customers and partners** without their written consent.
- **Personal data** of colleagues or customers (names, photos, contact details).
- **Judgements about competitors**: talk about what *we* do, do not run down what others
  do. Mentioning a competitor is the communication team's job.
- **Controversial topics** on behalf of the company (politics, religion, and so on).

### In a crisis

When the company goes through a crisis (an incident, a backlash, an accident), **do not
react in the heat of the moment**: no comment, no improvised defence. The team can pause
every share scheduled from Portevoix; only the official messages are to be relayed then. If
you see something worrying, tell the social media team.
""",
        ),
        DemoLesson(
            "Your privacy settings on LinkedIn and X",
            """\
A few minutes of settings let you share while keeping control of what you show. Menu names
change often: look for the key words below rather than an exact path.

### LinkedIn

Settings are under your photo, in the **Me** menu, then **Settings & Privacy**.

- **Visibility**: choose what people who are not signed in and search engines see (your
  *public profile*), who can see your connections and your email address, and how you
  appear when you view someone's profile.
- **Data privacy**: among other things, the options about how your data is used (for
  example to train AI tools); decide knowingly.
- **Sign in & security**: turn on **two-step verification**.
- For each post, you choose who sees it (anyone, or your connections only) when you post.

### X (formerly Twitter)

Settings are under **More**, then **Settings and privacy**.

- **Privacy and safety**: you can **protect your posts** (only approved followers see them —
  but your programme shares will then reach few people), choose who can tag you in photos,
  who can message you, and whether people can find you by your email or phone number.
- Do not add your **location** to your posts.
- **Security and account access**: turn on **two-factor authentication**.
- Also look at the options about sharing your data and its use for AI.

### Personal account or company-affiliated account?

Both work. A personal account mixes work and private life: take extra care with your
settings. A "work" account (for example `@FirstName_Lumen`) keeps things apart.

A demonstration video is available: [watch the video](https://video.example.com/lumen/privacy-settings).
""",
        ),
        DemoLesson(
            "Tracked links: what is measured, and what is not",
            """\
When you share from Portevoix, the content's link is replaced by a **short link** (`/l/…`)
of your own, for that content and that network. It leads to the same place; it shows what
your shares bring.

### How a click is counted

- A visitor who clicks the same link several times on the same day counts **once** a day.
- **No IP address is stored.** For the time of the request it is used to compute a
  fingerprint (a *salted hash*); the salt changes **every day**, so a visitor can neither be
  traced back nor followed from one day to the next.
- What is kept: the network, the day and, when the installation has it, the country.
- The destination link may carry campaign parameters (UTM): the network, the campaign and,
  for you, a **pseudonymous** id that does not reveal your name.
- When the destination site reports a sign-up or an application following a click, it is
  credited to the share (that is how "leads" are measured).

### What is measured about you

The shares you make from Portevoix (which content, which network, when, whether you
personalized the text), the clicks and conversions of your links, and the audience you
declared in your profile.

### Who sees what

- **You** see your own shares and their results.
- **The programme team** (administrators, community management, analysts) sees results per
  content, campaign, team and ambassador, to run the programme and recognise contributions —
  never to penalise anyone.
- **Nobody** sees who clicked, your private messages, your passwords, or what you post
  outside Portevoix.

You may ask for an export or the erasure of your data at any time.
""",
        ),
    ),
    questions=(
        DemoQuestion(
            "single",
            "Becoming an ambassador is:",
            (
                ("Compulsory for the marketing and sales teams", False),
                ("Voluntary, and you may withdraw at any time", True),
                ("Voluntary, but final once you have signed up", False),
            ),
            "The programme is voluntary: you sign up yourself and withdraw whenever you wish, "
            "with no reason given.",
            0,
        ),
        DemoQuestion(
            "multiple",
            "Which of these should you NOT share? (several answers)",
            (
                ("The quarter's revenue, before its official publication", True),
                ("A job offer published on the careers site", False),
                ("A customer's name and project, without their consent", True),
                ("A library article approved by the team", False),
            ),
            "Anything not public (figures, projects) and any information about a customer "
            "without their consent stays internal. Published offers and approved content are "
            "made to be shared.",
            1,
        ),
        DemoQuestion(
            "single",
            "The company is facing a backlash online. What do you do?",
            (
                ("I defend the company by answering the comments", False),
                (
                    "I do not react in the heat of the moment, I relay only the official "
                    "messages and I report what I see to the team",
                    True,
                ),
                ("I keep sharing as usual", False),
            ),
            "In a crisis, an improvised reaction can make things worse. The team can pause "
            "scheduled shares; relay only the official messages.",
            1,
        ),
        DemoQuestion(
            "single",
            "On X, how do you keep your posts to the followers you approve?",
            (
                ("By protecting your posts in the privacy settings", True),
                ("By removing your profile picture", False),
                ("It cannot be done on X", False),
            ),
            'Under Settings and privacy, then Privacy and safety, "protect your posts" keeps '
            "your posts to the followers you approve.",
            2,
        ),
        DemoQuestion(
            "multiple",
            "What does a Portevoix tracked link measure? (several answers)",
            (
                ("How many clicks your link gets", True),
                ("The network you shared it on", True),
                ("Each visitor's IP address", False),
                ("Your private messages on the network", False),
            ),
            "The link counts clicks per network and per day. No IP address is stored, and "
            "Portevoix has no access to your messages.",
            3,
        ),
        DemoQuestion(
            "single",
            "The same person clicks your link five times in one day. How many clicks are counted?",
            (("One", True), ("Five", False), ("None", False)),
            "A visitor counts once per link and per day, thanks to a fingerprint whose salt "
            "changes every day: they cannot be followed from one day to the next.",
            3,
        ),
    ),
)


def _members(org: Organization) -> dict[str, Membership]:
    qs = scoped(Membership, org).filter(is_active=True, user__email__endswith=f"@{DOMAIN}")
    return {m.user.email: m for m in qs.select_related("user")}


def _manager(org: Organization, people: dict[str, Membership]) -> Membership | None:
    if ADMIN in people:
        return people[ADMIN]
    row = (
        MembershipRole.objects.filter(
            membership__organization=org, membership__is_active=True, role=Role.ADMIN
        )
        .select_related("membership")
        .order_by("membership_id")
        .first()
    )
    return row.membership if row else None


def _course(actor: Membership, demo: DemoCourse, translation_of: Course | None) -> Course:
    course = services.course_create(
        actor=actor,
        data=services.CourseData(
            title=demo.title,
            language=demo.language,
            summary=demo.summary,
            required_for="personalize",
            passing_score=80,
            translation_of_id=translation_of.pk if translation_of else None,
        ),
    )
    lessons = [
        services.lesson_create(
            actor=actor, course=course, data=services.LessonData(title=item.title, body=item.body)
        )
        for item in demo.lessons
    ]
    for question in demo.questions:
        services.question_create(
            actor=actor,
            course=course,
            data=services.QuestionData(
                prompt=question.prompt,
                kind=question.kind,
                explanation=question.explanation,
                lesson_id=lessons[question.lesson].pk,
                choices=[services.ChoiceData(text, correct) for text, correct in question.choices],
            ),
        )
    return services.course_publish(actor=actor, course=course)


def _answers(course: Course, *, wrong: int = 0) -> list[services.AnswerData]:
    """Right answers to every question, except the first `wrong` ones."""
    answers = []
    for index, question in enumerate(course.questions.prefetch_related("choices")):
        choices = list(question.choices.all())
        if index < wrong:
            picked = [next(c.pk for c in choices if not c.correct)]
        else:
            picked = [c.pk for c in choices if c.correct]
        answers.append(services.AnswerData(question_id=question.pk, choice_ids=picked))
    return answers


def _take(membership: Membership, course: Course, *, lessons: int, wrong: int | None) -> None:
    for lesson in Lesson.objects.filter(course=course).order_by("position", "id")[:lessons]:
        services.lesson_complete(membership=membership, lesson=lesson)
    if wrong is not None:
        services.quiz_submit(
            membership=membership, course=course, answers=_answers(course, wrong=wrong)
        )


def _progress(people: dict[str, Membership], fr: Course, en: Course) -> None:
    def course_for(membership: Membership) -> Course:
        return en if membership.user.language == "en" else fr

    for email in PASSED:
        if email in people:
            course = course_for(people[email])
            _take(people[email], course, lessons=len(FR.lessons), wrong=0)
    for email, lessons, failed_once in IN_PROGRESS:
        if email in people:
            course = course_for(people[email])
            _take(people[email], course, lessons=lessons, wrong=3 if failed_once else None)


def _register(event: Event, members: list[Membership]) -> None:
    for membership in members:
        services.registration_create(membership=membership, event=event, notify=False)
    # Demo addresses receive nothing: mark the reminders as done.
    Registration.objects.filter(event=event).update(reminded_at=clock.now())


def _events(actor: Membership, coach: Membership, others: list[Membership]) -> None:
    # Hours are local hours (the installation's time zone).
    today = timezone.localtime(clock.now()).date()
    zone = timezone.get_current_timezone()

    def at(days: int, hour: int) -> dt.datetime:
        day = today + dt.timedelta(days=days)
        return dt.datetime.combine(day, dt.time(hour), tzinfo=zone)

    coaching = services.event_create(
        actor=actor,
        data=services.EventData(
            title="Coaching entre pairs : un profil LinkedIn qui donne envie de vous lire",
            kind=EventKind.COACHING,
            starts_at=at(6, 12),
            ends_at=at(6, 13),
            video_url="https://visio.example.com/lumen/coaching-linkedin",
            capacity=8,
            coach_id=coach.pk,
            description=(
                "Une heure en petit groupe avec Léa, notre community manager : la photo, le "
                "titre, la section « Infos », et comment partager un contenu de la "
                "bibliothèque en y ajoutant votre regard. Apportez vos questions !"
            ),
        ),
    )
    _register(coaching, others[:3])

    workshop = services.event_create(
        actor=actor,
        data=services.EventData(
            title="Social media week : atelier « Bien partager »",
            kind=EventKind.SOCIAL_MEDIA_WEEK,
            starts_at=at(13, 9),
            ends_at=at(13, 11),
            place="Siège de Lyon, salle Ampère (2e étage)",
            capacity=12,
            coach_id=coach.pk,
            description=(
                "Pendant la semaine des réseaux sociaux : deux heures d'atelier pratique "
                "pour les nouveaux ambassadeurs. Réglages de confidentialité, premier partage "
                "depuis Portevoix, lecture de vos statistiques. Café offert."
            ),
        ),
    )
    _register(workshop, others[:14])  # 12 places: the last ones wait

    past = services.event_create(
        actor=actor,
        data=services.EventData(
            title="Coaching entre pairs : premiers pas sur Mastodon et Bluesky",
            kind=EventKind.COACHING,
            starts_at=at(1, 17),
            ends_at=at(1, 18),
            video_url="https://visio.example.com/lumen/coaching-reseaux-ouverts",
            capacity=10,
            coach_id=coach.pk,
            description=(
                "Choisir une instance, créer son compte, trouver qui suivre, et partager "
                "depuis Portevoix sur les réseaux ouverts."
            ),
        ),
    )
    attendees = others[3:8]
    _register(past, attendees)
    # It took place ten days ago (no service moves an event into the past).
    Event.objects.filter(pk=past.pk).update(
        starts_at=at(-10, 17), ends_at=at(-10, 18), sequence=past.sequence + 1
    )
    past.refresh_from_db()
    present = list(
        Registration.objects.filter(event=past).order_by("id").values_list("pk", flat=True)
    )
    services.attendance_mark(actor=coach, event=past, attended_ids=present[:-1])


def load(org: Organization) -> None:
    """Add the starter course (French and English) and three sessions to `org`, once."""
    if scoped(Course, org).exists():
        return
    people = _members(org)
    actor = _manager(org, people)
    if actor is None:
        return
    with transaction.atomic():
        fr = _course(actor, FR, None)
        en = _course(actor, EN, fr)
        _progress(people, fr, en)
        coach = people.get(COACH, actor)
        others = list(
            scoped(Membership, org)
            .filter(is_active=True)
            .exclude(pk__in=[coach.pk, actor.pk])
            .select_related("user")
            .order_by("id")
        )
        # The demo ambassador goes first: registered for the coaching session.
        others.sort(key=lambda m: m.user.email != AMBASSADOR)
        _events(actor, coach, others)
