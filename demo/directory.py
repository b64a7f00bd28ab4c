"""Demo services directory (issue 14): the mental-health centre with a waiting list, the NGO's
relatives' group and a boxing club outside Ura; Berisha's trauma care referred to the centre and
started after forty days, and Gashi's family sessions accepted and waiting. Dates are relative to
the day of seeding; running it again changes nothing."""

import datetime

from django.utils import timezone

from cases.models import Case
from interventions import services as plans
from interventions.models import PlanAction
from referrals import directory
from referrals.models import HelpKind, ServiceReferral, SupportService

from .organisations import DemoOrg

__all__ = ["seed_directory"]

MENTAL_HEALTH = "Psikologu për fëmijë dhe familje"


def _day(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


def _services(org: DemoOrg) -> dict[str, SupportService]:
    arta, agencies = org.users["coord.arta"], org.agencies
    listed = [
        SupportService(
            name=MENTAL_HEALTH,
            agency=agencies["mental_health"],
            help_kind=HelpKind.EMOTIONAL,
            help_offered="Kujdes psikologjik dhe traume për fëmijë; seanca familjare",
            languages="Shqip, Anglisht",
            area="Qyteti i Ri",
            stated_waiting_days=30,
            contact_point="Recepsioni i qendrës, e hënë–e premte 8:00–16:00",  # noqa: RUF001 (a dash)
        ),
        SupportService(
            name="Grupi i të afërmve",
            agency=agencies["ngo"],
            help_kind=HelpKind.EMOTIONAL,
            help_offered="Grup mbështetës për prindërit dhe të afërmit, çdo dy javë",
            languages="Shqip, Anglisht, Arabisht",
            area="Qyteti i Ri",
            stated_waiting_days=7,
            contact_point="Zyra e OJQ-së",
        ),
        SupportService(
            name='Klubi i boksit "Ylli"',
            help_kind=HelpKind.PRAGMATIC,
            help_offered="Stërvitje falas për të rinjtë, me një trajner mentor",
            languages="Shqip",
            area="Lagjja e Re",
            stated_waiting_days=0,
            contact_point="Sekretaria e klubit",
        ),
    ]
    found = {}
    for service in listed:
        service.panel = org.panel
        existing = SupportService.objects.filter(panel=org.panel, name=service.name).first()
        found[service.name] = existing or directory.save_service(service, actor=arta)
    return found


def _refer(action: PlanAction, service: SupportService, sent_on: int, for_whom: str, request: str) -> ServiceReferral:
    case = action.case
    sent = plans.refer_action(action, service=service, for_whom=for_whom, request=request, actor=case.owner)
    ServiceReferral.objects.filter(pk=sent.pk).update(sent_on=_day(sent_on))
    sent.refresh_from_db()
    return sent


def seed_directory(org: DemoOrg) -> None:
    """Seed the directory and two referrals to the mental-health centre (idempotent)."""
    services = _services(org)
    centre, therapist = services[MENTAL_HEALTH], org.users["mh.dafina"]
    if ServiceReferral.objects.filter(service=centre).exists():
        return
    cases = {case.family.name: case for case in Case.objects.select_related("family")}
    trauma = PlanAction.objects.filter(case=cases.get("Berisha"), measure=PlanAction.Measure.TRAUMA_CARE).first()
    if trauma is not None:
        sent = _refer(
            trauma, centre, -75, "Jon dhe Sara Berisha", "Kujdes për traumën e dy fëmijëve, me nënën të pranishme."
        )
        sent = directory.update_service_referral(
            sent, status="accepted", on=_day(-70), expected_start_on=_day(-35), actor=therapist
        )
        directory.update_service_referral(sent, status="started", on=_day(-35), actor=therapist)
    talks = PlanAction.objects.filter(case=cases.get("Gashi"), measure=PlanAction.Measure.PARENT_CHILD).first()
    if talks is not None:
        sent = _refer(
            talks, centre, -20, "Besnik dhe Lindita Gashi", "Seanca familjare: nëna dhe i biri flasin pa u grindur."
        )
        directory.update_service_referral(
            sent, status="accepted", on=_day(-14), expected_start_on=_day(16), actor=therapist
        )
