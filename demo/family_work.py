"""The demo cases' file contents (issue #4): visits, assessments, children's needs, what must not be
told, and the history of the risk level, each fitting the case's stage. Dates are relative to the
day of seeding; everything goes through the services, then is dated back to when it happened."""

import datetime
from typing import Any, TypeVar

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.utils import timezone

from cases import services
from cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseNote,
    ChildNeeds,
    Contact,
    NeedsAssessment,
    PoliceAction,
    RiskRecord,
    SecurityAssessment,
    Visibility,
)
from cases.risk import RiskLevel
from families.models import Person, SafetyWarning

from .organisations import DemoOrg

_M = TypeVar("_M", bound=Model)

__all__ = ["seed_family_work"]


def _days_ago(days: int, hour: int = 10) -> datetime.datetime:
    moment = timezone.localtime() - datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def _dated(obj: _M, days: int) -> _M:
    """Date an entry (and its timeline line) back to when it happened."""
    when = _days_ago(days, hour=17)
    type(obj)._default_manager.filter(pk=obj.pk).update(created_at=when, updated_at=when)
    CaseEvent.objects.filter(entry_label=obj._meta.label_lower, entry_id=obj.pk).update(created_at=when)
    return obj


def _risk(case: Case, level: str, source: str, actor: Any, rationale: str, days: int) -> None:
    change = services.set_risk_level(case, level=level, source=source, actor=actor, rationale=rationale)
    if change is not None:
        when = _days_ago(days, hour=16)
        RiskRecord.objects.filter(pk=change.pk).update(recorded_at=when)
        _latest_event(case, CaseEvent.Kind.RISK_CHANGED, days)


def _latest_event(case: Case, kind: str, days: int) -> None:
    latest = CaseEvent.objects.filter(case=case, kind=kind).order_by("-pk")[:1]
    CaseEvent.objects.filter(pk__in=list(latest.values_list("pk", flat=True))).update(created_at=_days_ago(days, 18))


def _person(case: Case, given_name: str) -> Person:
    return Person.objects.get(family=case.family, given_name=given_name)


def _visit(case: Case, actor: Any, days: int, **fields: Any) -> Contact:
    visitors = fields.pop("visitors", [actor])
    present = fields.pop("present", [])
    contact = Contact(case=case, occurred_at=_days_ago(days), **fields)
    services.record_contact(contact, actor=actor, visitors=visitors, present=present)
    return _dated(contact, days)


def _krasniqi(case: Case, org: DemoOrg) -> None:
    blerina, fatos = org.users["sw.blerina"], org.users["police.fatos"]
    mother, father, ardit = _person(case, "Mimoza"), _person(case, "Bujar"), _person(case, "Ardit")
    _risk(case, RiskLevel.LOW, RiskRecord.Source.PANEL, blerina, "First discussion at the info-house.", 38)
    _visit(
        case,
        blerina,
        30,
        kind=Contact.Kind.HOME_VISIT,
        location="The family's flat, Qyteti i Ri",
        visitors=[blerina, fatos],
        present=[mother, father],
        cooperation=Contact.Cooperation.HESITANT,
        discussed="The parents' worries about Ardit's new online friends and his leaving football.",
        next_steps="Meet Ardit with his football coach; the parents keep a note of changes they see.",
        next_contact_on=timezone.localdate() - datetime.timedelta(days=16),
    )
    services.add_restriction(
        case,
        person=ardit,
        knows="That a social worker visits about his sister's schooling.",
        must_not_be_told="That his mother asked for help.",
        actor=blerina,
    )
    _latest_event(case, CaseEvent.Kind.RESTRICTION, 30)
    services.set_key_worker(case, person=None, note="Ardit's football coach, Mr Gjoka", actor=blerina)
    _latest_event(case, CaseEvent.Kind.KEY_WORKER, 30)
    _dated(
        services.record_security_assessment(
            SecurityAssessment(
                case=case,
                risk_level=RiskLevel.MODERATE,
                under_investigation=False,
                assessment="Contact with a known online recruiter in the spring; no sign of travel plans.",
                abstract="The police see no immediate threat. Visits in pairs are advised.",
                visibility=Visibility.OWN_AGENCY,
            ),
            actor=fatos,
        ),
        20,
    )
    _risk(
        case,
        RiskLevel.MODERATE,
        RiskRecord.Source.SECURITY_ASSESSMENT,
        blerina,
        "The police's abstract; the visit.",
        19,
    )
    _visit(
        case,
        blerina,
        16,
        kind=Contact.Kind.KEY_WORKER,
        cooperation=Contact.Cooperation.COOPERATIVE,
        discussed="Ardit came to training again; the coach talked with him about his plans after school.",
        next_steps="Needs assessment with the parents.",
        next_contact_on=timezone.localdate() + datetime.timedelta(days=5),
    )
    for child, band, notes in (
        (_person(case, "Drita"), ChildNeeds.AgeBand.FROM_12_TO_17, "Worried about her brother; doing well at school."),
        (ardit, ChildNeeds.AgeBand.YOUNG_ADULT, "Turns 18 soon: plan the hand-over to adult services."),
    ):
        _dated(
            services.record_child_needs(
                ChildNeeds(
                    case=case,
                    child=child,
                    age_band=band,
                    schooling=ChildNeeds.Schooling.ATTENDING,
                    needs=notes,
                ),
                actor=blerina,
            ),
            15,
        )
    services.record_note(
        CaseNote(case=case, text="Questions for the needs assessment: the father's work, the debts."),
        actor=blerina,
        finalise=False,
    )
    _police_search(case, fatos)


