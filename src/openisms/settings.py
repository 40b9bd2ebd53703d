"""Settings come from the environment so one build runs anywhere (twelve-factor).

Variables: DATABASE_URL, OPENISMS_DATA_DIR, OPENISMS_SECRET_KEY, OPENISMS_DEBUG,
OPENISMS_ALLOWED_HOSTS, OPENISMS_HOST, OPENISMS_PORT, OPENISMS_EMAIL_URL-style SMTP settings,
OPENISMS_SECURE_COOKIES, evidence storage (OPENISMS_MEDIA_ROOT, or OPENISMS_STORAGE_BACKEND and
OPENISMS_STORAGE_OPTIONS for S3-compatible storage), OPENISMS_EVIDENCE_MAX_BYTES, and
OPENISMS_OIDC_* for single sign-on.
See docs/deployment.md.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import dj_database_url


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("OPENISMS_DATA_DIR", "./var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use OPENISMS_SECRET_KEY, else a key generated once into the data dir with mode 0600."""
    if key := os.environ.get("OPENISMS_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    key = secrets.token_urlsafe(64)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


SECRET_KEY = _secret_key()
DEBUG = _env_bool("OPENISMS_DEBUG")
HOST = os.environ.get("OPENISMS_HOST", "127.0.0.1")
PORT = int(os.environ.get("OPENISMS_PORT", "8000"))
ALLOWED_HOSTS = _env_list("OPENISMS_ALLOWED_HOSTS", f"{HOST},localhost,127.0.0.1,testserver")
CSRF_TRUSTED_ORIGINS = _env_list("OPENISMS_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "openisms.core",
    "openisms.reports",
    "openisms.accounts",
    "openisms.orgs",
    "openisms.catalog",
    "openisms.assets",
    "openisms.context",
    "openisms.controls",
    "openisms.risks",
    "openisms.soa",
    "openisms.evidence",
    "openisms.documents",
    "openisms.work",
    "openisms.nonconformities",
    "openisms.reviews",
    "openisms.objectives",
    "openisms.oscal",
    "openisms.audits",
    "openisms.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "openisms.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "openisms.accounts.middleware.SessionSecurityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "openisms.core.middleware.BadInputMiddleware",
]

ROOT_URLCONF = "openisms.urls"
WSGI_APPLICATION = "openisms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "openisms.web.context_processors.navigation",
                "openisms.orgs.sso.login_context",
            ],
        },
    }
]

_default_db = f"sqlite:///{DATA_DIR / 'openisms.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _default_db)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer commits; IMMEDIATE avoids lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            " PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("OPENISMS_DB_CONN_MAX_AGE", "60"))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGOUT_REDIRECT_URL = "accounts:login"
# Login throttling (accounts/throttle.py): failures counted in the database over a window.
OPENISMS_LOGIN_WINDOW_MINUTES = int(os.environ.get("OPENISMS_LOGIN_WINDOW_MINUTES", "15"))
OPENISMS_LOGIN_ACCOUNT_LIMIT = int(os.environ.get("OPENISMS_LOGIN_ACCOUNT_LIMIT", "5"))
OPENISMS_LOGIN_ADDRESS_LIMIT = int(os.environ.get("OPENISMS_LOGIN_ADDRESS_LIMIT", "20"))
PASSWORD_RESET_TIMEOUT = int(os.environ.get("OPENISMS_PASSWORD_RESET_SECONDS", str(60 * 60)))
OTP_TOTP_ISSUER = os.environ.get("OPENISMS_OTP_ISSUER", "OpenISMS")

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SECURE_COOKIES = _env_bool("OPENISMS_SECURE_COOKIES", default=not DEBUG and HOST != "127.0.0.1")
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_NAME = "openisms_session"
CSRF_COOKIE_NAME = "openisms_csrftoken"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if _env_bool("OPENISMS_BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(os.environ.get("OPENISMS_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading commits every subdomain of the domain to HTTPS for months: the operator's call.
    SECURE_HSTS_PRELOAD = _env_bool("OPENISMS_HSTS_PRELOAD")
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Only our own origin: no CDN, no inline script (htmx and our JS are static files).
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG or os.environ.get("OPENISMS_PLAIN_STATIC"):
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# Evidence storage: uploaded evidence goes through Django's storage API ("default"). Files
# live under OPENISMS_DATA_DIR/media unless OPENISMS_MEDIA_ROOT says otherwise; they are never
# served under MEDIA_URL, only through the permission-checked download views. For S3-compatible
# storage, point STORAGES["default"] at a storage backend (see docs/deployment.md).
MEDIA_ROOT = Path(os.environ.get("OPENISMS_MEDIA_ROOT", str(DATA_DIR / "media"))).resolve()
STORAGES["default"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(MEDIA_ROOT), "file_permissions_mode": 0o640},
}
if os.environ.get("OPENISMS_STORAGE_BACKEND"):  # e.g. storages.backends.s3.S3Storage
    STORAGES["default"] = {
        "BACKEND": os.environ["OPENISMS_STORAGE_BACKEND"],
        "OPTIONS": json.loads(os.environ.get("OPENISMS_STORAGE_OPTIONS", "{}")),
    }
