"""Domain filters on cases. Which rows a user may see is decided by `restrict()` alone."""

from typing import Self

from django.db.models import Q
from django.utils import timezone

from agencies.access import RestrictedQuerySet

__all__ = ["CaseQuerySet", "CaseShareQuerySet", "RestrictedQuerySet"]


class CaseQuerySet(RestrictedQuerySet):
    def open(self) -> Self:
        return self.filter(closed_at__isnull=True)

    def closed(self) -> Self:
        return self.filter(closed_at__isnull=False)

    def with_summary(self) -> Self:
        """Join what every case row shows, so a list costs the same whatever its length."""
        return self.select_related("family", "index_person", "owner", "owning_agency", "panel")


class CaseShareQuerySet(RestrictedQuerySet):
    def active(self) -> Self:
        return self.filter(revoked_at__isnull=True)

    def expired(self) -> Self:
        return self.active().filter(ends_at__lte=timezone.now())

    def current(self) -> Self:
        return self.active().filter(Q(ends_at__isnull=True) | Q(ends_at__gt=timezone.now()))
