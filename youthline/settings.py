"""Youthline settings: everything that differs between deployments comes from the environment.

With neither DATABASE_URL nor REDIS_URL set the project runs on its embedded default:
SQLite and the in-memory channel layer, one process, nothing to install.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return default if value in (None, "") else float(value)


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    return default if value is None else [item.strip() for item in value.split(",") if item.strip()]


# Off unless asked for: a debug page shows settings and POST data (passwords) to anyone.
# `make run` and the test stacks set DJANGO_DEBUG explicitly.
DEBUG = env_bool("DJANGO_DEBUG", False)

# Keys that were published in this repository: tokens signed with them can be forged by anyone,
# so no process accepts them, in DEBUG or not.
PUBLISHED_KEYS = frozenset({"dev-only-insecure-key-change-me-in-production-0123456789"})
# Django's own deployment check (security.W009) asks for 50.
MIN_KEY_CHARS = 50
# DEBUG without DJANGO_SECRET_KEY (`make run` on a fresh clone): a random key made once for this
# checkout, so tokens and sessions survive a restart. var/ is ignored by git.
LOCAL_KEY_FILE = BASE_DIR / "var" / "local-secret-key"


def _local_key() -> str:
    try:
        return LOCAL_KEY_FILE.read_text().strip()
    except FileNotFoundError:
        pass
    import secrets
    import tempfile

    LOCAL_KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
    # Written aside then linked into place: the web process and the job worker of `make run`
    # start together, and the one that links second reads the first one's key.
    with tempfile.NamedTemporaryFile("w", dir=LOCAL_KEY_FILE.parent, delete=False) as tmp:
        tmp.write(secrets.token_urlsafe(48))
    try:
        os.link(tmp.name, LOCAL_KEY_FILE)
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp.name)
    return LOCAL_KEY_FILE.read_text().strip()


def signing_key(name: str, value: str | None, *, debug: bool) -> str:
    """The key from the environment, refused when it is published, or missing or short outside DEBUG."""
    from django.core.exceptions import ImproperlyConfigured

    if value in PUBLISHED_KEYS:
        raise ImproperlyConfigured(
            f"{name} is the key published in the Youthline repository: anyone can forge "
            f"tokens with it. Set {name} to a random value of at least {MIN_KEY_CHARS} "
            "characters (python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
    if debug and not value:
        return _local_key()
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. With DJANGO_DEBUG off every process of a deployment needs "
            f"the same random {name} of at least {MIN_KEY_CHARS} characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
    if len(value) < MIN_KEY_CHARS and not debug:
        raise ImproperlyConfigured(f"{name} is {len(value)} characters long; it must have at least {MIN_KEY_CHARS}.")
    return value


SECRET_KEY = signing_key("DJANGO_SECRET_KEY", os.environ.get("DJANGO_SECRET_KEY"), debug=DEBUG)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

# --- HTTPS and headers (docs/deployment.md) ----------------------------------------------------
# Behind a TLS-terminating proxy (nginx) that sets X-Forwarded-Proto: Django then knows the request
# came over TLS. Only where the proxy is the only way in: a client could send the header itself.
if env_bool("YOUTHLINE_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Served over TLS: plain HTTP is redirected, cookies go over TLS only, and browsers are told
# (HSTS) to use TLS for this host from then on.
YOUTHLINE_HTTPS = env_bool("YOUTHLINE_HTTPS", False)
SECURE_SSL_REDIRECT = YOUTHLINE_HTTPS
# The monitoring scrapes each process directly over the private network (docs/deployment.md).
SECURE_REDIRECT_EXEMPT = [r"^metrics$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = YOUTHLINE_HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if YOUTHLINE_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# Not "no-referrer": with it the browser sends "Origin: null" with our own form posts (the
# language switch, the admin's login), which Django's CSRF check refuses. "same-origin" sends
# nothing to another site, which is what matters.
SECURE_REFERRER_POLICY = "same-origin"
# Who may show the pages in a frame (CSP frame-ancestors; X-Frame-Options: DENY says the same
# to older browsers). The WeChat mini-program's web-view is a WebView of its own, not a frame.
CSP_FRAME_ANCESTORS = os.environ.get("CSP_FRAME_ANCESTORS", "'none'")

INSTALLED_APPS = [
    # Daphne first: its runserver serves HTTP and WebSockets (Channels' documented set-up).
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    # The job runner (manage.py run_huey); it loads each app's tasks.py.
    "huey.contrib.djhuey",
    # Prometheus metrics (/metrics): below every app that counts through it.
    "metrics",
    # The project's own deployment checks (youthline/checks.py; manage.py check --deploy).
    "youthline",
    "accounts",
    "moderation",
    "helpline",
    "chat",
    "crisis",
    # Canned replies and private notes beside the chat (the counselor's desk).
    "desk",
    # Quality inspection (质检): pre-screen, sampling, reviews (docs/quality.md).
    "quality",
    # Cases followed offline by the regional service centres (docs/cases.md).
    "cases",
    # The indicators, their roll-ups and the reports (docs/indicators.md).
    "reports",
    # The staffing planner: counselors needed per hour from the platform's own traffic (docs/staffing.md).
    "staffing",
    # manage.py generate_demo_data: a province's history through the real models.
    "demo",
    "gateway",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy, on static files too (before WhiteNoise).
    "youthline.headers.SecurityHeadersMiddleware",
    # Static files straight from the Daphne processes: no separate web server to set up.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "youthline.middleware.IgnoreBrowserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "youthline.urls"
ASGI_APPLICATION = "youthline.asgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

# --- storage --------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Keep connections: every message touches the database, a reconnect per message costs ms.
        conn_max_age=600,
        # No "SELECT 1" before each use (about 0.1 ms a message): after a database restart a
        # message that meets a broken connection is answered `unavailable` (the client resends)
        # and the next reconnects. HTTP requests check first (protocol/http.py: recycle_unusable_connections).
        conn_health_checks=False,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL lets the page read while a message is being written; the busy timeout rides out
    # the short write locks of the one process the embedded default runs.
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL;",
            # The job worker is a second process writing the same file:
            # take the write lock when a transaction begins, so the two
            # queue instead of one failing on a stale read snapshot.
            "transaction_mode": "IMMEDIATE",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Pub/sub layer: at-most-once, about 7x cheaper per message than the core Redis layer.
    # Nothing is lost with it because the database is the record and clients fill gaps
    # from `history` (docs/architecture.md).
    CHANNEL_LAYERS = {
        "default": {
            # channels_redis's pub/sub layer with concurrent publishes (realtime/layer.py);
            # CHANNEL_LAYER_BACKEND=channels_redis.pubsub.RedisPubSubChannelLayer runs the original.
            "BACKEND": os.environ.get("CHANNEL_LAYER_BACKEND", "realtime.layer.PubSubChannelLayer"),
            # Deployments (and test stacks) sharing one Redis keep apart by prefix.
            "CONFIG": {"hosts": [REDIS_URL], "prefix": os.environ.get("CHANNELS_PREFIX", "youthline")},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The cache holds the sign-in throttle's counters (accounts/throttle.py): in Redis they are shared
# by every process; the embedded default's one web process counts in its memory.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Apart per deployment (and test stack) on a shared Redis, like the channel layer.
            "KEY_PREFIX": os.environ.get("CHANNELS_PREFIX", "youthline"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


# --- jobs (Huey; docs/architecture.md, "Jobs") ---------------------------------------------
def _huey_sqlite_path() -> str:
    """Beside the SQLite database (db.sqlite3 -> db.huey.sqlite3), else var/huey.sqlite3."""
    explicit = os.environ.get("HUEY_SQLITE_PATH")
    if explicit:
        return explicit
    database = DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3" and str(database["NAME"]) not in ("", ":memory:"):
        db_path = Path(database["NAME"])
        return str(db_path.with_name(f"{db_path.stem}.huey.sqlite3"))
    return str(BASE_DIR / "var" / "huey.sqlite3")


# Deployments (and test stacks) sharing one Redis keep their queues apart by name.
HUEY_NAME = os.environ.get("HUEY_NAME", "youthline")
if REDIS_URL:
    _huey_storage: dict[str, Any] = {"huey_class": "huey.RedisHuey", "connection": {"url": REDIS_URL}}
    HUEY_SQLITE_PATH = ""
else:
    HUEY_SQLITE_PATH = _huey_sqlite_path()
    Path(HUEY_SQLITE_PATH).parent.mkdir(parents=True, exist_ok=True)
    _huey_storage = {"huey_class": "huey.SqliteHuey", "filename": HUEY_SQLITE_PATH}
HUEY = {
    "name": HUEY_NAME,
    **_huey_storage,
    # djhuey runs tasks inline when DEBUG is on unless told otherwise; timers must be real.
    "immediate": env_bool("HUEY_IMMEDIATE", False),
    "results": False,  # every job re-reads the database and returns nothing anyone waits for
    "utc": True,
    "consumer": {
        "workers": env_int("HUEY_WORKERS", 2),
        "worker_type": "thread",
        # The scheduler moves due timers to the queue every second: a timer runs within ~1 s.
        "scheduler_interval": 1,
        # SQLite is polled (Redis blocks on the queue): back off to at most 0.5 s when idle.
        "initial_delay": 0.1,
        "backoff": 1.15,
        "max_delay": 0.5,
        "check_worker_health": True,
        "periodic": env_bool("HUEY_PERIODIC", True),
    },
}

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("YOUTHLINE_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# Served from the apps' static folders, no collectstatic step, with DEBUG off too (WhiteNoise lists the
# finders' files when the process starts); the files are small and few.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# No Access-Control-Allow-Origin: * on static files: no other site has a reason to read them.
WHITENOISE_ALLOW_ALL_ORIGINS = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]

LOG_LEVEL = os.environ.get("YOUTHLINE_LOG_LEVEL", "WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The handler filters too: runserver's request lines (INFO, with their own handler) are not printed twice.
    "handlers": {"console": {"class": "logging.StreamHandler", "level": LOG_LEVEL}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# --- Youthline ------------------------------------------------------------------------------
JWT_SIGNING_KEY = signing_key("JWT_SIGNING_KEY", os.environ.get("JWT_SIGNING_KEY") or SECRET_KEY, debug=DEBUG)
JWT_ISSUER = "youthline"
JWT_AUDIENCE = "youthline"
JWT_ACCESS_TTL_S = env_int("JWT_ACCESS_TTL_S", 15 * 60)
JWT_REFRESH_TTL_S = env_int("JWT_REFRESH_TTL_S", 30 * 24 * 3600)
# How far ahead of this server's clock a token's `iat` may be (clocks of processes drift a little);
# a token issued further in the future was not issued by a server of this deployment.
JWT_IAT_SKEW_S = env_int("JWT_IAT_SKEW_S", 60)

# Browser origins allowed to open a socket; a handshake without Origin (apps) is allowed.
WS_ALLOWED_ORIGINS = env_list(
    "WS_ALLOWED_ORIGINS", ["http://127.0.0.1:*", "http://localhost:*", "https://127.0.0.1:*", "https://localhost:*"]
)
WS_AUTH_TIMEOUT_S = env_int("WS_AUTH_TIMEOUT_S", 10)
WS_MAX_FRAME_BYTES = 16 * 1024
WS_RATE_PER_S = env_int("WS_RATE_PER_S", 20)
WS_RATE_BURST = env_int("WS_RATE_BURST", 40)
WS_FLOOD_CLOSE_AFTER = env_int("WS_FLOOD_CLOSE_AFTER", 200)
# No server frame is larger (history pages are cut to fit): well under Daphne's 1 MiB limit.
WS_MAX_SERVER_FRAME_BYTES = env_int("WS_MAX_SERVER_FRAME_BYTES", 512 * 1024)
# A socket whose peer leaves more than this unread is closed with 4408 (gateway/backpressure.py).
WS_SEND_BUFFER_MAX_BYTES = env_int("WS_SEND_BUFFER_MAX_BYTES", 2 * 1024 * 1024)
# Open sockets per identity; one more is refused with 4409 (the newest, not the oldest).
WS_MAX_SOCKETS_PER_USER = env_int("WS_MAX_SOCKETS_PER_USER", 8)
# A request's headers must all be in within this (Daphne has no such limit; gateway/header_deadline.py).
HTTP_HEADER_TIMEOUT_S = float(os.environ.get("HTTP_HEADER_TIMEOUT_S", "10"))

MESSAGE_MAX_CHARS = 2000
# Threads (each with its own database connection) that store messages, per process.
MESSAGE_STORE_THREADS = env_int("MESSAGE_STORE_THREADS", 4)
# Frames of a laned route (message.send) being stored at once in a process; one more is refused
# with `busy` (the client resends it after a backoff). Bounds the wait of what is admitted: at
# ~500 stores a second, 64 in flight wait at most ~130 ms (gateway/consumers.py, "admission").
WS_MAX_STORES_IN_FLIGHT = env_int("WS_MAX_STORES_IN_FLIGHT", 64)
# Frames of one socket waiting for their turn (its inbox, gateway/consumers.py); one more is
# answered `busy`. At least the burst: a client within its rate limit is not refused by its
# own inbox, only when the database falls behind.
WS_MAX_QUEUED_FRAMES = env_int("WS_MAX_QUEUED_FRAMES", max(64, WS_RATE_BURST))
# A message store that waited longer than this for its turn is answered `busy` (the client
# resends it): under overload what is admitted keeps a bounded wait.
WS_MAX_QUEUE_WAIT_S = env_float("WS_MAX_QUEUE_WAIT_S", 1.0)
# The event loop this late (its ready work waiting this long) means the process is saturated:
# new message stores are answered `busy` at once until it catches up.
WS_SHED_LOOP_LAG_S = env_float("WS_SHED_LOOP_LAG_S", 0.1)
COUNSELOR_DEFAULT_MAX_CHATS = 3
COUNSELOR_GRACE_S = env_int("COUNSELOR_GRACE_S", 60)
QUEUE_MAX_WAIT_S = env_int("QUEUE_MAX_WAIT_S", 600)
# A queued youth with no open socket for this long has left; their request is cancelled.
QUEUE_ABANDON_S = env_int("QUEUE_ABANDON_S", 120)
# A youth in a chat with no open socket for this long has left: the chat ends as abandoned and
# its counselor's slot goes to the next youth waiting (chat/services/presence.py).
YOUTH_GONE_CLOSE_S = env_int("YOUTH_GONE_CLOSE_S", 600)
# A counselor with no open socket for this long: their youths are told the connection dropped
# and that they keep their place (a reload within it says nothing). At or above
# COUNSELOR_GRACE_S the notice is left to the requeue's own message.
COUNSELOR_DROP_NOTICE_S = env_int("COUNSELOR_DROP_NOTICE_S", 5)
# "HH:MM-HH:MM" in TIME_ZONE; 12355 answers around the clock by default.
SERVICE_HOURS = os.environ.get("SERVICE_HOURS", "00:00-24:00")
SOCKET_STALE_AFTER_S = env_int("SOCKET_STALE_AFTER_S", 90)
# Where the youth page's quick exit goes: a neutral page (the link replaces the page in history).
QUICK_EXIT_URL = os.environ.get("QUICK_EXIT_URL", "https://www.baidu.com/s?wd=%E5%A4%A9%E6%B0%94")
# Messages of conversations ended longer ago than this are deleted (chat/services/retention.py,
# nightly) unless a referral or a mandatory report holds them; the privacy notice on the youth page
# says so. Three years by default, as the rules on minors' personal information ask. The
# conversation's figures (times, topic, risk) stay.
TRANSCRIPT_RETENTION_DAYS = env_int("TRANSCRIPT_RETENTION_DAYS", 3 * 365)
# Each process refreshes the live-socket rows it holds this often (gateway/heartbeat.py).
SOCKET_HEARTBEAT_S = float(os.environ.get("SOCKET_HEARTBEAT_S", "20"))
# Live views (dashboard, queue counter): changes within this window share one push.
LIVE_VIEW_DELAY_S = float(os.environ.get("LIVE_VIEW_DELAY_S", "0.3"))
# Sign-in attempts (API and admin) per client address per minute, on all processes together.
AUTH_RATE_PER_MIN = env_int("AUTH_RATE_PER_MIN", 30)
# Youth sign-ups per client address per minute: a budget of its own, not shared with sign-in.
SIGNUP_RATE_PER_MIN = env_int("SIGNUP_RATE_PER_MIN", 30)
# This many failed sign-ins to one account within the window lock it for the window.
LOGIN_LOCKOUT_FAILURES = env_int("LOGIN_LOCKOUT_FAILURES", 10)
LOGIN_LOCKOUT_WINDOW_S = env_int("LOGIN_LOCKOUT_WINDOW_S", 15 * 60)
# Failures to one account from every address together that lock it for everyone (guessing
# spread over many addresses); LOGIN_LOCKOUT_FAILURES locks one address out of one account.
LOGIN_ACCOUNT_LOCKOUT_FAILURES = env_int("LOGIN_ACCOUNT_LOCKOUT_FAILURES", 50)
# /metrics (docs/metrics.md) is off unless one of these is set: a bearer token (16 characters or
# more), and/or the networks (CIDRs) the monitoring scrapes from.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_ALLOWED_NETS = env_list("METRICS_ALLOWED_NETS", [])

CRISIS_ALERT_LEVEL = 2
# From this level the youth's page shows the safety response (helpline.SafetyText) at once.
CRISIS_SAFETY_LEVEL = 3
CRISIS_ACK_TIMEOUT_S = env_int("CRISIS_ACK_TIMEOUT_S", 60)
CRISIS_ONCALL_WEBHOOK_URL = os.environ.get("CRISIS_ONCALL_WEBHOOK_URL", "")
CRISIS_LEXICON_REFRESH_S = float(os.environ.get("CRISIS_LEXICON_REFRESH_S", "2"))
# A shadow model's would-be alerts are added to its row at most this often, per process.
CRISIS_SHADOW_FLUSH_S = float(os.environ.get("CRISIS_SHADOW_FLUSH_S", "5"))
# A model artifact to load instead of the newest shipped one (while no registered version is active).
CRISIS_MODEL_PATH = os.environ.get("CRISIS_MODEL_PATH", "")

# Quality inspection (docs/quality.md): the share of ended conversations sampled for review, each
# counselor's minimum a month (prorated), the share reviewed twice (blind), the D/E cut.
QA_SAMPLE_RATE = env_float("QA_SAMPLE_RATE", 0.05)
QA_MIN_PER_COUNSELOR_MONTH = env_float("QA_MIN_PER_COUNSELOR_MONTH", 4)
QA_DOUBLE_REVIEW_SHARE = env_float("QA_DOUBLE_REVIEW_SHARE", 0.10)
QA_GRADE_E_BELOW = env_int("QA_GRADE_E_BELOW", 40)
# The minute sweep pre-screens a conversation this long after it ended (the wrap-up and the survey
# come after the end, and each re-screens it when written).
QA_PRESCREEN_DELAY_S = env_int("QA_PRESCREEN_DELAY_S", 1800)
