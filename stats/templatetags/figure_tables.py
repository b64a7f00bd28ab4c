"""A figure's table body written in Python (issue 19): a supervisor's board lists every worker of
ten agencies (160 rows at a million cases) and the template engine spent about a quarter of the
dashboard's time on their cells, resolving and localising each one through its nodes. Each row
here is one `format_html`; the markup is the template's."""

from __future__ import annotations

from django import template
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from stats.figures import Figure

register = template.Library()

NONE = "\u2013"  # an en dash: nothing to measure: a median over no row


def _cells(values: tuple[object, ...]) -> SafeString:
    return format_html_join("", '<td class="text-end">{}</td>', ((value,) for value in values))


def _row(label: str, values: tuple[object, ...]) -> SafeString:
    return format_html('<tr>\n<th scope="row" class="fw-normal">{}</th>\n{}\n</tr>\n', label, _cells(values))


@register.simple_tag
def figure_body(figure: Figure, suppress: bool = False) -> SafeString:
    """The `<tr>` of the figure's table: as printed for the partners when `suppress` (decision
    107), else every count in the reader's language, a missing one as a dash."""
    if suppress:
        return format_html_join("", "{}", ((_row(label, values),) for label, values in figure.suppressed_rows()))
    if not figure.rows:
        return format_html('<tr><td colspan="{}">{}</td></tr>', len(figure.columns) + 1, _("Nothing to count."))
    return format_html_join(
        "",
        "{}",
        (
            (_row(row.label, tuple(NONE if value is None else localize(value) for value in row.values)),)
            for row in figure.rows
        ),
    )
