"""The library and training records in the API (decision 119); no case data."""

from typing import Any, cast

from django.core.exceptions import ValidationError
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.models import User

from .. import services
from ..models import Resource, TrainingRecord

__all__ = ["LibraryView", "TrainingView"]


class ResourceSerializer(serializers.ModelSerializer[Resource]):
    upload = serializers.FileField(write_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = Resource
        fields = ["id", "title", "kind", "language", "description", "file_name", "upload", "download", "created_at"]
        read_only_fields = ["file_name", "created_at"]

    def get_download(self, resource: Resource) -> str:
        return str(self.context["request"].build_absolute_uri(resource.get_absolute_url()))


class TrainingSerializer(serializers.ModelSerializer[TrainingRecord]):
    class Meta:
        model = TrainingRecord
        fields = ["id", "person", "course", "completed_on", "refresh_due_on", "provider"]
        extra_kwargs = {"person": {"queryset": User.objects.all()}}


def _refused(error: ValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)


class LibraryView(generics.ListCreateAPIView[Resource]):
    """The library, for every member; the coordinator adds to it (multipart, with the file)."""

    serializer_class = ResourceSerializer
    parser_classes = [MultiPartParser]

    queryset = Resource.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema's
            return Resource.objects.none()
        if not services.is_member(self.request.user):
            raise NotFound
        return Resource.objects.all()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not services.may_manage_library(request.user):
            raise NotFound
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        try:
            resource = services.add_resource(actor=cast(User, request.user), **data)
        except ValidationError as error:
            raise _refused(error) from None
        return Response(self.get_serializer(resource).data, status=status.HTTP_201_CREATED)


class TrainingView(generics.ListCreateAPIView[TrainingRecord]):
    """The caller's training and that of the people they record training for."""

    serializer_class = TrainingSerializer
    queryset = TrainingRecord.objects.none()

    def get_queryset(self) -> Any:
        return services.training_visible_to(self.request.user).order_by("pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if not services.people_trained_by(request.user).filter(pk=data["person"].pk).exists():
            raise serializers.ValidationError({"person": ["No such person among those you record training for."]})
        try:
            training = services.record_training(actor=cast(User, request.user), **data)
        except ValidationError as error:
            raise _refused(error) from None
        return Response(self.get_serializer(training).data, status=status.HTTP_201_CREATED)
