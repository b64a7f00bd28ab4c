"""The user's own account: two-factor enrolment (with an enrolment code), verification (or a
recovery code), recovery codes, and how their name is shown; and the page where administrators
and supervisors issue enrolment codes."""

import base64
from typing import Any, cast

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import two_factor
from .forms import model_choice_field
from .models import RecoveryCode, User
from .security import OTP_PENDING, account_changed

__all__ = ["EnrolmentCodeView", "NameShownView", "RecoveryCodesView", "TwoFactorView", "VerifyView"]

# Session key: this session gave a valid enrolment code and may now enrol an authenticator app.
ENROLMENT_ALLOWED = "ura_enrolment_allowed"


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


def _qr_svg(device: TOTPDevice) -> str:
    # Drawn here as SVG markup: no image service, no script. segno escapes nothing user-given.
    svg = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    # segno draws it from our own otpauth URL: nothing user-given is in the markup.
    return mark_safe(svg)  # noqa: S308  # nosec B308 B703


class EnrolmentCodeForm(forms.Form):
    enrolment_code = forms.CharField(
        label=gettext_lazy("Enrolment code from your administrator or supervisor"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )


class VerifyForm(forms.Form):
    otp_token = forms.CharField(
        label=gettext_lazy("Code from your authenticator app, or a recovery code"),
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none"}),
    )


def _recovery_codes(request: HttpRequest, user: User, *, actor: Any = None) -> HttpResponse:
    """A new set of recovery codes, shown this once."""
    codes = two_factor.issue_recovery_codes(user, actor=actor)
    context = {"codes": codes, "next": _next(request)}
    return render(request, "registration/two_factor_recovery_codes.html", context)


class TwoFactorView(LoginRequiredMixin, View):
    """Enrol an authenticator app: first the one-time enrolment code an administrator or supervisor
    gave (a password alone enrols nothing, decision 64), then scan the QR code (or type the key)
    and confirm with one code; the recovery codes are shown once at the end."""

    template_name = "registration/two_factor.html"

    def _pending_device(self, user: User) -> TOTPDevice:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        return device or TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)

    def _allowed(self, request: HttpRequest, user: User) -> bool:
        return bool(request.session.get(ENROLMENT_ALLOWED) == user.pk)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, TokenForm())

    def _render(
        self, request: HttpRequest, form: TokenForm, code_form: EnrolmentCodeForm | None = None, status: int = 200
    ) -> HttpResponse:
        user = cast(User, request.user)
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            return render(request, self.template_name, {"enrolled": True})
        if not self._allowed(request, user):
            step = {"code_form": code_form or EnrolmentCodeForm(), "next": _next(request)}
            return render(request, self.template_name, step, status=status)
        device = self._pending_device(user)
        secret = base64.b32encode(device.bin_key).decode()
        context: dict[str, Any] = {"form": form, "qr": _qr_svg(device), "secret": secret, "next": _next(request)}
        return render(request, self.template_name, context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        user = cast(User, request.user)
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            return self._render(request, TokenForm())
        if not self._allowed(request, user):
            code_form = EnrolmentCodeForm(request.POST)
            if code_form.is_valid() and two_factor.redeem_enrolment_code(
                user, code_form.cleaned_data["enrolment_code"]
            ):
                request.session[ENROLMENT_ALLOWED] = user.pk
                return redirect(f"{reverse('two_factor')}?{urlencode({'next': _next(request)})}")
            code_form.add_error(
                None,
                _("That enrolment code is not right, was used or has expired. Ask your administrator or supervisor."),
            )
            return self._render(request, TokenForm(), code_form, status=400)
        form = TokenForm(request.POST)
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if form.is_valid() and device is not None and device.verify_token(form.cleaned_data["otp_token"].strip()):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                TOTPDevice.objects.filter(user=user, confirmed=False).delete()
                account_changed.send(sender=User, user=user, event="two_factor_enrolled", actor=None, detail="")
            otp_login(request, device)
            request.session[OTP_PENDING] = False
            request.session.pop(ENROLMENT_ALLOWED, None)
            messages.success(request, _("Two-factor sign-in is on. You will be asked for a code at each sign-in."))
            return _recovery_codes(request, user)
        form.add_error(None, _("That code is not right. Check the time on your phone and try the newest code."))
        return self._render(request, form)


class VerifyView(LoginRequiredMixin, View):
    """The second step of signing in: a code from the enrolled authenticator app, or one of the
    user's recovery codes (each works once)."""

    template_name = "registration/two_factor_verify.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": VerifyForm(), "next": _next(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        user = cast(User, request.user)
        form = VerifyForm(request.POST)
        if form.is_valid():
            typed = form.cleaned_data["otp_token"].strip()
            device = match_token(user, typed) if len(typed) <= 8 else None
            if device is None and len(typed) > 8 and two_factor.use_recovery_code(user, typed):
                # The session is verified as by the app: the recovery code stood in for it.
                device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
                messages.warning(request, _("You signed in with a recovery code; it will not work again."))
            if device is not None:
                otp_login(request, device)
                request.session[OTP_PENDING] = False
                return redirect(_next(request))
        form.add_error(None, _("That code is not right. Try the newest code from your authenticator app."))
        return render(request, self.template_name, {"form": form, "next": _next(request)}, status=400)


class RecoveryCodesView(LoginRequiredMixin, View):
    """How many recovery codes are left, and a new set on request (the old set then ends)."""

    template_name = "registration/two_factor_recovery.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        user = cast(User, request.user)
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            return redirect("two_factor")
        left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
        return render(request, self.template_name, {"left": left})

    def post(self, request: HttpRequest) -> HttpResponse:
        user = cast(User, request.user)
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            return redirect("two_factor")
        return _recovery_codes(request, user, actor=user)


class IssueCodeForm(forms.Form):
    user = forms.ModelChoiceField(label=gettext_lazy("Person"), queryset=User.objects.none())

    def __init__(self, *args: Any, issuer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "user").queryset = two_factor.people_for_codes(issuer).order_by(
            "last_name", "first_name", "username"
        )


class EnrolmentCodeView(LoginRequiredMixin, View):
    """An administrator or supervisor issues a person the one-time code that lets them turn on
    two-factor sign-in. Nobody else has this page (404)."""

    template_name = "registration/two_factor_codes.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if user.is_authenticated and not two_factor.people_for_codes(user).exists():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        form = IssueCodeForm(issuer=cast(User, request.user))
        return render(request, self.template_name, {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        issuer = cast(User, request.user)
        form = IssueCodeForm(request.POST, issuer=issuer)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        person = form.cleaned_data["user"]
        code = two_factor.issue_enrolment_code(person, actor=issuer)
        context = {
            "form": IssueCodeForm(issuer=issuer),
            "issued": {"person": person.full_name, "code": code, "hours": settings.URA_ENROLMENT_CODE_HOURS},
        }
        return render(request, self.template_name, context)


class NameShownForm(forms.ModelForm[User]):
    class Meta:
        model = User
        fields = ["name_shown_to_others"]
        widgets = {"name_shown_to_others": forms.RadioSelect}


class NameShownView(LoginRequiredMixin, View):
    """Choose how your name appears to people of other agencies (practitioners' safety)."""

    template_name = "registration/name_shown.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = NameShownForm(instance=cast(User, request.user))
        return render(request, self.template_name, {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = NameShownForm(request.POST, instance=cast(User, request.user))
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        with transaction.atomic():
            form.save()
        messages.success(request, _("Saved. Other agencies now see your name this way."))
        return redirect("name_shown")
