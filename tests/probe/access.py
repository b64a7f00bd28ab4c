"""What the access model gives one user, read from the seeded database: which ids of each model
they may know exist, and which strings they may not read (the probe's "secrets")."""

import re
from dataclasses import dataclass, field
from functools import cache, cached_property

import polib
from django.apps import apps
from django.conf import settings
from django.db import models

from agencies.access import Action, Rule, case_condition, entry_content_condition, is_data_protection_officer
from agencies.access.core import read_action_of
from agencies.models import User

from .routes import OUR_APPS

# Models without an access rule that a route names: who may know each row exists. `None`: not
# case data, every signed-in user may know it exists (no hidden-versus-missing comparison).
WITHOUT_RULE = {
    "audit.AuditEvent": lambda user: is_data_protection_officer(user),
    "agencies.User": None,  # the directory and every case page name workers; who may act on whom is the view's
    "agencies.Agency": None,
    "agencies.Membership": None,
}
# Rows a user knows through another row they may know, whose page or summary names them: a case's
# summary names its panel (to its owner too, who does not sit on it); a share names the agreement it
# cites to whoever sees the share (decision 113).
KNOWN_THROUGH = {
    "agencies.Panel": [("cases.Case", "panel_id")],
    "cases.SharingAgreement": [("cases.CaseShare", "agreement_id")],
}
# Rows whose existence and these fields every signed-in user may know, though only members read the
# rest: a panel's name is on the public self-referral page and the front door's choice of panels
# (decision 126), so the agency profiles and the agreements name it; its terms of reference and
# emergency steps stay its members' (the secret check still guards them on every page).
PUBLIC_FIELDS = {"agencies.Panel": ("name",)}
# Fields that say how, not what (kinds, states, codes): never secrets.
NOT_TEXT = {"visibility", "entry_label", "kind", "status", "scope", "basis", "record_class", "language"}
SHORTEST = 5  # shorter strings ("Ana", "yes") are found in any page by chance


@cache
def interface_strings() -> set[str]:
    """Every string of the interface (English and Albanian) and every word of one, lower case: a
    row holding "Neighbour" is not found in a form offering "Neighbour"."""
    catalogue = settings.BASE_DIR / "locale" / "sq" / "LC_MESSAGES" / "django.po"
    strings: set[str] = set()
    for entry in polib.pofile(str(catalogue)):
        for text in (entry.msgid, entry.msgstr, entry.msgid_plural):
            if text:
                strings.add(" ".join(text.split()).lower())
                strings.update(re.findall(r"[^\W\d_]+", text.lower()))
    return strings


def case_data_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS and isinstance(getattr(model, "access_rule", None), Rule)
    ]


def _text_fields(model: type[models.Model]) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField) and not f.choices and f.name not in NOT_TEXT
    ]


def _pieces(value: object) -> list[str]:
    """A text as the strings a page would show: each line, whitespace collapsed."""
    if not isinstance(value, str):
        return []
    lines = [" ".join(line.split()) for line in value.splitlines()]
    return [line for line in lines if len(line) >= SHORTEST and re.search(r"[^\W\d_]", line)]


def _level_fields(model: type[models.Model], user: User) -> dict[int, tuple[str, ...]]:
    """Fields of rows the user sees but may not read at the level they see them, by row id."""
    label = model._meta.label
    hidden: dict[int, tuple[str, ...]] = {}
    content = getattr(model, "CONTENT_FIELDS", None)
    if content:
        condition = entry_content_condition(user)
        readable = set(model._base_manager.filter(condition).values_list("pk", flat=True)) if condition else set()
        for pk in model._base_manager.exclude(pk__in=readable).values_list("pk", flat=True):
            hidden[pk] = tuple(content)
    full = case_condition(user, Action.VIEW)
    cases = apps.get_model("cases.Case")._base_manager
    full_cases = set(cases.filter(full).values_list("pk", flat=True)) if full else set()
    if label == "cases.Case":
        for pk in model._base_manager.exclude(pk__in=full_cases).values_list("pk", flat=True):
            hidden[pk] = ("key_worker_note",)
    if label == "families.SafetyWarning":
        # a summary reader learns a warning's kind, never where or what (decision 133)
        readable = cases.filter(pk__in=full_cases).values("family_id")
        for pk in model._base_manager.exclude(family_id__in=readable).values_list("pk", flat=True):
            hidden[pk] = model.FULL_ONLY
    if label == "cases.CaseShare":
        from cases.api.serializers import CaseShareSerializer

        for pk in model._base_manager.exclude(case_id__in=full_cases).values_list("pk", flat=True):
            hidden[pk] = CaseShareSerializer.FULL_ONLY
    return hidden


