"""Filters shared by the API's filter sets."""

from django import forms
from django_filters import NumberFilter
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

__all__ = ["IdFilter"]


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(NumberFilter):
    """An object's id: a whole number in the schema and in what is accepted ("1.5" is refused)."""

    field_class = forms.IntegerField
