"""Asking every route as one user and judging each answer: nothing hidden answers unlike a missing
id, no answer holds a string the user may not read, no page carries a row they may not know, no
list holds one, no server error, and no refused write changes anything."""

import hashlib
import html
import io
import itertools
import re
from collections import deque
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import quote

from django.apps import apps
from django.core.paginator import Page, Paginator
from django.db import models
from django.forms import BaseForm
from django.test import Client
from rest_framework.test import APIClient

from agencies.access import Rule
from agencies.models import User

from .access import PUBLIC_FIELDS, Reach, case_data_models
from .routes import OUR_APPS, Param, Route

NOT_A_NUMBER = "x1"
NO_SUCH_SLUG = "nosuchthing"
NUL = "1%00"  # a NUL byte in the path
TOKENS = re.compile(
    r'(csrfmiddlewaretoken" value="|X-CSRFToken": "|name="next" value="|nonce="|csrftoken=|"csrfToken": "'
    # a new key in every form, each time it is drawn (decision 73); the minutes before the idle time-out
    r'|name="idempotency_key" value="|data-idle-seconds-left=")[^"&;]+'
)


@dataclass(frozen=True)
class Failure:
    check: str  # "server error", "secret", "context", "hidden", "other parent", "list", "write"
    detail: str


@dataclass
class Answer:
    status: int
    text: str
    location: str
    context: Any = None
    data: Any = None


@cache
def ids(label: str) -> tuple[int, ...]:
    return tuple(apps.get_model(label)._base_manager.order_by("pk").values_list("pk", flat=True))


@cache
def missing(label: str) -> int:
    return max(ids(label), default=0) + 1000


@cache
def slug_models() -> dict[str, str]:
    """The models a slug parameter may name, by model name: every kind of case data with a page of
    its own (an entry kind, an intervention record, a case or a referral under review)."""
    return {
        model._meta.model_name or "": model._meta.label
        for model in case_data_models()
        if hasattr(model, "get_absolute_url")
    }


@cache
def _path(leaf: str, parent: str) -> str | None:
    """The shortest chain of foreign keys from a row of `leaf` to its `parent` ("goal__plan__case")."""
    queue: deque[tuple[type[models.Model], str]] = deque([(apps.get_model(leaf), "")])
    for _ in range(200):
        if not queue:
            return None
        model, path = queue.popleft()
        if path.count("__") >= 3:
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, models.ForeignKey):
                step = f"{path}__{f.name}" if path else f.name
                if f.related_model._meta.label == parent:
                    return step
                queue.append((f.related_model, step))
    return None


@cache
def parent_of(leaf: str, pk: int, parent: str) -> int | None:
    path = _path(leaf, parent)
    if path is None:
        return None
    return apps.get_model(leaf)._base_manager.filter(pk=pk).values_list(f"{path}_id", flat=True).first()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def readable_text(content_type: str, body: bytes) -> str:
    """The text a person reads in an answer: a PDF's and a workbook's too, whose bytes are
    compressed (the case summary, the panel pack and the exports would otherwise be unread). A
    refusal under a document's content type, or an uploaded file that is no well-formed document
    (the demo's agreement and library files), is read as it is."""
    try:
        if content_type.startswith("application/pdf") and body.startswith(b"%PDF-"):
            from pypdf import PdfReader

            return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
        if content_type.startswith(XLSX) and body.startswith(b"PK"):
            from openpyxl import load_workbook

            book = load_workbook(io.BytesIO(body), read_only=True)
            return "\n".join(
                "\t".join("" if cell is None else str(cell) for cell in row)
                for sheet in book.worksheets
                for row in sheet.iter_rows(values_only=True)
            )
    except Exception:  # noqa: S110 - not a document these readers understand: its bytes, as text
        pass
    return body.decode("utf-8", "replace")


def _messages_left(response: Any) -> str:
    """The texts of the messages an answer left in the messages cookie, one a line ("" if none)."""
    morsel = response.cookies.get("messages")
    if morsel is None or not morsel.value or getattr(response, "wsgi_request", None) is None:
        return ""
    from django.contrib.messages.storage.cookie import CookieStorage

    left = CookieStorage(response.wsgi_request)._decode(morsel.value) or []
    return "".join(f"\n{message}" for message in left)


