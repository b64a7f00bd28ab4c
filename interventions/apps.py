from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterventionsConfig(AppConfig):
    name = "interventions"
    verbose_name = _("Interventions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import (
            agenda,  # noqa: F401  (its receiver: stalled cases join a built agenda)
            progress,  # noqa: F401  (its receiver: summaries, files and packs carry the progress)
        )
