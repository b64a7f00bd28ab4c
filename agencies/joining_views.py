"""The pages of joining and leaving (decision 117), passwords, and induction (decision 118).

None of them reads case data: agencies, people and protocols are the partnership's directory
(`MODEL_EXEMPTIONS`). Who may manage which agency is `agencies.joining.managed_agencies`; anyone
else finds no such page (404).
"""

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from outbox.services import queue

from . import induction, joining
from .account import ENROLMENT_ALLOWED
from .addresses import client_ip
from .models import Agency, Membership, Protocol, User
from .security import account_changed

__all__ = [
    "AddMemberView",
    "AgencyAddView",
    "AgencyView",
    "DirectoryView",
    "EndMembershipView",
    "InductionView",
    "InvitationView",
    "InviteAgainView",
    "InviteView",
    "PasswordChangeView",
    "PasswordResetConfirmView",
    "PasswordResetView",
    "ProtocolEditView",
    "ProtocolListView",
    "RolesView",
]


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


class AgencyForm(forms.ModelForm[Agency]):
    class Meta:
        model = Agency
        fields = ["name", "sector", "partner_kind"]


class InviteForm(forms.Form):
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("E-mail address"), help_text=gettext_lazy("The invitation goes here."))
    username = forms.CharField(
        label=gettext_lazy("User name"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("Leave empty to use the e-mail address."),
    )
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Membership.Role.choices)
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the invitation"),
        choices=[("", gettext_lazy("The partnership's default")), *settings.LANGUAGES],
        required=False,
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the roles the actor may grant are offered (an agency administrator: not a data
        # protection officer, a police liaison or a coordinator).
        _offer_roles(self.fields["role"], set(joining.grantable_roles(actor)))


def _offer_roles(field: forms.Field, allowed: set[str]) -> None:
    cast(forms.ChoiceField, field).choices = [(v, label) for v, label in Membership.Role.choices if v in allowed]


class AddMemberForm(forms.Form):
    who = forms.CharField(
        label=gettext_lazy("User name or e-mail address"),
        max_length=254,
        help_text=gettext_lazy("Of someone who already works in Ura, for another agency."),
    )
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Membership.Role.choices)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer_roles(self.fields["role"], set(joining.grantable_roles(actor)))


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Roles in this agency"),
        choices=Membership.Role.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, actor: Any, person: User, held: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Shown: the roles the actor may give or take away; on themself, only those they hold (to
        # drop). Any role is accepted, so that one posted beyond them is the service's refusal (403).
        allowed = set(joining.grantable_roles(actor))
        if person.pk == actor.pk:
            allowed &= held
        widget = cast(forms.CheckboxSelectMultiple, self.fields["roles"].widget)
        widget.choices = [(v, label) for v, label in Membership.Role.choices if v in allowed]
        self.held, self.offered = held, allowed


class EndForm(forms.Form):
    ended_on = forms.DateField(
        label=gettext_lazy("Last day"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy(
            "Today or earlier: their access, API tokens and sessions end now. A later day: they end on that day."
        ),
    )
    reason = forms.CharField(label=gettext_lazy("Reason (optional)"), max_length=200, required=False)


def _form_errors(form: forms.BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error)


class DirectoryView(LoginRequiredMixin, View):
    """The agencies whose people the user manages, and (for a coordinator) the way to add one."""

    template_name = "agencies/directory.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        agencies = list(joining.managed_agencies(user).order_by("name"))
        may_add = joining.may_add_agencies(user)
        if not may_add and not agencies:
            raise Http404
        return render(request, self.template_name, {"agencies": agencies, "may_add": may_add})


class AgencyAddView(LoginRequiredMixin, View):
    """A coordinator adds a partner agency (anyone else: 404)."""

    template_name = "agencies/agency_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not joining.may_add_agencies(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": AgencyForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = AgencyForm(request.POST)
        if form.is_valid():
            try:
                agency = joining.add_agency(actor=cast(User, request.user), **form.cleaned_data)
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("%(agency)s was added. Now invite its first people.") % {"agency": agency})
                return redirect("people_agency", pk=agency.pk)
        return render(request, self.template_name, {"form": form}, status=400)


class _ManagedAgencyMixin(LoginRequiredMixin, View):
    agency: Agency

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            self.agency = get_object_or_404(joining.managed_agencies(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class AgencyView(_ManagedAgencyMixin):
    """An agency's people: who is a member, who was invited, who left; invite and end from here."""

    template_name = "agencies/agency.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        memberships = list(joining.people_of(self.agency).prefetch_related("user__invitations"))
        context = {
            "agency": self.agency,
            "memberships": memberships,
            "departures": joining.departures_of(self.agency)[:50],
            # An agency administrator adds only new people, and ends only the roles they grant.
            "may_add_members": joining.may_add_members(request.user),
            "endable": joining.grantable_roles(request.user),
        }
        return render(request, self.template_name, context)


class InviteView(_ManagedAgencyMixin):
    """Add a person to the agency and e-mail them their invitation."""

    template_name = "agencies/invite.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, self.template_name, {"agency": self.agency, "form": InviteForm(actor=request.user)})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = InviteForm(request.POST, actor=request.user)
        if form.is_valid():
            try:
                person = joining.invite_person(actor=cast(User, request.user), agency=self.agency, **form.cleaned_data)
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(person)s was added and their invitation e-mailed to %(email)s. It works for %(hours)d hours.")
                    % {"person": person.full_name, "email": person.email, "hours": settings.URA_INVITATION_HOURS},
                )
                return redirect("people_agency", pk=self.agency.pk)
        return render(request, self.template_name, {"agency": self.agency, "form": form}, status=400)


class InviteAgainView(LoginRequiredMixin, View):
    """A new invitation for someone who has not joined yet (the earlier link ends); for someone who
    has signed in or chosen a password, as for anyone outside the agencies one manages: 404."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        membership = get_object_or_404(joining.managed_memberships(request.user), pk=pk)
        try:
            joining.invite_again(actor=cast(User, request.user), membership=membership)
        except PermissionError:
            raise Http404 from None
        messages.success(request, _("A new invitation was e-mailed to %(email)s.") % {"email": membership.user.email})
        return redirect("people_agency", pk=membership.agency_id)


class EndMembershipView(LoginRequiredMixin, View):
    """End a leaver's membership with a date, then offer their open cases for reassignment."""

    template_name = "agencies/end_membership.html"
    membership: Membership

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            self.membership = get_object_or_404(joining.managed_memberships(request.user), pk=kwargs["pk"])
            if self.membership.role not in joining.grantable_roles(request.user):
                raise PermissionDenied  # a role only a coordinator grants, only a coordinator ends
        return super().dispatch(request, *args, **kwargs)

    def _render(self, request: HttpRequest, form: EndForm, status: int = 200) -> HttpResponse:
        return render(request, self.template_name, {"membership": self.membership, "form": form}, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, EndForm(initial={"ended_on": timezone.localdate()}))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = EndForm(request.POST)
        if form.is_valid():
            try:
                departure = joining.end_membership(
                    actor=cast(User, request.user), membership=self.membership, **form.cleaned_data
                )
            except ValidationError as error:
                _form_errors(form, error)
            except PermissionError as refused:
                form.add_error(None, str(refused) or _("You may not end this membership."))
                return self._render(request, form, status=403)
            else:
                person = departure.user
                context = {
                    "departure": departure,
                    "person": person,
                    "agency": self.membership.agency,
                    # Who moves their open cases: the actor if they may (a coordinator or a
                    # supervisor), else they are told whom to ask, and how many cases wait.
                    "may_reassign": joining.may_reassign(request.user),
                    "open_cases": person.owned_cases.open().count(),
                }
                return render(request, "agencies/membership_ended.html", context)
        return self._render(request, form, status=400)


class AddMemberView(_ManagedAgencyMixin):
    """Make someone who already works in Ura (for another agency) a member of this one: a
    coordinator's act (decision 139); an agency administrator of this agency gets 403."""

    template_name = "agencies/add_member.html"

    def _render(self, request: HttpRequest, form: AddMemberForm, status: int = 200) -> HttpResponse:
        if not joining.may_add_members(request.user):  # after the agency: 404 for one not managed
            raise PermissionDenied
        return render(request, self.template_name, {"agency": self.agency, "form": form}, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, AddMemberForm(actor=request.user))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not joining.may_add_members(request.user):  # before the form: nothing is looked up
            raise PermissionDenied
        form = AddMemberForm(request.POST, actor=request.user)
        if not form.is_valid():
            return self._render(request, form, status=400)
        try:
            membership = joining.add_member(actor=cast(User, request.user), agency=self.agency, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
            return self._render(request, form, status=400)
        except PermissionError as refused:
            form.add_error(None, str(refused))
            return self._render(request, form, status=403)
        messages.success(
            request,
            _("%(person)s is now a member of %(agency)s as %(role)s, and was told by e-mail.")
            % {"person": membership.user.full_name, "agency": self.agency, "role": membership.get_role_display()},
        )
        return redirect("people_agency", pk=self.agency.pk)


class RolesView(LoginRequiredMixin, View):
    """The roles a person holds in an agency, given and taken away by whoever manages it."""

    template_name = "agencies/roles.html"
    membership: Membership

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            self.membership = get_object_or_404(joining.managed_memberships(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def _form(self, request: HttpRequest, data: Any = None) -> RolesForm:
        held = set(joining.roles_in(self.membership).values_list("role", flat=True))
        return RolesForm(
            data, actor=request.user, person=self.membership.user, held=held, initial={"roles": sorted(held)}
        )

    def _render(self, request: HttpRequest, form: RolesForm, status: int = 200) -> HttpResponse:
        kept = [label for value, label in Membership.Role.choices if value in form.held - form.offered]
        context = {
            "membership": self.membership,
            "person": self.membership.user,
            "agency": self.membership.agency,
            "form": form,
            "kept": kept,
            "oneself": self.membership.user_id == request.user.pk,
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, self._form(request))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = self._form(request, request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        # The roles the form does not offer (the actor may not change them) are kept as they are.
        roles = set(form.cleaned_data["roles"]) | (form.held - form.offered)
        actor = cast(User, request.user)
        try:
            joining.change_roles(actor=actor, membership=self.membership, roles=roles)
        except ValidationError as error:
            _form_errors(form, error)
            return self._render(request, form, status=400)
        except PermissionError as refused:
            form.add_error(None, str(refused) or _("You may not change these roles."))
            return self._render(request, form, status=403)
        agency = self.membership.agency
        messages.success(
            request,
            _("The roles of %(person)s in %(agency)s were changed, and they were told by e-mail.")
            % {"person": self.membership.user.full_name, "agency": agency},
        )
        if joining.managed_agencies(actor).filter(pk=agency.pk).exists():
            return redirect("people_agency", pk=agency.pk)
        return redirect("home")  # their own administrator role, given up


class InvitationView(View):
    """The invitation link: choose a password, then turn on two-factor sign-in (the link stands in
    for the enrolment code: it came from someone else)."""

    template_name = "registration/invitation.html"

    def _render(self, request: HttpRequest, form: Any, status: int = 200, **extra: Any) -> HttpResponse:
        return render(request, self.template_name, {"form": form, **extra}, status=status)

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        invitation = joining.invitation_for(token)
        if invitation is None:
            return self._render(request, None, status=404, expired=True)
        return self._render(request, SetPasswordForm(invitation.user), person=invitation.user)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        invitation = joining.invitation_for(token)
        if invitation is None:
            return self._render(request, None, status=404, expired=True)
        form = SetPasswordForm(invitation.user, request.POST)
        if form.is_valid():
            try:
                user = joining.accept_invitation(token, form.cleaned_data["new_password1"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if request.user.is_authenticated:
                    logout(request)
                login(request, user, backend="agencies.access.backends.RoleBackend")
                request.session[ENROLMENT_ALLOWED] = user.pk
                messages.success(request, _("Your password is set. Now turn on two-factor sign-in."))
                return redirect(f"{reverse('two_factor')}?{urlencode({'next': reverse('induction')})}")
        return self._render(request, form, status=400, person=invitation.user)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password (the old one first); other sessions and every API token end."""

    template_name = "registration/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        account_changed.send(sender=User, user=form.user, event="password_changed", actor=form.user, detail="")
        messages.success(self.request, _("Your password was changed. Your other sessions and API tokens ended."))
        return response


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, its e-mail written to the outbox (decision 70); it answers the same
    whether or not an account has the address."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        user = context.get("user")
        queue("password_reset", [(subject, body, to_email)], about=f"agencies.user:{getattr(user, 'pk', '')}")


def _reset_key(request: HttpRequest) -> str:
    return f"ura:password-reset:{client_ip(request)}"


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by e-mail. The answer never says whether an account exists; one address
    asks at most `URA_PASSWORD_RESET_LIMIT` times per sign-in cool-off (429 after)."""

    template_name = "registration/password_reset.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    form_class = OutboxPasswordResetForm
    success_url = reverse_lazy("password_reset_done")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = _reset_key(request)
        cooloff = int(settings.AXES_COOLOFF_TIME.total_seconds())
        cache.add(key, 0, cooloff)
        if cache.incr(key) > settings.URA_PASSWORD_RESET_LIMIT:
            minutes = cooloff // 60
            message = _("Too many reset requests from this address. Try again in %(minutes)d minutes.") % {
                "minutes": minutes
            }
            return render(request, "registration/locked_out.html", {"message": message}, status=429)
        with transaction.atomic():
            return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        form.save(
            domain_override=None,
            use_https=self.request.is_secure(),
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            extra_email_context={"base_url": settings.BASE_URL},
        )
        return redirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The reset link: choose a new password; every session and API token of the account ends."""

    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        account_changed.send(sender=User, user=form.user, event="password_changed", actor=form.user, detail="reset")
        return response


class AcknowledgeForm(forms.Form):
    read = forms.BooleanField(label=gettext_lazy("I have read these protocols and will work by them."), required=True)


class InductionView(LoginRequiredMixin, View):
    """The protocols the user's roles call for, to read and acknowledge before any case."""

    template_name = "agencies/induction.html"

    def _render(self, request: HttpRequest, form: AcknowledgeForm, status: int = 200) -> HttpResponse:
        user = cast(User, request.user)
        context = {
            "pending": induction.pending(user),
            "form": form,
            "next": _safe_next(request, reverse("home")),
            "may_publish": induction.may_publish(user),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, AcknowledgeForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = AcknowledgeForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        user = cast(User, request.user)
        ids = {int(i) for i in request.POST.getlist("protocol") if i.isdigit()}
        shown = [p for p in induction.pending(user) if p.pk in ids]
        induction.acknowledge(user, shown)
        if induction.pending(user):
            form.add_error(None, _("A protocol changed while you were reading. Read the new version below."))
            return self._render(request, form, status=400)
        messages.success(request, _("Thank you. The protocols you acknowledged are recorded."))
        return redirect(_safe_next(request, reverse("home")))


class ProtocolForm(forms.ModelForm[Protocol]):
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Roles it applies to"),
        choices=Membership.Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None chosen: every role."),
    )

    class Meta:
        model = Protocol
        fields = ["title", "text", "title_sq", "text_sq", "roles", "in_force"]


class ProtocolListView(LoginRequiredMixin, View):
    """The partnership's protocols, for the coordinator who publishes them (404 for others)."""

    template_name = "agencies/protocols.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not induction.may_publish(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"protocols": Protocol.objects.all()})


class ProtocolEditView(ProtocolListView):
    """Publish a protocol, or a new version of one (its readers acknowledge it again)."""

    template_name = "agencies/protocol_form.html"

    def _protocol(self, pk: int | None) -> Protocol | None:
        return get_object_or_404(Protocol, pk=pk) if pk is not None else None

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        protocol = self._protocol(pk)
        form = ProtocolForm(instance=protocol)
        return render(request, self.template_name, {"form": form, "protocol": protocol})

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        protocol = self._protocol(pk)
        form = ProtocolForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "protocol": protocol}, status=400)
        data = {key: form.cleaned_data[key] for key in ("title", "text", "title_sq", "text_sq", "roles", "in_force")}
        induction.publish_protocol(actor=cast(User, request.user), protocol=protocol, **data)
        messages.success(request, _("The protocol is published. Those it applies to acknowledge it before any case."))
        return redirect("protocols")
