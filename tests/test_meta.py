"""Project-wide guarantees: the apps import only the floors below them, every view and viewset on
case data uses the access bases, every model follows the house rules, and tests are named for the
behaviour they test. A new import, view, model or test file fails here until it does, or is exempted
with a reason (NetBox's test_model_test_coverage, style.md §2; CONTRIBUTING.md, "The house: apps
and floors")."""

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver

from agencies.access import RestrictedQuerySet, RestrictedViewMixin, RestrictedViewSet, Rule, rules

ROOT = Path(settings.BASE_DIR)
# Our apps: those the app registry finds at the top of this repository (not in .venv).
OUR_APPS = tuple(config.name for config in apps.get_app_configs() if Path(config.path).parent == ROOT)

# The floors, lowest first: an app imports only the apps below it (decision 49).
FLOORS = (
    "outbox",
    "agencies",
    "audit",
    "families",
    "cases",
    "referrals",
    "panels",
    "interventions",
    "learning",
    "reminders",
    "privacy",
    "pages",
    "stats",
    "demo",
    "operations",
)
# Module -> why it imports an app above its own floor. Each is checked to be still needed.
IMPORT_EXCEPTIONS = {
    "agencies.access.views": "the access bases record every read in the trail (audit.reads): design.md §1 lets "
    "the ground floor import audit, which itself stands on agencies",
    "agencies.access.api": "the API's access bases record every read in the trail (audit.reads), as above",
    # The access rules look up by name the rows they filter on: they stand below every model they
    # guard (each model names its rule, `access_rule = rules.case_child`, so the rules cannot sit
    # above any app with case data), and a rule is a condition on those rows, not their code.
    "agencies.access.core": "restrict() reads the case grants (cases.CaseUserObjectPermission), the shares "
    "(cases.CaseShare) and the break-the-glass accesses (audit.BreakGlassAccess) that open a case",
    "agencies.access.held": "restrict() reads the cases a user holds by name with their memberships: the grants "
    "(cases.CaseUserObjectPermission), shares (cases.CaseShare) and break-the-glass accesses (audit.BreakGlassAccess)",
    "agencies.access.rules": "the rules reach a row's case (cases.Case), a meeting's attendance "
    "(panels.MeetingAttendance) and a reminder's referral or meeting (referrals.Referral, panels.PanelMeeting)",
    "agencies.access.case_access": "CaseAccess's columns read the shares (cases.CaseShare) and the break-the-glass "
    "accesses (audit.BreakGlassAccess) with the case row, as restrict() does; the acting agency of a case by id "
    "(cases.Case)",
    # Named by the model, restricted with the read action as the referral list is (decision 83).
    "families.search": "known people include the subjects of earlier referrals the user may read "
    "(referrals.Referral), offered when adding a member from the cases app, which stands below referrals",
}

