"""The demo organization, as plain data: Lumen Énergie, a French solar and storage company
running its "Tous Ambassadeurs" programme on Portevoix.

Nothing here touches the database; `loader.py` turns it into rows through the services.
Dates are relative to the moment of loading (in days), so the demo looks fresh whenever it
is loaded. Links point to `*.example.com` hosts (reserved, never a real site).
"""

# The copy is written for people: typographic en dashes in ranges are intended.
# ruff: noqa: RUF001

from __future__ import annotations

from dataclasses import dataclass

ORG_NAME = "Lumen Énergie"
ORG_SLUG = "lumen-energie"
EMAIL_DOMAIN = "demo.portevoix.org"
DEFAULT_PASSWORD = "portevoix-demo"  # noqa: S105 - a published demo password, not a secret
SITE = "https://lumen-energie.example.com"

# --- Teams (by department)

MARKETING = "Marketing & Communication"
SALES = "Ventes"
RND = "R&D / Ingénierie"
HR = "Ressources humaines"
TEAMS = (MARKETING, SALES, RND, HR)

# --- Topics and campaigns

SOLAR = "Énergie solaire"
STORAGE = "Stockage d'énergie"
TRANSITION = "Transition énergétique"
INNOVATION = "Innovation & R&D"
JOBS = "Recrutement"
COMPANY = "Vie de l'entreprise"
CSR = "RSE & climat"
EVENTS = "Événements"
TOPICS = (SOLAR, STORAGE, TRANSITION, INNOVATION, JOBS, COMPANY, CSR, EVENTS)


@dataclass(frozen=True)
class DemoCampaign:
    name: str
    description: str
    starts_in_days: int
    ends_in_days: int


LAUNCH = "Lancement LumenStock"
HIRING = "Lumen recrute"
FAIR = "Salon Énergies Renouvelables de Lyon"
CAMPAIGNS = (
    DemoCampaign(
        LAUNCH,
        "Lancement de LumenStock, notre batterie de stockage pour les PME et les collectivités.",
        -10,
        45,
    ),
    DemoCampaign(
        HIRING,
        "Quarante postes à pourvoir à Lyon, Nantes et en télétravail : ingénieurs, "
        "techniciens, data.",
        -30,
        90,
    ),
    DemoCampaign(
        FAIR,
        "Notre stand au salon (hall 4, stand B12) : démonstrations, conférences, rencontres.",
        -3,
        17,
    ),
)

# --- People


@dataclass(frozen=True)
class DemoPresence:
    network: str
    audience: int
    handle: str
    instance: str = ""


@dataclass(frozen=True)
class DemoEnrolment:
    interests: tuple[str, ...]
    languages: tuple[str, ...]
    help_with: tuple[str, ...]
    networks: tuple[DemoPresence, ...]
    # Opted in, then withdrew: shows that enrolment is voluntary and reversible.
    withdrew: bool = False


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    title: str
    team: str
    roles: tuple[str, ...] = ()
    language: str = "fr"
    enrolment: DemoEnrolment | None = None


def _email(local: str) -> str:
    return f"{local}@{EMAIL_DOMAIN}"


def _li(audience: int, slug: str) -> DemoPresence:
    return DemoPresence("linkedin", audience, f"linkedin.com/in/{slug}")


def _x(audience: int, handle: str) -> DemoPresence:
    return DemoPresence("x", audience, f"@{handle}")


def _masto(audience: int, user: str, instance: str) -> DemoPresence:
    return DemoPresence("mastodon", audience, f"@{user}@{instance}", instance)


def _bsky(audience: int, handle: str) -> DemoPresence:
    return DemoPresence("bluesky", audience, f"@{handle}")


def _fb(audience: int, name: str) -> DemoPresence:
    return DemoPresence("facebook", audience, name)


def _threads(audience: int, handle: str) -> DemoPresence:
    return DemoPresence("threads", audience, f"@{handle}")


# The accounts printed by `load_demo`, one per role (the key is the role shown).
ADMIN = _email("admin")
CONTENT = _email("contenu")
APPROVER = _email("approbation")
FINAL = _email("validation-finale")
COMMUNITY = _email("community")
ANALYST = _email("analyste")
EXECUTIVE = _email("direction")
AMBASSADOR = _email("ambassadrice")
MEMBER = _email("membre")
CONTENT_2 = _email("chloe.fontaine")
APPROVER_2 = _email("ines.haddad")

