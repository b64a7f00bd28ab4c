from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Where people read the records about cases: a case's access log, break-the-glass, the data
    protection officer's search, subject access and retention. The records themselves are the
    `audit` app's (decision 49)."""

    name = "privacy"
    verbose_name = _("Data protection")
    default_auto_field = "django.db.models.BigAutoField"
