"""Settings of the web and worker processes of the fault-injection suite: the test database, the
suite's own Redis, and the fake mail server; short timeouts so faults show within seconds."""

import os

from settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = os.environ.get("URA_FAULT_BROKER", "redis://127.0.0.1:6391/0")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3,
    "socket_connect_timeout": 1,
    "socket_timeout": 3,
    "max_retries": 1,
}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("URA_FAULT_SMTP_PORT", "2525"))
EMAIL_TIMEOUT = 2
URA_OUTBOX_RECLAIM_SECONDS = 3
URA_OUTBOX_RETRY_SECONDS = 1
CELERY_BEAT_SCHEDULE = {
    name: {**entry, "schedule": 1.0, "options": {**entry["options"], "expires": 1.0}}
    for name, entry in CELERY_BEAT_SCHEDULE.items()  # noqa: F405
    if name.startswith("sweep-outbox")
}
