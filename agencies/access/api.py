"""The base of every API viewset on case data: restricts the queryset in `initial()`."""

from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions as api_exceptions
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from audit.reads import note_list, note_read

from ..api.errors import shape_error
from ..models import User
from ..people import set_viewer
from .core import Action, RestrictedQuerySet, get_restricted_object

__all__ = ["RestrictedPrimaryKeyRelatedField", "RestrictedViewSet", "exception_handler"]


class RestrictedViewSet(viewsets.GenericViewSet[Any]):
    """API viewsets on case data: the queryset is restricted in `initial()`, per HTTP method.

    `action_access` maps a viewset action (e.g. "share") to an access action when the HTTP method
    alone does not say it; `permission_required` maps access actions to global permissions.
    """

    HTTP_ACTIONS: ClassVar[dict[str, Action]] = {
        "GET": Action.VIEW,
        "HEAD": Action.VIEW,
        "OPTIONS": Action.VIEW,
        "POST": Action.CHANGE,
        "PUT": Action.CHANGE,
        "PATCH": Action.CHANGE,
        "DELETE": Action.CHANGE,
    }
    # Only numbers reach the database: "/cases/abc/" matches no route, a JSON 404 (`agencies.api.errors`),
    # and the schema types ids as integers (the routers use path converters: `ApiRouter`).
    lookup_value_converter = "int"
    action_access: ClassVar[dict[str, Action]] = {}
    permission_required: ClassVar[dict[Action, str]] = {}
    queryset: RestrictedQuerySet
    access: Action

    @property
    def ordering_fields(self) -> list[str]:
        """What `?ordering=` may name: the id, the model's own ordering and its timestamps. Never a
        content field, which could be hidden from the caller: sorting by it would reveal it."""
        model = self.queryset.model
        concrete = {field.name for field in model._meta.concrete_fields}
        named = [name.lstrip("-") for name in model._meta.ordering if isinstance(name, str)]
        wanted = ["id", *named, "created_at", "updated_at"]
        return list(dict.fromkeys(name for name in wanted if name == "id" or name in concrete))

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # A token-signed caller is known only now: names in the answer are shown as they may see them.
        set_viewer(request.user)
        method_access = self.HTTP_ACTIONS.get(request.method or "")
        if method_access is None:
            raise api_exceptions.MethodNotAllowed(request.method or "")
        self.access = self.action_access.get(self.action or "", method_access)
        perm = self.permission_required.get(self.access)
        if perm and not request.user.has_perm(perm):
            raise api_exceptions.PermissionDenied
        self.queryset = self.restricted(self.queryset, request.user, self.access)

    def restricted(self, queryset: RestrictedQuerySet, user: Any, action: Action) -> RestrictedQuerySet:
        """The viewset's rows for this caller and action (`restrict()`)."""
        return queryset.restrict(user, action)

    @property
    def actor(self) -> User:
        """The signed-in user, as the services take them (`IsAuthenticated` turned everyone else away)."""
        user = self.request.user
        if not isinstance(user, User):
            raise api_exceptions.NotAuthenticated
        return user

    def get_object(self) -> Any:
        queryset = self.filter_queryset(self.get_queryset())
        lookup = {"pk": self.kwargs[self.lookup_url_kwarg or self.lookup_field]}
        try:
            obj = get_restricted_object(queryset, self.request.user, self.access, **lookup)
        except PermissionDenied:
            raise api_exceptions.PermissionDenied from None
        except Http404:
            raise api_exceptions.NotFound from None
        self.check_object_permissions(self.request, obj)
        note_read(self.request, obj)
        return obj

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        if page is not None:
            note_list(self.request, page)  # one record per page, with the ids it holds
        return page


class RestrictedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField[Any]):
    """A related-object field whose choices are restricted to the requesting user: an id the user
    may not use is refused exactly like an id that does not exist."""

    def __init__(self, *, action: Action = Action.VIEW, **kwargs: Any) -> None:
        self.access_action = action
        super().__init__(**kwargs)

    def get_queryset(self) -> RestrictedQuerySet:
        queryset = super().get_queryset()
        if not isinstance(queryset, RestrictedQuerySet):
            raise ImproperlyConfigured(f"{type(self).__name__} needs the queryset of a model with an access rule")
        return queryset.restrict(self.context["request"].user, self.access_action)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: a refusal from a service (Django's ValidationError) is a 400, and every
    error has the API's one format (`agencies.api.errors`)."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = api_exceptions.ValidationError(detail=detail)
    response = drf_exception_handler(exc, context)
    if response is not None:
        # One error format (issue 16): `detail` and `code` on every 4xx, the fields of a refused body beside them.
        response.data = shape_error(exc, response.data, response.status_code)
    return response
