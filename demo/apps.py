from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The top floor: `seed_demo` and the demo scenario, entered through the apps' own services."""

    name = "demo"
    verbose_name = _("Demo data")
    default_auto_field = "django.db.models.BigAutoField"
