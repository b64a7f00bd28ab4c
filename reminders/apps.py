from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reminders"
    verbose_name = _("Reminders")

    def ready(self) -> None:
        # A notice kind is created by a signal of the app where it happens (that app imports
        # nothing of ours): connect each kind that listens.
        from agencies.security import account_changed

        from . import unread  # noqa: F401 - its receivers move the unread counts' generation on
        from .calendar import end_feed_with_the_sign_ins
        from .deadlines import kinds

        account_changed.connect(end_feed_with_the_sign_ins, weak=False, dispatch_uid="reminders.calendar_feed_ended")

        for kind in kinds():
            if kind.listens_to is not None:
                kind.listens_to.connect(kind.received, weak=False, dispatch_uid=f"reminders.{kind.code}")
