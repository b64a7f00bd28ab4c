"""The demo's information-sharing agreements (decision 113): the info-house covenant, current, under
which the police receive the Krasniqi case on a safeguarding basis; and the school's data-processing
agreement, whose review falls within the month, so the coordinator is reminded of it."""

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases import services
from cases.models import SharingAgreement

from .organisations import DemoOrg

__all__ = ["seed_agreements"]

RULES = (
    "Ndani vetëm atë që është e nevojshme dhe proporcionale për qëllimin.\n"
    "Pa pëlqim, ndani vetëm në bazë të mbrojtjes ose të një detyrimi ligjor, me arsyetim.\n"
    "Informacioni i klasifikuar ndahet si përmbledhje (abstrakt)."
)


def seed_agreements(org: DemoOrg) -> None:
    today = timezone.localdate()
    coordinator = org.users["coord.arta"]
    wanted: list[tuple[list[str], dict[str, Any]]] = [
        (
            ["municipality", "social", "police", "mental_health"],
            {
                "title": "Marrëveshja e bashkëpunimit të Info-house Qyteti i Ri",
                "instrument": SharingAgreement.Instrument.COVENANT,
                "purpose": "Parandalimi i radikalizimit dhe mbrojtja e personave në rrezik "
                "përmes punës ndërinstitucionale.",
                "data_categories": "Të dhëna identifikuese dhe kontakti; vlerësime rreziku dhe nevojash; "
                "vendimet e panelit.",
                "signatories": "Kryetari i Bashkisë\nDrejtori i Policisë Vendore\nDrejtori i Shërbimeve Sociale\n"
                "Drejtori i Qendrës së Shëndetit Mendor",
                "signed_on": today - datetime.timedelta(days=300),
                "review_on": today + datetime.timedelta(days=240),
            },
        ),
        (
            ["social", "school", "ngo"],
            {
                "title": "Marrëveshje për përpunimin e të dhënave me shkollën dhe OJQ-në",
                "instrument": SharingAgreement.Instrument.DATA_PROCESSING,
                "purpose": "Mbështetja e frekuentimit të shkollës dhe e mentorimit për fëmijët e familjeve në program.",
                "data_categories": "Emri, klasa dhe frekuentimi; masat e planit që u takojnë.",
                "signatories": "Drejtori i Shërbimeve Sociale\nDrejtori i shkollës\nDrejtuesja e OJQ-së",
                "signed_on": today - datetime.timedelta(days=345),
                "review_on": today + datetime.timedelta(days=20),
            },
        ),
    ]
    for keys, spec in wanted:
        if SharingAgreement.objects.filter(title=spec["title"]).exists():
            continue
        # Made current by the coordinator of the panel it names, with its signed document
        # (decision 113): no party's administrator binds the others alone.
        signed = SimpleUploadedFile("marreveshja-e-nenshkruar.pdf", b"%PDF-1.4\n% " + spec["title"].encode())
        services.record_agreement(
            actor=coordinator,
            parties=[org.agencies[key] for key in keys],
            panels=[org.panel],
            sharing_rules=RULES,
            status=SharingAgreement.Status.CURRENT,
            document=signed,
            **spec,
        )
