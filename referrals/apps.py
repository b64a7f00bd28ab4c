from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class _SQLiteMedian:
    """SQLite's `median(x)` aggregate (PostgreSQL has `percentile_cont`): the directory's waiting
    times are computed in the query, on either database (`service_models.Median`)."""

    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value: float | None) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        if not self.values:
            return None
        ordered, middle = sorted(self.values), len(self.values) // 2
        if len(ordered) % 2:
            return float(ordered[middle])
        return (ordered[middle - 1] + ordered[middle]) / 2


def register_median(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("median", 1, _SQLiteMedian)


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        connection_created.connect(register_median, dispatch_uid="referrals.register_median")
        from cases.signals import case_closed

        from .receivers import close_receipts

        case_closed.connect(close_receipts, dispatch_uid="referrals.close_receipts")