# View -> why it may skip the restricted bases.
VIEW_EXEMPTIONS = {
    "agencies.views.set_language": "changes the user's own language; reads no case data",
    "agencies.api.views.ObtainTokenView": "sign-in: exchanges credentials for a token",
    "agencies.api.views.RevokeTokenView": "ends the caller's own token; reads no case data",
    "agencies.account.TwoFactorView": "enrols the user's own authenticator app; reads no case data",
    "agencies.account.VerifyView": "checks the user's own sign-in code; reads no case data",
    "agencies.account.RecoveryCodesView": "the user's own recovery codes; reads no case data",
    "agencies.account.EnrolmentCodeView": "issues a colleague a two-factor enrolment code; reads no case data",
    "agencies.account.NameShownView": "the user's own name preference; reads no case data",
    "reminders.views.CalendarFeedView": "the iCal feed, opened by its user's secret; events_of restricts",
    "reminders.views.ReminderPreferencesView": "the user's own choice of reminder e-mails; reads no case data",
    "panels.network_views.ExpertListView": "the register of experts: no case data (a role's permission gates it)",
    "panels.network_views.ExpertCreateView": "the register of experts: coordinators and agency admins; no case data",
    "panels.network_views.ExpertEditView": "the register of experts: coordinators and agency admins; no case data",
    "panels.network_views.AgencyProfileView": "an agency's mandate and contact, open to every member; no case data",
    "panels.network_views.AgencyProfileEditView": "the agency's admins and its panels' coordinators; no case data",
    "panels.api.network.ExpertViewSet": "the register of experts: no case data (a role's permission gates it)",
    "panels.api.network.AgencyProfileViewSet": "agencies' mandates and contacts, open to every member; no case data",
    "privacy.trail_views.AuditSearchView": "the whole trail, for the data protection officer only (404 for others)",
    "privacy.trail_views.BreakGlassReportView": "the break-the-glass report, for the data protection officer only",
    "audit.api.views.AuditEventViewSet": "the whole trail, for the data protection officer only (404 for others)",
    "privacy.trail_views.BreakGlassView": "opens a case beyond the user's reach by design; supervisors (decision 35)",
    "audit.admin.AuditEventAdmin.changelist_view": "the admin's trail: the DPO only, reads recorded",
    "panels.views.ReassignmentJobView": "a reassignment's progress, for the person who started it (404 for others)",
    "cases.api.views.ReassignmentJobView": "the same progress in the API, for the person who started it",
    "cases.export_views.ExportJobView": "an export's progress, for the person who asked (404 for others)",
    "cases.export_views.ExportFileView": "an export's file, for the person who asked, until it expires",
    "cases.export_views.ExportListView": "the caller's own exports: formats, counts and dates, no case data",
    "cases.api.views.ExportJobView": "the same progress in the API, for the person who asked",
    "cases.api.views.ExportJobFileView": "the same file in the API, for the person who asked, until it expires",
    "audit.admin.AuditEventAdmin.change_view": "the admin's trail: the DPO only, reads recorded",
    "agencies.joining_views.AgencyAddView": "adds a partner agency; the directory is no case data (decision 117)",
    "agencies.joining_views.AgencyView": "an agency's people, for who manages it (404 for others); no case data",
    "agencies.joining_views.DirectoryView": "the agencies the user manages; no case data",
    "agencies.joining_views.InviteView": "invites a person to an agency the user manages; no case data",
    "agencies.joining_views.InviteAgainView": "a new invitation for a person of an agency the user manages",
    "agencies.joining_views.EndMembershipView": "ends a membership of an agency the user manages; no case data",
    "agencies.joining_views.AddMemberView": "adds someone already in Ura to an agency the user manages (decision 139)",
    "agencies.joining_views.RolesView": "a person's roles in an agency the user manages (decision 140); no case data",
    "agencies.joining_views.InvitationView": "the invitation link: a new person sets their password",
    "agencies.joining_views.PasswordChangeView": "the user's own password",
    "agencies.joining_views.PasswordResetView": "asks for a reset link; says nothing of whether an account exists",
    "agencies.joining_views.PasswordResetConfirmView": "the reset link: a new password",
    "django.contrib.auth.views.PasswordResetDoneView": "Django's page after a reset was asked for",
    "django.contrib.auth.views.PasswordResetCompleteView": "Django's page after a reset",
    "agencies.joining_views.InductionView": "the protocols the user acknowledges (decision 118); no case data",
    "agencies.joining_views.ProtocolListView": "the partnership's protocols, for the coordinator (404 for others)",
    "agencies.joining_views.ProtocolEditView": "publishes a protocol, for the coordinator (404 for others)",
    "agencies.api.joining.AgencyListView": "the agencies the caller manages; no case data",
    "agencies.api.joining.InviteView": "invites a person to an agency the caller manages",
    "agencies.api.joining.EndMembershipView": "ends a membership of an agency the caller manages",
    "agencies.api.joining.AgencyMembershipsView": "the people of an agency the caller manages (404 for others)",
    "agencies.api.joining.AddMemberView": "adds someone already in Ura to an agency the caller manages",
    "agencies.api.joining.RolesView": "a person's roles in an agency the caller manages (decision 140)",
    "agencies.api.joining.InductionView": "the caller's own protocols still to acknowledge",
    "agencies.api.joining.AcknowledgeView": "the caller acknowledges protocols",
    "learning.views.LibraryView": "the library, for every member (decision 119); no case data",
    "learning.views.ResourceAddView": "adds to the library, for the coordinator (404 for others)",
    "learning.views.ResourceDownloadView": "a library file, for every member; no case data",
    "learning.views.ResourceRemoveView": "removes from the library, for the coordinator (404 for others)",
    "learning.views.TrainingView": "the user's own training and that of the people they manage",
    "learning.views.TrainingAddView": "records training for a person the user manages (404 for others)",
    "learning.api.views.LibraryView": "the library, for every member; the coordinator adds to it",
    "learning.api.views.TrainingView": "the caller's own training and that of the people they manage",
    # The public front door (decision 126): no sign-in by design, throttled per address.
    "referrals.door_views.PublicConcernView": "the public page: takes a concern through its service, reads none",
    "referrals.door_views.PublicStatusView": "the public status page: a follow-up code's stage alone, by its hash",
    "referrals.api.door_views.PublicConcernView": "the public page's API: takes a concern, reads none",
    "referrals.api.door_views.PublicStatusView": "the public status in the API: a code's stage alone, by its hash",
}
# Model -> why it has no restricted queryset.
MODEL_EXEMPTIONS = {
    "agencies.User": "people and their memberships are not case data",
    "agencies.Agency": "the partner directory is open to all signed-in users",
    "agencies.Membership": "configuration; managed in the admin",
    "agencies.EnrolmentCode": "a hashed one-time code for turning on two-factor sign-in; no case content",
    "agencies.RecoveryCode": "a hashed one-time sign-in code of the user's own; no case content",
    "cases.CaseReferenceCounter": "a counter with no case content",
    "cases.CaseUserObjectPermission": "guardian's grant table (its manager is guardian's): read by restrict(), "
    "has_perm, and the grants page and admin through a case restricted for MANAGE (decision 96)",
    "audit.AuditEvent": "read through its own views (the trail, the access log), never listed with case data",
    "audit.BreakGlassAccess": "read by restrict() itself, the case's access log and the DPO's report",
    "outbox.Message": "e-mails waiting to go out, read only by the worker that sends them; no page lists them",
    "agencies.IdempotentRequest": "a request's first answer, read back only with the same key by the same user "
    "(on the public concern page, by the key alone, sealed with it)",
    "operations.Heartbeat": "the system's own heartbeat, no case data",
    "agencies.Expert": "the register of experts who are not users: no case content, readable by every member",
    "agencies.Invitation": "a hashed one-time link for a new person; no case content",
    "agencies.Departure": "a membership that ended; people are not case data",
    "agencies.Protocol": "the partnership's protocols, read by every member they apply to",
    "agencies.ProtocolAcknowledgement": "who read which protocol version; no case content",
    "learning.TrainingRecord": "a professional's training; no case content",
    "learning.Resource": "the library's awareness material and manuals, read by every member; no case content",
    "cases.ReassignmentJob": "ids and progress only, read by the person who started it (404 for anyone else)",
    "cases.ExportJob": "an export made for the person who asked, through restrict(); read by them alone (404)",
}


