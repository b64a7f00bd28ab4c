"""Demo data of lawful sharing and the data subject: consents (one withdrawn), an open subject
access request for the data protection officer, and an old closed case due for retention review."""

import datetime

from django.utils import timezone

from audit.models import SubjectAccessRequest
from cases import services as case_services
from cases.models import Case, CaseShare
from families.models import Consent, Family, Person
from privacy.subject_access import add_one_month

from .organisations import DemoOrg

__all__ = ["seed_privacy"]


def _days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def _consents(org: DemoOrg) -> None:
    krasniqi = Case.objects.filter(family__name="Krasniqi").select_related("family").first()
    if krasniqi is not None and not Consent.objects.filter(family=krasniqi.family).exists():
        owner = krasniqi.owner
        mother = Person.objects.get(family=krasniqi.family, given_name="Mimoza")
        consent = case_services.record_consent(
            krasniqi,
            person=krasniqi.index_person,
            given_by=mother,
            given_on=_days_ago(30),
            purposes=[Consent.Purpose.SUPPORT_PLAN, Consent.Purpose.SHARING, Consent.Purpose.HOME_VISITS],
            agencies=[org.agencies["mental_health"]],
            purpose_text="Ardit's mother agrees to support and to the mental-health team knowing of the case.",
            actor=owner,
        )
        # The demo's earlier consent share rests on this record.
        CaseShare.objects.filter(case=krasniqi, basis=CaseShare.Basis.CONSENT).update(consent=consent)
    berisha = Case.objects.filter(family__name="Berisha").select_related("family").first()
    if berisha is not None and not Consent.objects.filter(family=berisha.family).exists():
        teuta = berisha.index_person
        consent = case_services.record_consent(
            berisha,
            person=teuta,
            given_by=teuta,
            given_on=_days_ago(150),
            purposes=[Consent.Purpose.HOME_VISITS],
            actor=berisha.owner,
        )
        case_services.withdraw_consent(
            berisha,
            consent,
            reason="Teuta no longer wants home visits; she meets the social worker at the office instead.",
            actor=berisha.owner,
        )


def _retention_case(org: DemoOrg) -> None:
    """The Kelmendi family's case closed six years ago: past the five-year review."""
    if Family.objects.filter(name="Kelmendi").exists():
        return
    family = Family.objects.create(name="Kelmendi", area="Kodra e Diellit")
    person = Person.objects.create(
        family=family,
        given_name="Luan",
        family_name="Kelmendi",
        relationship=Person.Relationship.INDEX,
        date_of_birth=_days_ago(365 * 29),
    )
    now = timezone.now()
    case = case_services.open_case(
        family=family,
        index_person=person,
        owner=org.users["sw.dritan"],
        actor=org.users["sw.dritan"],
        stage=Case.Stage.REDUCE,
        opened_at=now - datetime.timedelta(days=365 * 8),
        next_step="Closed: goals met",
    )
    Case.objects.filter(pk=case.pk).update(closed_at=now - datetime.timedelta(days=365 * 6))


def _subject_access(org: DemoOrg) -> None:
    if SubjectAccessRequest.objects.exists():
        return
    person = Person.objects.filter(family__name="Gashi", given_name="Besnik").first()
    if person is None:
        return
    received = _days_ago(10)
    SubjectAccessRequest.objects.create(
        person=person,
        person_label=str(person),
        requested_by="Besnik Gashi himself, by letter",
        received_on=received,
        due_on=add_one_month(received),
        opened_by=org.users["dpo.mira"],
    )


def seed_privacy(org: DemoOrg) -> None:
    _consents(org)
    _retention_case(org)
    _subject_access(org)
