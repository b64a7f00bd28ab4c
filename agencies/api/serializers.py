"""Compact representations of agencies, panels and users, nested in case data."""

from rest_framework import serializers

from ..models import Agency, Panel, User

__all__ = ["AgencyRefSerializer", "PanelRefSerializer", "UserRefSerializer"]


class AgencyRefSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Agency
        fields = ["id", "name", "sector"]


class PanelRefSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Panel
        fields = ["id", "name"]


class UserRefSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name"]
