"""The front door (decisions 125 to 127): a partner sends a concern to a panel and follows it by its
receipt; the public sends one without signing in and follows it by a code; the police answer the
deconfliction checks."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from agencies.access import Action, RestrictedObjectFormView, RestrictedViewMixin
from cases.services import casework_agencies

from . import front_door, services
from .forms import DeconflictionForm, FollowUpCodeForm, FrontDoorForm, PublicConcernForm
from .models import ConcernReceipt, DeconflictionCheck

__all__ = [
    "DeconflictionAnswerView",
    "DeconflictionListView",
    "FrontDoorView",
    "PublicConcernView",
    "PublicStatusView",
    "ReceiptListView",
    "ReceiptView",
]


class FrontDoorView(RestrictedViewMixin, FormView[FrontDoorForm]):
    """A partner sends a concern to a panel's front door; they keep its receipt, not the referral."""

    queryset = ConcernReceipt.objects.all()
    action = Action.VIEW
    permission_required = "referrals.add_referral"
    form_class = FrontDoorForm
    template_name = "referrals/front_door_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "agencies": casework_agencies(self.actor)}

    def form_valid(self, form: FrontDoorForm) -> HttpResponse:
        if not form.agencies:
            form.add_error(None, _("You work cases for no agency, so you cannot send a concern."))
            return self.form_invalid(form)
        data = dict(form.cleaned_data)
        indicators = data.pop("indicators", [])
        panel = data.pop("panel")
        data.pop("sent_by_agency", None)
        try:
            receipt = services.send_to_front_door(
                actor=self.actor, panel=panel, sent_by_agency=form.sending_agency(), indicators=indicators, **data
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Your concern was sent to %(panel)s. It will be looked at within 24 hours.") % {"panel": panel},
        )
        return HttpResponseRedirect(receipt.get_absolute_url())


class ReceiptListView(RestrictedViewMixin, ListView[ConcernReceipt]):
    """The concerns the user (or their agency) sent to a front door: their stage and feedback."""

    queryset = ConcernReceipt.objects.filter(sent_by__isnull=False).select_related("sent_by", "sent_by_agency")
    action = Action.VIEW
    template_name = "referrals/receipt_list.html"
    context_object_name = "receipts"
    paginate_by = 50


class ReceiptView(RestrictedViewMixin, DetailView[ConcernReceipt]):
    queryset = ConcernReceipt.objects.filter(sent_by__isnull=False).select_related("sent_by", "sent_by_agency")
    action = Action.VIEW
    template_name = "referrals/receipt_detail.html"
    context_object_name = "receipt"


class DeconflictionListView(RestrictedViewMixin, ListView[DeconflictionCheck]):
    """The police's checks to answer (their agency's), unanswered first."""

    # Unanswered first (no answer time sorts first), the soonest due at the top.
    queryset = DeconflictionCheck.objects.select_related("police_agency", "answered_by").order_by(
        F("answered_at").asc(nulls_first=True), "due_at", "pk"
    )
    action = Action.CHANGE
    permission_required = "referrals.view_referral"
    template_name = "referrals/deconfliction_list.html"
    context_object_name = "checks"
    paginate_by = 50


class DeconflictionAnswerView(RestrictedObjectFormView):
    """The police say whether the person is already under investigation."""

    queryset = DeconflictionCheck.objects.select_related("police_agency", "answered_by")
    action = Action.CHANGE
    permission_required = "referrals.view_referral"
    form_class = DeconflictionForm
    template_name = "referrals/deconfliction_answer.html"
    context_object_name = "check"

    def get_initial(self) -> dict[str, Any]:
        return {"answer": self.object.answer or None}

    def perform(self, form: DeconflictionForm) -> HttpResponse:
        services.answer_deconfliction(self.object, answer=form.cleaned_data["answer"], actor=self.actor)
        messages.success(self.request, _("Your answer is recorded. Only those who triage the referral read it."))
        return HttpResponseRedirect(self._list())

    @staticmethod
    def _list() -> str:
        from django.urls import reverse

        return reverse("referrals:deconfliction_list")


def _too_many(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    context = {**context, "throttled": True}
    response = render(request, template, context, status=429)
    response["Retry-After"] = "3600"
    return response


class PublicConcernView(View):
    """The public page (no sign-in): a relative, a friend or a neighbour sends a concern and gets a
    follow-up code, shown once (decision 126)."""

    # A concern sent twice with one idempotency key (a double tap, a retry) is stored once and
    # answered with the same code (decision 159).
    idempotent_without_sign_in = True
    template_name = "referrals/public/concern_form.html"

    def _page(self, request: HttpRequest, form: PublicConcernForm, status: int = 200) -> HttpResponse:
        # A fresh stamp with every page given: the time counts from the page the person reads.
        return render(
            request,
            self.template_name,
            {"form": form, "started": front_door.issue_started(), "honeypot": front_door.HONEYPOT},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, PublicConcernForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PublicConcernForm(request.POST)
        if front_door.throttled(request, front_door.SUBMIT):
            return _too_many(request, self.template_name, {"form": form, "honeypot": front_door.HONEYPOT})
        if not form.is_valid():
            return self._page(request, form, status=400)
        elapsed = front_door.seconds_since(form.cleaned_data["started"] or "")
        if form.cleaned_data[front_door.HONEYPOT] or elapsed is None or elapsed < front_door.minimum_seconds():
            form.add_error(None, _("Please check what you wrote, then send it again."))
            return self._page(request, form, status=400)
        try:
            _receipt, code = services.submit_public_concern(panel=form.cleaned_data["panel"], **form.referral_fields())
        except ValidationError as error:
            form.add_error(None, error)
            return self._page(request, form, status=400)
        return render(request, "referrals/public/concern_sent.html", {"code": code})


class PublicStatusView(View):
    """The public status page: a follow-up code gives "received", "being looked at" or "closed",
    nothing more; a wrong code gets one answer whatever it is (decision 126)."""

    template_name = "referrals/public/status.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": FollowUpCodeForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = FollowUpCodeForm(request.POST)
        if front_door.throttled(request, front_door.STATUS):
            return _too_many(request, self.template_name, {"form": form})
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        stage = services.public_stage(form.cleaned_data["code"])
        context = {"form": FollowUpCodeForm(), "asked": True, "stage": stage}
        if stage is not None:
            context["stage_label"] = ConcernReceipt.Stage(stage).label
        return render(request, self.template_name, context)
