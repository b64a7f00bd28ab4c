"""The induction protocols (acknowledged by every demo user, so the demo still walks), a training
record and two library resources (decisions 118 and 119)."""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from agencies import induction
from agencies.models import Protocol, ProtocolAcknowledgement, User
from learning.models import Resource, TrainingRecord

from .organisations import DemoOrg

# A minimal one-page PDF: the library's files are judged by their content.
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def seed_learning(org: DemoOrg) -> None:
    coordinator = org.users["coord.arta"]
    if not Protocol.objects.exists():
        induction.publish_protocol(
            actor=coordinator,
            title="Information sharing within the partnership",
            text=(
                "Share what a family tells you only within the agreed framework: name the basis of every share, "
                "ask for consent where it is needed, and record what you shared, with whom and why."
            ),
            title_sq="Shkëmbimi i informacionit brenda partneritetit",
            text_sq=(
                "Ndani atë që ju tregon një familje vetëm brenda kuadrit të rënë dakord: emërtoni bazën e çdo "
                "ndarjeje, kërkoni pëlqimin kur duhet dhe regjistroni çfarë ndatë, me kë dhe pse."
            ),
        )
    today = timezone.localdate()
    protocols = list(Protocol.objects.filter(in_force=True))
    for user in User.objects.all():  # every demo person, and the administrator
        for protocol in protocols:
            ProtocolAcknowledgement.objects.get_or_create(user=user, protocol=protocol, version=protocol.version)
    worker = org.users["sw.blerina"]
    if not TrainingRecord.objects.exists():
        TrainingRecord.objects.create(
            person=worker, course="Recognising radicalisation: awareness course",
            completed_on=today - datetime.timedelta(days=350), refresh_due_on=today + datetime.timedelta(days=15),
            provider="Municipality", recorded_by=coordinator,
        )  # fmt: skip
    if not Resource.objects.exists():
        for title, kind, language in (
            ("Awareness of radicalisation: a guide for practitioners", Resource.Kind.AWARENESS, "en"),
            ("Manuali i vlerësimit të rrezikut", Resource.Kind.ASSESSMENT_MANUAL, "sq"),
        ):
            resource = Resource(
                title=title, kind=kind, language=language, file_name=f"{title[:40]}.pdf",
                content_type="application/pdf", added_by=coordinator,
            )  # fmt: skip
            resource.file.save("demo.pdf", ContentFile(_PDF), save=False)
            resource.save()
