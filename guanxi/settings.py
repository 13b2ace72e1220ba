"""Django settings for Guanxi.

Everything that differs between installations comes from environment variables
so one code base serves the single-box SQLite set-up and the PostgreSQL + Redis
scale-out alike (see docs/deployment.md).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

# One BLAS thread per process: the forecasts and CLV fits are small, and on a busy
# box OpenBLAS's thread pool made one forecast fit 30x slower (docs/reports.md).
# Set before numpy is first imported by anything.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("GUANXI_DATA_DIR", PROJECT_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use GUANXI_SECRET_KEY, else a key generated once and kept in the data dir.

    Several app servers must share one key: set the variable when scaling out.
    """
    if key := os.environ.get("GUANXI_SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("GUANXI_DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("GUANXI_ALLOWED_HOSTS", "*").split(",") if h]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("GUANXI_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "axes",
    "huey.contrib.djhuey",
    "guanxi.platform",
    "guanxi.accounts",
    "guanxi.customers",
    "guanxi.sales",
    "guanxi.activities",
    "guanxi.leads",
    "guanxi.pool",
    "guanxi.deals",
    "guanxi.contracts",
    "guanxi.reports",
    "guanxi.notifications",
    "guanxi.analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "guanxi.accounts.middleware.UserLanguageMiddleware",
    "guanxi.platform.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "guanxi.urls"
WSGI_APPLICATION = "guanxi.wsgi.application"

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
                "guanxi.platform.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'guanxi.sqlite3'}"),
        conn_max_age=int(os.environ.get("GUANXI_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock
    # at BEGIN so two writers queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000; PRAGMA cache_size=-65536;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # Server-side cursors cost extra round trips for the small iterator() reads
    # of form choice lists, and break behind pgbouncer in transaction mode.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})
    # psycopg prepares repeated statements; generic plans are bad for skewed
    # search terms (see STACK-NOTES.md), so always plan with the real values.
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c plan_cache_mode=force_custom_plan")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "guanxi.accounts.backends.UserBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login lockout (django-axes): counted per username + IP in the database, so it
# holds across several app servers.
AXES_FAILURE_LIMIT = int(os.environ.get("GUANXI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our additions to Django's per-language formats (thousands separators for amounts).
FORMAT_MODULE_PATH = ["guanxi.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

REDIS_URL = os.environ.get("GUANXI_REDIS_URL", "")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "guanxi",
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "guanxi",
        "filename": str(DATA_DIR / "jobs.sqlite3"),
        "immediate": False,
        # SQLite cannot block on a queue: poll, but never wait more than a second so
        # a queued job starts while the user is still looking at its progress bar.
        "consumer": {"workers": 2, "worker_type": "thread", "max_delay": 1.0},
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "guanxi_cache",
        }
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GUANXI_LOG_LEVEL", "WARNING")},
}

# Largest file an import accepts (web, API and CLI), in MB.
GUANXI_IMPORT_MAX_BYTES = int(os.environ.get("GUANXI_IMPORT_MAX_MB", "50")) * 1024 * 1024

GUANXI = {
    "DEFAULT_PHONE_REGION": os.environ.get("GUANXI_PHONE_REGION", "CN"),
    "DEFAULT_CURRENCY": "CNY",
    "PAGE_SIZE": 50,
    # Records deleted longer ago than this are purged for good by a nightly job.
    "RECYCLE_BIN_RETENTION_DAYS": int(os.environ.get("GUANXI_RECYCLE_BIN_RETENTION_DAYS", "90")),
    # Export files and import files (uploads, error reports) older than this are deleted
    # by a nightly job; a download after that says the export expired.
    "FILE_RETENTION_DAYS": int(os.environ.get("GUANXI_FILE_RETENTION_DAYS", "7")),
}

# E-mail (notifications, later campaigns): printed to the console until an SMTP
# server is configured with GUANXI_EMAIL_HOST (see docs/deployment.md).
EMAIL_HOST = os.environ.get("GUANXI_EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("GUANXI_EMAIL_PORT", "465"))
EMAIL_HOST_USER = os.environ.get("GUANXI_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("GUANXI_EMAIL_PASSWORD", "")
EMAIL_USE_SSL = (
    os.environ.get("GUANXI_EMAIL_SSL", "true" if EMAIL_PORT == 465 else "false") == "true"
)
EMAIL_USE_TLS = not EMAIL_USE_SSL and os.environ.get("GUANXI_EMAIL_TLS", "true") == "true"
DEFAULT_FROM_EMAIL = os.environ.get("GUANXI_EMAIL_FROM", "Guanxi CRM <noreply@localhost>")
# The address people open Guanxi at, for links in e-mails.
GUANXI_SITE_URL = os.environ.get("GUANXI_SITE_URL", "http://127.0.0.1:8000")

# The company on quotes and other documents (every key optional).
GUANXI_COMPANY = {
    "name": os.environ.get("GUANXI_COMPANY_NAME", ""),
    "address": os.environ.get("GUANXI_COMPANY_ADDRESS", ""),
    "phone": os.environ.get("GUANXI_COMPANY_PHONE", ""),
    "email": os.environ.get("GUANXI_COMPANY_EMAIL", ""),
    "website": os.environ.get("GUANXI_COMPANY_WEBSITE", ""),
    "tax_id": os.environ.get("GUANXI_COMPANY_TAX_ID", ""),
    "bank": os.environ.get("GUANXI_COMPANY_BANK", ""),
}