def _berisha(case: Case, org: DemoOrg) -> None:
    blerina, klea = org.users["sw.blerina"], org.users["ngo.klea"]
    teuta, jon, sara, hava = (_person(case, name) for name in ("Teuta", "Jon", "Sara", "Hava"))
    _visit(
        case,
        blerina,
        170,
        location="Hava Berisha's house",
        visitors=[blerina, klea],
        present=[teuta, hava],
        interpreter="",
        cooperation=Contact.Cooperation.HESITANT,
        discussed="The return from the camp; the children's health; where the family can live.",
        next_steps="Medical check for the children; housing office appointment.",
    )
    assessment = NeedsAssessment(
        case=case,
        personal_history="Teuta left for Syria at 17 and returned with two children born there.",
        practical_problems=[NeedsAssessment.Problem.HOUSING, NeedsAssessment.Problem.UNEMPLOYMENT],
        practical_notes="Lives with her mother in two rooms; no income of her own.",
        trigger_events="The return and the trial; neighbours' hostility.",
        concern_nature="Contacts from the camp still write to her online.",
        concern_level=RiskLevel.HIGH,
        protective_factors="Her mother's support; she wants the children to go to school.",
        summary="A mother rebuilding a life with two traumatised young children.",
        recommendation="Trauma care for the children; housing; a women's group at the NGO.",
    )
    services.record_needs_assessment(
        assessment,
        actor=blerina,
        network=[
            {"kind": "family", "name": "Hava (her mother)", "influence": "positive"},
            {"kind": "online", "name": "Contacts from the camp", "influence": "negative"},
            {"kind": "other", "name": "The NGO's women's group", "influence": "positive"},
        ],
    )
    _dated(assessment, 150)
    email = SimpleUploadedFile("kindergarten.eml", b"From: kindergarten\nSubject: Jon\n\nJon settles in well.\n")
    _dated(
        services.attach_file(
            Attachment(
                case=case, kind=Attachment.Kind.EMAIL, description="The kindergarten about Jon", assessment=assessment
            ),
            email,
            actor=blerina,
        ),
        140,
    )
    for child, notes in (
        (jon, "Nightmares; startles at loud noises."),
        (sara, "Born in the camp; speaks Arabic only."),
    ):
        _dated(
            services.record_child_needs(
                ChildNeeds(
                    case=case,
                    child=child,
                    age_band=ChildNeeds.AgeBand.UNDER_12,
                    exposures=[ChildNeeds.Exposure.CONFLICT_ZONE, ChildNeeds.Exposure.TRAUMA],
                    schooling=ChildNeeds.Schooling.NOT_OF_AGE if child == sara else ChildNeeds.Schooling.ATTENDING,
                    child_protection=True,
                    child_protection_notes="Child-protection services follow both children.",
                    needs=notes,
                    decisions="Trauma care with the mental-health team.",
                ),
                actor=blerina,
            ),
            145,
        )
    _visit(
        case,
        klea,
        30,
        kind=Contact.Kind.OFFICE,
        present=[teuta],
        cooperation=Contact.Cooperation.COOPERATIVE,
        discussed="The women's group; a course in the autumn.",
        location="NGO office",
    )


def _gashi(case: Case, org: DemoOrg) -> None:
    dritan = org.users["sw.dritan"]
    besnik = _person(case, "Besnik")
    _visit(
        case,
        dritan,
        120,
        present=[besnik],
        cooperation=Contact.Cooperation.COOPERATIVE,
        discussed="The apprenticeship; his friends from the gym.",
    )
    _visit(
        case,
        dritan,
        45,
        outcome=Contact.Outcome.REFUSED,
        cooperation=Contact.Cooperation.REFUSES,
        discussed="Besnik would not open the door.",
    )
    _visit(case, dritan, 20, outcome=Contact.Outcome.NOBODY_HOME)
    _visit(
        case,
        dritan,
        12,
        kind=Contact.Kind.PHONE,
        outcome=Contact.Outcome.REFUSED,
        cooperation=Contact.Cooperation.REFUSES,
        discussed="Lindita says he does not want to see us.",
    )

    # the last refusal at the door was hostile: visitors go in pairs (issue 14, worker safety)
    services.add_safety_warning(
        case,
        kind=SafetyWarning.Kind.PAIRS_ONLY,
        detail="A cousin shouted at Dritan at the door on the last visit. Go in pairs; do not enter the yard.",
        review_on=timezone.localdate() + datetime.timedelta(days=60),
        actor=dritan,
    )


def _police_search(case: Case, fatos: Any) -> None:
    """Yesterday's search of the family's flat: a follow-up visit falls due (issue 14, aftercare)."""
    services.record_police_action(
        PoliceAction(
            case=case,
            kind=PoliceAction.Kind.SEARCH,
            occurred_at=_days_ago(1, hour=6),
            what_happened="Search of Ardit's room under a prosecutor's order; his phone was taken. No arrest.",
            abstract="A police action took place at the family's home. A social worker should visit soon.",
            visibility=Visibility.OWN_AGENCY,
        ),
        actor=fatos,
    )


def _shala(case: Case, org: DemoOrg) -> None:
    klea = org.users["ngo.klea"]
    _visit(
        case,
        klea,
        3,
        outcome=Contact.Outcome.NOBODY_HOME,
        next_contact_on=timezone.localdate() + datetime.timedelta(days=2),
    )


WORK = {"Krasniqi": _krasniqi, "Berisha": _berisha, "Gashi": _gashi, "Shala": _shala}


def seed_family_work(org: DemoOrg) -> None:
    for case in Case.objects.filter(family__name__in=WORK).select_related("family", "owning_agency"):
        if Contact.objects.filter(case=case).exists():
            continue  # seeded already
        WORK[case.family.name](case, org)
