"""WSGI entry point (gunicorn -c deploy/gunicorn.conf.py settings.wsgi). DJANGO_SETTINGS_MODULE must be set."""

from django.core.wsgi import get_wsgi_application

from .entry import require_settings_module

require_settings_module()

application = get_wsgi_application()
