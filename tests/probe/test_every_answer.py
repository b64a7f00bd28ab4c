"""The access probe (decision 65): every demo user asks every page, API operation and admin page
with every object id of every kind, and every answer is judged against the access model.

- a hidden id (one `restrict(user, read_action)` does not give), or a row asked for under a parent
  that is not its own, answers exactly like a missing id: status, body and redirect, for a GET
  and for an empty POST/PATCH (which changes nothing);
- no answer holds a string the user may not read (`access.Reach.secrets`);
- no page is given a row the user may not know (its templates' context, forms' choices included);
- every API list lists only rows the user may know; no answer is a server error.

Routes come from the URL resolver, the OpenAPI schema and the admin's registry (`routes.py`), so
a new endpoint is probed without editing this file. Run with `make probe` (CI runs it after
`make test`); `make test` leaves it out (`-m "not probe"`).

Known findings, each fixed elsewhere, are listed in `KNOWN` with the users and checks they fail:
a test whose only failures are known ones is an expected failure, and a known finding that no
longer fails is reported as a warning (remove it from `KNOWN`).
"""

import json
import os
import warnings

import pytest

from demo.organisations import USERS

from .asking import Failure, Prober
from .routes import all_routes, resolver_api_names, schema_api_names

DEMO_USERS = [*USERS, "admin"]
ROUTES = all_routes()

# (route name, check) -> (why, the users): answers the probe's access model would call a finding but
# the design gives these users on purpose. They are not judged on that check; every other user is.
DPO = (
    "the data protection officer reads the trail, subject access and retention beyond restrict() by design "
    "(decision 44): her exception is the route's purpose"
)
ADMIN = "the superuser's Panel admin lists every panel and its cases' names: configuration beyond restrict()"
_DPO, _ADMIN = frozenset({"dpo.mira"}), frozenset({"admin"})
BY_DESIGN: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    ("GET /api/v1/audit-events/", "secret"): (DPO, _DPO),
    ("GET /api/v1/audit-events/{id}/", "secret"): (DPO, _DPO),
    ("audit:breakglass_report", "context"): (DPO, _DPO),
    ("privacy:retention_decide", "hidden"): (DPO, _DPO),
    ("privacy:sar_create", "context"): (DPO, _DPO),
    ("privacy:sar_create", "hidden"): (DPO, _DPO),
    ("privacy:sar_create", "secret"): (DPO, _DPO),
    ("privacy:sar_export", "context"): (DPO, _DPO),
    ("privacy:sar_export", "secret"): (DPO, _DPO),
    ("admin:agencies.Panel change", "context"): (ADMIN, _ADMIN),
    ("admin:agencies.Panel change", "hidden"): (ADMIN, _ADMIN),
    ("admin:agencies.Panel change", "secret"): (ADMIN, _ADMIN),
    ("admin:agencies.Panel list", "secret"): (ADMIN, _ADMIN),
}
# (route name, check) -> (the finding, the users it shows for): a finding not fixed yet, expected to
# fail until it is. Remove an entry when its fix merges. None is open.
KNOWN: dict[tuple[str, str], tuple[str, frozenset[str]]] = {}


def _known(username: str, route: str, table: dict[tuple[str, str], tuple[str, frozenset[str]]]) -> dict[str, str]:
    return {check: finding for (name, check), (finding, users) in table.items() if name == route and username in users}


def test_exceptions_name_real_routes() -> None:
    names = {route.name for route in ROUTES}
    assert {name for name, _check in [*BY_DESIGN, *KNOWN] if name not in names} == set()


def test_every_route_parameter_is_placed() -> None:
    unplaced = {route.name: route.unplaced for route in ROUTES if route.unplaced}
    assert unplaced == {}, "add the parameter (or the segment before it) to routes.PARAMETER_MODELS"


def test_the_schema_covers_every_api_route() -> None:
    assert resolver_api_names() - schema_api_names() == set()


@pytest.mark.probe
@pytest.mark.django_db
def test_the_probe_asks_every_demo_user(seeded: None) -> None:
    from agencies.models import User

    assert set(User.objects.values_list("username", flat=True)) == set(DEMO_USERS)


@pytest.mark.probe
@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
@pytest.mark.parametrize("username", DEMO_USERS)
def test_every_answer_keeps_to_the_access_model(seeded: None, username: str, route, record_property) -> None:
    from agencies.models import User

    prober = Prober(User.objects.get(username=username))
    failures = prober.probe(route)
    record_property("requests", prober.requests)
    record_property("objects", prober.objects)
    if os.environ.get("URA_PROBE_REPORT"):  # every failure as a JSON line, for reading a run as it goes
        with open(os.environ["URA_PROBE_REPORT"], "a") as report:
            for f in failures:
                report.write(
                    json.dumps({"user": username, "route": route.name, "check": f.check, "detail": f.detail}) + "\n"
                )
    known = _known(username, route.name, KNOWN)
    failures = [f for f in failures if f.check not in _known(username, route.name, BY_DESIGN)]
    unexpected = [f for f in failures if f.check not in known]
    fixed = sorted(set(known) - {f.check for f in failures})
    assert not unexpected, _report(unexpected)
    if fixed:  # reported, not failed: a fix merged elsewhere must not break CI's run
        warnings.warn(f"fixed, remove from KNOWN: {[(route.name, check) for check in fixed]}", stacklevel=1)
    if failures:
        pytest.xfail("; ".join(sorted(set(known.values()))))


def _report(failures: list[Failure]) -> str:
    lines = [f"{f.check}: {f.detail}" for f in failures[:40]]
    more = f"\n... and {len(failures) - 40} more" if len(failures) > 40 else ""
    return "\n".join(lines) + more
