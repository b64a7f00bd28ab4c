"""Sign-in for API clients: a token from a username and password."""

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.views import LoginView as KnoxLoginView
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

__all__ = ["ObtainTokenView"]


class TokenRequestSerializer(serializers.Serializer):  # type: ignore[type-arg]
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = authenticate(self.context["request"], username=attrs["username"], password=attrs["password"])
        if user is None:
            raise serializers.ValidationError(_("Unable to sign in with these credentials."), code="authorization")
        attrs["user"] = user
        return attrs


class ObtainTokenView(KnoxLoginView):
    """Exchange a username and password for an expiring API token (`Authorization: Token <token>`)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

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
        return super().post(request, format=format)  # type: ignore[no-any-return]
