"""Base settings, read from the environment (django-environ).

The embedded default needs no configuration at all: SQLite in WAL mode under ``var/``,
in-memory cache and channel layer, a secret key generated once and kept under ``var/``.
"""

import ipaddress
import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from langnghe.core.keyfiles import key_file

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PACKAGE_DIR = BASE_DIR / "langnghe"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))

VAR_DIR = Path(env.str("LANGNGHE_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else (development, the demo) one generated once and
    kept under var/, owner-only (langnghe.core.keyfiles). In production `langnghe serve`
    refuses to start without it in the environment: a generated key differs per machine."""
    if key := env.str("SECRET_KEY", default=""):
        return key
    return key_file(VAR_DIR / "secret_key", lambda: secrets.token_urlsafe(50))


SECRET_KEY = _secret_key()
DEBUG = env.bool("DEBUG", default=False)
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated;
# empty: nobody's). The client's address is then the first one, from the right, that is not
# one of them (langnghe/core/clientaddr.py, docs/deploy.md).
LANGNGHE_TRUSTED_PROXIES = env.list("LANGNGHE_TRUSTED_PROXIES", default=[])
for _proxy in LANGNGHE_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"LANGNGHE_TRUSTED_PROXIES: {_proxy!r} không phải địa chỉ hay dải địa chỉ IP."
        ) from None
# django-ratelimit (key="ip") and django-axes take the address from that one rule.
RATELIMIT_IP_META_KEY = "langnghe.core.clientaddr.client_address"
AXES_CLIENT_IP_CALLABLE = "langnghe.core.clientaddr.client_address"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Absolute base URL used in QR codes, links in messages and Open311 answers.
LANGNGHE_PUBLIC_URL = env.str("LANGNGHE_PUBLIC_URL", default="http://127.0.0.1:8000").rstrip("/")

# Domain apps, in the order of DESIGN.md. Each may have `api.router` and `urls.urlpatterns`;
# both are discovered by `langnghe.api` and `langnghe.urls`, so adding an app is one line here.
LANGNGHE_APPS = [
    "langnghe.core",
    "langnghe.units",
    "langnghe.accounts",
    "langnghe.audit",
    "langnghe.surveys",
    "langnghe.cases",
    "langnghe.procedures",
    "langnghe.content",
    "langnghe.inbox",
    "langnghe.connectors",
    "langnghe.triage",
    "langnghe.insights",
    # The demo (`load_demo`, `ensure_demo`, a year of history): it uses every app above and
    # none uses it. `make run` loads it; production never runs its commands.
    "langnghe.demo",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    *LANGNGHE_APPS,
]

# The development tools (bench/: the load generator `gen_load`, `bench_insights`,
# `bench_surveys`) are not in the shipped package and not installed unless asked for here; they
# refuse a database with real data anyway (bench/scratch.py). bench/settings.py and the test
# settings install them too.
LANGNGHE_DEVTOOLS = env.bool("LANGNGHE_DEVTOOLS", default=False)
if LANGNGHE_DEVTOOLS:
    INSTALLED_APPS.append("bench")

MIDDLEWARE = [
    # First: REMOTE_ADDR becomes the client's address, read through LANGNGHE_TRUSTED_PROXIES
    # only (langnghe/core/clientaddr.py), for every limit and the lockout below.
    "langnghe.core.clientaddr.client_address_middleware",
    "django.middleware.security.SecurityMiddleware",
    "langnghe.core.middleware.security_headers",
    "langnghe.core.middleware.refuse_invalid_text",
    # Zalo webhooks and survey responses (stateless machine POSTs) go straight to their views,
    # before the session stack: langnghe/core/lanes.py and LANGNGHE_MACHINE_LANE below.
    "langnghe.core.lanes.machine_lane",
    # Anonymous copies of the public unit and post pages, served before the rest of the stack
    # (langnghe/units/pagecache.py); everything else passes through untouched.
    "langnghe.units.pagecache.anonymous_page_cache",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "langnghe.core.locale.language_from_choice",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "langnghe.accounts.middleware.require_second_factor",
    "langnghe.core.middleware.method_not_allowed_page",
    # Last, as django-axes asks: it turns a lockout raised during login into its response.
    "axes.middleware.AxesMiddleware",
    # Database away (PostgreSQL restarting): a clear 503 with Retry-After, not a 500.
    "langnghe.security.middleware.database_unavailable",
]

ROOT_URLCONF = "langnghe.urls"
# The views answered before the session stack (langnghe/core/lanes.py): each needs no session,
# user or CSRF token, and is safe to run again after a broken connection (the webhook is
# idempotent on the event's key, a survey response on its client_id).
LANGNGHE_MACHINE_LANE = {
    "connectors:zalo_webhook": ["POST"],
    "api:response_create": ["POST"],
}
LANGNGHE_MACHINE_LANE_PREFIXES = ["/webhooks/", "/api/v1/surveys/responses"]
# A lane view may have a quicker handler for the usual request; it returns None to leave the
# request to the view itself (langnghe/core/lanes.py).
LANGNGHE_MACHINE_LANE_HANDLERS = {
    "api:response_create": "langnghe.surveys.api.response_create_lane",
}
WSGI_APPLICATION = "langnghe.wsgi.application"
ASGI_APPLICATION = "langnghe.asgi.application"

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
                "langnghe.core.context_processors.site",
                "langnghe.accounts.context_processors.staff",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'langnghe.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
# A health check is a SELECT 1 before the first query of every request: a round trip on each
# survey response and Zalo event (a third of the intake's database time in a profile). Without
# it a connection broken by a PostgreSQL restart fails its next request (503 with Retry-After,
# langnghe.security.middleware; the Zalo intake retries once on a fresh connection) and is
# closed at the end of that request. CONN_HEALTH_CHECKS=true turns the check back on.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=False)


def postgres_options(database: dict) -> dict:
    """Prepared statements for the hot paths: psycopg prepares a statement on its first run on
    a server-binding cursor, and only langnghe.core.sql.fetch_one(prepared=True) opens one (the
    ORM binds on the client, never prepared). DB_PREPARED_STATEMENTS=false turns it off — for a
    PgBouncer in transaction mode older than 1.21 or without max_prepared_statements.

    PostgreSQL plans them itself (its default ``plan_cache_mode``: a generic plan after five
    custom ones). Forcing the generic plan was measured as buying nothing (docs/benchmarks.md,
    "Prepared statements") and was removed."""
    if database["ENGINE"] == "django.db.backends.postgresql":
        prepared = env.bool("DB_PREPARED_STATEMENTS", default=True)
        options = database.setdefault("OPTIONS", {})
        options["prepare_threshold"] = 0 if prepared else None
    return database


postgres_options(DATABASES["default"])
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so
    # two writers queue on busy_timeout instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, live events, tasks ----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        # Tolerant: when Redis is away, reads miss and writes drop instead of raising (issue 11).
        "default": {
            "BACKEND": "langnghe.security.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# First retry of an outbound message after this many seconds, doubling (the row's lease).
LANGNGHE_OUTBOX_BACKOFF_BASE = env.int("LANGNGHE_OUTBOX_BACKOFF_BASE", default=30)
# Zalo is reached at its own hosts over https only; an operator who runs the simulator (the
# demo, the tests) declares a sandbox, and only then may a connection name another address.
LANGNGHE_ZALO_SANDBOX = env.bool("LANGNGHE_ZALO_SANDBOX", default=False)

# Retention (Luật BVDLCN 91/2025/QH15, NĐ 356/2025/NĐ-CP: kept only as long as the purpose
# needs; neither sets a number, so both defaults are [U]). Days after a conversation's last
# activity before its messages, notes and identity are deleted (langnghe/inbox/retention.py),
# and after a webhook event was processed before it is deleted (connectors/retention.py).
LANGNGHE_CONVERSATION_RETENTION_DAYS = env.int("LANGNGHE_CONVERSATION_RETENTION_DAYS", default=365)
LANGNGHE_WEBHOOK_EVENT_RETENTION_DAYS = env.int("LANGNGHE_WEBHOOK_EVENT_RETENTION_DAYS", default=30)
# Hours a finished survey export (XLSX/PDF of comments) is kept for its officer to download,
# sealed at rest, before the job surveys.exports_purge deletes it (langnghe/surveys/exports.py).
LANGNGHE_EXPORT_RETENTION_HOURS = env.int("LANGNGHE_EXPORT_RETENTION_HOURS", default=24)

# Durable task queue in the database; workers take jobs with SELECT … FOR UPDATE SKIP LOCKED.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/staff/login/"
LOGIN_REDIRECT_URL = "/staff/"
LOGOUT_REDIRECT_URL = "/staff/login/"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout after repeated wrong passwords at /staff/login/ (django-axes): by user name *and*
# client address together, so nobody can lock a duty officer out from elsewhere, and one
# address cannot lock out a whole police station. Each address is also limited to 20 tries a
# minute at the login view (django-ratelimit).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_USERNAME_FORM_FIELD = "username"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind HTTPS (LANGNGHE_PUBLIC_URL starts with https://): HSTS and cookies sent only over TLS.
HTTPS = LANGNGHE_PUBLIC_URL.startswith("https://")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)  # one duty shift
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout: the age counts from the last request
# TOTP second factor (django-otp) for everyone who signs in to the console. On by default for a
# real deployment (an https public URL); the local demo may turn it on with
# LANGNGHE_REQUIRE_2FA=true.
LANGNGHE_REQUIRE_2FA = env.bool("LANGNGHE_REQUIRE_2FA", default=HTTPS)
# API tokens expire this many days after they are made (`langnghe api_token`); revoke earlier
# with `langnghe api_token --username U --revoke`.
LANGNGHE_API_TOKEN_DAYS = env.int("LANGNGHE_API_TOKEN_DAYS", default=90)
OTP_TOTP_ISSUER = "Lắng Nghe"
# A staff member enrols their authenticator app only with a one-time code an admin or a
# commander issued (`/staff/enrolment-codes/`, `langnghe enrolment_code`), valid this long.
LANGNGHE_ENROLMENT_CODE_HOURS = env.int("LANGNGHE_ENROLMENT_CODE_HOURS", default=24)
# {websocket_origin}: ws(s)://host:port of LANGNGHE_PUBLIC_URL (langnghe.core.middleware).
LANGNGHE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self' {websocket_origin}; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
LANGNGHE_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(self), payment=(), usb=()"

# --- Language and time ------------------------------------------------------------------------
# Vietnamese only: source strings are Vietnamese. The English catalogue in locale/en covers a few
# templates only, so no English switch is offered (a half-translated page is worse than none);
# {% translate %} tags stay, ready for a complete translation.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
CSRF_FAILURE_VIEW = "langnghe.core.views.csrf_failure"  # Django's own page is in English
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Request lines carry paths only; never query strings or bodies (they may hold personal data).
    "filters": {"once_per_minute": {"()": "langnghe.security.cache.OncePerMinute"}},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Redis away: every cache call fails; one warning a minute says so.
        "langnghe.security.cache": {"filters": ["once_per_minute"]},
    },
}
# django-redis logs each error it ignores (IGNORE_EXCEPTIONS above) to this logger.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "langnghe.security.cache"

# The web chat's browser token: the thread stays in the citizen's browser while they come back
# within this many days (each visit renews it); after that the page starts a new thread.
LANGNGHE_WEBCHAT_IDLE_DAYS = env.int("LANGNGHE_WEBCHAT_IDLE_DAYS", default=7)
# Who officers call about the platform itself (printed in the staff footer), e.g.
# "Phòng Tham mưu (PV01), số máy lẻ 1234"; empty: the footer asks them to call their unit's admin.
LANGNGHE_SUPPORT_CONTACT = env.str("LANGNGHE_SUPPORT_CONTACT", default="")
