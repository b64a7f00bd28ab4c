from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    """The pages composed of sections from several apps: the case page and the home page (decision 56).
    It stands above every app that contributes a section, so it imports them without an exception."""

    name = "pages"
    verbose_name = _("Pages")
    default_auto_field = "django.db.models.BigAutoField"