def normalise(answer: Answer, url: str) -> tuple[int, str, str]:
    text = answer.text
    for form in {url, quote(url), quote(url, safe="")}:
        text = text.replace(form, "<url>")
    location = answer.location
    for form in {url, quote(url), quote(url, safe="")}:
        location = location.replace(form, "<url>")
    return answer.status, TOKENS.sub(r"\1", text), location


def _words(text: str) -> set[str]:
    return set(re.findall(r"[^\W_]{3,}", text.lower()))


@dataclass
class Secrets:
    by_word: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    @classmethod
    def of(cls, secrets: dict[str, str]) -> "Secrets":
        index = cls()
        for secret, origin in secrets.items():
            words = sorted(_words(secret), key=len, reverse=True)
            key = words[0] if words else secret.lower()
            index.by_word.setdefault(key, []).append((secret, origin))
        return index

    def found_in(self, text: str) -> list[tuple[str, str]]:
        flat = " ".join(html.unescape(text).split())
        words = _words(flat)
        return [(s, o) for key in words & self.by_word.keys() for s, o in self.by_word[key] if s in flat]


def _context_rows(context: Any) -> list[models.Model]:
    """Every row a page's templates were given: objects, lists, evaluated querysets, pages,
    paginators, forms' choices and what the rows hold cached (their related and prefetched rows)."""
    rows: list[models.Model] = []
    seen: set[int] = set()

    def visit(value: Any, depth: int) -> None:
        if depth > 6 or id(value) in seen:
            return
        seen.add(id(value))
        if isinstance(value, models.Model):
            rows.append(value)
            for related in value._state.fields_cache.values():
                visit(related, depth + 1)
            for related in getattr(value, "_prefetched_objects_cache", {}).values():
                visit(related, depth + 1)
        elif isinstance(value, models.QuerySet):
            if value._result_cache is not None:
                visit(value._result_cache, depth + 1)
        elif isinstance(value, list | tuple | set | frozenset):
            for item in value:
                visit(item, depth + 1)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item, depth + 1)
        elif isinstance(value, Page | Paginator):
            visit(list(value.object_list), depth + 1)
        elif isinstance(value, BaseForm):
            for form_field in value.fields.values():
                queryset = getattr(form_field, "queryset", None)
                if queryset is not None:
                    visit(list(queryset), depth + 1)

    contexts = context if isinstance(context, list) else [context]
    for each in contexts:
        for layer in getattr(each, "dicts", [each]):
            if isinstance(layer, dict):
                visit(layer, 0)
    return rows


def digest() -> str:
    """Every row of Ura's own tables but the audit trail (which records refusals by design)."""
    summary = hashlib.sha256()
    for model in apps.get_models():
        if model._meta.app_label in OUR_APPS and model._meta.label != "audit.AuditEvent":
            summary.update(repr(list(model._base_manager.order_by("pk").values_list())).encode())
    return summary.hexdigest()


@dataclass(frozen=True)
class Ask:
    values: tuple[tuple[str, Any], ...]
    like: tuple[tuple[str, Any], ...] | None  # what it must answer exactly like (a missing id)
    why: str = "hidden"  # "hidden": an id the user may not know; "other parent": a row under another's parent

    @property
    def as_dict(self) -> dict[str, Any]:
        return dict(self.values)


_REACHES: dict[int, tuple[Reach, Secrets]] = {}


def _reach(user: User) -> tuple[Reach, Secrets]:
    """One user's reach, worked out once per process: every test starts from the same seeded rows."""
    if user.pk not in _REACHES:
        reach = Reach(User.objects.get(pk=user.pk))
        _REACHES[user.pk] = (reach, Secrets.of(reach.secrets))
    return _REACHES[user.pk]


