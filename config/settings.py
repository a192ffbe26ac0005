"""Portevoix settings. Everything comes from the environment (see README, Configuration)."""

from __future__ import annotations

import datetime as dt
import os
from email.utils import parseaddr
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_ints, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PORTEVOIX_VAR_DIR", str(BASE_DIR / "var")))
# Local state (SQLite database, embedded queue, uploads) lives here unless configured away.
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY", required=not DEBUG) or "dev-only-insecure-key-do-not-use"
if not DEBUG and len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long in production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is required in production (DEBUG is off): a comma-separated list of "
        "host names, for example ALLOWED_HOSTS=advocacy.example.com"
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Public base URL, used in invitation emails and links.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Base of the tracked short links (SHORT_LINK_BASE_URL/l/<code>): the redirect may be served
# from a short host of its own.
SHORT_LINK_BASE_URL = env_str("SHORT_LINK_BASE_URL", SITE_URL).rstrip("/")
# Secrets stored in the database (conversion keys...) are encrypted with a key derived (HKDF)
# from this value; several comma-separated values: the first encrypts, all decrypt (rotation).
# Required in production; with DEBUG on it is derived from SECRET_KEY when absent.
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY", required=not DEBUG)
if FIELD_ENCRYPTION_KEY and any(
    len(part.strip()) < 32 for part in FIELD_ENCRYPTION_KEY.split(",") if part.strip()
):
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be at least 32 characters long.")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "axes",
    "huey.contrib.djhuey",
    "portevoix.core",
    "portevoix.accounts",
    "portevoix.content",
    "portevoix.sharing",
    "portevoix.analytics",
    "portevoix.governance",
    "portevoix.training",
    "portevoix.publishing",
    "portevoix.ideas",
    "portevoix.recognition",
    "portevoix.rewards",
    "portevoix.surveys",
    "portevoix.scim",
    "portevoix.notifications",
    "portevoix.sso",
    "portevoix.webhooks",
    "portevoix.workspace",
    "portevoix.planning",
    "portevoix.privacy",
    "portevoix.listening",
    "portevoix.assist",
    "portevoix.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portevoix.accounts.middleware.CurrentOrganizationMiddleware",
    # An administrator whose organization requires two-step verification sets it up first.
    "portevoix.accounts.two_factor.TwoFactorPolicyMiddleware",
    # Marks a signed-in member's browser: their clicks on their own links earn nothing.
    "portevoix.sharing.middleware.MemberMarkMiddleware",
    "portevoix.core.middleware.DomainErrorMiddleware",
    # Last: turns a locked-out login into the login page with its message (throttle below).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portevoix.accounts.context_processors.organization",
                "portevoix.core.context_processors.page_banners",
                "portevoix.core.context_processors.topbar_items",
            ],
        },
    }
]

# --- Database: SQLite (WAL) by default, PostgreSQL when DATABASE_URL is set.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60))
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(VAR_DIR / "portevoix.sqlite3")),
            # Keep each thread's connection between requests: opening one (and its PRAGMAs,
            # and Django's SQL functions) costs ~1.8 ms, a tenth of a feed page.
            "CONN_MAX_AGE": env_int("CONN_MAX_AGE", 600),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
# PostgreSQL: the few statements every signed-in page runs (the session's, the user's with
# their membership, the feed's stamp) are prepared once per connection instead of planned
# each time (portevoix/core/prepared.py, decision 0040). Off behind a proxy that pools
# transactions (PgBouncer before 1.21 in transaction mode).
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and queue: local by default, Redis when REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES: dict[str, dict[str, object]] = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "portevoix"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            # The feed's cached rankings and cards (docs/decisions/0004-feed-cache.md) are
            # many small entries: room for them beside the links' (the default is 300).
            "OPTIONS": {"MAX_ENTRIES": env_int("LOCAL_CACHE_MAX_ENTRIES", 5000)},
        },
        # The team's pages' kept bodies (docs/decisions/0036-page-body-cache.md): tens of KB
        # each, so a room of their own, bounded (300 x ~80 KB: ~24 MB a process at most),
        # that many distinct query strings cannot grow or use to push out the feed's entries.
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "portevoix-pages",
            "OPTIONS": {"MAX_ENTRIES": env_int("PAGE_CACHE_MAX_ENTRIES", 300)},
        },
    }

HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env_str("HUEY_NAME", "portevoix"),
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": env_str("HUEY_NAME", "portevoix"),
        "filename": env_str("HUEY_SQLITE_PATH", str(VAR_DIR / "huey.sqlite3")),
        "immediate": HUEY_IMMEDIATE,
    }

# --- Auth
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
# Where `core.web.member_view` sends a logged-in person who has no current organization.
ORGANIZATION_CHOOSER_URL = "accounts:dashboard"
# Notices on every page (`core.context_processors.page_banners`): each provider takes the
# request and returns `core.context_processors.Banner`s.
PAGE_BANNER_PROVIDERS = ["portevoix.publishing.selectors.pause_banners"]
# Links of the top bar's end area (`core.context_processors.TopbarItem`): the bell.
TOPBAR_ITEM_PROVIDERS = ["portevoix.notifications.selectors.topbar_bell"]
# Counts after links of the navigation, by url name (accounts/navigation.py): called with the
# membership, only for the members the link is shown to.
NAV_BADGE_PROVIDERS = {
    "content:approvals": "portevoix.content.selectors.approvals_badge",
    "recognition:fairplay": "portevoix.recognition.selectors.fairplay_badge",
    "surveys:mine": "portevoix.surveys.selectors.nav.open_badge",
    "listening:curation": "portevoix.listening.selectors_curation.curation_badge",
}

# Blocks other apps add to a section of the home (workspace imports none of them): each
# provider takes the membership and answers a `core.context_processors.HomeBlock` or None.
HOME_BLOCK_PROVIDERS = {"community": ["portevoix.listening.selectors.home_block"]}

# The figures (shares, clicks, conversions) of the library's rows: content may not import
# analytics, so it calls the function named here ({item id: (shares, clicks, conversions)}).
LIBRARY_FIGURES_PROVIDER = "portevoix.analytics.selectors.item_figures"
# The organization's target share of third-party news in the shares, in % (its content mix
# target, set on the analytics settings page): sharing may not import analytics, so it calls
# the function named here with the organization id (unset: the seeds' 20).
CONTENT_MIX_TARGET_PROVIDER = "portevoix.analytics.selectors.kpis.third_party_target"
# Where a content item came from, on its page: content may not import the apps that make
# drafts (the idea box), so each provider named here takes `item=` and answers
# (label, local url) or None (docs/decisions/0007-idea-origin.md).
CONTENT_ORIGIN_PROVIDERS = [
    "portevoix.ideas.selectors.content_origin",
    "portevoix.listening.selectors_curation.content_origin",
    "portevoix.assist.selectors.content_origin",
]
# Links other apps offer on an item's page (content imports none of them): each provider
# takes `membership=` and `item=` and answers (label, local url) or None. Drafting copies
# with the organization's language model (docs/decisions/0030-drafting-assistance.md).
CONTENT_ITEM_ACTION_PROVIDERS = ["portevoix.assist.selectors.item_action"]
# The synced follower count of a member's connected account on a network, for a share's
# potential reach (`sharing.selectors.connected_audience`): each provider takes
# `membership=` and `network=` and returns a count or None. Sharing imports no publishing.
SHARE_AUDIENCE_PROVIDERS = ["portevoix.publishing.selectors.connected_followers"]
# Disclosures every share must carry, required by apps above governance (each provider takes
# the organization and returns a `governance.gates.RequiredDisclosure` or None): rewards'
# incentive disclosure when its rewards are of value (docs/decisions/0005).
GUARDRAIL_DISCLOSURE_PROVIDERS = ["portevoix.rewards.selectors.incentive_disclosure"]
# The raw events of analytics' rollups, per kind, read through the selectors of the apps
# that record them (analytics/rollups/sources.py): analytics imports neither sharing nor
# publishing, which import analytics.rollups to add to the cells.
# Moderation (governance) imports neither content nor sharing, which import governance.gates:
# what a member may report, and how a moderator's "remove" takes an object down (each
# remover returns a `governance.gates.Removal`), come from the apps that own the objects.
MODERATION_REPORTABLE_ITEM = "portevoix.content.selectors.item_visible_to"
# A share a member may report: their own, or any with `share.view_all` (called with pk=).
MODERATION_REPORTABLE_SHARE = "portevoix.sharing.selectors.visible_share"
MODERATION_REMOVERS = {
    "content.item": "portevoix.content.services.item_moderation_remove",
    "sharing.share": "portevoix.sharing.services.share_moderation_remove",
    "share": "portevoix.sharing.services.share_moderation_remove",
}
ROLLUP_EVENT_SOURCES = {
    "shares": "portevoix.sharing.selectors.rollup_shares",
    "clicks": "portevoix.sharing.selectors.rollup_clicks",
    "conversions": "portevoix.sharing.selectors.rollup_conversions",
    "engagement": "portevoix.publishing.selectors.rollup_engagement",
}
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_HASHERS = env_list(
    "PASSWORD_HASHERS",
    [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ],
)
INVITATION_TTL_DAYS = env_int("INVITATION_TTL_DAYS", 14)
# A password-reset link works once, for this long (seconds).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600)
# Requests a minute each API token may send (core/api_access.py, fixed one-minute windows).
API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT_PER_MINUTE", 600)

