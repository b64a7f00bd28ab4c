"""Timeline events name people and agencies by id (decision 55): convert what older events stored
as text, as their actor saw it.

How the text was written tells who it was: `owner`/`previous_owner` hold `str(user)` (the full
name, "First L." or "Role, Agency" in English or Albanian, as the actor saw it), `agency` and
`first_contact` an agency's name (unique), `child`/`person` a family member's "given family". A
name that fits one user (or family member) is theirs; several are narrowed by what the event
knows: the case's owner now (the last ownership event names them), the owner the previous
event named, the actor, the agency's members. What stays unsure keeps its text, and the
timeline shows it only to the actor's colleagues (cases.timeline).
"""

from collections import defaultdict
from typing import Any

from django.db import migrations
from django.utils import translation

USER_KEYS = ("owner", "previous_owner")
AGENCY_KEYS = ("agency", "first_contact")
PERSON_KEYS = ("child", "person")
OWNERSHIP = ("opened", "owner_assigned")


def _user_forms(user: Any, memberships: list[Any], roles: dict[str, str]) -> set[str]:
    full = f"{user.first_name} {user.last_name}".strip() or user.username
    found = {full}
    if user.first_name:
        found.add(f"{user.first_name} {user.last_name[:1]}." if user.last_name else user.first_name)
    for language in ("en", "sq"):
        with translation.override(language):
            if memberships:
                first = memberships[0]
                role = translation.gettext(roles.get(first.role, first.role))
                found.add(translation.gettext("%(role)s, %(agency)s") % {"role": role, "agency": first.agency.name})
            else:
                found.add(translation.gettext("A practitioner"))
    return found


class _People:
    """Every user's possible names, and the agencies' ids by name."""

    def __init__(self, apps: Any) -> None:
        User = apps.get_model("agencies", "User")
        Membership = apps.get_model("agencies", "Membership")
        Agency = apps.get_model("agencies", "Agency")
        roles = {str(code): str(label) for code, label in Membership._meta.get_field("role").choices}
        memberships: dict[int, list[Any]] = defaultdict(list)
        self.members: dict[int, set[int]] = defaultdict(set)
        for membership in Membership.objects.select_related("agency").order_by("pk"):
            memberships[membership.user_id].append(membership)
            self.members[membership.agency_id].add(membership.user_id)
        self.by_name: dict[str, set[int]] = defaultdict(set)
        self.forms: dict[int, set[str]] = {}
        for user in User.objects.all():
            self.forms[user.pk] = _user_forms(user, memberships[user.pk], roles)
            for form in self.forms[user.pk]:
                self.by_name[form].add(user.pk)
        self.agencies = dict(Agency.objects.values_list("name", "pk"))

    def user(self, name: str, hints: list[set[int]]) -> int | None:
        candidates = self.by_name.get(name, set())
        if len(candidates) == 1:
            return next(iter(candidates))
        for hint in hints:
            narrowed = candidates & hint
            if len(narrowed) == 1:
                return next(iter(narrowed))
        return None

    def fits(self, name: str, user_id: int) -> bool:
        """Whether `name` may be this user's: one of their forms, or a form of nobody known."""
        return name in self.forms.get(user_id, set()) or not self.by_name.get(name)


def _convert(event: Any, key: str, value: int | None) -> None:
    if value is not None or event.data.get(key) in ("", None):
        event.data.pop(key, None)
        event.data[f"{key}_id"] = value


def _ownership_chain(events: list[Any], owner_now: int, people: _People, resolved: dict[tuple[int, str], int]) -> None:
    """The ownership events of one case, oldest first: the last names the owner now, and each names
    as previous owner the one the event before it named as owner."""
    last = events[-1]
    name = last.data.get("owner")
    if isinstance(name, str) and (last.pk, "owner") not in resolved and people.fits(name, owner_now):
        resolved[last.pk, "owner"] = owner_now
    for _ in range(2):  # backwards, then forwards again
        for before, after in zip(events, events[1:], strict=False):
            mine, theirs = (before.pk, "owner"), (after.pk, "previous_owner")
            for known, unknown, event in ((mine, theirs, after), (theirs, mine, before)):
                name = event.data.get(unknown[1])
                if known in resolved and unknown not in resolved and isinstance(name, str):
                    if people.fits(name, resolved[known]):
                        resolved[unknown] = resolved[known]


