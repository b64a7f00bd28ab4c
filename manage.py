#!/usr/bin/env python
"""Django's command-line utility for administrative tasks. Without DJANGO_SETTINGS_MODULE it uses
settings.local and says so on standard error, never silently; the served entry points (WSGI, ASGI,
Celery) refuse instead, since only a process that serves could expose the local settings
(decision 79)."""

import os
import sys

LOCAL_NOTICE = (
    "DJANGO_SETTINGS_MODULE is not set: manage.py uses settings.local (debug on, a public secret key; "
    "for your own machine only). On a server set DJANGO_SETTINGS_MODULE=settings.production."
)


def main() -> None:
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        print(LOCAL_NOTICE, file=sys.stderr)
        os.environ["DJANGO_SETTINGS_MODULE"] = "settings.local"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