# --- Login throttling (django-axes, portevoix/accounts/throttle.py): after
# LOGIN_FAILURE_LIMIT wrong passwords an account is locked for LOGIN_LOCKOUT_MINUTES, even
# for the right password; an admin may unlock it from the member's page. Counted per
# account only: no IP address is stored (nor logged), and the success log is off.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "portevoix.accounts.throttle.client_username"
AXES_CLIENT_IP_CALLABLE = "portevoix.accounts.throttle.client_ip"
AXES_CLIENT_STR_CALLABLE = "portevoix.accounts.throttle.client_str"
AXES_LOCKOUT_CALLABLE = "portevoix.accounts.views.auth.locked_out"
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_RESET_ON_SUCCESS = True
AXES_SENSITIVE_PARAMETERS = ["username", "email", "ip_address", "code"]
# axes warns when the lock does not use the IP address: ours is per account on purpose.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# --- I18n: French and English from day one.
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "portevoix" / "networks" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

# --- Static and media
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files that are never served as files (the archives of a person's own data, privacy/): only
# a view hands one out, to whom it belongs. Keep it outside MEDIA_ROOT and any web root.
PRIVATE_ROOT = Path(env_str("PRIVATE_ROOT", str(VAR_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_ROOT)},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Serve uploads from Django itself (single-machine installs); behind nginx, turn off.
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG)
MAX_IMAGE_BYTES = env_int("MAX_IMAGE_BYTES", 5 * 1024 * 1024)
# Link previews: a content item's link is read by the worker when it is saved (title, site,
# a local copy of its image), through the same SSRF guard as the networks' connectors.
# Off in the test settings, so that no test reaches the Internet by accident.
LINK_PREVIEWS = env_bool("LINK_PREVIEWS", True)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- "My data" (portevoix/privacy): how long the archive of one's own data may be
# downloaded before it is deleted.
PRIVACY_EXPORT_DAYS = env_int("PRIVACY_EXPORT_DAYS", 7)

# --- Email
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Portevoix <no-reply@localhost>")
# The shared secret of the bounce webhook (POST /hooks/email/bounce, `Authorization: Bearer
# <secret>`); empty: the webhook answers 404.
EMAIL_BOUNCE_SECRET = env_str("EMAIL_BOUNCE_SECRET")
# An address for `List-Unsubscribe: <mailto:...>` beside the one-click link (optional).
EMAIL_UNSUBSCRIBE_MAILTO = env_str("EMAIL_UNSUBSCRIBE_MAILTO")
# How long a worker holds the emails it claimed before another may send them (seconds).
EMAIL_LEASE_SECONDS = env_int("EMAIL_LEASE_SECONDS", 600)

# --- Security
# Django's database sessions, with the read of every request as plain SQL (core/sessions.py).
SESSION_ENGINE = "portevoix.core.sessions"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the counter script reads it to send X-CSRFToken
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # One year once HTTPS is on (browsers then refuse plain HTTP for the host); lower it
    # (e.g. 300) while trying HTTPS out, 0 turns HSTS off. Subdomains are left to the owner.
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

# Content-Security-Policy (django-csp) on every Django response; the redirect /l/ runs in
# front of Django (portevoix.sharing.redirect) and sends none: a 302 has nothing to protect.
# No inline script anywhere (scripts are static files; the API docs page too). Styles come
# from static files; `style-src-attr` allows the `style` attributes the heatmap computes.
# No `form-action`: connecting a network account is a form whose answer redirects to the
# network's authorization page, which `form-action 'self'` would block.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        # The web app manifest and the service worker (portevoix/core/pwa.py), ours only.
        "manifest-src": [SELF],
        "worker-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Permissions-Policy (django-permissions-policy): no page uses a device or a powerful API.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "browsing-topics",
    )
}