PEOPLE: tuple[DemoPerson, ...] = (
    # Marketing & Communication: the social media task force.
    DemoPerson(
        ADMIN,
        "Camille Martin",
        "Responsable digital et outils collaboratifs",
        MARKETING,
        ("admin",),
    ),
    DemoPerson(
        CONTENT,
        "Julien Moreau",
        "Responsable éditorial",
        MARKETING,
        ("content_manager",),
        enrolment=DemoEnrolment(
            (TRANSITION, SOLAR, COMPANY),
            ("fr", "en"),
            ("sharing", "ideas"),
            (
                _li(1450, "julien-moreau-edito"),
                _x(620, "julienmoreau_ed"),
                _masto(210, "julien_moreau", "piaille.fr"),
            ),
        ),
    ),
    DemoPerson(
        APPROVER, "Sophie Lefèvre", "Responsable communication corporate", MARKETING, ("approver",)
    ),
    DemoPerson(
        FINAL, "Nathalie Girard", "Directrice de la communication", MARKETING, ("final_approver",)
    ),
    DemoPerson(
        COMMUNITY,
        "Léa Dubois",
        "Community manager",
        MARKETING,
        ("community_manager",),
        enrolment=DemoEnrolment(
            (COMPANY, EVENTS, CSR),
            ("fr", "en"),
            ("sharing", "ideas", "analytics"),
            (
                _li(2300, "lea-dubois-cm"),
                _x(1840, "lea_dbs"),
                _bsky(530, "leadubois.bsky.social"),
                _threads(410, "lea.dubois.cm"),
                _fb(380, "Léa Dubois"),
            ),
        ),
    ),
    DemoPerson(ANALYST, "Thomas Bernard", "Analyste marketing et data", MARKETING, ("analyst",)),
    DemoPerson(
        CONTENT_2,
        "Chloé Fontaine",
        "Chargée de contenus",
        MARKETING,
        ("content_manager",),
        enrolment=DemoEnrolment(
            (STORAGE, INNOVATION),
            ("fr",),
            ("sharing", "ideas"),
            (_li(890, "chloe-fontaine"), _bsky(240, "chloefontaine.bsky.social")),
        ),
    ),
    DemoPerson(
        _email("maxime.chevalier"),
        "Maxime Chevalier",
        "Graphiste et motion designer",
        MARKETING,
        enrolment=DemoEnrolment(
            (INNOVATION, EVENTS),
            ("fr", "en"),
            ("sharing",),
            (
                _li(640, "maxime-chevalier-design"),
                _masto(1200, "maxchevalier", "mastodon.design"),
                _bsky(980, "maxchevalier.bsky.social"),
            ),
        ),
    ),
    DemoPerson(
        APPROVER_2,
        "Inès Haddad",
        "Chargée de relations presse",
        MARKETING,
        ("approver",),
        enrolment=DemoEnrolment(
            (COMPANY, TRANSITION),
            ("fr", "en"),
            ("sharing",),
            (_li(3100, "ines-haddad-rp"), _x(2750, "ineshaddad")),
        ),
    ),
    DemoPerson(_email("pauline.mercier"), "Pauline Mercier", "Chargée d'événementiel", MARKETING),
    # Ventes
    DemoPerson(
        EXECUTIVE,
        "Olivier Garnier",
        "Directeur commercial, membre du comité de direction",
        SALES,
        ("executive",),
    ),
    DemoPerson(MEMBER, "Hugo Lambert", "Assistant administration des ventes", SALES),
    DemoPerson(
        _email("claire.rousseau"),
        "Claire Rousseau",
        "Responsable grands comptes",
        SALES,
        enrolment=DemoEnrolment(
            (STORAGE, TRANSITION),
            ("fr",),
            ("sharing",),
            (_li(2650, "claire-rousseau-kam"),),
        ),
    ),
    DemoPerson(
        _email("antoine.faure"),
        "Antoine Faure",
        "Ingénieur commercial B2B",
        SALES,
        enrolment=DemoEnrolment(
            (SOLAR, STORAGE),
            ("fr",),
            ("sharing",),
            (_li(1780, "antoine-faure"), _x(310, "antoinefaure")),
        ),
    ),
    DemoPerson(
        _email("sarah.benali"),
        "Sarah Benali",
        "Chargée d'affaires collectivités",
        SALES,
        enrolment=DemoEnrolment(
            (TRANSITION, CSR),
            ("fr",),
            ("sharing", "ideas"),
            (_li(1120, "sarah-benali"), _fb(460, "Sarah Benali")),
        ),
    ),
    DemoPerson(
        _email("nicolas.blanc"),
        "Nicolas Blanc",
        "Ingénieur commercial",
        SALES,
        enrolment=DemoEnrolment(
            (SOLAR,),
            ("fr",),
            ("sharing",),
            (_li(700, "nicolas-blanc"),),
            withdrew=True,
        ),
    ),
    DemoPerson(
        _email("emilie.guerin"),
        "Émilie Guérin",
        "Responsable partenariats installateurs",
        SALES,
        enrolment=DemoEnrolment(
            (SOLAR, EVENTS),
            ("fr",),
            ("sharing",),
            (_li(1960, "emilie-guerin"), _fb(520, "Émilie Guérin")),
        ),
    ),
    DemoPerson(
        _email("james.oconnor"),
        "James O'Connor",
        "Key account manager, UK & Ireland",
        SALES,
        language="en",
        enrolment=DemoEnrolment(
            (STORAGE, TRANSITION),
            ("en",),
            ("sharing", "analytics"),
            (
                _li(3400, "james-oconnor-energy"),
                _x(890, "jamesoc_energy"),
                _bsky(150, "jamesoconnor.bsky.social"),
            ),
        ),
    ),
    DemoPerson(_email("aurelie.perrin"), "Aurélie Perrin", "Technico-commerciale", SALES),
    DemoPerson(_email("karim.meziane"), "Karim Meziane", "Responsable avant-vente", SALES),
    # R&D / Ingénierie
    DemoPerson(
        AMBASSADOR,
        "Manon Petit",
        "Ingénieure systèmes de stockage",
        RND,
        enrolment=DemoEnrolment(
            (STORAGE, INNOVATION, JOBS),
            ("fr", "en"),
            ("sharing", "ideas"),
            (
                _li(1230, "manon-petit-stockage"),
                _x(450, "manon_petit"),
                _masto(380, "manonpetit", "mastodon.social"),
                _bsky(290, "manonpetit.bsky.social"),
            ),
        ),
    ),
    DemoPerson(
        _email("lucas.robin"),
        "Lucas Robin",
        "Ingénieur électronique de puissance",
        RND,
        enrolment=DemoEnrolment(
            (INNOVATION,),
            ("fr", "en"),
            ("sharing",),
            (_li(540, "lucas-robin"), _masto(160, "lrobin", "framapiaf.org")),
        ),
    ),
    DemoPerson(
        _email("priya.nair"),
        "Priya Nair",
        "Data scientist, prévision de production",
        RND,
        language="en",
        enrolment=DemoEnrolment(
            (INNOVATION, SOLAR),
            ("en", "fr"),
            ("sharing", "analytics"),
            (
                _li(2100, "priya-nair-data"),
                _x(1300, "priyanair_ml"),
                _bsky(760, "priyanair.bsky.social"),
            ),
        ),
    ),
    DemoPerson(
        _email("mathieu.gauthier"),
        "Mathieu Gauthier",
        "Chef de projet agrivoltaïsme",
        RND,
        enrolment=DemoEnrolment(
            (SOLAR, TRANSITION, CSR),
            ("fr",),
            ("sharing", "ideas"),
            (_li(1680, "mathieu-gauthier-agrivolt"), _fb(610, "Mathieu Gauthier")),
        ),
    ),
    DemoPerson(
        _email("elodie.caron"),
        "Élodie Caron",
        "Ingénieure R&D cellules photovoltaïques",
        RND,
        enrolment=DemoEnrolment(
            (SOLAR, INNOVATION),
            ("fr", "en"),
            ("sharing",),
            (_li(990, "elodie-caron-pv"), _masto(240, "elodiecaron", "mamot.fr")),
        ),
    ),
    DemoPerson(
        _email("lukas.schneider"), "Lukas Schneider", "Firmware engineer", RND, language="en"
    ),
    DemoPerson(_email("baptiste.roche"), "Baptiste Roche", "Technicien d'essais", RND),
    DemoPerson(
        _email("yasmine.cherif"),
        "Yasmine Cherif",
        "Ingénieure qualité",
        RND,
        enrolment=DemoEnrolment(
            (CSR, STORAGE),
            ("fr",),
            ("sharing", "ideas"),
            (_li(720, "yasmine-cherif"), _threads(330, "yasmine.cherif")),
        ),
    ),
    DemoPerson(
        _email("romain.vidal"),
        "Romain Vidal",
        "Architecte logiciel",
        RND,
        enrolment=DemoEnrolment(
            (INNOVATION,),
            ("fr", "en"),
            ("sharing", "analytics"),
            (
                _masto(870, "rvidal", "fosstodon.org"),
                _bsky(420, "romainvidal.bsky.social"),
                _li(480, "romain-vidal-dev"),
            ),
        ),
    ),
    DemoPerson(_email("celine.muller"), "Céline Muller", "Responsable du laboratoire", RND),
    DemoPerson(_email("damien.leroy"), "Damien Leroy", "Ingénieur bureau d'études", RND),
    DemoPerson(
        _email("anais.collet"),
        "Anaïs Collet",
        "Doctorante CIFRE, batteries de seconde vie",
        RND,
        enrolment=DemoEnrolment(
            (STORAGE, CSR, INNOVATION),
            ("fr", "en"),
            ("sharing", "ideas"),
            (
                _li(830, "anais-collet"),
                _bsky(560, "anaiscollet.bsky.social"),
                _masto(190, "anais_c", "sciences.re"),
            ),
        ),
    ),
    # Ressources humaines
    DemoPerson(
        _email("veronique.arnaud"), "Véronique Arnaud", "Directrice des ressources humaines", HR
    ),
    DemoPerson(
        _email("marion.lemoine"),
        "Marion Lemoine",
        "Chargée de recrutement",
        HR,
        enrolment=DemoEnrolment(
            (JOBS, COMPANY),
            ("fr", "en"),
            ("sharing", "ideas"),
            (_li(4200, "marion-lemoine-recrutement"), _x(380, "marion_recrute")),
        ),
    ),
    DemoPerson(
        _email("kevin.nguyen"),
        "Kevin Nguyen",
        "Chargé de marque employeur",
        HR,
        enrolment=DemoEnrolment(
            (JOBS, COMPANY, EVENTS),
            ("fr", "en"),
            ("sharing", "ideas", "analytics"),
            (
                _li(2900, "kevin-nguyen-rh"),
                _threads(640, "kevin.nguyen.rh"),
                _fb(350, "Kevin Nguyen"),
            ),
        ),
    ),
    DemoPerson(_email("sandrine.picard"), "Sandrine Picard", "Responsable formation", HR),
    DemoPerson(
        _email("alexandre.brun"),
        "Alexandre Brun",
        "Chargé de relations écoles",
        HR,
        enrolment=DemoEnrolment(
            (JOBS, EVENTS),
            ("fr",),
            ("sharing",),
            (_li(1540, "alexandre-brun"), _x(220, "alexbrun_rh")),
        ),
    ),
    DemoPerson(_email("fatou.diallo"), "Fatou Diallo", "Gestionnaire paie et administration", HR),
    DemoPerson(_email("laura.bonnet"), "Laura Bonnet", "HR business partner", HR),
    DemoPerson(
        _email("gregoire.marchand"), "Grégoire Marchand", "Chargé qualité de vie au travail", HR
    ),
)

