"""Demo agencies, people and the info-house panel (issue #2's scenario)."""

from dataclasses import dataclass

from agencies.models import Agency, Membership, Panel, User

__all__ = ["DEMO_PASSWORD", "DemoOrg", "seed_agencies"]

DEMO_PASSWORD = "ura-demo-2026"  # noqa: S105 - published demo credentials, refused in production

Sector, Kind, Role = Agency.Sector, Agency.PartnerKind, Membership.Role

AGENCIES = {
    "police": ("Policia Lokale", Sector.POLICE, Kind.CORE),
    "social": ("Shërbimi Social Bashkiak", Sector.SOCIAL_CARE, Kind.CORE),
    "mental_health": ("Qendra Komunitare e Shëndetit Mendor", Sector.MENTAL_HEALTH, Kind.CORE),
    "municipality": ("Bashkia – Njësia e Parandalimit", Sector.LOCAL_AUTHORITY, Kind.CORE),  # noqa: RUF001 (the name)
    "school": ('Shkolla e Mesme "Drita"', Sector.EDUCATION, Kind.AD_HOC),
    "ngo": ('OJQ "Ura e Familjes"', Sector.NGO, Kind.AD_HOC),
    "employment": ("Zyra e Punësimit", Sector.EMPLOYMENT, Kind.AD_HOC),
}

F, M = User.Gender.FEMALE, User.Gender.MALE
# username: (first name, last name, agency key, roles, gender, languages spoken)
USERS = {
    "coord.arta": ("Arta", "Hoxha", "municipality", [Role.COORDINATOR], F, "Albanian, English"),
    "sw.blerina": ("Blerina", "Kola", "social", [Role.PRACTITIONER], F, "Albanian, English"),
    "sw.dritan": ("Dritan", "Leka", "social", [Role.PRACTITIONER], M, "Albanian, Italian"),
    "sup.elira": ("Elira", "Meta", "social", [Role.SUPERVISOR], F, "Albanian, English, German"),
    "police.fatos": ("Fatos", "Dushku", "police", [Role.POLICE_LIAISON, Role.PANEL_MEMBER], M, "Albanian, Serbian"),
    "mh.gentiana": ("Gentiana", "Bajrami", "mental_health", [Role.PANEL_MEMBER], F, "Albanian, English"),
    # Answers the referrals to the centre's services (issue 14); reads no case.
    "mh.dafina": ("Dafina", "Gega", "mental_health", [Role.PRACTITIONER], F, "Albanian, English"),
    "school.ilir": ("Ilir", "Shehu", "school", [Role.PRACTITIONER], M, "Albanian"),
    "ngo.klea": ("Klea", "Rama", "ngo", [Role.PRACTITIONER], F, "Albanian, English, Arabic"),
    "emp.luan": ("Luan", "Prifti", "employment", [Role.PRACTITIONER], M, "Albanian, Greek"),
    "dpo.mira": ("Mira", "Gjoni", "municipality", [Role.DATA_PROTECTION_OFFICER], F, "Albanian, English"),
}

PANEL_NAME = "Info-house Qyteti i Ri"


@dataclass
class DemoOrg:
    agencies: dict[str, Agency]
    users: dict[str, User]
    panel: Panel


def _user(username: str, first: str, last: str, **extra: object) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@ura.example"}
    )
    if created:
        for name, value in extra.items():
            setattr(user, name, value)
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def seed_agencies() -> DemoOrg:
    agencies = {}
    for key, (name, sector, kind) in AGENCIES.items():
        agencies[key], _ = Agency.objects.get_or_create(name=name, defaults={"sector": sector, "partner_kind": kind})
    users = {}
    for username, (first, last, agency_key, roles, gender, languages) in USERS.items():
        users[username] = _user(username, first, last, gender=gender, spoken_languages=languages)
        for role in roles:
            Membership.objects.get_or_create(user=users[username], agency=agencies[agency_key], role=role)
    _user("admin", "Ura", "Administrator", is_staff=True, is_superuser=True)
    # Practitioners' safety (decision 40): other agencies see her as "Blerina K.".
    users["sw.blerina"].name_shown_to_others = User.NameShown.FIRST_NAME_INITIAL
    users["sw.blerina"].save(update_fields=["name_shown_to_others"])
    panel, created = Panel.objects.get_or_create(
        name=PANEL_NAME,
        defaults={
            "coordinator": users["coord.arta"],
            "chair": users["coord.arta"],
            "cadence_days": 14,
            "record_mode": Panel.RecordMode.DECISIONS_ONLY,
        },
    )
    if created:
        panel.agencies.set([agencies[key] for key in ("police", "social", "mental_health", "municipality")])
    return DemoOrg(agencies=agencies, users=users, panel=panel)
