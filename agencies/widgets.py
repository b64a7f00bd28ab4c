"""Date fields typed as the page's language writes dates (21/11/2026 in English, 21.11.2026 in
Albanian), with that format as the hint. The browser's own date picker is not used: it shows its
locale's format whatever the page's language, so one page would show two."""

from typing import Any

from django import forms
from django.utils.formats import get_format
from django.utils.translation import gettext

__all__ = ["DateInput", "DateTimeInput"]


def _hint(python_format: str) -> str:
    """21/11/2026's pattern in the reader's words: dd/mm/yyyy, or dd.mm.vvvv in Albanian."""
    # Translators: the placeholders of a date's day, month, year, hour and minute in a date field.
    words = {"%d": gettext("dd"), "%m": gettext("mm"), "%Y": gettext("yyyy"), "%H": gettext("hh"), "%M": gettext("mm")}
    for code, word in words.items():
        python_format = python_format.replace(code, word)
    return python_format


class DateInput(forms.DateInput):
    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", **(attrs or {})})

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = {"placeholder": _hint(get_format(self.format_key)[0]), **(attrs or {})}
        return super().get_context(name, value, attrs)


class DateTimeInput(DateInput, forms.DateTimeInput):
    format_key = "DATETIME_INPUT_FORMATS"
