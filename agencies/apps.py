from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = _("Agencies and panels")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import offline, signals  # noqa: F401  (offline: the sign-out wipes the browser)
        from .roles import sync_role_groups

        # After every app's migrations, since the role groups hold permissions of other apps.
        post_migrate.connect(sync_role_groups, dispatch_uid="agencies.sync_role_groups")
        # A frozen PostgreSQL: a 503 page within seconds, also on a kept connection (decision 159).
        stall = getattr(settings, "DATABASE_STALL_SECONDS", 0)
        if stall and any(db["ENGINE"] == "django.db.backends.postgresql" for db in settings.DATABASES.values()):
            from . import dbwait

            dbwait.install(stall, settings.DATABASE_CONNECT_TIMEOUT)