def _views(patterns: list[Any]) -> Iterator[Any]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            callback = pattern.callback
            yield getattr(callback, "cls", None) or getattr(callback, "view_class", None) or callback


def _our(obj: Any) -> bool:
    return obj.__module__.split(".")[0] in OUR_APPS


def _name(obj: Any) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


def test_every_view_uses_the_restricted_bases() -> None:
    offenders = [
        _name(view)
        for view in set(_views(get_resolver().url_patterns))
        if _our(view)
        and _name(view) not in VIEW_EXEMPTIONS
        and not (isinstance(view, type) and issubclass(view, RestrictedViewMixin | RestrictedViewSet))
    ]
    assert offenders == []


def test_exemptions_name_real_views() -> None:
    names = {_name(view) for view in _views(get_resolver().url_patterns)}
    assert set(VIEW_EXEMPTIONS) <= names


def _our_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m._meta.app_label in OUR_APPS]


@pytest.mark.parametrize("model", _our_models(), ids=lambda m: m._meta.label)
def test_case_data_is_reached_only_through_restrict(model: type[models.Model]) -> None:
    if model._meta.label in MODEL_EXEMPTIONS:
        return
    assert isinstance(model._default_manager.all(), RestrictedQuerySet), "default manager must be restricted"
    rule = getattr(model, "access_rule", None)
    assert isinstance(rule, Rule), "access_rule must be a rule of agencies.access.rules"
    assert getattr(rules, rule.name, None) is rule, f"{rule!r} is not declared in agencies.access.rules"