@dataclass
class Reach:
    """One user's view of the seeded data."""

    user: User
    _visible: dict[str, set[int] | None] = field(default_factory=dict)

    def visible(self, label: str) -> set[int] | None:
        """The ids of `label` the user may know exist; None when every signed-in user may."""
        if label not in self._visible:
            model = apps.get_model(label)
            if isinstance(getattr(model, "access_rule", None), Rule):
                rows = model._default_manager.restrict(self.user, read_action_of(model))
                known = set(rows.values_list("pk", flat=True))
                for other, key in KNOWN_THROUGH.get(label, []):
                    through = apps.get_model(other)._base_manager.filter(pk__in=self.visible(other) or ())
                    known |= set(through.exclude(**{key: None}).values_list(key, flat=True))
                self._visible[label] = known
            elif label in WITHOUT_RULE:
                rule = WITHOUT_RULE[label]
                ids = set(model._base_manager.values_list("pk", flat=True))
                self._visible[label] = None if rule is None else (ids if rule(self.user) else set())
            else:
                self._visible[label] = None  # configuration (groups, devices): not case data
        return self._visible[label]

    def hidden(self, label: str, pk: int) -> bool:
        visible = self.visible(label)
        return visible is not None and pk not in visible

    def _names_kept_from(self) -> dict[str, str]:
        """A worker who shows other agencies less than their full name (decision 40): their full
        name, to everyone outside their agencies."""
        from agencies.joining import managed_agencies
        from agencies.people import shares_agency

        # Who keeps an agency's accounts (its administrator, a coordinator) knows its people by
        # their full names: they invite them and end their memberships (decision 117).
        managed = set(managed_agencies(self.user).values_list("pk", flat=True))
        kept = {}
        for worker in User.objects.exclude(name_shown_to_others=User.NameShown.FULL_NAME):
            if managed & set(worker.memberships.values_list("agency_id", flat=True)):
                continue
            if worker.pk != self.user.pk and not shares_agency(self.user, worker):
                kept[f"{worker.first_name} {worker.last_name}"] = f"agencies.User #{worker.pk} (name shown)"
        return kept

    def _names_shown(self) -> list[str]:
        """The full names of the workers this user may see by name (their own, their agencies',
        and whoever shows others their full name): a worker's name is not case data, even when a
        concern they sent holds it as its reporter's name."""
        from agencies.joining import managed_agencies
        from agencies.people import shares_agency

        managed = set(managed_agencies(self.user).values_list("pk", flat=True))
        return [
            f"{worker.first_name} {worker.last_name}"
            for worker in User.objects.prefetch_related("memberships")
            if worker.pk == self.user.pk
            or worker.name_shown_to_others == User.NameShown.FULL_NAME
            or shares_agency(self.user, worker)
            or managed & {m.agency_id for m in worker.memberships.all()}
        ]

    @cached_property
    def secrets(self) -> dict[str, str]:
        """Each string the user may not read, with where it comes from (model, field, id).

        A string is a secret when a row the user may not know holds it (or a field of a row they
        see at a level that does not show it: an entry's content past its abstract, a summary's
        full-file fields) and no row they may read holds it too (two families may share a name).
        """
        readable: list[str] = []
        hidden: dict[str, str] = {}
        for model in apps.get_models():
            if model._meta.app_label not in OUR_APPS:
                continue
            fields = _text_fields(model)
            if not fields:
                continue
            label = model._meta.label
            ruled = isinstance(getattr(model, "access_rule", None), Rule)
            visible = self.visible(label) if ruled else None
            levels = _level_fields(model, self.user) if ruled else {}
            public = set(PUBLIC_FIELDS.get(label, ()))
            for row in model._base_manager.values("pk", *fields):
                secret_fields = set(fields) - public if visible is not None and row["pk"] not in visible else set()
                secret_fields |= set(levels.get(row["pk"], ())) & set(fields)
                for name in fields:
                    pieces = _pieces(row[name])
                    if name in secret_fields:
                        hidden.update((piece, f"{label}.{name} #{row['pk']}") for piece in pieces)
                    else:
                        readable += pieces
            if label == "families.Person":
                for row in model._base_manager.values("pk", "given_name", "family_name"):
                    name = f"{row['given_name']} {row['family_name']}"
                    if visible is not None and row["pk"] not in visible:
                        hidden[name] = f"{label} #{row['pk']}"
                    else:
                        readable.append(name)
        hidden.update(self._names_kept_from())
        readable += self._names_shown()
        everything = "\n".join(readable)
        interface = interface_strings()
        return {
            secret: origin
            for secret, origin in hidden.items()
            if secret not in everything and secret.lower() not in interface
        }
