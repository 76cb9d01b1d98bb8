"""Settings shared by every environment; every value that differs per machine comes from the
environment (12-factor), read once here with django-environ."""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

SRC_DIR = Path(__file__).resolve().parents[3]
PROJECT_DIR = SRC_DIR.parent
PACKAGE_DIR = SRC_DIR / "greenwave"

env = environ.Env()
environ.Env.read_env(PROJECT_DIR / ".env", overwrite=False)

SECRET_KEY = env.str("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Greenwave first: its templates and translations take precedence over Django's own.
    "greenwave.core",
    "greenwave.accounts",
    "greenwave.crm",
    "greenwave.sales",
    "greenwave.activities",
    "greenwave.bpm",
    "greenwave.decisions",
    "greenwave.planning",
    "greenwave.documents",
    "greenwave.mining",
    "greenwave.integrations",
    "greenwave.analytics",
    "greenwave.outreach",
    "greenwave.orders",
    "greenwave.datagen",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.admin",
    "ninja",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "greenwave.core.request_guard.RequestGuardMiddleware",  # before CSRF: it reads the body
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "greenwave.accounts.middleware.UserPreferencesMiddleware",
    "greenwave.core.middleware.DomainErrorMiddleware",
    "greenwave.core.middleware.ApiRoutingErrorMiddleware",
    "greenwave.core.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "greenwave.config.urls"
WSGI_APPLICATION = "greenwave.config.wsgi.application"
ASGI_APPLICATION = "greenwave.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "greenwave.core.context_processors.shell",
            ],
        },
    }
]

# Database: SQLite (WAL) is the embedded default, DATABASE_URL=postgres://… in production.
VAR_DIR = Path(env.str("GREENWAVE_VAR_DIR", default=str(PROJECT_DIR / "var")))
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'greenwave.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer commits; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue instead of failing with "database is locked" mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
            " PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling (django-axes): lock a username+IP pair after repeated failures ...
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# ... and lock an address trying many usernames (accounts.views.LoginView): a higher limit,
# since one office may sit behind one address.
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
LOGIN_ADDRESS_LOCK_SECONDS = int(AXES_COOLOFF_TIME * 3600)
# Password reset e-mails: per address and per account within the window.
PASSWORD_RESET_RATE_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_RATE_LIMIT_PER_ADDRESS", default=5)
PASSWORD_RESET_RATE_LIMIT_PER_ACCOUNT = env.int("PASSWORD_RESET_RATE_LIMIT_PER_ACCOUNT", default=3)
PASSWORD_RESET_RATE_WINDOW = env.int("PASSWORD_RESET_RATE_WINDOW", default=3600)

# Internationalisation: Russian first, English second; Moscow time unless the user says otherwise.
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="ru")
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
LOCALE_PATHS = [PACKAGE_DIR / "config" / "locale"]  # apps keep their own locale/
LANGUAGE_COOKIE_NAME = "greenwave_language"
FORMAT_MODULE_PATH = ["greenwave.core.formats"]  # a short MONTH_DAY_FORMAT per language

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(PROJECT_DIR / "var" / "static")))
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Request bodies (JSON, forms; uploaded files not counted) above this get 413; the views that
# receive a whole BPMN/DMN model as text allow more (core.request_guard.allow_large_body).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MB
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# The address people open Greenwave at: absolute links in e-mails (reminders) start with it.
GREENWAVE_BASE_URL = env.str("GREENWAVE_BASE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Greenwave <noreply@localhost>")
# Mailings (outreach): at most this many messages a minute, and per run of the send job.
OUTREACH_RATE_PER_MINUTE = env.int("OUTREACH_RATE_PER_MINUTE", default=120)
OUTREACH_BATCH_SIZE = env.int("OUTREACH_BATCH_SIZE", default=50)

# Background jobs: the database queue is embedded; REDIS_URL switches to RQ workers.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    INSTALLED_APPS += ["django_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Cache: rate limits and throttling must be shared by every web process, so Redis when scaled out.
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Public web form → leads: at most this many submissions per address per window.
WEB_FORM_RATE_LIMIT = env.int("WEB_FORM_RATE_LIMIT", default=5)
WEB_FORM_RATE_WINDOW = env.int("WEB_FORM_RATE_WINDOW", default=600)

# Webhooks (integrations): hosts that may be private or plain-http addresses (a local
# integration, the tests: "127.0.0.1"); every other target must resolve to public addresses.
WEBHOOK_ALLOWED_HOSTS: list[str] = env.list("WEBHOOK_ALLOWED_HOSTS", default=[])
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10)
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=10)
WEBHOOK_DISPATCH_SETTLE_SECONDS = env.int("WEBHOOK_DISPATCH_SETTLE_SECONDS", default=300)
# 1C exchange (CommerceML 2 over HTTP): the credentials 1C signs in with; empty = switched off.
ONEC_EXCHANGE_USERNAME = env.str("ONEC_EXCHANGE_USERNAME", default="")
ONEC_EXCHANGE_PASSWORD = env.str("ONEC_EXCHANGE_PASSWORD", default="")

# Content Security Policy: everything is served from our own origin (no CDN).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-free meta tag, not here
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

GREENWAVE_PAGE_SIZE = env.int("GREENWAVE_PAGE_SIZE", default=25)
GREENWAVE_API_MAX_PAGE_SIZE = 200
# A list counts its matches up to this many and answers "more" beyond (API `count` null):
# an exact count reads every visible row, so its cost would grow with the table.
GREENWAVE_LIST_COUNT_LIMIT = env.int("GREENWAVE_LIST_COUNT_LIMIT", default=1000)

ENGINE_LOG_LEVEL = env.str("ENGINE_LOG_LEVEL", default="WARNING")
SPIFF_LOGGERS = ("spiff", "spiff.workflow", "spiff.task", "spiff.data", "spiff.dmn")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # SpiffWorkflow narrates every task state change at INFO («State changed to READY»):
        # engine detail, not news for whoever runs make demo or the worker. Its own loggers
        # get the level too: Spiff tests a logger's own `level` (not the effective one)
        # before adding detail to a record it builds whether or not it is logged — at
        # NOTSET `spiff.workflow` walks the whole task tree twice an instance for it.
        **{name: {"level": ENGINE_LOG_LEVEL} for name in SPIFF_LOGGERS},
    },
}
