"""Small presentation helpers for case pages."""

import datetime
from typing import Any

from django import template
from django.utils import timezone

from agencies.access import CaseAccess
from agencies.people import remember_people
from families.models import SafetyWarning

from .. import rows

register = template.Library()


@register.simple_tag
def risk_badge(level: str) -> str:
    """The risk level as a badge (built in Python: a list page shows one per row, issue 19)."""
    return rows.risk_badge(level)


@register.simple_tag
def case_rows(cases: Any, show_progress: Any = False, show_access: Any = False) -> str:
    """A case table's rows, written in Python (`cases.rows`)."""
    # the flags come as "" when the include does not set them
    return rows.case_rows(cases, show_progress=bool(show_progress), show_access=bool(show_access))


@register.filter
def is_past(value: datetime.date | None) -> bool:
    """Whether a date lies before today (an overdue review)."""
    return value is not None and value < timezone.localdate()


_META_FIELDS = {
    "id", "case", "author", "author_agency", "visibility", "abstract", "is_draft", "created_at", "updated_at",
    "stored_name", "content_type", "size", "file",
}  # fmt: skip


@register.simple_tag
def entry_fields(entry: Any) -> list[tuple[str, Any]]:
    """The entry's own fields as (label, value) pairs, in the reader's language."""
    from django.db import models as dj_models
    from django.template.defaultfilters import date as date_filter
    from django.utils.translation import gettext as _

    from ..entry_kinds import kind_for

    list_choices = kind_for(type(entry)).list_choices
    rows: list[tuple[str, Any]] = []
    for field in [*entry._meta.fields, *entry._meta.many_to_many]:
        if field.name in _META_FIELDS:
            continue
        value = getattr(entry, field.name)
        if field.many_to_many:
            value = ", ".join(str(item) for item in value.all())
        elif field.choices:
            value = getattr(entry, f"get_{field.name}_display")()
        elif isinstance(field, dj_models.BooleanField) and value is not None:
            value = _("Yes") if value else _("No")
        elif isinstance(field, dj_models.JSONField):
            choices = list_choices.get(field.name)
            value = ", ".join(
                str(choices(item).label) if choices and item in choices.values else str(item) for item in value
            )
        elif isinstance(field, dj_models.DateTimeField) and value:
            value = date_filter(timezone.localtime(value), "DATETIME_FORMAT")
        elif isinstance(field, dj_models.DateField) and value:
            value = date_filter(value, "DATE_FORMAT")
        rows.append((str(field.verbose_name), value if value not in (None, "") else "—"))
    return rows


@register.simple_tag
def recordable_kinds(access: CaseAccess) -> list[Any]:
    """The kinds of entry the "Record" menu offers: those the reader's CaseAccess records."""
    from ..entry_kinds import entry_kinds

    return [kind for kind in entry_kinds() if access.records(kind.sector)]


@register.simple_tag
def remember_owners(cases: Any) -> str:
    """Look up at once the agencies and roles of the owners a case table names: an owner who shows
    only a short name to other agencies costs no query of their own (issue 19: 16 → 527 queries)."""
    remember_people(case.owner for case in cases if case.owner_id is not None)
    return ""


@register.simple_tag
def safety_label(kind: str) -> str:
    """A staff-safety warning's kind in the reader's words (an annotation carries only its code)."""
    return str(dict(SafetyWarning.Kind.choices).get(kind, ""))