OPENISMS_EVIDENCE_MAX_BYTES = int(os.environ.get("OPENISMS_EVIDENCE_MAX_BYTES", 25 * 1024 * 1024))
OPENISMS_EVIDENCE_DUE_SOON_DAYS = int(os.environ.get("OPENISMS_EVIDENCE_DUE_SOON_DAYS", "30"))
# Uploads above Django's 2.5 MB default (FILE_UPLOAD_MAX_MEMORY_SIZE) are streamed to a
# temporary file while they are checked; the evidence limit itself is enforced by the service.
WHITENOISE_USE_FINDERS = DEBUG

TASKS = {
    "default": {
        "BACKEND": os.environ.get("OPENISMS_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

_mail_backend = os.environ.get(
    "OPENISMS_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
_mail_options: dict[str, object] = {}
if _mail_backend.endswith("smtp.EmailBackend"):
    _mail_options = {
        "host": os.environ.get("OPENISMS_EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("OPENISMS_EMAIL_PORT", "25")),
        "username": os.environ.get("OPENISMS_EMAIL_USER", ""),
        "password": os.environ.get("OPENISMS_EMAIL_PASSWORD", ""),
        "use_tls": _env_bool("OPENISMS_EMAIL_TLS"),
    }
MAILERS = {"default": {"BACKEND": _mail_backend, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = os.environ.get("OPENISMS_EMAIL_FROM", "OpenISMS <openisms@localhost>")
OPENISMS_BASE_URL = os.environ.get("OPENISMS_BASE_URL", f"http://{HOST}:{PORT}")
OPENISMS_INVITATION_DAYS = int(os.environ.get("OPENISMS_INVITATION_DAYS", "7"))
# Reminder e-mails (openisms.work): the worker sends them daily at this hour (UTC).
OPENISMS_REMINDER_HOUR = int(os.environ.get("OPENISMS_REMINDER_HOUR", "7"))
OPENISMS_REMINDERS_ENABLED = _env_bool("OPENISMS_REMINDERS_ENABLED", default=True)
# The catalogue framework the Statement of Applicability covers (see soa.models.soa_framework).
OPENISMS_SOA_FRAMEWORK = os.environ.get("OPENISMS_SOA_FRAMEWORK", "iso27001-2022")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("OPENISMS_LOG_LEVEL", "INFO")},
}

# OpenID Connect single sign-on (openisms.orgs.sso, through mozilla-django-oidc): off unless
# OPENISMS_OIDC_CLIENT_ID is set. The provider's endpoints are given one by one; ID tokens
# must be signed (RS256 by default) with a key from the provider's JWKS.
OPENISMS_OIDC_ENABLED = bool(os.environ.get("OPENISMS_OIDC_CLIENT_ID"))
OIDC_RP_CLIENT_ID = os.environ.get("OPENISMS_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OPENISMS_OIDC_CLIENT_SECRET", "")
OIDC_OP_ISSUER = os.environ.get("OPENISMS_OIDC_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OPENISMS_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OPENISMS_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OPENISMS_OIDC_JWKS_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = ""  # claims come from the signed ID token (openisms.orgs.sso)
OIDC_RP_SIGN_ALGO = os.environ.get("OPENISMS_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = _env_bool("OPENISMS_OIDC_PKCE", default=True)
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "sso:callback"
OIDC_CREATE_USER = True
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/"
if OPENISMS_OIDC_ENABLED:
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "openisms.orgs.sso.SsoBackend"]
