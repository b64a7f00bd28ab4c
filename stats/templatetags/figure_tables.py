"""A figure's table body written in Python (issue 19): a supervisor's board lists every worker of
ten agencies (160 rows at a million cases) and the template engine spent about a quarter of the
dashboard's time on their cells, resolving and localising each one through its nodes. Each row
here is one string, every word in it escaped; the markup is the template's."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.formats import localize
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from stats.figures import Figure

register = template.Library()

NONE = "\u2013"  # an en dash: nothing to measure: a median over no row


def _row(label: str, cells: list[str]) -> str:
    """One row, every word escaped here (the cells already are)."""
    tds = "".join(f'<td class="text-end">{cell}</td>' for cell in cells)
    return f'<tr>\n<th scope="row" class="fw-normal">{escape(label)}</th>\n{tds}\n</tr>\n'


def _count(value: int | None) -> str:
    if value is None:
        return NONE
    # A count is digits alone where the language groups no thousands (localize's answer then,
    # measured at 17 µs a cell against 0.1).
    return str(value) if isinstance(value, int) and not settings.USE_THOUSAND_SEPARATOR else escape(localize(value))


@register.simple_tag
def figure_body(figure: Figure, suppress: bool = False) -> SafeString:
    """The `<tr>` of the figure's table: as printed for the partners when `suppress` (decision
    107), else every count in the reader's language, a missing one as a dash."""
    if suppress:
        rows = [_row(label, [escape(value) for value in values]) for label, values in figure.suppressed_rows()]
        return mark_safe("".join(rows))  # noqa: S308 - every label and value escaped in _row
    if not figure.rows:
        return format_html('<tr><td colspan="{}">{}</td></tr>', len(figure.columns) + 1, _("Nothing to count."))
    rows = [_row(row.label, [_count(value) for value in row.values]) for row in figure.rows]
    return mark_safe("".join(rows))  # noqa: S308 - every label and value escaped in _row
