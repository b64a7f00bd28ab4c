from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reminders"
    verbose_name = _("Reminders")

    def ready(self) -> None:
        # A notice kind is created by a signal of the app where it happens (that app imports
        # nothing of ours): connect each kind that listens.
        from .deadlines import kinds

        for kind in kinds():
            if kind.listens_to is not None:
                kind.listens_to.connect(kind.received, weak=False, dispatch_uid=f"reminders.{kind.code}")
