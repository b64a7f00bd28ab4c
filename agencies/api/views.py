"""Sign-in for API clients: a token from a username and password."""

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from django_otp import match_token, user_has_device
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.views import LoginView as KnoxLoginView
from knox.views import LogoutView as KnoxLogoutView
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from ..security import needs_second_factor
from ..two_factor import use_recovery_code

__all__ = ["ObtainTokenView", "RevokeTokenView"]


class TokenRequestSerializer(serializers.Serializer[None]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False, max_length=4096)
    otp_token = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=24,
        help_text=(
            "The code from the user's authenticator app, or one of their recovery codes (each works once); "
            "required once two-factor sign-in applies."
        ),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # axes (first backend) counts the failure and refuses a locked-out username + address.
        request = self.context["request"]
        user = authenticate(request._request, username=attrs["username"], password=attrs["password"])
        if user is None:
            raise serializers.ValidationError(_("Unable to sign in with these credentials."), code="authorization")
        if needs_second_factor(user):
            if not user_has_device(user, confirmed=True):
                raise serializers.ValidationError(
                    _("Turn on two-factor sign-in in the browser first."), code="authorization"
                )
            typed = attrs.get("otp_token", "").strip()
            by_app = match_token(user, typed) if len(typed) <= 8 else None
            if by_app is None and not (len(typed) > 8 and use_recovery_code(user, typed)):
                raise serializers.ValidationError(
                    {"otp_token": [_("A valid code from your authenticator app is required.")]}, code="authorization"
                )
        attrs["user"] = user
        return attrs


class ObtainTokenView(KnoxLoginView):
    """Exchange a username and password for an expiring API token (`Authorization: Token <token>`)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "sign_in"

    @extend_schema(
        request=TokenRequestSerializer,
        responses=inline_serializer(
            "TokenResponse", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()}
        ),
    )
    def post(self, request: Request, format: str | None = None) -> Response:
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        request.user = serializer.validated_data["user"]
        response: Response = super().post(request, format=format)
        return response


class RevokeTokenView(KnoxLogoutView):
    """End the token this request is signed with."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, format: str | None = None) -> Response:
        response: Response = super().post(request, format=format)
        return response
