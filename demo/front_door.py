"""The front door in the demo (decisions 125 to 127): a concern the school sent to the panel's front
door, its police check answered; and a concern from the public page, whose follow-up code is
`DEMO_CODE` (in real use a code is random and shown once)."""

from referrals import services
from referrals.models import ConcernReceipt, DeconflictionCheck, Referral

from .organisations import DemoOrg

__all__ = ["DEMO_CODE", "PUBLIC_CONCERN", "SCHOOL_CONCERN", "seed_front_door"]

SCHOOL_CONCERN = (
    "A pupil of the second year shows classmates videos of an armed group on his phone and says he will "
    "leave to join them after the exams. His marks have dropped since the autumn."
)
PUBLIC_CONCERN = (
    "My nephew has cut off his old friends and spends his nights with people I do not know. He says the "
    "family are unbelievers and talks about going abroad. His mother is afraid to ask for help."
)
DEMO_CODE = "DEMK-7QPA-4RTV-9HXS"


def seed_front_door(org: DemoOrg) -> None:
    if not Referral.objects.filter(concern=SCHOOL_CONCERN).exists():
        receipt = services.send_to_front_door(
            actor=org.users["school.ilir"],
            panel=org.panel,
            sent_by_agency=org.agencies["school"],
            label="Class 10B, after the trip",
            reporter_relationship="head of year",
            subject_given_name="Endrit",
            subject_family_name="Duka",
            subject_age=16,
            subject_area="Qyteti i Ri",
            person_told=Referral.Told.NO,
            concern=SCHOOL_CONCERN,
            indicators=["statements", "online", "intent_to_travel"],
            ideology=Referral.Ideology.RELIGIOUS,
        )
        check = DeconflictionCheck.objects.filter(referral=receipt.referral).first()
        if check is not None:
            services.answer_deconfliction(check, answer=DeconflictionCheck.Answer.NO, actor=org.users["police.fatos"])
    if not Referral.objects.filter(concern=PUBLIC_CONCERN).exists():
        receipt, _code = services.submit_public_concern(
            panel=org.panel,
            channel=Referral.Channel.FAMILY_OR_FRIEND,
            reporter_anonymous=True,
            reporter_relationship="aunt",
            subject_given_name="Genti",
            subject_family_name="Marku",
            subject_age=19,
            person_told=Referral.Told.NO,
            concern=PUBLIC_CONCERN,
        )
        # A code the demo can be tried with (a real one is random and seen once).
        ConcernReceipt.objects.filter(pk=receipt.pk).update(code_hash=services.code_hash(DEMO_CODE))
