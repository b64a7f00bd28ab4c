"""The base of every UI view on case data: restricts the queryset before the view runs."""

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.views.generic.base import ContextMixin
from django.views.generic.detail import SingleObjectMixin
from django.views.generic.edit import FormView

from audit.reads import note_list, note_read

from ..models import User
from .core import Action, RestrictedQuerySet, get_restricted_object

__all__ = ["RestrictedObjectFormView", "RestrictedViewMixin"]


class RestrictedViewMixin(LoginRequiredMixin, ContextMixin):
    """UI views on case data: the queryset is restricted to the user before the view runs.

    Attributes:
        queryset: the model's queryset (unrestricted; restricted per request here).
        action: what the view does with its objects.
        permission_required: a global permission the user's role must hold (403 otherwise).
        audit_action: how a read through this view is recorded (default: by the kind of object;
            a list records the ids it showed, once per request).
    """

    queryset: RestrictedQuerySet
    action: Action = Action.VIEW
    permission_required: str | None = None
    audit_action: str = ""
    request: HttpRequest
    kwargs: dict[str, Any]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.permission_required and not request.user.has_perm(self.permission_required):
            raise PermissionDenied
        self.queryset = self.restricted(self.queryset, request.user, self.action)
        return super().dispatch(request, *args, **kwargs)

    def restricted(self, queryset: RestrictedQuerySet, user: Any, action: Action) -> RestrictedQuerySet:
        """The view's rows for the signed-in user and the view's action (`restrict()`)."""
        return queryset.restrict(user, action)

    def get_queryset(self) -> RestrictedQuerySet:
        return self.queryset

    @property
    def actor(self) -> User:
        """The signed-in user, as the services take them (`dispatch` turned everyone else away)."""
        user = self.request.user
        if not isinstance(user, User):
            raise PermissionDenied
        return user

    def scope(self) -> dict[str, Any]:
        """What the URL says the object hangs off (its case, its meeting), as part of its lookup:
        an object reached through another case's URL is missing (404), never refused (403), for
        the refusal would confirm where it belongs (decision 60)."""
        scope: dict[str, Any] = {}
        if "case_pk" in self.kwargs:
            scope["case_id"] = self.kwargs["case_pk"]
        if "meeting_pk" in self.kwargs:
            scope["meeting_id"] = self.kwargs["meeting_pk"]
        return scope

    def get_object(self, queryset: models.QuerySet[Any] | None = None) -> Any:
        if queryset is None:
            queryset = self.get_queryset()
        lookup = {"pk": self.kwargs["pk"], **self.scope()}
        return get_restricted_object(queryset, self.request.user, self.action, **lookup)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = context.get("object_list")
        if context.get("object") is not None:
            note_read(self.request, context["object"], action=self.audit_action)
        elif rows is not None:
            # The page shown (evaluated once: the template iterates the same cached rows).
            note_list(self.request, rows, case=context.get("case"))
        return context


class RestrictedObjectFormView(RestrictedViewMixin, SingleObjectMixin[Any], FormView[Any]):
    """A form acting on one restricted object through a service: the object is fetched (404/403)
    before the form is shown or read, and a refusal from the service becomes a form error, with
    everything the user typed kept.

    Subclasses set `queryset`, `action`, `form_class`, `template_name` and implement `perform()`.
    """

    queryset: RestrictedQuerySet
    object: Any

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.permission_required and not request.user.has_perm(self.permission_required):
            raise PermissionDenied
        self.queryset = self.queryset.restrict(request.user, self.action)
        self.object = self.get_object()
        if not self.allowed():
            raise PermissionDenied
        # Skip RestrictedViewMixin.dispatch: the queryset is restricted once, above.
        return super(RestrictedViewMixin, self).dispatch(request, *args, **kwargs)

    def allowed(self) -> bool:
        """A further condition on the user, checked once the object is known (403 when it fails)."""
        return True

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            response = self.perform(form)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        return response

    def perform(self, form: Any) -> HttpResponse:
        """Call the service with the form's data and return the response (a redirect)."""
        raise NotImplementedError