# One login per role, in the order `load_demo` prints them.
LOGINS: tuple[tuple[str, str], ...] = (
    ("admin", ADMIN),
    ("content_manager", CONTENT),
    ("approver", APPROVER),
    ("final_approver", FINAL),
    ("community_manager", COMMUNITY),
    ("analyst", ANALYST),
    ("executive", EXECUTIVE),
    ("ambassador (opted in)", AMBASSADOR),
    ("member (no role)", MEMBER),
)

# --- Content


@dataclass(frozen=True)
class DemoItem:
    """One library item and the state the loader brings it to through the workflow."""

    title: str
    language: str
    content_type: str
    state: str
    body: str
    copies: tuple[tuple[str, str], ...]
    link: str = ""
    topics: tuple[str, ...] = ()
    campaign: str | None = None
    author: str = CONTENT
    approver: str = APPROVER
    publish_in_days: float | None = None
    expire_in_days: float | None = None
    important: bool = False
    featured: bool = False
    priority: int = 0
    # changes_requested: what the approver asked; archived: why it was withdrawn.
    comment: str = ""
    # archived: the state the item reached before it was archived (live or draft).
    archived_from: str = "live"


DRAFT = "draft"
IN_REVIEW = "in_review"
CHANGES_REQUESTED = "changes_requested"
APPROVED = "approved"  # approved, publication scheduled in the future
LIVE = "live"
EXPIRED = "expired"
ARCHIVED = "archived"

NEWS = "company_news"
JOB = "job_offer"
EVENT = "event"
EXPERTISE = "expertise"
INDUSTRY = "industry_news"

_STOCK = f"{SITE}/lumenstock"
_STOCK_EN = f"{SITE}/en/lumenstock"
_JOB_STORAGE = f"{SITE}/carrieres/ingenieur-systemes-stockage"
_JOB_TECH = f"{SITE}/carrieres/technicien-maintenance-nantes"
_JOB_DATA = f"{SITE}/en/careers/data-scientist-forecasting"
_FAIR = f"{SITE}/salon-lyon"
_FAIR_EN = f"{SITE}/en/lyon-fair"