@pytest.mark.parametrize("model", _our_models(), ids=lambda m: m._meta.label)
def test_models_follow_the_house_rules(model: type[models.Model]) -> None:
    assert model.__doc__ and not model.__doc__.startswith(model.__name__ + "("), "needs a docstring"
    assert model._meta.ordering, "needs Meta.ordering"
    assert "__str__" in vars(model), "needs __str__"
    for constraint in model._meta.constraints:
        assert constraint.name.startswith(f"{model._meta.app_label}_{model._meta.model_name}_"), constraint.name


def _modules(app: str) -> Iterator[tuple[str, Path]]:
    """Every Python module of `app` but its migrations, with its dotted name."""
    for path in sorted((ROOT / app).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "migrations" not in parts:
            yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def _imported(module: str, path: Path) -> Iterator[str]:
    """Every module `module` imports, at the top or inside a function, relative imports resolved,
    and every app whose model it looks up by name.

    `apps.get_model("cases", "Case")` (or `"cases.Case"`) reads that app's rows as surely as an
    import does, so it counts as one (given as `cases.get_model(Case)`); a foreign key's string
    (`"cases.Case"`) does not: it names a table, it runs no code. A name that is not a literal
    (`apps.get_model(self.entry_label)`) cannot be placed and is not counted."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            yield ".".join([*base, *([node.module] if node.module else [])])
        elif looked_up := _model_looked_up(node):
            yield looked_up


def _model_looked_up(node: ast.AST) -> str | None:
    """`app.get_model(Model)` for a call `<anything>.get_model("app", "Model")` or `("app.Model")`."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get_model"):
        return None
    names = [arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
    if not names or len(names) != len(node.args):
        return None
    app, _, model = ".".join(names).partition(".")
    return f"{app}.get_model({model})"


def _upward_imports() -> dict[str, set[str]]:
    floor = {app: level for level, app in enumerate(FLOORS)}
    found: dict[str, set[str]] = {}
    for app in FLOORS:
        for module, path in _modules(app):
            above = {name for name in _imported(module, path) if floor.get(name.split(".")[0], -1) > floor[app]}
            if above:
                found[module] = above
    return found


def test_every_app_stands_on_a_floor() -> None:
    assert sorted(FLOORS) == sorted(OUR_APPS)


def test_no_app_imports_an_app_above_it() -> None:
    upward = _upward_imports()
    assert {module: sorted(names) for module, names in upward.items() if module not in IMPORT_EXCEPTIONS} == {}


def test_import_exceptions_are_still_needed() -> None:
    assert set(IMPORT_EXCEPTIONS) <= set(_upward_imports())


# The columns `with_access` and `annotate_access` add (agencies/access/case_access.py).
ACCESS_COLUMN = re.compile(r"\.access_(user|summary|full|change|manage|writes|log|agency|glass_until)\b")


def test_templates_ask_case_access_not_the_case_rows_columns() -> None:
    # A page tests `access.full`, `access.writes`... (decision 50); a list row, which has no
    # CaseAccess, asks `case|reads_in_full`, which refuses a row fetched without its access.
    offenders = {
        str(path.relative_to(ROOT)): ACCESS_COLUMN.findall(path.read_text())
        for path in sorted((ROOT / "templates").rglob("*.html"))
        if ACCESS_COLUMN.search(path.read_text())
    }
    assert offenders == {}


# File -> why it locks rows without `RestrictedQuerySet.lock()`.
LOCK_EXEMPTIONS = {
    "agencies/joining.py": "role changes within one agency take turns on the agency's row, so that its last "
    "administrator is counted after the lock (decision 140): no case data, a plain model",
    "cases/services/ownership.py": "the yearly reference counter: no case data, a plain model",
    "cases/services/grants.py": "the sweep of ended individual grants takes guardian's rows (guardian's manager, "
    "not restrict()) with skip_locked, so two sweeps never end the same grant twice (decision 96)",
    "cases/services/jobs.py": "a background job's own row is locked while it runs, so a sweep never runs it twice "
    "(decision 159): no case data, the cases it moves go through restrict()",
    "privacy/retention.py": "the data protection officer's one exception to restrict() (decision 44): the base manager",
}


def test_rows_are_locked_only_through_lock() -> None:
    # One lock() on the restricted queryset (decision 52): a write re-reads its row for the action
    # it performs, locked in primary-key order, this table only.
    lockers = {
        str(path.relative_to(ROOT))
        for app in OUR_APPS
        for _module, path in _modules(app)
        if "select_for_update(" in path.read_text()
    }
    assert lockers - {"agencies/access/core.py"} == set(LOCK_EXEMPTIONS)


# --- Tests live by behaviour (decision 58) ---------------------------------------------------------

TESTS = ROOT / "tests"
# Words that name how a test came about (a review, a finding, a bug report) rather than what it
# asserts; a token of a file name such as "issue3" or "findings" counts too.
PROCESS_WORDS = re.compile(r"(review|finding|hardening|issue|regression|bug|bugfix|fix)(e?s)?\d*")
# Test file -> why its name is about behaviour after all.
TEST_FILE_EXEMPTIONS = {
    "tests/interventions/test_reviews.py": "a plan review (step 8 of the ten) is a thing of the domain, not a "
    "review of the code",
}


def _test_files() -> list[Path]:
    return sorted(TESTS.rglob("test_*.py"))


def _process_words(name: str) -> list[str]:
    return [token for token in name.lower().split("_") if PROCESS_WORDS.fullmatch(token)]


def test_test_files_are_named_for_behaviour() -> None:
    # A test lives in tests/<app>/test_<behaviour>.py, beside the tests of the same behaviour, and
    # says what it asserts; the history of how it was found belongs in the commit that added it.
    offenders = {
        str(path.relative_to(ROOT)): words
        for path in _test_files()
        if (words := _process_words(path.stem.removeprefix("test_")))
        and str(path.relative_to(ROOT)) not in TEST_FILE_EXEMPTIONS
    }
    assert offenders == {}


def test_test_names_are_named_for_behaviour() -> None:
    # "review" is left out here: reviews of a plan and of a closed record are the domain's.
    words = re.compile(r"(finding|hardening|issue|regression|bug|bugfix)(e?s)?\d*")
    offenders = [
        f"{path.relative_to(ROOT)}::{node.name}"
        for path in _test_files()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if isinstance(node, ast.FunctionDef | ast.ClassDef)
        and node.name.lower().startswith("test")
        and any(words.fullmatch(token) for token in re.sub(r"(?<!^)(?=[A-Z])", "_", node.name).lower().split("_"))
    ]
    assert offenders == []


def test_test_docstrings_say_what_they_assert_not_how_it_was_found() -> None:
    # "(issue 17)" in a test's docstring is history: it belongs in the commit message. A decision is
    # fine to cite: it is the reason the behaviour is as it is.
    cited = re.compile(r"\b(issue|defect|finding) \d+", re.IGNORECASE)
    offenders = [
        f"{path.relative_to(ROOT)}::{getattr(node, 'name', '<module>')}"
        for path in _test_files()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef) and cited.search(ast.get_docstring(node) or "")
    ]
    assert offenders == []


def test_test_file_exemptions_name_real_files() -> None:
    assert {name for name in TEST_FILE_EXEMPTIONS if not (ROOT / name).exists()} == set()


def test_the_security_linter_reads_every_app() -> None:
    [line] = [line for line in (ROOT / "Makefile").read_text().splitlines() if line.startswith("BANDIT_TARGETS")]
    read = set(line.split(":=", 1)[1].split())
    assert {name.split(".")[0] for name in OUR_APPS} <= read