# --- Logging: structured events on stdout.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"event": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No secret path in a log line: tracked-link codes and invitation tokens are masked
    # (django.request logs the path of every 4xx, e.g. a used invitation link).
    "filters": {"mask_secrets": {"()": "portevoix.core.accesslog.MaskSecrets"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "event",
            "filters": ["mask_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # WeasyPrint logs each step of every PDF at INFO; its warnings still show.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # pysaml2 logs the subject's NameID (an email address) at INFO and whole messages at
        # DEBUG: only its errors (which check failed) are kept.
        "saml2": {"level": "ERROR"},
        "xmlschema": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 20

# --- Tracked-link redirect (GET /l/<code>) and its click journal.
CLICK_JOURNAL_DIR = Path(env_str("CLICK_JOURNAL_DIR", str(VAR_DIR / "clicks")))
CLICK_SEGMENT_SECONDS = env_int("CLICK_SEGMENT_SECONDS", 2)
CLICK_SEGMENT_BYTES = env_int("CLICK_SEGMENT_BYTES", 16 * 1024 * 1024)
LINK_CACHE_SECONDS = env_int("LINK_CACHE_SECONDS", 60)
LINK_NEGATIVE_CACHE_SECONDS = env_int("LINK_NEGATIVE_CACHE_SECONDS", 30)
# The feed's cached ranking and cards: at most this long (a content change ends them at once).
FEED_CACHE_SECONDS = env_int("FEED_CACHE_SECONDS", 120)
# The page frame (accounts/frame.py) and the rendered shell bars (core shell_tags).
FRAME_CACHE_SECONDS = env_int("FRAME_CACHE_SECONDS", 60)
SHELL_CACHE_SECONDS = env_int("SHELL_CACHE_SECONDS", 300)
# The team's pages keep their body per time slot of this length (0: off); what no version
# moves (figures, time-driven states) is at most two slots late
# (docs/decisions/0036-page-body-cache.md).
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 30)
# The web worker's garbage collector (docs/decisions/0039-web-worker-gc.md): what the worker
# loaded before its first request is frozen (never scanned again), and the youngest
# generation is collected every WEB_GC_THRESHOLD[0] allocations (Python's default: 700).
WEB_GC_FREEZE = env_bool("WEB_GC_FREEZE", True)
WEB_GC_THRESHOLD = env_ints("WEB_GC_THRESHOLD", (7000, 10, 10))
# What a page's frame shows of its viewer: with it, the whole page is kept per viewer too.
PAGE_VIEWER_KEY = "portevoix.accounts.frame.viewer_key"
# How many reverse proxies in front of the app append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 0)
# Optional MaxMind/DB-IP country database (.mmdb) for the visitor's country.
GEOIP_DB_PATH = env_str("GEOIP_DB_PATH")

# --- Connected accounts (portevoix/publishing).
SOCIAL_NETWORK_KEYS = ("linkedin", "x", "mastodon", "bluesky", "threads", "facebook")
# Client id/secret of our app on each network, when an organization has not set its own:
# LINKEDIN_CLIENT_ID / LINKEDIN_CLIENT_SECRET, X_CLIENT_ID / X_CLIENT_SECRET,
# THREADS_CLIENT_ID / ..., FACEBOOK_CLIENT_ID / ... (Mastodon registers per instance; Bluesky
# uses app passwords).
SOCIAL_APPS = {
    network: {
        "client_id": env_str(f"{network.upper()}_CLIENT_ID"),
        "client_secret": env_str(f"{network.upper()}_CLIENT_SECRET"),
    }
    for network in ("linkedin", "x", "threads", "facebook")
}
# The networks' addresses, each overridable (local peers in development and tests):
# SOCIAL_ENDPOINT_<NETWORK>_<NAME>, e.g. SOCIAL_ENDPOINT_X_API=http://127.0.0.1:4100.
SOCIAL_ENDPOINTS: dict[str, dict[str, str]] = {}
for _key, _value in os.environ.items():
    if _key.startswith("SOCIAL_ENDPOINT_") and _value:
        _network, _sep, _name = _key[len("SOCIAL_ENDPOINT_") :].lower().partition("_")
        if _network in SOCIAL_NETWORK_KEYS and _name:
            SOCIAL_ENDPOINTS.setdefault(_network, {})[_name] = _value
# Hosts (host or host:port) that a user-given Mastodon instance or Bluesky server may resolve
# to even though they are private or loopback. Empty in production: no server-side request
# reaches the inside of the network. `make run` allows 127.0.0.1 for the local peers.
SOCIAL_ALLOWED_PRIVATE_HOSTS = env_list("SOCIAL_ALLOWED_PRIVATE_HOSTS")
SOCIAL_HTTP_TIMEOUT = float(env_int("SOCIAL_HTTP_TIMEOUT", 20))
# Listening: the Hacker News search API (Algolia); tests point it at a local fake.
LISTENING_HN_API = env_str("LISTENING_HN_API", "https://hn.algolia.com/api/v1")
# The Bluesky AppView the benchmarks read public profiles and posts from (decision 0028).
LISTENING_BSKY_APPVIEW = env_str("LISTENING_BSKY_APPVIEW", "https://public.api.bsky.app")
# Reddit's OAuth API and its token endpoint, for the organizations that enter their own
# Reddit app (decision 0032); tests point them at a local fake.
LISTENING_REDDIT_API = env_str("LISTENING_REDDIT_API", "https://oauth.reddit.com")
LISTENING_REDDIT_AUTH = env_str("LISTENING_REDDIT_AUTH", "https://www.reddit.com")
# A worker that claimed a post and died: another may take it over after this many seconds
# (it first asks the network whether the post went out).
PUBLISH_LEASE_SECONDS = env_int("PUBLISH_LEASE_SECONDS", 300)
# Transient failures (5xx, timeouts, 429) are retried with backoff up to this many attempts.
PUBLISH_MAX_ATTEMPTS = env_int("PUBLISH_MAX_ATTEMPTS", 8)

# --- Web push (portevoix/notifications). VAPID_PRIVATE_KEY: a P-256 key, base64url of the raw
# 32 bytes (or DER/PEM); `make run` generates one into var/vapid_private_key. The public key
# is derived from it (VAPID_PUBLIC_KEY, when given, must match). Without a key, push is off
# and notifications stay in-app. VAPID_SUBJECT: how a push service reaches the operator
# (mailto: or https:), by default the address of DEFAULT_FROM_EMAIL.
VAPID_PRIVATE_KEY = env_str("VAPID_PRIVATE_KEY")
VAPID_PUBLIC_KEY = env_str("VAPID_PUBLIC_KEY")
VAPID_SUBJECT = env_str("VAPID_SUBJECT") or f"mailto:{parseaddr(DEFAULT_FROM_EMAIL)[1]}"

# --- Slack and Microsoft Teams (portevoix/notifications/chat). SLACK_API_BASE_URL: where
# users.info is asked (tests point it at a local fake Slack); the signing secret and the bot
# token are per organization, entered on the Slack and Teams page and stored encrypted.
# A channel whose webhook fails CHAT_MAX_FAILURES times in a row is turned off (at once on
# 404/410); a message is tried at most CHAT_MAX_ATTEMPTS times, with growing delays.
SLACK_API_BASE_URL = env_str("SLACK_API_BASE_URL", "https://slack.com/api").rstrip("/")
CHAT_MAX_FAILURES = env_int("CHAT_MAX_FAILURES", 5)
CHAT_MAX_ATTEMPTS = env_int("CHAT_MAX_ATTEMPTS", 5)
