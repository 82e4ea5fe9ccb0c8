"""Settings shared by every environment. All values that vary come from environment variables."""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import database_from_env, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("BANGFU_VAR_DIR") or BASE_DIR / "var")


def _secret_key() -> str:
    """Use BANGFU_SECRET_KEY; outside production keep a generated key in var/ (never in git)."""
    key = env_str("BANGFU_SECRET_KEY")
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("BANGFU_SECRET_KEY must be at least 32 characters long.")
        return key
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()


def _pii_keys() -> tuple[tuple[tuple[str, bytes], ...], bytes]:
    """Household PII keys: BANGFU_PII_KEYS ("keyid:base64key,…", first = current) and
    BANGFU_PII_HMAC_KEY (base64, for lookup tokens). Outside production, when both are absent,
    stable development keys are derived from a seed kept in var/ (never in git)."""
    from bangfu.households import crypto

    raw_keys, raw_hmac = env_str("BANGFU_PII_KEYS"), env_str("BANGFU_PII_HMAC_KEY")
    if raw_keys or raw_hmac:
        if not raw_keys or not raw_hmac:
            missing = "BANGFU_PII_HMAC_KEY" if raw_keys else "BANGFU_PII_KEYS"
            raise ImproperlyConfigured(f"{missing} must be set together with the other PII key.")
        try:
            return crypto.parse_keys(raw_keys), crypto.parse_hmac_key(raw_hmac)
        except crypto.KeyConfigError as exc:
            raise ImproperlyConfigured(str(exc)) from None
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "pii_dev_seed"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return crypto.development_keys(path.read_text(encoding="utf-8").strip().encode())


