"""Compact representations of agencies, panels and users, nested in case data."""

from rest_framework import serializers

from ..models import Agency, Panel, User
from ..people import current_viewer, display_name

__all__ = ["AgencyRefSerializer", "PanelRefSerializer", "UserRefSerializer"]


class AgencyRefSerializer(serializers.ModelSerializer[Agency]):
    class Meta:
        model = Agency
        fields = ["id", "name", "sector"]


class PanelRefSerializer(serializers.ModelSerializer[Panel]):
    class Meta:
        model = Panel
        fields = ["id", "name"]


class UserRefSerializer(serializers.ModelSerializer[User]):
    name = serializers.CharField(source="__str__", read_only=True)
    username = serializers.SerializerMethodField()

    def get_username(self, user: User) -> str:
        """The username only to those who see the full name: usernames are often made of names
        (decision 40); blank otherwise."""
        return user.username if display_name(user, current_viewer()) == user.full_name else ""

    class Meta:
        model = User
        fields = ["id", "username", "name"]