def forwards(apps: Any, schema_editor: Any) -> None:
    CaseEvent = apps.get_model("cases", "CaseEvent")
    Case = apps.get_model("cases", "Case")
    Person = apps.get_model("families", "Person")
    people = _People(apps)
    keys = [*USER_KEYS, *AGENCY_KEYS, *PERSON_KEYS]
    events = list(CaseEvent.objects.filter(data__has_any_keys=keys).order_by("case_id", "created_at", "pk"))
    if not events:
        return
    cases = {c.pk: c for c in Case.objects.filter(pk__in={e.case_id for e in events})}
    family_people: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for person in Person.objects.filter(family_id__in={c.family_id for c in cases.values()}):
        family_people[person.family_id][f"{person.given_name} {person.family_name}"].add(person.pk)
    resolved: dict[tuple[int, str], int] = {}
    for event in events:
        agency_id = people.agencies.get(str(event.data.get("agency", "")))
        hints = [{event.actor_id} if event.actor_id else set(), people.members.get(agency_id or 0, set())]
        for key in USER_KEYS:
            name = event.data.get(key)
            if isinstance(name, str) and name:
                found = people.user(name, hints)
                if found is not None:
                    resolved[event.pk, key] = found
    by_case: dict[int, list[Any]] = defaultdict(list)
    for event in events:
        if event.kind in OWNERSHIP:
            by_case[event.case_id].append(event)
    for case_id, chain in by_case.items():
        _ownership_chain(chain, cases[case_id].owner_id, people, resolved)
    for event in events:
        for key in USER_KEYS:
            if (event.pk, key) in resolved:
                _convert(event, key, resolved[event.pk, key])
        for key in AGENCY_KEYS:
            if isinstance(event.data.get(key), str):
                _convert(event, key, people.agencies.get(event.data[key]))
        family = family_people[cases[event.case_id].family_id]
        for key in PERSON_KEYS:
            found = family.get(str(event.data.get(key, "")), set())
            if len(found) == 1:
                _convert(event, key, next(iter(found)))
    CaseEvent.objects.bulk_update(events, ["data"], batch_size=500)


def backwards(apps: Any, schema_editor: Any) -> None:
    """Back to names, in the form each person chose for other agencies (no viewer is known)."""
    CaseEvent = apps.get_model("cases", "CaseEvent")
    User = apps.get_model("agencies", "User")
    Agency = apps.get_model("agencies", "Agency")
    Person = apps.get_model("families", "Person")
    Membership = apps.get_model("agencies", "Membership")
    roles = {str(code): str(label) for code, label in Membership._meta.get_field("role").choices}
    keys = [f"{key}_id" for key in (*USER_KEYS, *AGENCY_KEYS, *PERSON_KEYS)]
    events = list(CaseEvent.objects.filter(data__has_any_keys=keys))

    def user_name(pk: int) -> str:
        user = User.objects.filter(pk=pk).first()
        if user is None:
            return ""
        full = f"{user.first_name} {user.last_name}".strip() or user.username
        if user.name_shown_to_others == "full_name":
            return full
        if user.name_shown_to_others == "first_name_initial" and user.first_name:
            return f"{user.first_name} {user.last_name[:1]}." if user.last_name else user.first_name
        first = Membership.objects.filter(user_id=pk).select_related("agency").order_by("pk").first()
        return f"{roles.get(first.role, first.role)}, {first.agency.name}" if first else "A practitioner"

    for event in events:
        for key in USER_KEYS:
            if f"{key}_id" in event.data:
                pk = event.data.pop(f"{key}_id")
                event.data[key] = user_name(pk) if pk else ""
        for key in AGENCY_KEYS:
            if f"{key}_id" in event.data:
                pk = event.data.pop(f"{key}_id")
                event.data[key] = Agency.objects.filter(pk=pk).values_list("name", flat=True).first() or ""
        for key in PERSON_KEYS:
            if f"{key}_id" in event.data:
                person = Person.objects.filter(pk=event.data.pop(f"{key}_id")).first()
                event.data[key] = f"{person.given_name} {person.family_name}" if person else ""
    CaseEvent.objects.bulk_update(events, ["data"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_event_kinds_declared"),
        ("agencies", "0005_name_shown_to_others"),
        ("families", "0008_consent"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
