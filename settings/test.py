"""Settings for the test suite: SQLite by default, PostgreSQL when DATABASE_URL is set."""

from .base import *  # noqa: F403
from .base import DATABASES
from .env import env_int

SECRET_KEY = "NOTREALLY"  # noqa: S105 - tests only
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None  # files are served from the finders; nothing is collected
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
LANGUAGE_CODE = "en"
# The test client's login() authenticates without a request, which django-axes refuses: the lock-out
# tests (tests/agencies/test_sign_in.py) switch it on.
AXES_ENABLED = False
# Counted on every page, so a test sees a reassignment at once; tests/reminders/test_unread_cache.py
# switches the keeping on (and the bench and the load test run with it, as production does).
URA_UNREAD_CACHE_SECONDS = env_int("URA_UNREAD_CACHE_SECONDS", 0)

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # An in-memory database per test process: fast, and never touches the local demo database.
    DATABASES["default"]["NAME"] = ":memory:"
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
