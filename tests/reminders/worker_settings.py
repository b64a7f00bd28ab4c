"""Settings for the Celery worker subprocesses of test_worker.py: the test database, e-mail to
files the test counts, a slow send (so a kill lands mid-delivery), a queue of the test's own."""

import os
import time
from typing import Any

from django.core.mail.backends.filebased import EmailBackend as FileBackend

from settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("URA_TEST_QUEUE", "celery")
URA_CRISIS_QUEUE = URA_MAIL_QUEUE = CELERY_TASK_DEFAULT_QUEUE
URA_OUTBOX_RECLAIM_SECONDS = 3  # an e-mail a killed worker left claimed goes again after 3 s
EMAIL_BACKEND = "tests.reminders.worker_settings.SlowFileBackend"
EMAIL_FILE_PATH = os.environ.get("URA_TEST_MAIL_DIR", "/tmp/ura-test-mail")  # noqa: S108
if os.environ.get("URA_TEST_BROKER_DIR"):
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": os.environ["URA_TEST_BROKER_DIR"],
        "data_folder_out": os.environ["URA_TEST_BROKER_DIR"],
        "control_folder": os.environ["URA_TEST_BROKER_DIR"] + "/control",
        "store_processed": False,
    }


class SlowFileBackend(FileBackend):
    """One file per message, written after a pause: a worker killed meanwhile has sent nothing."""

    def send_messages(self, email_messages: Any) -> int:
        time.sleep(float(os.environ.get("URA_TEST_SEND_DELAY", "0")))
        return super().send_messages(email_messages)
