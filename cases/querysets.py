"""Domain filters on cases. Which rows a user may see is decided by `restrict()` alone."""

from typing import TYPE_CHECKING, Self

from django.db.models import Q
from django.utils import timezone

from agencies.access import RestrictedQuerySet, case_access_columns

if TYPE_CHECKING:
    from agencies.access.core import AnyUser

__all__ = ["CaseQuerySet", "CaseShareQuerySet", "RestrictedQuerySet"]


class CaseQuerySet(RestrictedQuerySet):
    def open(self) -> Self:
        return self.filter(closed_at__isnull=True)

    def closed(self) -> Self:
        return self.filter(closed_at__isnull=False)

    def with_access(self, user: "AnyUser") -> Self:
        """Annotate what `user` may do with each case, for `CaseAccess.of(case, user)`: the flags
        come with the row, in the same query (decision 50)."""
        return self.annotate(**case_access_columns(user))

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