class Prober:
    """One user asking every route."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.reach, self.secrets = _reach(user)
        self.browser = Client()
        self.browser.force_login(user)
        self.api = APIClient()
        self.api.force_authenticate(user)
        self.answers: dict[tuple[str, str], Answer] = {}
        self.requests = 0
        self.objects = 0

    # --- asking -------------------------------------------------------------------------

    def ask(self, route: Route, method: str, url: str) -> Answer:
        key = (method, url)
        if key not in self.answers:
            client = self.api if route.api else self.browser
            response = getattr(client, method)(url)
            # A message an answer leaves for the next page (after a redirect the probe does not
            # follow) is part of that answer, judged with it, and taken away before the next page
            # is asked, where it would show as that page's difference.
            left = _messages_left(response)
            client.cookies.pop("messages", None)
            self.requests += 1
            body = b"" if getattr(response, "streaming", False) else response.content
            if getattr(response, "streaming", False):
                body = b"".join(response.streaming_content)
            self.answers[key] = Answer(
                response.status_code,
                readable_text(response.get("Content-Type", ""), body) + left,
                response.get("Location", ""),
                getattr(response, "context", None),
                getattr(response, "data", None),
            )
        return self.answers[key]

    # --- what to ask --------------------------------------------------------------------

    def _slug_values(self, param: Param) -> list[str]:
        return [*sorted(slug_models()), NO_SUCH_SLUG]

    def asks(self, route: Route) -> list[Ask]:
        slugs = [p for p in route.params if p.slug]
        numbers = [p for p in route.params if not p.slug]
        found: list[Ask] = []
        for choice in itertools.product(*(self._slug_values(p) for p in slugs)):
            chosen = dict(zip((p.name for p in slugs), choice, strict=True))
            labels = self._labels(route.params, chosen)
            if not numbers:
                found.append(Ask(tuple(chosen.items()), None))
            elif None in labels.values():  # no such kind: one question, it must not break
                values = {**chosen, **{p.name: ids("cases.Case")[0] for p in numbers}}
                found.append(Ask(tuple(values.items()), None))
            else:
                found += self._numbered(numbers, labels, chosen)
        return found

    def _labels(self, params: tuple[Param, ...], chosen: dict[str, str]) -> dict[str, str | None]:
        labels: dict[str, str | None] = {}
        previous = None
        for p in params:
            if p.slug:
                previous = slug_models().get(chosen[p.name])
            else:
                labels[p.name] = p.model or previous
        return labels

    def _numbered(self, numbers: list[Param], labels: dict[str, Any], chosen: dict[str, str]) -> list[Ask]:
        """Every id of the last parameter's model and a missing one, each under its own parent
        (its case, its meeting), under another parent and under a missing one."""
        leaf, parents = numbers[-1], numbers[:-1]
        leaf_label = labels[leaf.name]
        self.objects += len(ids(leaf_label))
        found = []
        for pk in (*ids(leaf_label), missing(leaf_label)):
            actual = {p.name: parent_of(leaf_label, pk, labels[p.name]) for p in parents}
            options = []
            for p in parents:
                label, own = labels[p.name], actual[p.name]
                first = own if own is not None else next(iter(ids(label)), missing(label))
                others = [i for i in ids(label) if i != first]
                # another parent the user knows, if any (a parent they do not know is compared anyway)
                other = next((i for i in others if not self.reach.hidden(label, i)), None)
                # under another parent: only a row the user knows (a hidden one is compared anyway)
                if other is None or self.reach.hidden(leaf_label, pk) or pk == missing(leaf_label):
                    options.append([first])
                else:
                    options.append([first, other])
            for parent_values in itertools.product(*options):
                values = {**chosen, **dict(zip((p.name for p in parents), parent_values, strict=True)), leaf.name: pk}
                found.append(self._judged(values, numbers, labels, actual))
        # Under a parent that does not exist; and what is no number at all (it must not break).
        values = {**chosen, **{p.name: missing(labels[p.name]) for p in numbers}}
        if parents:
            first = next(iter(ids(leaf_label)), None)
            if first is not None:
                under_missing = {**values, leaf.name: first}
                actual = {p.name: parent_of(leaf_label, first, labels[p.name]) for p in parents}
                found.append(self._judged(under_missing, numbers, labels, actual))
        for odd in (NOT_A_NUMBER, NUL):
            found.append(Ask(tuple({**values, leaf.name: odd}.items()), None))
        return found

    def _judged(
        self, values: dict[str, Any], numbers: list[Param], labels: dict[str, Any], actual: dict[str, Any]
    ) -> Ask:
        like = dict(values)
        for p in numbers:
            label = labels[p.name]
            if values[p.name] != missing(label) and self.reach.hidden(label, values[p.name]):
                like[p.name] = missing(label)
        leaf = numbers[-1].name
        wrong_parent = any(actual[name] is not None and values[name] != actual[name] for name in actual)
        if wrong_parent:  # a row asked for under another case (meeting...) than its own
            like[leaf] = missing(labels[leaf])
        if like == values:
            return Ask(tuple(values.items()), None)
        hidden = any(like[p.name] != values[p.name] for p in numbers[:-1]) or not wrong_parent
        return Ask(tuple(values.items()), tuple(like.items()), "hidden" if hidden else "other parent")

    # --- judging ------------------------------------------------------------------------

    def probe(self, route: Route) -> list[Failure]:
        failures: list[Failure] = []
        asks = self.asks(route)
        reads = "get" in route.methods or not route.api  # a page answers GET; an API action may not
        for ask in asks if reads else ():
            failures += self._read(route, ask)
        writes = [m for m in route.methods if m != "get"]
        compared = [ask for ask in asks if ask.like is not None]
        if writes and compared:
            before = digest()
            for method in writes:
                for ask in compared:
                    failures += self._compare(route, method, ask)
            if digest() != before:
                failures.append(Failure("write", f"a refused {'/'.join(writes)} changed the database"))
        if route.list_model:
            failures += self._list(route)
        return failures

    def _read(self, route: Route, ask: Ask) -> list[Failure]:
        url = route.url(ask.as_dict)
        answer = self.ask(route, "get", url)
        failures = self._answer(url, answer)
        if ask.like is not None:
            failures += self._compare(route, "get", ask)
        return failures

    def _answer(self, url: str, answer: Answer) -> list[Failure]:
        failures = []
        if answer.status >= 500:
            failures.append(Failure("server error", f"GET {url} answers {answer.status}"))
        for secret, origin in self.secrets.found_in(answer.text):
            failures.append(Failure("secret", f"GET {url} ({answer.status}) shows {secret!r} ({origin})"))
        if answer.context is not None:
            for row in _context_rows(answer.context):
                label = row._meta.label
                rule = getattr(row, "access_rule", None)
                if label in PUBLIC_FIELDS:
                    continue  # known to all by name; what else it holds, the secret check judges
                if isinstance(rule, Rule) and row.pk is not None and self.reach.hidden(label, row.pk):
                    failures.append(Failure("context", f"GET {url} gives the page {label} #{row.pk}"))
        return failures

    def _compare(self, route: Route, method: str, ask: Ask) -> list[Failure]:
        assert ask.like is not None
        url, like_url = route.url(ask.as_dict), route.url(dict(ask.like))
        answer, like = self.ask(route, method, url), self.ask(route, method, like_url)
        failures = []
        if method != "get" and answer.status >= 500:
            failures.append(Failure("server error", f"{method.upper()} {url} answers {answer.status}"))
        if normalise(answer, url) != normalise(like, like_url):
            failures.append(
                Failure(ask.why, f"{method.upper()} {url} answers {answer.status}, {like_url} answers {like.status}")
            )
        return failures

    def _list(self, route: Route) -> list[Failure]:
        visible = self.reach.visible(route.list_model)
        if visible is None:
            return []
        failures, url, pages = [], route.template, 0
        while url and pages < 20:
            answer = self.ask(route, "get", url)
            pages += 1
            data = answer.data if isinstance(answer.data, dict) else {}
            rows = data.get("results", [])
            shown = {row["id"] for row in rows if isinstance(row, dict) and "id" in row}
            for pk in sorted(shown - visible):
                failures.append(Failure("list", f"GET {url} lists {route.list_model} #{pk}"))
            following = data.get("next")
            url = following.split("testserver", 1)[-1] if following else ""
        return failures
