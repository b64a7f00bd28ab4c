"""The user's own account: two-factor enrolment and verification, and how their name is shown."""

import base64
from typing import Any, cast

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User
from .security import OTP_PENDING

__all__ = ["NameShownView", "TwoFactorView", "VerifyView"]


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


class TwoFactorView(LoginRequiredMixin, View):
    """Enrol an authenticator app: scan the QR code (or type the key), then confirm with one code."""

    template_name = "registration/two_factor.html"

    def _pending_device(self, user: User) -> TOTPDevice:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        return device or TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, TokenForm())

    def _render(self, request: HttpRequest, form: TokenForm) -> HttpResponse:
        user = cast(User, request.user)
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            return render(request, self.template_name, {"enrolled": True})
        device = self._pending_device(user)
        secret = base64.b32encode(device.bin_key).decode()
        context: dict[str, Any] = {"form": form, "qr": _qr_svg(device), "secret": secret, "next": _next(request)}
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest) -> HttpResponse:
        user = cast(User, request.user)
        form = TokenForm(request.POST)
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if form.is_valid() and device is not None and device.verify_token(form.cleaned_data["otp_token"].strip()):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            otp_login(request, device)
            request.session[OTP_PENDING] = False
            messages.success(request, _("Two-factor sign-in is on. You will be asked for a code at each sign-in."))
            return redirect(_next(request))
        form.add_error(None, _("That code is not right. Check the time on your phone and try the newest code."))
        return self._render(request, form)


class VerifyView(LoginRequiredMixin, View):
    """The second step of signing in: a code from the enrolled authenticator app."""

    template_name = "registration/two_factor_verify.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": TokenForm(), "next": _next(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TokenForm(request.POST)
        if form.is_valid():
            device = match_token(request.user, form.cleaned_data["otp_token"].strip())
            if device is not None:
                otp_login(request, device)
                request.session[OTP_PENDING] = False
                return redirect(_next(request))
        form.add_error(None, _("That code is not right. Try the newest code from your authenticator app."))
        return render(request, self.template_name, {"form": form, "next": _next(request)}, status=400)


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
