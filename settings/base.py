"""Settings shared by every environment.

This is the only module that reads environment variables (through `settings.env`). `local`, `test`
and `production` start with `from .base import *` and override only what differs.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_secret, env_str
from .storage import upload_storage

# Django's generic classes are subscripted for the type checker (ListView[Case], forms.ModelForm[Case],
# admin.ModelAdmin[Agency]); this lets them be subscripted when the code runs, too.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
# Runtime files of the embedded mode (SQLite database, file broker, uploads) live here.
DATA_DIR = Path(env_str("URA_DATA_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_secret("DJANGO_SECRET_KEY")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# seed_demo loads published credentials: never allowed in production (production.py sets False).
URA_DEMO_DATA_ALLOWED = True
# Used to build absolute links in e-mails, which are sent outside any request.
BASE_URL = env_str("URA_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, found by FORM_RENDERER below
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "outbox",
    "agencies",
    "families",
    "referrals",
    "cases",
    "interventions",
    "learning",
    "panels",
    "audit",
    "reminders",
    "privacy",
    "pages",
    "stats",
    "demo",
    "operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A database or Redis that does not answer: a 503 page in seconds, not a 500 (decision 71).
    "agencies.outage.OutageMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files stay cacheable), before everything else: no answer is stored.
    "agencies.security.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "agencies.people.ViewerMiddleware",
    "agencies.middleware.UserLanguageMiddleware",
    "audit.reads.AuditMiddleware",
    # Inside the audit: a request refused for a NUL byte is recorded like any other refusal.
    "agencies.middleware.NulByteMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "agencies.security.IdleTimeoutMiddleware",
    "agencies.security.TwoFactorMiddleware",
    # After the second factor: the protocols of the user's roles are acknowledged before any case (decision 118).
    "agencies.induction.InductionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A write sent twice (a double tap, a retried request) is stored once (decision 73). Inside the
    # security headers' middleware: a repeated answer carries them as the first did.
    "agencies.idempotency.IdempotencyMiddleware",
    # Last: turns a lock-out raised by the authentication backend into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "settings.urls"
WSGI_APPLICATION = "settings.wsgi.application"
ASGI_APPLICATION = "settings.asgi.application"

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
                "reminders.context_processors.unread_reminders",
                "agencies.kept.idle_timeout",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite is the embedded default; DATABASE_URL (postgres://...) selects PostgreSQL.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'ura.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0))}
# A database that does not answer fails the request within seconds (a 503 page, agencies.outage)
# instead of holding it until the proxy drops it (decision 71).
DATABASE_CONNECT_TIMEOUT = env_int("DATABASE_CONNECT_TIMEOUT", 5)
DATABASE_STATEMENT_TIMEOUT_MS = env_int("DATABASE_STATEMENT_TIMEOUT_MS", 20000)
# Seconds PostgreSQL may be silent before it is asked on a new connection whether it is alive; a
# server that does not answer that either is frozen: a 503 page, also on a connection kept between
# requests (agencies.dbwait, decision 159). 0: psycopg2 waits as it does by itself (production: 2).
DATABASE_STALL_SECONDS = env_int("DATABASE_STALL_SECONDS", 0)
# The case page's one read of its case is planned once per connection, not on every request
# (agencies.prepared, decision 171). Off behind a pooler in transaction mode (PgBouncer's), which
# does not keep a session's prepared statements from one transaction to the next.
URA_PREPARED_STATEMENTS = env_bool("URA_PREPARED_STATEMENTS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT added ~120 ms to the access-model list queries and saved nothing (docs/decisions.md).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "options": f"-c jit=off -c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"
            f" -c lock_timeout={DATABASE_STATEMENT_TIMEOUT_MS}",
            "connect_timeout": DATABASE_CONNECT_TIMEOUT,
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default holds a small team (decision 72): readers never wait for the writer
    # (WAL), every transaction takes the write lock when it begins (IMMEDIATE), so none fails
    # half-way with "database is locked", and a writer waits its turn up to `timeout` seconds.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("URA_SQLITE_BUSY_SECONDS", 20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -----------------------------------------------------------------------
AUTH_USER_MODEL = "agencies.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username + address before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    # Global (per-model) permissions of role groups gate endpoints: read in one query by the
    # first (it signs no one in), answered by ModelBackend from what it read (decision 150).
    "agencies.access.backends.PermissionsInOneQuery",
    "django.contrib.auth.backends.ModelBackend",
    # Object permissions hold the individual grants, honouring their end dates (decision 96).
    "agencies.access.backends.GrantBackend",
]
# guardian looks for its own backend by name; ours is a subclass of it (agencies.access.backends).
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The dashboards' covering indexes (decision 167) are PostgreSQL's; SQLite builds them without
    # their included columns, as plain partial indexes, which is all its small databases need.
    SILENCED_SYSTEM_CHECKS.append("models.W040")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# guardian: no anonymous user row; anonymous visitors never hold object permissions.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False

SESSION_COOKIE_AGE = env_int("URA_SESSION_AGE_SECONDS", 8 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Signed out after this long without a request (agencies.security.IdleTimeoutMiddleware).
URA_IDLE_TIMEOUT_MINUTES = env_int("URA_IDLE_TIMEOUT_MINUTES", 30)
# How often an open page asks for the unread reminder count (reminders:unread_count, one query).
URA_UNREAD_POLL_SECONDS = env_int("URA_UNREAD_POLL_SECONDS", 60)
# A supervisor's and a panel's dashboards are counted at most this often (stats.cache; 0: every visit).
URA_DASHBOARD_CACHE_SECONDS = env_int("URA_DASHBOARD_CACHE_SECONDS", 300)
# The header's unread count is kept this long per user (reminders.unread; 0: counted on every page).
URA_UNREAD_CACHE_SECONDS = env_int("URA_UNREAD_CACHE_SECONDS", 30)
# A visit typed without a connection is held in the browser, encrypted, at most this long; the key
# is replaced after it (agencies.offline, decision 89).
URA_OFFLINE_HOURS = env_int("URA_OFFLINE_HOURS", 8)

# --- Safety in the field (decisions 133-136) -----------------------------------------------------
# A visit not checked in by the time the visitor expected to be back alerts the visitor at once,
# and their agency's supervisors this many minutes later.
URA_CHECK_IN_GRACE_MINUTES = env_int("URA_CHECK_IN_GRACE_MINUTES", 30)
# After a police search, arrest or raid, a social or family worker visits the family within this
# many working days.
URA_AFTERCARE_WORKING_DAYS = env_int("URA_AFTERCARE_WORKING_DAYS", 2)
# The case shows as "new faces" the contact persons a family first met within this many days.
URA_NEW_FACE_DAYS = env_int("URA_NEW_FACE_DAYS", 30)

# --- Two-factor sign-in (django-otp, TOTP) ----------------------------------------------------
# When true every account must enrol an authenticator app and give its code at each sign-in, in
# the browser and for API tokens. production.py defaults it to true.
URA_REQUIRE_2FA = env_bool("URA_REQUIRE_2FA", False)
# How long a two-factor enrolment code, issued by an administrator or supervisor, may be used.
URA_ENROLMENT_CODE_HOURS = env_int("URA_ENROLMENT_CODE_HOURS", 72)
URA_INVITATION_HOURS = env_int("URA_INVITATION_HOURS", 72)
# Password reset e-mails asked for from one address within the sign-in cool-off (then 429).
URA_PASSWORD_RESET_LIMIT = env_int("URA_PASSWORD_RESET_LIMIT", 5)
OTP_TOTP_ISSUER = "Ura"

# --- Lock-out after failed sign-ins (django-axes) ---------------------------------------------
AXES_FAILURE_LIMIT = env_int("URA_SIGN_IN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("URA_SIGN_IN_COOLOFF_MINUTES", 15))
# The pair: one person's mistyping does not lock out a whole office behind one address.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts are kept in a table (the database handler): shared by every web process; successful
# sign-ins are in the audit trail already, so axes keeps no access log of its own.
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_CALLABLE = "agencies.security.locked_out"
AXES_VERBOSE = False

# --- Content Security Policy (django-csp): no inline script or style anywhere -----------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Bootstrap's stylesheet draws its form controls with data: SVG images.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("sq", _("Albanian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["settings.formats"]
TIME_ZONE = env_str("URA_TIME_ZONE", "Europe/Tirane")
# Working days skip the public holidays of this country (an ISO 3166 code the `holidays` library
# knows; a region of it in URA_HOLIDAYS_SUBDIVISION), Albania by default; empty: Monday to Friday.
URA_HOLIDAYS_COUNTRY = env_str("URA_HOLIDAYS_COUNTRY", "AL")
URA_HOLIDAYS_SUBDIVISION = env_str("URA_HOLIDAYS_SUBDIVISION", "")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT: Path | None = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("URA_MEDIA_ROOT", str(DATA_DIR / "media")))
# Uploads are never served from MEDIA_URL: only through the access check (cases:attachment_file).
# How long a break-the-glass access to a case lasts (decision 35).
URA_BREAK_GLASS_HOURS = env_int("URA_BREAK_GLASS_HOURS", 4)
URA_MAX_UPLOAD_BYTES = env_int("URA_MAX_UPLOAD_MB", 10) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = URA_MAX_UPLOAD_BYTES + 1024 * 1024
# The optional virus scan of uploads by a ClamAV daemon (cases/virus_scan.py, decision 97): empty
# means no scan. Unreachable, it refuses uploads unless told to fail open.
URA_CLAMAV_URL = env_str("URA_CLAMAV_URL")
URA_CLAMAV_TIMEOUT = env_int("URA_CLAMAV_TIMEOUT", 30)
URA_CLAMAV_FAIL_OPEN = env_bool("URA_CLAMAV_FAIL_OPEN", False)
# Uploads: a folder every web server mounts, or an S3-compatible bucket (settings/storage.py).
STORAGES = {
    "default": upload_storage(),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Widgets render through the project's templates, so templates/django/forms/widgets/ can change
# them: an empty choice reads "Choose…" in the user's language, not Django's "---------".
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail -------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Ura <ura@localhost>")
# A mail server that accepts and then stalls gives up after this long; the outbox tries again.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 15)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Cache ------------------------------------------------------------------------------------
# Shared by every web process when Redis is there (sign-in throttling counts across processes).
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env_str("REDIS_URL"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        if env_str("REDIS_URL")
        # Files, not process memory: the web server and the worker of `make run` share it (a
        # background job's progress, decision 78).
        else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(DATA_DIR / "cache")}
    )
}

# --- Celery ---------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
# Without REDIS_URL, Celery runs on kombu's file-system transport: no server needed.
BROKER_DIR = DATA_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A worker that dies holding a message gets it back after this long, not after the 1 h default.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "visibility_timeout": env_int("URA_BROKER_VISIBILITY_TIMEOUT", 300),
        # A Redis that is down fails fast: the web logs it and the outbox's sweep sends later.
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "max_retries": 1,
    }
else:
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR),
        "data_folder_out": str(BROKER_DIR),
        # Without this, kombu writes its exchange table to ./control in the working directory.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
# A task whose worker dies is redelivered instead of lost; tasks are written to be idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# No task runs for ever: a soft limit raises inside it, the hard one kills its process (decision 71).
CELERY_TASK_SOFT_TIME_LIMIT = env_int("URA_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_TIME_LIMIT = env_int("URA_TASK_TIME_LIMIT", 300)
# Crisis alerts and break-the-glass notices have a queue of their own, so they never wait behind
# reminders and digests (the "mail" queue) or the sweeps ("celery"). A worker consumes them all
# (`-Q crisis,mail,celery`) or one is kept for the crisis queue alone.
URA_CRISIS_QUEUE = env_str("URA_CRISIS_QUEUE", "crisis")
URA_MAIL_QUEUE = env_str("URA_MAIL_QUEUE", "mail")
# A message claimed this long ago and not confirmed sent belongs to a worker that died: sent again.
URA_OUTBOX_RECLAIM_SECONDS = env_int("URA_OUTBOX_RECLAIM_SECONDS", 300)
# The first retry of a message the mail server refused waits this long; each next one twice as long.
URA_OUTBOX_RETRY_SECONDS = env_int("URA_OUTBOX_RETRY_SECONDS", 30)
_OUTBOX_SWEEP = float(env_int("URA_OUTBOX_SWEEP_SECONDS", 60))
CELERY_BEAT_SCHEDULE = {
    "sweep-outbox-urgent": {
        "task": "outbox.tasks.sweep_outbox_task",
        "schedule": _OUTBOX_SWEEP,
        "kwargs": {"urgent": True},
        "options": {"queue": URA_CRISIS_QUEUE, "expires": _OUTBOX_SWEEP},
    },
    "sweep-outbox": {
        "task": "outbox.tasks.sweep_outbox_task",
        "schedule": _OUTBOX_SWEEP,
        "kwargs": {"urgent": False},
        "options": {"queue": URA_MAIL_QUEUE, "expires": _OUTBOX_SWEEP},
    },
    "expire-case-shares": {"task": "cases.tasks.expire_case_shares_task", "schedule": 300.0},
    "expire-grants": {"task": "cases.tasks.expire_grants_task", "schedule": 300.0},
    "expire-exports": {"task": "cases.tasks.expire_exports_task", "schedule": 900.0},
    # A reassignment or export whose task was lost (a broker outage) is asked for again.
    "run-waiting-jobs": {"task": "cases.tasks.run_waiting_jobs_task", "schedule": 60.0, "options": {"expires": 60.0}},
    "end-due-memberships": {"task": "agencies.tasks.end_due_memberships_task", "schedule": 3600.0},
    "sweep-reminders": {
        "task": "reminders.tasks.sweep_reminders_task",
        "schedule": float(env_int("URA_REMINDER_SWEEP_SECONDS", 300)),
    },
    "send-reminder-digests": {
        "task": "reminders.tasks.send_reminder_digests_task",
        "schedule": crontab(hour=env_int("URA_REMINDER_DIGEST_HOUR", 7), minute=0),
    },
    "retention-due": {"task": "privacy.tasks.report_retention_due_task", "schedule": 24 * 60 * 60.0},
}
# How far back a sweep looks for deadlines it has not reminded yet (an outage shorter than this
# loses nothing).
REMINDERS_CATCH_UP_DAYS = env_int("URA_REMINDER_CATCH_UP_DAYS", 30)

# --- Retention (decision 45): years until a record comes up for review ----------------------
URA_RETENTION_YEARS_CASE = env_int("URA_RETENTION_YEARS_CASE", 5)  # after the case closed
URA_RETENTION_YEARS_REFERRAL = env_int("URA_RETENTION_YEARS_REFERRAL", 1)  # no further action
URA_RETENTION_YEARS_AUDIT = env_int("URA_RETENTION_YEARS_AUDIT", 10)  # reported only: append-only

# --- Exports (decisions 109-111) ---------------------------------------------------------
# A case list export of more rows than this is made by a worker, with a progress page.
URA_EXPORT_BACKGROUND_ROWS = env_int("URA_EXPORT_BACKGROUND_ROWS", 2000)
# How long the link to a file made in the background works; the file is deleted after.
URA_EXPORT_KEEP_HOURS = env_int("URA_EXPORT_KEEP_HOURS", 24)

# --- REST API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Signed in, and the protocols of one's roles acknowledged (decision 118): every view unless it
    # names its own (the sign-in, the induction endpoints, the public front door).
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "agencies.api.permissions.InductionCleared",
    ],
    # Every list filters through its filter set and orders by `ordering` (the fields each viewset names).
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # JSON bodies only; the endpoints that take a file say multipart themselves (issue 16).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # JSON only: the browsable API renders filter forms whose choices are not the user's own.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "sign_in": env_str("URA_SIGN_IN_RATE", "10/minute"),
        "anon": env_str("URA_API_ANON_RATE", "30/minute"),
        "user": env_str("URA_API_USER_RATE", "600/minute"),
    },
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "EXCEPTION_HANDLER": "agencies.access.api.exception_handler",
}
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env_int("URA_API_TOKEN_TTL_HOURS", 10)),
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": 10,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ura API",
    "DESCRIPTION": (
        "Multi-agency case management for family support in preventing radicalisation. "
        "Every endpoint applies the same access model as the browser interface: objects you may "
        "not see answer 404."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Tags by resource ("cases", "referrals"), not by the version prefix.
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # One error format, declared on every operation (agencies/api/errors.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "agencies.api.errors.declare_error_responses",
    ],
    # One name per choice set shared by several fields (the common risk scale above all).
    "ENUM_NAME_OVERRIDES": {
        "RiskLevelEnum": "cases.risk.RiskLevel",
        "UrgencyEnum": "cases.models.case.Case.Urgency",  # the same scale as agenda items'
        "ReferralUrgencyEnum": "referrals.models.Referral.Urgency",
        "TriageReasonEnum": "referrals.models.TriageDecision.Reason",
        "PlanActionStatusEnum": "interventions.models.plans.PlanAction.Status",
        "ReminderStageEnum": "reminders.models.Reminder.Stage",
        "CaseStageEnum": "cases.models.case.Case.Stage",
        "PlaceEnum": "families.models.Person.Place",  # a member's whereabouts and its dated history
        "SectorEnum": "agencies.models.organisations.Agency.Sector",
        "MembershipRoleEnum": "agencies.models.organisations.Membership.Role",  # one role, or a person's roles
        "BasisEnum": "cases.models.case.CaseShare.Basis",
        "NetworkSectorEnum": "agencies.models.network.NetworkSector",  # the network map's checklist
        "ConsultationBasisEnum": "cases.models.entries.ExpertConsultation.Basis",
        "ConcernStageEnum": "referrals.models.ConcernReceipt.Stage",  # a concern's stage, as its sender reads it
        "PublicChannelEnum": "referrals.models.PUBLIC_CHANNEL_CHOICES",
        "ChannelEnum": "referrals.models.Referral.Channel",
        # A plan's action's kind and a service's kind of help are one scale (the three kinds of step 7).
        "TypeEnum": "referrals.models.HelpKind",
        "ServiceReferralStatusEnum": "referrals.models.ServiceReferral.Status",
    },
}

# --- Operations (decisions 79 and 80) ------------------------------------------------------------
# The request id first, then the health probes (answered before the host check and the HTTPS redirect).
MIDDLEWARE = ["operations.requests.RequestIdMiddleware", "operations.health.HealthMiddleware", *MIDDLEWARE]
# How many proxies in front of Ura append to X-Forwarded-For (0: the header is ignored). The client
# is the address the outermost of them saw: for the audit trail, django-axes and the API throttles.
URA_TRUSTED_PROXIES = env_int("URA_TRUSTED_PROXIES", 0)
# The public page (decision 126): concerns and status checks one address may send in an hour, and
# the fewest seconds between the page given and the form sent (quicker is a robot's).
URA_PUBLIC_CONCERNS_PER_HOUR = env_int("URA_PUBLIC_CONCERNS_PER_HOUR", 5)
URA_PUBLIC_STATUS_CHECKS_PER_HOUR = env_int("URA_PUBLIC_STATUS_CHECKS_PER_HOUR", 20)
URA_PUBLIC_CONCERN_MIN_SECONDS = env_int("URA_PUBLIC_CONCERN_MIN_SECONDS", 4)
AXES_CLIENT_IP_CALLABLE = "agencies.addresses.client_ip"
REST_FRAMEWORK["NUM_PROXIES"] = URA_TRUSTED_PROXIES
# Beat sends a heartbeat this often; /readyz is red once the last one is older than the limit. The
# two add up to a minute: /readyz is red within a minute of beat stopping (decision 159).
URA_BEAT_HEARTBEAT_SECONDS = env_int("URA_BEAT_HEARTBEAT_SECONDS", 15)
URA_BEAT_STALE_SECONDS = env_int("URA_BEAT_STALE_SECONDS", 45)
URA_HEALTH_TIMEOUT_SECONDS = env_int("URA_HEALTH_TIMEOUT_SECONDS", 2)
# /readyz is red while audit records wait for their place in the chain and beat's chaining step (every
# ten seconds, on the general queue) has not run for this long: that queue's workers have stopped or
# are held. Twice a task's hard time limit as configured, so one long job on each worker is not an
# alarm (decision 173).
URA_AUDIT_CHAIN_STALE_SECONDS = env_int("URA_AUDIT_CHAIN_STALE_SECONDS", 2 * CELERY_TASK_TIME_LIMIT)
CELERY_BEAT_SCHEDULE["beat-heartbeat"] = {
    "task": "operations.tasks.beat_heartbeat_task",
    "schedule": float(URA_BEAT_HEARTBEAT_SECONDS),
    # On the crisis queue, whose worker runs nothing long: never behind a bulk job (decision 159).
    "options": {"queue": URA_CRISIS_QUEUE, "expires": float(URA_BEAT_HEARTBEAT_SECONDS)},
}
# How long one outbox sweep may go on before it gives its worker back (the next sweep goes on).
URA_OUTBOX_SWEEP_SECONDS = env_int("URA_OUTBOX_SWEEP_SECONDS", 10)
# The answers kept for repeated submissions are forgotten after this many hours (decision 73).
URA_IDEMPOTENCY_HOURS = env_int("URA_IDEMPOTENCY_HOURS", 24)
CELERY_BEAT_SCHEDULE["forget-idempotency-keys"] = {
    "task": "agencies.tasks.forget_idempotency_keys_task",
    "schedule": 3600.0,
    "options": {"expires": 3600.0},
}
# Every audit record is written without its place in the chain; this step gives the waiting ones
# theirs (decision 170; the heartbeat did this before decision 159).
CELERY_BEAT_SCHEDULE["chain-waiting-audit"] = {
    "task": "operations.tasks.chain_waiting_audit_task",
    "schedule": 10.0,
    "options": {"expires": 10.0},
}
# Who is e-mailed when beat stops (and Django's own error mails): comma-separated addresses.
ADMINS = [(address, address) for address in env_list("URA_ALERT_EMAILS", [])]
# Errors to Sentry (or a compatible service) only when a DSN is given; never a request body,
# a local variable or a user's details: those may hold case data.
SENTRY_DSN = env_secret("SENTRY_DSN")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env_str("URA_ENVIRONMENT", "production"),
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=0.0,
    )


# --- Logging --------------------------------------------------------------------------------
# One JSON object a line (`URA_LOG_FORMAT=json`, production's default) or plain text; every line
# carries the request id, in the web process and in the tasks a request queued.
def logging_config(log_format: str) -> dict[str, Any]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "operations.requests.RequestIdFilter"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json" if log_format == "json" else "plain",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    }


LOGGING = logging_config(env_str("URA_LOG_FORMAT", "plain"))
# The worker logs through the same configuration (JSON lines, request ids), not Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
