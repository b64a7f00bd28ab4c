"""The embedded default used by `make run`: SQLite, a file-system broker, e-mail to the console."""

from .base import *  # noqa: F403
from .base import BROKER_DIR, DATA_DIR
from .env import env_bool, env_secret, env_str
from .storage import upload_storage

DEBUG = env_bool("DJANGO_DEBUG", True)
# Local only: a fixed key keeps sessions valid across restarts of the development server.
SECRET_KEY = env_secret("DJANGO_SECRET_KEY") or "local-development-only-not-secret"
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
STORAGES = {
    "default": upload_storage(),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None  # runserver serves from the finders; nothing is collected

for folder in (DATA_DIR, BROKER_DIR):
    folder.mkdir(parents=True, exist_ok=True)
