"""What every entry point (manage.py, WSGI, ASGI, Celery) checks first."""

import os
import sys

__all__ = ["require_settings_module"]

MISSING = (
    "DJANGO_SETTINGS_MODULE is not set. Ura does not guess: use settings.production on a server, "
    "settings.local on your own machine (make run sets it), settings.test for the suite (make test)."
)


def require_settings_module() -> None:
    """Refuse to start without DJANGO_SETTINGS_MODULE: no silent fallback to the local settings,
    which turn debug on and use a public secret key (decision 79)."""
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        sys.exit(MISSING)
