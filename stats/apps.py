from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    """Seeing the work: the dashboards, the statistics API and the anonymised evaluation
    (decisions 105-108). It reads the apps below it and writes nothing but the audit trail."""

    name = "stats"
    verbose_name = _("Statistics")
    default_auto_field = "django.db.models.BigAutoField"
