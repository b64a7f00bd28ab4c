"""The partnership's structure in the demo (decisions 121-124): the agencies' mandates, the panel's
terms of reference, its network map with two missing sectors, an expert, the emergency plan and a
week of night shifts on its duty rota."""

import datetime

from django.utils import timezone

from agencies.models import DutyShift, Expert, NetworkOrganisation, NetworkSector
from cases.models import SharingAgreement
from panels import network
from panels.models import MeetingTopic, PanelMeeting

from .organisations import DemoOrg

__all__ = ["seed_structure"]

PROFILES = {
    "social": (
        "Mbrojtja e fëmijëve dhe mbështetja e familjeve në vështirësi (ligji 18/2017).",
        "Vlerësimi i nevojave, mbështetja e familjes, lidhja me shërbimet.",
        "Asgjë nga këshillimi pa pëlqimin e familjes, përveç rrezikut të dëmit serioz.",
        "sw.blerina",
    ),
    "police": (
        "Parandalimi dhe hetimi i veprave penale, rendi publik.",
        "Vlerësimi i sigurisë, vizitat e përbashkëta, reagimi në krizë.",
        "Të dhënat e hetimit ndahen vetëm me leje të prokurorit.",
        "police.fatos",
    ),
    "mental_health": (
        "Kujdesi për shëndetin mendor në komunitet.",
        "Vlerësimi psikologjik, terapia, këshillimi i profesionistëve.",
        "Sekreti mjekësor: ndahet vetëm me pëlqim ose kur ka rrezik serioz, brenda marrëveshjes.",
        "mh.gentiana",
    ),
}

# sector: (name, status, agency key or None). Prisons and religious bodies are the two missing sectors.
ORGANISATIONS = [
    (NetworkSector.HEALTH, "Qendra Shëndetësore Nr. 2", NetworkOrganisation.Status.TAKING_PART, None),
    (NetworkSector.SCHOOLS, 'Shkolla e Mesme "Drita"', NetworkOrganisation.Status.TAKING_PART, "school"),
    (NetworkSector.EMPLOYMENT, "Zyra e Punësimit", NetworkOrganisation.Status.TAKING_PART, "employment"),
    (NetworkSector.NGO, 'OJQ "Ura e Familjes"', NetworkOrganisation.Status.TAKING_PART, "ngo"),
    (NetworkSector.SPORTS, "Klubi Sportiv Rinia", NetworkOrganisation.Status.TAKING_PART, None),
    (NetworkSector.COMMUNITY, "Shoqata e Lagjes Qyteti i Ri", NetworkOrganisation.Status.TAKING_PART, None),
    (NetworkSector.PROBATION, "Shërbimi i Provës", NetworkOrganisation.Status.INVITED, None),
    (NetworkSector.HOUSING, "Zyra e Strehimit Social", NetworkOrganisation.Status.INVITED, None),
    (NetworkSector.COUNSELLING, "Qendra e Këshillimit Familjar", NetworkOrganisation.Status.INVITED, None),
    (NetworkSector.YOUTH_WORK, "Qendra Rinore", NetworkOrganisation.Status.INVITED, None),
    (NetworkSector.PRISONS, "Burgu i Qarkut", NetworkOrganisation.Status.MISSING, None),
    (NetworkSector.RELIGIOUS, "Këshilli Ndërfetar", NetworkOrganisation.Status.MISSING, None),
]

STEPS = "\n".join(
    [
        "Kush merr sinjalin e krizës njofton menjëherë policinë dhe personin në detyrë.",
        "Personi në detyrë vlerëson brenda një ore nëse duhet një takim urgjent.",
        "Koordinatorja thërret takimin urgjent brenda 24 orëve, me arsyen.",
        "Pas krizës, rasti vendoset në rendin e ditës së takimit të radhës.",
    ]
)


def seed_structure(org: DemoOrg) -> None:
    coordinator = org.users["coord.arta"]
    panel = org.panel
    for key, (mandate, brings, secrecy, contact) in PROFILES.items():
        agency = org.agencies[key]
        if not agency.mandate:
            network.update_agency_profile(
                agency, actor=coordinator, mandate=mandate, contribution=brings, secrecy_limits=secrecy,
                contact_person=org.users[contact], contact_details=f"{contact}@ura.example",
            )  # fmt: skip
    if not panel.emergency_steps:
        network.update_emergency_plan(
            panel,
            actor=coordinator,
            terms_of_reference="Takim çdo dy javë për rastet e radikalizimit; vendimet mbahen, jo procesverbali.",
            emergency_steps=STEPS,
        )
    if not NetworkOrganisation.objects.filter(panel=panel).exists():
        for sector, name, status, agency_key in ORGANISATIONS:
            in_ura = org.agencies[agency_key] if agency_key else None
            network.save_organisation(panel, actor=coordinator, name=name, sector=sector, status=status, agency=in_ura)
    if not Expert.objects.exists():
        network.save_expert(
            actor=coordinator,
            name="Prof. Dr. Besnik Hoxha",
            field="Teologji islame",
            languages="Albanian, Arabic, English",
            email="besnik.hoxha@universiteti.example",
            # The info-house covenant, to which the agencies that consult him are parties.
            agreement=SharingAgreement.objects.filter(parties=org.agencies["social"], panels=panel)
            .filter(parties=org.agencies["mental_health"])
            .order_by("-review_on")
            .first(),
            agreement_reference="Marrëveshje konfidencialiteti 2026/4",
            agencies=[org.agencies[key] for key in ("social", "mental_health", "ngo")],
        )
    if not DutyShift.objects.filter(panel=panel).exists():
        today = timezone.localdate()
        on_call = [("sup.elira", "social"), ("police.fatos", "police")]
        for day in range(-1, 7):
            username, agency_key = on_call[day % 2]
            start = timezone.make_aware(
                datetime.datetime.combine(today + datetime.timedelta(days=day), datetime.time(20))
            )
            network.save_duty_shift(
                panel, actor=coordinator, user=org.users[username], agency=org.agencies[agency_key],
                starts_at=start, ends_at=start + datetime.timedelta(hours=12), phone="+355 69 000 0000",
            )  # fmt: skip
    meeting = (
        PanelMeeting.objects.filter(panel=panel, status=PanelMeeting.Status.SCHEDULED).order_by("scheduled_for").first()
    )
    if meeting is not None and not MeetingTopic.objects.filter(meeting=meeting).exists():
        network.add_topic(
            meeting, actor=coordinator, kind=MeetingTopic.Kind.TRAINING, title="Trajnim: gjashtë kontrollet"
        )