ITEMS: tuple[DemoItem, ...] = (
    # ------------------------------------------------------------------ live
    DemoItem(
        title="LumenStock : notre batterie pour les PME est disponible",
        language="fr",
        content_type=NEWS,
        state=LIVE,
        link=_STOCK,
        topics=(STORAGE, INNOVATION),
        campaign=LAUNCH,
        publish_in_days=-2,
        expire_in_days=60,
        important=True,
        featured=True,
        priority=20,
        body=(
            "Après trois ans de développement dans notre laboratoire de Villeurbanne, "
            "**LumenStock** est disponible pour les PME, les exploitations agricoles et les "
            "collectivités.\n\n"
            "- de 30 à 200 kWh, en modules empilables ;\n"
            "- pilotage de l'autoconsommation heure par heure ;\n"
            "- cellules LFP sans cobalt, garanties 15 ans.\n\n"
            "Merci à toutes les équipes qui ont rendu ce lancement possible."
        ),
        copies=(
            (
                "linkedin",
                "Trois ans de R&D, des centaines d'heures d'essais à Villeurbanne, et le voilà : "
                "LumenStock est disponible 🔋\n\n"
                "Notre batterie de 30 à 200 kWh permet aux PME, aux exploitations agricoles et aux "
                "collectivités de consommer leur propre électricité solaire, même après le coucher "
                "du soleil.\n\n"
                "✅ Cellules LFP sans cobalt\n"
                "✅ Pilotage heure par heure de l'autoconsommation\n"
                "✅ Garantie 15 ans, fabrication en France\n\n"
                "Fier·e de voir ce projet arriver chez nos clients. Tous les détails : "
                f"{_STOCK}\n\n"
                "#Stockage #TransitionÉnergétique #Autoconsommation",
            ),
            (
                "x",
                "LumenStock est disponible 🔋 Notre batterie de 30 à 200 kWh pour consommer son "
                "électricité solaire même après le coucher du soleil. Cellules LFP sans cobalt, "
                f"fabriquée en France. {_STOCK} #Stockage #Autoconsommation",
            ),
            (
                "facebook",
                "Grande nouvelle chez Lumen Énergie : LumenStock, la batterie que nos ingénieurs "
                "ont mise au point à Villeurbanne, est disponible ! Elle permet aux entreprises et "
                "aux communes de garder leur électricité solaire pour le soir. Découvrez-la ici : "
                f"{_STOCK}",
            ),
            (
                "mastodon",
                "Trois ans de R&D à Villeurbanne : LumenStock, notre batterie de 30 à 200 kWh pour "
                "les PME et les collectivités, est disponible. Cellules LFP sans cobalt, garantie "
                "15 ans, fabriquée en France.\n\n"
                f"{_STOCK}\n\n#Stockage #Autoconsommation #TransitionEnergetique",
            ),
            (
                "bluesky",
                "LumenStock est disponible 🔋 Notre batterie de 30 à 200 kWh, conçue à "
                "Villeurbanne, permet aux PME et aux collectivités de garder leur électricité "
                f"solaire pour le soir. {_STOCK}",
            ),
        ),
    ),
    DemoItem(
        title="LumenStock is here: battery storage for small businesses",
        language="en",
        content_type=NEWS,
        state=LIVE,
        link=_STOCK_EN,
        topics=(STORAGE, INNOVATION),
        campaign=LAUNCH,
        author=CONTENT_2,
        publish_in_days=-2,
        expire_in_days=60,
        featured=True,
        priority=10,
        body=(
            "**LumenStock**, designed and tested in our Villeurbanne lab, is now available to "
            "small businesses, farms and local authorities: 30 to 200 kWh in stackable modules, "
            "cobalt-free LFP cells and a 15-year warranty."
        ),
        copies=(
            (
                "linkedin",
                "Three years of R&D, hundreds of hours of testing in our Villeurbanne lab, and "
                "here it is: LumenStock is available 🔋\n\n"
                "Our 30–200 kWh battery lets small businesses, farms and local authorities use "
                "their own solar power after sunset.\n\n"
                "• Cobalt-free LFP cells\n"
                "• Hour-by-hour self-consumption control\n"
                "• 15-year warranty, made in France\n\n"
                f"Learn more: {_STOCK_EN}\n\n#EnergyStorage #Solar #EnergyTransition",
            ),
            (
                "x",
                "LumenStock is here 🔋 Our 30–200 kWh battery helps small businesses keep their "
                f"solar power for the evening. Cobalt-free cells, made in France. {_STOCK_EN} "
                "#EnergyStorage",
            ),
            (
                "mastodon",
                "LumenStock, our 30–200 kWh battery for small businesses and local authorities, is "
                "available. Designed and tested in Villeurbanne, cobalt-free LFP cells, 15-year "
                f"warranty.\n\n{_STOCK_EN}\n\n#EnergyStorage #Solar",
            ),
            (
                "bluesky",
                "LumenStock is here 🔋 A 30–200 kWh battery that lets small businesses keep their "
                f"solar power for the evening. Made in France. {_STOCK_EN}",
            ),
        ),
    ),
    DemoItem(
        title="Nous recrutons : ingénieur·e systèmes de stockage (H/F) à Lyon",
        language="fr",
        content_type=JOB,
        state=LIVE,
        link=_JOB_STORAGE,
        topics=(JOBS, STORAGE),
        campaign=HIRING,
        author=CONTENT_2,
        publish_in_days=-5,
        expire_in_days=40,
        important=True,
        priority=15,
        body=(
            "Rejoignez l'équipe qui conçoit LumenStock. CDI à Lyon (Villeurbanne), deux jours de "
            "télétravail par semaine. Vous dimensionnez des systèmes de 30 kWh à 2 MWh et suivez "
            "leur mise en service chez nos clients."
        ),
        copies=(
            (
                "linkedin",
                "Mon équipe recrute ! 🔋\n\n"
                "Nous cherchons un·e ingénieur·e systèmes de stockage pour rejoindre le projet "
                "LumenStock à Villeurbanne : dimensionnement de 30 kWh à 2 MWh, essais en "
                "laboratoire, mises en service chez nos clients.\n\n"
                "📍 Lyon, 2 jours de télétravail par semaine\n"
                "📄 CDI\n\n"
                f"Postulez ou partagez à votre réseau : {_JOB_STORAGE}\n\n"
                "#Recrutement #Ingénieur #Stockage",
            ),
            (
                "x",
                "On recrute un·e ingénieur·e systèmes de stockage à Lyon 🔋 CDI, 2 jours de "
                f"télétravail, projets de 30 kWh à 2 MWh. {_JOB_STORAGE} #Recrutement #Ingénieur",
            ),
            (
                "facebook",
                "Vous connaissez un·e ingénieur·e passionné·e par les batteries ? Lumen Énergie "
                f"recrute à Lyon, en CDI. Toutes les infos : {_JOB_STORAGE}",
            ),
            (
                "mastodon",
                "Lumen Énergie recrute un·e ingénieur·e systèmes de stockage (CDI, Lyon, 2 jours "
                "de télétravail). Dimensionnement, essais, mises en service de batteries de "
                f"30 kWh à 2 MWh.\n\n{_JOB_STORAGE}\n\n#Recrutement #Emploi #Lyon",
            ),
            (
                "bluesky",
                "Lumen Énergie recrute un·e ingénieur·e systèmes de stockage à Lyon (CDI, 2 jours "
                f"de télétravail) 🔋 {_JOB_STORAGE}",
            ),
        ),
    ),
    DemoItem(
        title="Technicien·ne de maintenance photovoltaïque à Nantes",
        language="fr",
        content_type=JOB,
        state=LIVE,
        link=_JOB_TECH,
        topics=(JOBS, SOLAR),
        campaign=HIRING,
        publish_in_days=-3,
        expire_in_days=30,
        body=(
            "CDI basé à Nantes, interventions en Pays de la Loire et en Bretagne. Habilitation "
            "électrique souhaitée, formation au travail en hauteur assurée par nos soins."
        ),
        copies=(
            (
                "linkedin",
                "☀️ Nous recrutons un·e technicien·ne de maintenance photovoltaïque à Nantes.\n\n"
                "Vous interviendrez sur nos centrales en Pays de la Loire et en Bretagne : "
                "diagnostics, remplacement d'onduleurs, suivi de production. Formation au travail "
                "en hauteur assurée.\n\n"
                f"Le poste : {_JOB_TECH}\n\n#Recrutement #Photovoltaïque #Nantes",
            ),
            (
                "x",
                "☀️ Technicien·ne de maintenance photovoltaïque à Nantes : on recrute en CDI ! "
                f"{_JOB_TECH} #Emploi #Nantes",
            ),
            (
                "facebook",
                "On recrute à Nantes ! Un poste de technicien·ne de maintenance photovoltaïque en "
                f"CDI, avec des interventions partout dans l'Ouest. {_JOB_TECH}",
            ),
            (
                "threads",
                "Envie d'un métier concret et utile ? Lumen Énergie cherche un·e technicien·ne de "
                f"maintenance photovoltaïque à Nantes ☀️ {_JOB_TECH}",
            ),
        ),
    ),
    DemoItem(
        title="We're hiring: data scientist, solar production forecasting",
        language="en",
        content_type=JOB,
        state=LIVE,
        link=_JOB_DATA,
        topics=(JOBS, INNOVATION, SOLAR),
        campaign=HIRING,
        author=CONTENT_2,
        publish_in_days=-1,
        expire_in_days=45,
        body=(
            "Join our forecasting team in Lyon or work remotely from anywhere in the EU. You "
            "will improve the models that predict the output of 1,200 solar sites, hour by hour."
        ),
        copies=(
            (
                "linkedin",
                "We're hiring a data scientist to forecast solar production 📈☀️\n\n"
                "You'll work on the models that predict, hour by hour, the output of the 1,200 "
                "solar sites we operate, and help our customers store and use more of their own "
                "energy.\n\n"
                "📍 Lyon or remote (EU)\n\n"
                f"Details and application: {_JOB_DATA}\n\n#DataScience #Hiring #Solar",
            ),
            (
                "x",
                "We're hiring: data scientist, solar production forecasting 📈 Lyon or remote in "
                f"the EU. {_JOB_DATA} #DataScience #Hiring",
            ),
            (
                "mastodon",
                "Lumen Énergie is hiring a data scientist to forecast solar production for 1,200 "
                f"sites. Lyon or remote (EU).\n\n{_JOB_DATA}\n\n#DataScience #Hiring #FediHire",
            ),
            (
                "bluesky",
                "We're hiring a data scientist to forecast solar production 📈 Lyon or remote in "
                f"the EU. {_JOB_DATA}",
            ),
        ),
    ),
    DemoItem(
        title="Autoconsommation collective : 5 questions à Mathieu Gauthier",
        language="fr",
        content_type=EXPERTISE,
        state=LIVE,
        link=f"{SITE}/blog/autoconsommation-collective-5-questions",
        topics=(TRANSITION, SOLAR),
        publish_in_days=-7,
        body=(
            "Partager l'électricité d'une toiture solaire entre voisins, commerces et bâtiments "
            "publics : comment ça marche, qui décide, combien ça coûte ? Notre chef de projet "
            "répond."
        ),
        copies=(
            (
                "linkedin",
                "Partager l'électricité d'une toiture solaire entre une école, une boulangerie et "
                "une dizaine de foyers ? C'est l'autoconsommation collective.\n\n"
                "Comment ça marche, qui décide, combien ça coûte : mon collègue Mathieu Gauthier "
                "répond à 5 questions simples.\n\n"
                f"👉 {SITE}/blog/autoconsommation-collective-5-questions\n\n"
                "#Autoconsommation #TransitionÉnergétique #Collectivités",
            ),
            (
                "x",
                "Une toiture solaire, une école, une boulangerie et dix foyers qui partagent la "
                "même électricité : l'autoconsommation collective expliquée en 5 questions. "
                f"{SITE}/blog/autoconsommation-collective-5-questions #Autoconsommation",
            ),
            (
                "mastodon",
                "L'autoconsommation collective expliquée en 5 questions : partager l'électricité "
                "d'une toiture solaire entre une école, des commerces et des foyers voisins.\n\n"
                f"{SITE}/blog/autoconsommation-collective-5-questions\n\n"
                "#Autoconsommation #Solaire #Energie",
            ),
            (
                "bluesky",
                "Partager l'électricité d'une toiture solaire entre voisins : l'autoconsommation "
                f"collective en 5 questions ☀️ {SITE}/blog/autoconsommation-collective-5-questions",
            ),
        ),
    ),
    DemoItem(
        title="Second-life batteries: what our lab learned in 18 months",
        language="en",
        content_type=EXPERTISE,
        state=LIVE,
        link=f"{SITE}/en/blog/second-life-batteries",
        topics=(STORAGE, CSR, INNOVATION),
        publish_in_days=-4,
        featured=True,
        body=(
            "Electric-vehicle batteries keep 70 to 80% of their capacity when they leave the "
            "car. Anaïs Collet, PhD student in our lab, tells what 18 months of testing taught "
            "us about giving them a second life in stationary storage."
        ),
        copies=(
            (
                "linkedin",
                "What happens to an electric-car battery when it leaves the car? It usually still "
                "holds 70–80% of its capacity.\n\n"
                "For 18 months, our lab has been testing second-life batteries in stationary "
                "storage. Anaïs Collet shares what worked, what didn't, and what it means for the "
                "circular economy.\n\n"
                f"{SITE}/en/blog/second-life-batteries\n\n#CircularEconomy #EnergyStorage #RnD",
            ),
            (
                "x",
                "EV batteries still hold 70–80% of their capacity when they leave the car. What 18 "
                "months of second-life testing taught our lab: "
                f"{SITE}/en/blog/second-life-batteries #CircularEconomy",
            ),
            (
                "mastodon",
                "EV batteries still hold 70–80% of their capacity when they leave the car. Our lab "
                "spent 18 months testing them in stationary storage: here is what we learned.\n\n"
                f"{SITE}/en/blog/second-life-batteries\n\n#CircularEconomy #Batteries #Research",
            ),
            (
                "bluesky",
                "18 months testing second-life EV batteries in stationary storage: what worked, "
                f"what didn't 🔬🔋 {SITE}/en/blog/second-life-batteries",
            ),
        ),
    ),
    DemoItem(
        title="Baromètre : l'autoconsommation progresse chez les entreprises",
        language="fr",
        content_type=INDUSTRY,
        state=LIVE,
        link="https://observatoire-enr.example.org/barometre-autoconsommation",
        topics=(TRANSITION, SOLAR),
        author=CONTENT_2,
        publish_in_days=-6,
        expire_in_days=24,
        body=(
            "Le baromètre semestriel de l'Observatoire des énergies renouvelables (contenu tiers) "
            "montre une nette progression des installations en autoconsommation dans les PME et "
            "l'industrie."
        ),
        copies=(
            (
                "linkedin",
                "À lire : le dernier baromètre de l'Observatoire des énergies renouvelables. Les "
                "installations en autoconsommation progressent nettement dans les PME et "
                "l'industrie, portées par le coût de l'électricité et la baisse du prix des "
                "panneaux.\n\n"
                "https://observatoire-enr.example.org/barometre-autoconsommation\n\n"
                "#Autoconsommation #Énergie #Veille",
            ),
            (
                "x",
                "Le baromètre de l'Observatoire des énergies renouvelables confirme la progression "
                "de l'autoconsommation dans les PME 📊 "
                "https://observatoire-enr.example.org/barometre-autoconsommation #Veille",
            ),
            (
                "bluesky",
                "L'autoconsommation solaire progresse dans les PME et l'industrie, d'après le "
                "dernier baromètre de l'Observatoire des énergies renouvelables 📊 "
                "https://observatoire-enr.example.org/barometre-autoconsommation",
            ),
        ),
    ),
    DemoItem(
        title="Retrouvez-nous au Salon Énergies Renouvelables de Lyon",
        language="fr",
        content_type=EVENT,
        state=LIVE,
        link=_FAIR,
        topics=(EVENTS, STORAGE),
        campaign=FAIR,
        publish_in_days=-1,
        expire_in_days=17,
        important=True,
        priority=10,
        body=(
            "Hall 4, stand B12 : démonstration de LumenStock, conférence sur l'agrivoltaïsme le "
            "mercredi à 14 h, et toute l'équipe commerciale pour répondre à vos questions."
        ),
        copies=(
            (
                "linkedin",
                "Rendez-vous au Salon Énergies Renouvelables de Lyon, hall 4, stand B12 !\n\n"
                "🔋 Démonstration de LumenStock en conditions réelles\n"
                "🌾 Conférence sur l'agrivoltaïsme, mercredi à 14 h\n"
                "🤝 Toute l'équipe pour parler de vos projets\n\n"
                f"Demandez votre badge gratuit : {_FAIR}\n\n#SalonEnR #Lyon #Stockage",
            ),
            (
                "x",
                "Rendez-vous au Salon Énergies Renouvelables de Lyon, hall 4 stand B12 : démo de "
                f"LumenStock et conférence agrivoltaïsme mercredi 14 h. {_FAIR} #SalonEnR #Lyon",
            ),
            (
                "facebook",
                "Vous passez au Salon Énergies Renouvelables de Lyon ? Venez nous dire bonjour "
                "hall 4, stand B12 : démonstration de notre batterie LumenStock et conférence sur "
                f"l'agrivoltaïsme. Badge gratuit : {_FAIR}",
            ),
            (
                "mastodon",
                "Lumen Énergie sera au Salon Énergies Renouvelables de Lyon (hall 4, stand B12) : "
                "démonstration de LumenStock et conférence sur l'agrivoltaïsme mercredi à 14 h."
                f"\n\n{_FAIR}\n\n#Lyon #EnergiesRenouvelables",
            ),
            (
                "bluesky",
                "On vous attend au Salon Énergies Renouvelables de Lyon, hall 4 stand B12 : démo "
                f"de LumenStock et conférence agrivoltaïsme 🌾🔋 {_FAIR}",
            ),
            (
                "threads",
                "Salon Énergies Renouvelables de Lyon : passez nous voir hall 4, stand B12 🔋 "
                f"{_FAIR}",
            ),
        ),
    ),
    DemoItem(
        title="Lumen Énergie devient entreprise à mission",
        language="fr",
        content_type=NEWS,
        state=LIVE,
        link=f"{SITE}/mission",
        topics=(CSR, COMPANY),
        approver=FINAL,
        publish_in_days=-12,
        body=(
            "Nos actionnaires ont voté l'inscription de notre raison d'être dans les statuts : "
            "« rendre l'énergie solaire accessible à chaque territoire ». Un comité de mission "
            "indépendant suivra nos engagements chaque année."
        ),
        copies=(
            (
                "linkedin",
                "Lumen Énergie devient entreprise à mission 🌍\n\n"
                "Notre raison d'être, « rendre l'énergie solaire accessible à chaque territoire », "
                "est désormais inscrite dans nos statuts. Un comité de mission indépendant "
                "vérifiera chaque année que nous tenons nos engagements.\n\n"
                f"Nos quatre engagements : {SITE}/mission\n\n#EntrepriseÀMission #RSE",
            ),
            (
                "x",
                "Lumen Énergie devient entreprise à mission 🌍 Notre raison d'être : rendre "
                "l'énergie solaire accessible à chaque territoire. "
                f"{SITE}/mission #EntrepriseAMission #RSE",
            ),
            (
                "facebook",
                "C'est officiel : Lumen Énergie devient entreprise à mission ! Notre raison "
                "d'être, « rendre l'énergie solaire accessible à chaque territoire », est "
                f"inscrite dans nos statuts. {SITE}/mission",
            ),
            (
                "mastodon",
                "Lumen Énergie devient entreprise à mission : notre raison d'être, « rendre "
                "l'énergie solaire accessible à chaque territoire », entre dans nos statuts, sous "
                f"le contrôle d'un comité de mission indépendant.\n\n{SITE}/mission\n\n#RSE",
            ),
            (
                "bluesky",
                "Lumen Énergie devient entreprise à mission 🌍 Notre raison d'être : rendre "
                f"l'énergie solaire accessible à chaque territoire. {SITE}/mission",
            ),
        ),
    ),
    # ------------------------------------------------------------------ approved, scheduled
    DemoItem(
        title="Webinaire : financer le projet solaire de votre entreprise",
        language="fr",
        content_type=EVENT,
        state=APPROVED,
        link=f"{SITE}/webinaires/financer-projet-solaire",
        topics=(SOLAR, EVENTS),
        author=CONTENT_2,
        publish_in_days=3,
        expire_in_days=20,
        body=(
            "Tiers-investissement, location, achat, aides régionales : 45 minutes pour comparer "
            "les modes de financement, avec un expert-comptable et notre équipe commerciale."
        ),
        copies=(
            (
                "linkedin",
                "Acheter, louer ou faire financer ses panneaux solaires par un tiers ? 🤔\n\n"
                "45 minutes pour comparer les modes de financement d'un projet solaire "
                "d'entreprise, avec un expert-comptable et notre équipe commerciale. Questions en "
                "direct.\n\n"
                f"Inscription gratuite : {SITE}/webinaires/financer-projet-solaire\n\n"
                "#Webinaire #Solaire #PME",
            ),
            (
                "x",
                "Acheter, louer ou faire financer ses panneaux solaires ? Webinaire gratuit de 45 "
                f"minutes pour les PME. {SITE}/webinaires/financer-projet-solaire #Webinaire",
            ),
            (
                "bluesky",
                "Webinaire gratuit : acheter, louer ou faire financer les panneaux solaires de son "
                f"entreprise ? ☀️ {SITE}/webinaires/financer-projet-solaire",
            ),
        ),
    ),
    DemoItem(
        title="Meet us at the Lyon Renewable Energy Fair",
        language="en",
        content_type=EVENT,
        state=APPROVED,
        link=_FAIR_EN,
        topics=(EVENTS, STORAGE),
        campaign=FAIR,
        author=CONTENT_2,
        publish_in_days=5,
        expire_in_days=17,
        body="Hall 4, booth B12: live LumenStock demos and our agrivoltaics talk on Wednesday.",
        copies=(
            (
                "linkedin",
                "Coming to the Lyon Renewable Energy Fair? Visit us in hall 4, booth B12 for live "
                "LumenStock demos and our agrivoltaics talk on Wednesday at 2 pm.\n\n"
                f"Free badge: {_FAIR_EN}\n\n#RenewableEnergy #EnergyStorage",
            ),
            (
                "x",
                "See LumenStock live at the Lyon Renewable Energy Fair: hall 4, booth B12 🔋 "
                f"{_FAIR_EN} #RenewableEnergy",
            ),
            (
                "bluesky",
                "We'll be at the Lyon Renewable Energy Fair, hall 4 booth B12, with live "
                f"LumenStock demos 🔋 {_FAIR_EN}",
            ),
        ),
    ),
    DemoItem(
        title="Inauguration de notre centrale agrivoltaïque en Maine-et-Loire",
        language="fr",
        content_type=NEWS,
        state=APPROVED,
        link=f"{SITE}/actualites/centrale-agrivoltaique",
        topics=(SOLAR, CSR, TRANSITION),
        publish_in_days=7,
        important=True,
        priority=10,
        approver=FINAL,
        body=(
            "12 hectares de vergers protégés de la grêle et du soleil par des panneaux "
            "orientables, et l'électricité de 3 000 foyers : la centrale est inaugurée avec les "
            "arboriculteurs qui l'ont conçue avec nous."
        ),
        copies=(
            (
                "linkedin",
                "Des pommiers à l'ombre des panneaux solaires 🍎☀️\n\n"
                "Notre centrale agrivoltaïque du Maine-et-Loire est inaugurée : 12 hectares de "
                "vergers protégés de la grêle et des coups de chaleur par des panneaux "
                "orientables, et l'électricité de 3 000 foyers.\n\n"
                "Un projet conçu pendant deux ans avec les arboriculteurs.\n\n"
                f"{SITE}/actualites/centrale-agrivoltaique\n\n#Agrivoltaïsme #Agriculture",
            ),
            (
                "x",
                "Des pommiers à l'ombre des panneaux 🍎☀️ Notre centrale agrivoltaïque du "
                "Maine-et-Loire protège 12 ha de vergers et alimente 3 000 foyers. "
                f"{SITE}/actualites/centrale-agrivoltaique #Agrivoltaïsme",
            ),
            (
                "facebook",
                "Notre centrale agrivoltaïque du Maine-et-Loire est inaugurée ! Des panneaux "
                "orientables protègent 12 hectares de vergers et produisent l'électricité de 3 000 "
                f"foyers. {SITE}/actualites/centrale-agrivoltaique",
            ),
            (
                "mastodon",
                "Inauguration de notre centrale agrivoltaïque en Maine-et-Loire : des panneaux "
                "orientables au-dessus de 12 ha de vergers, qui les protègent de la grêle et "
                "produisent l'électricité de 3 000 foyers.\n\n"
                f"{SITE}/actualites/centrale-agrivoltaique\n\n#Agrivoltaisme #Agriculture",
            ),
        ),
    ),
    DemoItem(
        title="Dimensionner une batterie : la méthode de nos ingénieurs",
        language="fr",
        content_type=EXPERTISE,
        state=APPROVED,
        link=f"{SITE}/blog/dimensionner-une-batterie",
        topics=(STORAGE, INNOVATION),
        campaign=LAUNCH,
        author=CONTENT_2,
        publish_in_days=10,
        body=(
            "Courbe de charge, production solaire, tarifs : les trois données qu'il faut pour "
            "choisir la bonne capacité, et l'erreur la plus fréquente (surdimensionner)."
        ),
        copies=(
            (
                "linkedin",
                "Quelle capacité de batterie pour votre site ? La réponse tient en trois données : "
                "votre courbe de charge, votre production solaire et vos tarifs.\n\n"
                "Nos ingénieurs partagent leur méthode, et l'erreur la plus fréquente : "
                "surdimensionner.\n\n"
                f"{SITE}/blog/dimensionner-une-batterie\n\n#Stockage #Énergie",
            ),
            (
                "x",
                "Quelle capacité de batterie pour votre site ? 3 données suffisent, et l'erreur la "
                f"plus fréquente est de surdimensionner. {SITE}/blog/dimensionner-une-batterie",
            ),
            (
                "mastodon",
                "Dimensionner une batterie : courbe de charge, production solaire, tarifs. La "
                "méthode de nos ingénieurs, et pourquoi il ne faut pas surdimensionner.\n\n"
                f"{SITE}/blog/dimensionner-une-batterie\n\n#Stockage #Energie",
            ),
        ),
    ),
    # ------------------------------------------------------------------ in review
    DemoItem(
        title="Alternance : chargé·e de communication digitale (H/F)",
        language="fr",
        content_type=JOB,
        state=IN_REVIEW,
        link=f"{SITE}/carrieres/alternance-communication-digitale",
        topics=(JOBS,),
        campaign=HIRING,
        author=CONTENT_2,
        body="Alternance de 12 à 24 mois au sein de l'équipe Marketing & Communication, à Lyon.",
        copies=(
            (
                "linkedin",
                "Vous préparez un master en communication et cherchez une alternance ? Rejoignez "
                "notre équipe à Lyon pour 12 à 24 mois : réseaux sociaux, vidéo, programme "
                "ambassadeurs.\n\n"
                f"{SITE}/carrieres/alternance-communication-digitale\n\n#Alternance #Communication",
            ),
            (
                "x",
                "Alternance en communication digitale à Lyon, 12 à 24 mois 📣 "
                f"{SITE}/carrieres/alternance-communication-digitale #Alternance",
            ),
        ),
    ),
    DemoItem(
        title="Lumen Énergie opens an office in Bristol",
        language="en",
        content_type=NEWS,
        state=IN_REVIEW,
        link=f"{SITE}/en/news/bristol-office",
        topics=(COMPANY,),
        body="Our first office outside France will serve customers in the UK and Ireland.",
        copies=(
            (
                "linkedin",
                "Our first office outside France opens in Bristol 🇬🇧\n\n"
                "A team of six will serve our customers in the UK and Ireland, starting with "
                "storage projects for farms and local councils.\n\n"
                f"{SITE}/en/news/bristol-office\n\n#Expansion #EnergyStorage",
            ),
            (
                "x",
                "Our first office outside France opens in Bristol 🇬🇧 "
                f"{SITE}/en/news/bristol-office",
            ),
            (
                "bluesky",
                "Lumen Énergie opens its first office outside France, in Bristol, to serve "
                f"customers in the UK and Ireland 🇬🇧 {SITE}/en/news/bristol-office",
            ),
        ),
    ),
    DemoItem(
        title="Appels d'offres solaires : les résultats de la dernière période",
        language="fr",
        content_type=INDUSTRY,
        state=IN_REVIEW,
        link="https://veille-energie.example.org/appels-offres-resultats",
        topics=(SOLAR, TRANSITION),
        author=CONTENT_2,
        body="Synthèse d'un article de veille sectorielle (contenu tiers).",
        copies=(
            (
                "linkedin",
                "Veille : les résultats de la dernière période d'appels d'offres solaires sont "
                "publiés. Volumes, prix moyens, répartition par région : la synthèse à lire.\n\n"
                "https://veille-energie.example.org/appels-offres-resultats\n\n#Veille #Solaire",
            ),
            (
                "x",
                "Appels d'offres solaires : volumes, prix moyens et régions de la dernière période "
                "📊 https://veille-energie.example.org/appels-offres-resultats #Veille",
            ),
        ),
    ),
    DemoItem(
        title="Onduleurs : pourquoi nous misons sur le carbure de silicium",
        language="fr",
        content_type=EXPERTISE,
        state=IN_REVIEW,
        link=f"{SITE}/blog/onduleurs-carbure-de-silicium",
        topics=(INNOVATION,),
        body=(
            "Moins de pertes, moins de chaleur, des onduleurs plus compacts : Lucas Robin "
            "explique le choix du carbure de silicium pour nos prochains onduleurs."
        ),
        copies=(
            (
                "linkedin",
                "Moins de pertes, moins de chaleur, des onduleurs plus compacts : pourquoi nos "
                "prochains onduleurs passent au carbure de silicium (SiC).\n\n"
                f"L'explication de Lucas Robin : {SITE}/blog/onduleurs-carbure-de-silicium\n\n"
                "#ÉlectroniqueDePuissance #Innovation",
            ),
            (
                "mastodon",
                "Pourquoi nos prochains onduleurs passent au carbure de silicium (SiC) : moins de "
                f"pertes, moins de chaleur.\n\n{SITE}/blog/onduleurs-carbure-de-silicium\n\n"
                "#Electronique #Energie",
            ),
            (
                "bluesky",
                "Moins de pertes, moins de chaleur : pourquoi nos onduleurs passent au carbure de "
                f"silicium ⚡ {SITE}/blog/onduleurs-carbure-de-silicium",
            ),
        ),
    ),
    # ------------------------------------------------------------------ changes requested
    DemoItem(
        title="Résultats annuels : une croissance de 30 %",
        language="fr",
        content_type=NEWS,
        state=CHANGES_REQUESTED,
        topics=(COMPANY,),
        approver=FINAL,
        comment=(
            "Les résultats ne sont pas encore publiés : attendre la communication financière "
            "officielle et retirer le pourcentage d'ici là."
        ),
        body="Chiffre d'affaires en hausse de 30 %, 120 recrutements, 1 200 sites en service.",
        copies=(
            (
                "linkedin",
                "Une belle année pour Lumen Énergie : +30 % de chiffre d'affaires, 120 "
                "recrutements et 1 200 sites solaires en service. Merci à nos clients et à nos "
                "équipes !\n\n#Résultats #Croissance",
            ),
            ("x", "+30 % de chiffre d'affaires, 120 recrutements : merci à toutes nos équipes !"),
        ),
    ),
    DemoItem(
        title="Why heat pumps and solar panels belong together",
        language="en",
        content_type=EXPERTISE,
        state=CHANGES_REQUESTED,
        topics=(TRANSITION, SOLAR),
        author=CONTENT_2,
        comment=(
            "Please add the article link to every copy and a source for the “three times "
            "cheaper” claim, or soften it."
        ),
        body="Running a heat pump on your own solar power is three times cheaper.",
        copies=(
            (
                "linkedin",
                "Heat pumps and solar panels are a perfect match: running a heat pump on your own "
                "solar power is three times cheaper than on grid electricity.\n\n#HeatPump #Solar",
            ),
            ("x", "Heat pump + solar panels = three times cheaper heating ☀️🔥 #HeatPump #Solar"),
        ),
    ),
    DemoItem(
        title="Afterwork des ambassadeurs à Lyon",
        language="fr",
        content_type=EVENT,
        state=CHANGES_REQUESTED,
        topics=(EVENTS, COMPANY),
        approver=APPROVER_2,
        comment=(
            "Précisez l'adresse et l'horaire, et vérifiez que toutes les personnes sur la photo "
            "ont donné leur accord."
        ),
        body="Un moment convivial pour remercier les ambassadeurs du programme.",
        copies=(
            (
                "linkedin",
                "Merci aux 20 ambassadeurs de notre programme Tous Ambassadeurs ! On se retrouve "
                "jeudi pour un afterwork à Lyon 🎉\n\n#TousAmbassadeurs #VieDEntreprise",
            ),
        ),
    ),
    # ------------------------------------------------------------------ drafts
    DemoItem(
        title="Autoconsommation en copropriété : les questions les plus fréquentes",
        language="fr",
        content_type=EXPERTISE,
        state=DRAFT,
        topics=(SOLAR, TRANSITION),
        body="Brouillon : reprendre les questions reçues au service client ce trimestre.",
        copies=(
            (
                "linkedin",
                "Installer des panneaux solaires sur le toit d'une copropriété : qui vote, qui "
                "paie, qui en profite ? Les réponses aux questions que vous nous posez le plus.",
            ),
        ),
    ),
    DemoItem(
        title="European solar installations keep growing: what it means for installers",
        language="en",
        content_type=INDUSTRY,
        state=DRAFT,
        link="https://solar-insights.example.org/european-market-outlook",
        topics=(SOLAR,),
        author=CONTENT_2,
        body="Curated third-party analysis; add our own comment before submitting.",
        copies=(
            (
                "linkedin",
                "A useful read on the European solar market outlook and what it means for "
                "installers. https://solar-insights.example.org/european-market-outlook",
            ),
            (
                "x",
                "European solar keeps growing: what it means for installers 📈 "
                "https://solar-insights.example.org/european-market-outlook",
            ),
        ),
    ),
    DemoItem(
        title="Stage : assistant·e chef de projet agrivoltaïsme",
        language="fr",
        content_type=JOB,
        state=DRAFT,
        topics=(JOBS, SOLAR),
        campaign=HIRING,
        body="Stage de 6 mois à Angers, à partir de février.",
        copies=(
            (
                "linkedin",
                "Stage de 6 mois : assistant·e chef de projet agrivoltaïsme à Angers, au contact "
                "des agriculteurs et de nos ingénieurs. #Stage #Agrivoltaïsme",
            ),
        ),
    ),
    DemoItem(
        title="Bienvenue à nos nouveaux arrivants",
        language="fr",
        content_type=NEWS,
        state=DRAFT,
        topics=(COMPANY,),
        author=ADMIN,
        body="Liste à compléter avec les RH (accord de chaque personne avant publication).",
        copies=(
            (
                "linkedin",
                "Ils et elles nous ont rejoints ce mois-ci : bienvenue à nos 12 nouveaux "
                "collègues ! 👋 #Onboarding #VieDEntreprise",
            ),
        ),
    ),
    # ------------------------------------------------------------------ expired
    DemoItem(
        title="Portes ouvertes du laboratoire de Villeurbanne",
        language="fr",
        content_type=EVENT,
        state=EXPIRED,
        link=f"{SITE}/portes-ouvertes-laboratoire",
        topics=(EVENTS, INNOVATION),
        publish_in_days=-40,
        expire_in_days=-25,
        body="Visites guidées du laboratoire et rencontres avec les équipes R&D, sur inscription.",
        copies=(
            (
                "linkedin",
                "Samedi, notre laboratoire de Villeurbanne ouvre ses portes : bancs d'essais de "
                "batteries, chambre climatique, rencontres avec l'équipe R&D.\n\n"
                f"Inscription : {SITE}/portes-ouvertes-laboratoire\n\n#PortesOuvertes #Lyon",
            ),
            (
                "x",
                "Portes ouvertes samedi au labo de Villeurbanne : bancs d'essais, chambre "
                f"climatique, équipe R&D 🔬 {SITE}/portes-ouvertes-laboratoire #Lyon",
            ),
            (
                "facebook",
                "Curieux de voir comment on teste une batterie ? Notre laboratoire de Villeurbanne "
                f"ouvre ses portes samedi, sur inscription : {SITE}/portes-ouvertes-laboratoire",
            ),
        ),
    ),
    DemoItem(
        title="Hiring: power electronics engineer",
        language="en",
        content_type=JOB,
        state=EXPIRED,
        link=f"{SITE}/en/careers/power-electronics-engineer",
        topics=(JOBS, INNOVATION),
        campaign=HIRING,
        author=CONTENT_2,
        publish_in_days=-60,
        expire_in_days=-10,
        body="Position filled: thank you to everyone who shared it.",
        copies=(
            (
                "linkedin",
                "We're looking for a power electronics engineer to design our next inverters "
                f"(Lyon, permanent).\n\n{SITE}/en/careers/power-electronics-engineer\n\n"
                "#Hiring #PowerElectronics",
            ),
            (
                "x",
                "Hiring: power electronics engineer in Lyon ⚡ "
                f"{SITE}/en/careers/power-electronics-engineer #Hiring",
            ),
        ),
    ),
    DemoItem(
        title="Nos vœux pour la nouvelle année",
        language="fr",
        content_type=NEWS,
        state=EXPIRED,
        link=f"{SITE}/voeux",
        topics=(COMPANY,),
        approver=FINAL,
        publish_in_days=-120,
        expire_in_days=-90,
        body="La vidéo de vœux de la direction, tournée sur nos sites de Lyon et Nantes.",
        copies=(
            (
                "linkedin",
                "Toute l'équipe de Lumen Énergie vous souhaite une belle année, lumineuse et "
                f"ensoleillée ☀️ Nos vœux en vidéo : {SITE}/voeux",
            ),
            ("facebook", f"Belle année à toutes et à tous ! ☀️ Nos vœux en vidéo : {SITE}/voeux"),
        ),
    ),
    # ------------------------------------------------------------------ archived
    DemoItem(
        title="Partenariat avec un grand réseau d'installateurs",
        language="fr",
        content_type=NEWS,
        state=ARCHIVED,
        topics=(COMPANY,),
        publish_in_days=-30,
        comment="Partenariat reporté : contenu retiré à la demande de la direction commerciale.",
        body="Annonce d'un partenariat de distribution de LumenStock.",
        copies=(
            (
                "linkedin",
                "Nous nous associons à un grand réseau d'installateurs pour rendre LumenStock "
                "disponible partout en France. #Partenariat",
            ),
            ("x", "Nouveau partenariat pour distribuer LumenStock partout en France 🤝"),
        ),
    ),
    DemoItem(
        title="Social media week: live Q&A with our ambassadors",
        language="en",
        content_type=EVENT,
        state=ARCHIVED,
        topics=(EVENTS, COMPANY),
        author=CONTENT_2,
        publish_in_days=-50,
        comment="Duplicate of the HR team's post: archived.",
        body="Live Q&A on LinkedIn with three ambassadors of our programme.",
        copies=(
            (
                "linkedin",
                "It's social media week! Join three of our ambassadors for a live Q&A on why they "
                "share their work online. #SocialMediaWeek",
            ),
        ),
    ),
    DemoItem(
        title="Tarifs de rachat du solaire : ce qui change",
        language="fr",
        content_type=INDUSTRY,
        state=ARCHIVED,
        topics=(SOLAR,),
        comment="Information devenue obsolète avant publication.",
        archived_from=DRAFT,
        body="Synthèse d'un article de veille sur l'évolution des tarifs de rachat.",
        copies=(
            (
                "linkedin",
                "Tarifs de rachat de l'électricité solaire : ce qui change ce trimestre pour les "
                "petites installations. #Veille #Solaire",
            ),
        ),
    ),
)
