"""Konto settings: one module, every value from the environment.

Every variable read here is listed, with a safe development value, in `.env.example` and in the
README. A local `.env` file (copied from `.env.example` by `make run` / `make test`) is read
when present; real environment variables always win over it.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        # Production must never run with a guessable key: refuse to start.
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "development-only-insecure-key-do-not-use-in-production"

# Keys for the values kept encrypted at rest (the SIP password). The first key encrypts, all of
# them decrypt, so a key can be rotated by putting a new one in front. Without it, a key is
# derived from SECRET_KEY.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "django_countries",
    "django_tasks",
    # The task queue's table, its migrations, and its admin (queued and failed tasks).
    "django_tasks_db",
    # Two-step verification: TOTP devices (authenticator apps) and recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "profile",
    "centrex",
    "conferences",
]

MIDDLEWARE = [
    "accounts.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, telling the session store the browser and address (accounts.security.sessions).
    "accounts.security.sessions.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, taking the user read with the session's row (accounts.security.sessions).
    "accounts.security.sessions.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.AccountMiddleware",
    "accounts.middleware.NoStoreWhenSignedInMiddleware",
    "accounts.security.middleware.StaffTwoStepMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "konto.urls"
WSGI_APPLICATION = "konto.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "konto.context_processors.portal",
            ],
            # {% url %} remembers the addresses it wrote (accounts.templatetags.remembered_url).
            "builtins": ["accounts.templatetags.remembered_url"],
        },
    },
]

# SQLite file under var/ by default (zero setup); PostgreSQL in production via DATABASE_URL.
(BASE_DIR / "var" / "static").mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'konto.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so two writers queue instead of
    # failing with "database is locked" when a read transaction upgrades to a write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Prepared statements: a query run a fifth time on a connection is kept prepared, so the
    # server stops parsing and planning it again. Planning the session's three-table join and
    # a page of calls took longer than running them; it saves a third of a signed-in request
    # (bench/pages.py). Needs server-side binding (psycopg sends the parameters apart from the
    # SQL); Django leaves both off by default because a pooler in transaction mode (PgBouncer
    # before 1.21) cannot follow prepared statements across connections: behind one, set
    # DATABASE_PREPARE_THRESHOLD=0.
    prepare_threshold = env.int("DATABASE_PREPARE_THRESHOLD", default=5) or None
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": prepare_threshold}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://konto")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # The same backend, without building a redis-py client for every operation.
    CACHES["default"]["BACKEND"] = "konto.redis_cache.RedisCache"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses locked-out logins before a password is checked.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.AccountBackend",
]
PASSWORD_HASHERS = [
    # Argon2id at OWASP's baseline (m=19 MiB, t=2, p=1), not Django's 100 MiB: see the module.
    "accounts.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day

# The client's address behind our reverse proxies: how many of them there are, and/or the
# networks they are in. accounts.client_address holds the rule; the lockout, the audit trail
# and e-mails all ask it. Neither set: REMOTE_ADDR, and X-Forwarded-For is ignored.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Normalised here so that a value which is not a network stops the service at start-up.
TRUSTED_PROXY_NETWORKS = [
    str(ipaddress.ip_network(value, strict=False))
    for value in env.list("TRUSTED_PROXY_NETWORKS", default=[])
]

# Login lockout (django-axes, with the rules in accounts/auth/lockout.py). Attempts are stored
# in the database, so every worker process and every app server sees the same counters.
# Failures are counted per (login, client address) and per client address (each with its
# limit): an attacker locks out only the address they attack from. A login guessed from many
# addresses is slowed down (LOGIN_SLOWDOWN_*), never locked, so no one can lock a customer out
# from elsewhere.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
# Higher for an address than for a login: an office or a mobile operator puts many customers
# behind one address, and one of them mistyping must not lock out the others.
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=4 * AXES_FAILURE_LIMIT)
AXES_COOLOFF_TIME = env.float("LOGIN_LOCKOUT_MINUTES", default=15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
# Attempts refused during a lockout are not counted: they neither extend nor restart it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A successful sign-in clears that login's failures from that address (and only those).
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "accounts.auth.lockout.LockoutHandler"
AXES_USERNAME_CALLABLE = "accounts.auth.lockout.login_of_attempt"
AXES_CLIENT_IP_CALLABLE = "accounts.client_address.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.auth.views.login_locked_out"
AXES_HTTP_RESPONSE_CODE = 429
# Every failed attempt is kept for the customer's sign-in history (accounts.security.history),
# the latest 200 of each login. A two-step code typed is masked, like the password.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = 200
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
AXES_VERBOSE = False
# Failures of one login within LOGIN_LOCKOUT_MINUTES, from all addresses together, after which
# each password check of that login waits 1, 2, 4 … up to LOGIN_SLOWDOWN_MAX_SECONDS seconds
# after the previous failure. One address can add at most LOGIN_FAILURE_LIMIT of them.
LOGIN_SLOWDOWN_AFTER = env.int("LOGIN_SLOWDOWN_AFTER", default=2 * AXES_FAILURE_LIMIT)
LOGIN_SLOWDOWN_MAX_SECONDS = env.int("LOGIN_SLOWDOWN_MAX_SECONDS", default=60)

# Two-step verification (accounts/security/two_step.py). Wrong codes count as failed sign-ins
# under the lockout above, so django-otp's own per-device delay, which anyone who knows the
# password could use to lock the customer out of their codes, is off.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Konto")
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Staff must have two-step verification on before any admin page opens.
STAFF_TWO_STEP_REQUIRED = env.bool("STAFF_TWO_STEP_REQUIRED", default=True)
# How long the "Kod" step of a sign-in waits for a code after the password was right.
TWO_STEP_CODE_MINUTES = 5

LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("Polish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# English on a 24-hour clock, like Polish (konto/formats/en/formats.py).
FORMAT_MODULE_PATH = ["konto.formats"]
TIME_ZONE = "Europe/Warsaw"
USE_TZ = True
LANGUAGE_COOKIE_NAME = "konto_language"
# Annotated so that set_cookie() sees one of the values it accepts, not any string.
LANGUAGE_COOKIE_SAMESITE: Literal["Lax", "Strict", "None"] = "Lax"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "/media/"  # never served publicly: owned files go through authenticated views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# E-mail: console in development, SMTP (or anything django-environ knows) via EMAIL_URL.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Konto <konto@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds to wait for the mail server before the attempt counts as failed (and is retried).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# Background work: every e-mail is a task (accounts/mail.py). "database" keeps the queue in the
# database for `manage.py db_worker`, so a request never waits for the mail server and an
# outage loses nothing; "immediate" runs each task as it is queued, inside the request.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS_BACKEND = env.str("TASKS_BACKEND", default="database")
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND]}}
# An e-mail the mail server refuses, or cannot be reached for, is tried this many times in
# all, the first retry after EMAIL_RETRY_SECONDS and each further one after twice as long
# (at most six hours): with the defaults, for about a day before it is given up.
EMAIL_SEND_ATTEMPTS = env.int("EMAIL_SEND_ATTEMPTS", default=12)
EMAIL_RETRY_SECONDS = env.int("EMAIL_RETRY_SECONDS", default=60)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Django's, with the <input> widgets written in Python (the same markup, a tenth of the time).
FORM_RENDERER = "accounts.widgets.FormRenderer"

# The operator's conference dial-in numbers (E.164), shown on conferences and in invitations.
CONFERENCE_DIAL_IN_NUMBERS = env.list("CONFERENCE_DIAL_IN_NUMBERS", default=["+48221234567"])

# Who runs the service: named on the login page ("the login and password you received from …").
OPERATOR_NAME = env.str("OPERATOR_NAME", default="NASK")
# The help desk customers are sent to, e.g. to switch on a service (pages of a switched-off
# service show them). Empty: those pages name only the operator.
HELP_DESK_PHONE = env.str("HELP_DESK_PHONE", default="")
HELP_DESK_EMAIL = env.str("HELP_DESK_EMAIL", default="")
# The portal's public address (https://konto.example.com), for links in e-mails sent by
# operator commands, which have no request to take it from. Empty: the e-mails carry no link.
PORTAL_URL = env.str("PORTAL_URL", default="")

# The SIP network (deploy/kamailio/): the domain of every account's SIP identity
# (<account ID>@SIP_DOMAIN, also the digest realm: changing it needs `sync_sip_credentials`),
# the proxy address customers set in their phones (shown on "Ustawienia"), and where the proxy
# relays calls for voicemail (empty: such calls get 480 Temporarily Unavailable).
SIP_DOMAIN = env.str("SIP_DOMAIN", default="sip.konto.localhost")
SIP_PROXY = env.str("SIP_PROXY", default="udp:127.0.0.1:5060")
VOICEMAIL_URI = env.str("VOICEMAIL_URI", default="")
# Calls the proxy records (`manage.py sync_switch_calls`): the price of a minute of an answered
# outbound call ("0": free) and the billing increment FIRST/NEXT in seconds (see
# accounts/calls/rating.py), and how often the task worker syncs them (`--queue`).
SWITCH_CALL_RATE = env.str("SWITCH_CALL_RATE", default="0")
SWITCH_CALL_INCREMENT = env.str("SWITCH_CALL_INCREMENT", default="1/1")
SWITCH_CALL_SYNC_SECONDS = env.int("SWITCH_CALL_SYNC_SECONDS", default=60)

# Security. Secure defaults when DEBUG is off; each can be relaxed from the environment.
# Database sessions indexed by user, so a customer can see and end theirs (Bezpieczeństwo).
SESSION_ENGINE = "accounts.security.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
CSRF_COOKIE_HTTPONLY = True
# Konto's own page, in the user's language, with what to do (reload, accept cookies).
CSRF_FAILURE_VIEW = "konto.error_pages.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer probes over plain HTTP
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy: everything is served from our own origin; no inline scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # One line per record, with its time, level and source (a database outage logs one such
    # line per failed request, see konto/error_pages.py).
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
