"""The Celery application: configuration comes from Django settings (the CELERY_ namespace)."""

from celery import Celery

from .entry import require_settings_module

require_settings_module()

app = Celery("ura")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