BANGFU_PII_KEYS, BANGFU_PII_HMAC_KEY = _pii_keys()
DEBUG = env_bool("BANGFU_DEBUG", default=False)
ALLOWED_HOSTS = env_list("BANGFU_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("BANGFU_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "django_tasks",
    "bangfu.core",
    "bangfu.regions",
    "bangfu.pairings",
    "bangfu.accounts",
    "bangfu.funds",
    "bangfu.projects",
    "bangfu.households",
    "bangfu.indicators",
    "bangfu.cases",
    "bangfu.ingest",
    "bangfu.dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "bangfu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": database_from_env(str(VAR_DIR / "bangfu.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["bangfu.accounts.backends.ThrottledModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling: after this many failures for one username or one client address within the
# window, further attempts are refused until the window passes.
BANGFU_LOGIN_MAX_FAILURES = env_int("BANGFU_LOGIN_MAX_FAILURES", 5)
BANGFU_LOGIN_WINDOW_SECONDS = env_int("BANGFU_LOGIN_WINDOW_SECONDS", 15 * 60)

# Fund flows: how far a stage (e.g. 到位 arrived) may exceed the stage before it (计划 planned)
# for the same pairing/year/project, in percent, and whether exceeding it is an "error" (refused)
# or a "warning" (recorded, and the warning returned to the caller).
try:
    BANGFU_FUND_STAGE_TOLERANCE = Decimal(env_str("BANGFU_FUND_STAGE_TOLERANCE") or "0")
except InvalidOperation:
    raise ImproperlyConfigured("BANGFU_FUND_STAGE_TOLERANCE must be a number (percent).") from None
if not BANGFU_FUND_STAGE_TOLERANCE.is_finite() or BANGFU_FUND_STAGE_TOLERANCE < 0:
    raise ImproperlyConfigured("BANGFU_FUND_STAGE_TOLERANCE must be a percentage of 0 or more.")
BANGFU_FUND_STAGE_RULE = env_str("BANGFU_FUND_STAGE_RULE") or "error"
if BANGFU_FUND_STAGE_RULE not in {"error", "warning"}:
    raise ImproperlyConfigured('BANGFU_FUND_STAGE_RULE must be "error" or "warning".')

# Indicators: a reporting period closes this many days after it ends (later entries need an
# administrator); a value more than this factor above the median of the pairing's own earlier
# periods is flagged as an outlier for follow-up.
BANGFU_PERIOD_DEADLINE_DAYS = env_int("BANGFU_PERIOD_DEADLINE_DAYS", 60)
try:
    BANGFU_OUTLIER_FACTOR = Decimal(env_str("BANGFU_OUTLIER_FACTOR") or "3")
except InvalidOperation:
    raise ImproperlyConfigured("BANGFU_OUTLIER_FACTOR must be a number.") from None
if not BANGFU_OUTLIER_FACTOR.is_finite() or BANGFU_OUTLIER_FACTOR <= 1:
    raise ImproperlyConfigured("BANGFU_OUTLIER_FACTOR must be a number greater than 1.")

# Monitoring cases: the identification procedure (clue → recorded) should take at most this many
# days, and the first assistance measure should follow identification within this many days.
# Cases past either deadline are listed as overdue.
BANGFU_CASE_IDENTIFICATION_DAYS = env_int("BANGFU_CASE_IDENTIFICATION_DAYS", 15)
BANGFU_CASE_FIRST_MEASURE_DAYS = env_int("BANGFU_CASE_FIRST_MEASURE_DAYS", 30)
# A monitoring run on PostgreSQL reads its rules through this many extra connections, on the
# run's own snapshot (bangfu/households/monitoring/parallel.py); 0 reads them one by one.
BANGFU_MONITOR_READERS = env_int("BANGFU_MONITOR_READERS", 2)
if BANGFU_MONITOR_READERS < 0:
    raise ImproperlyConfigured("BANGFU_MONITOR_READERS must be 0 or more.")
# Dashboard bodies are cached until the next audited write (bangfu/dashboards/cache.py).
BANGFU_PAGE_CACHE_SECONDS = env_int("BANGFU_PAGE_CACHE_SECONDS", 600)
if BANGFU_CASE_IDENTIFICATION_DAYS < 1 or BANGFU_CASE_FIRST_MEASURE_DAYS < 1:
    raise ImproperlyConfigured("BANGFU_CASE_*_DAYS must be at least 1.")

# Background jobs (bangfu.core.jobs). django-tasks 0.12 ships no database backend (it moved to
# the django-tasks-db package); until that is installed, queued Job rows are the queue and
# `bangfu manage job_worker` runs them. BANGFU_TASKS_BACKEND may name another backend.
TASKS = {
    "default": {
        "BACKEND": env_str("BANGFU_TASKS_BACKEND") or "bangfu.core.job_backend.JobQueueBackend",
    }
}

CACHES = {
    # Shared between gunicorn workers, so login throttling counts every attempt.
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "bangfu_cache",
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("BANGFU_SESSION_SECONDS", 8 * 60 * 60)
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag instead
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "bangfu" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end libraries come from npm (package.json, package-lock.json; `make deps` runs npm ci) and
# are served from node_modules under a prefix: {% static 'vendor/echarts/echarts.min.js' %} and
# {% static 'vendor/htmx/htmx.min.js' %}. They are never committed.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "bangfu" / "static",
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("BANGFU_MEDIA_ROOT") or VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"login": "10/min"},
    "EXCEPTION_HANDLER": "bangfu.core.drf.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "bangfu API",
    "DESCRIPTION": "Paired assistance and relapse-prevention monitoring. Every list is scoped "
    "to what the signed-in user may see.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Several models have a `kind`: name each choice set after its model so the schema is stable.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "bangfu.core.drf.drop_database_integer_bounds",
    ],
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "bangfu.pairings.models.OrganisationKind",
        "PairingKindEnum": "bangfu.pairings.models.PairingKind",
        "PairingLevelEnum": "bangfu.pairings.models.PairingLevel",
        "AgreementKindEnum": "bangfu.pairings.models.AgreementKind",
        "MeetingKindEnum": "bangfu.pairings.models.MeetingKind",
        "AuditActionEnum": "bangfu.core.models.AuditAction",
        "PartyTypeEnum": "bangfu.pairings.api.PartyType",
        "RegionLevelEnum": "bangfu.regions.codes.Level",
        "ResolutionStatusEnum": "bangfu.regions.gazetteer.RESOLUTION_STATUSES",
        "CaseStateEnum": "bangfu.cases.choices.CaseState",
        "CaseSourceEnum": "bangfu.cases.choices.CaseSource",
        "EliminationWayEnum": "bangfu.cases.choices.EliminationWay",
        # Keeps the indicators' name now that cases also have a "source" choice set.
        "SourceEnum": "bangfu.indicators.models.Source",
        "FundStageEnum": "bangfu.funds.models.Stage",
        "FundSourceKindEnum": "bangfu.funds.models.SourceKind",
        "FundReportedByEnum": "bangfu.funds.models.ReportedBy",
        "ProjectStatusEnum": "bangfu.projects.models.Status",
        "ProjectCategoryEnum": "bangfu.projects.models.Category",
        "ProjectDocumentKindEnum": "bangfu.projects.models.DocumentKind",
        "FactKindEnum": "bangfu.ingest.models.FactKind",
        "GridCellKindEnum": [("target", "target"), ("value", "value")],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("BANGFU_LOG_LEVEL") or "INFO"},
    "loggers": {
        # Request bodies and SQL parameters may carry personal data: keep them out of the log.
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}
