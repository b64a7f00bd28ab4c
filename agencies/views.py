"""Browser views of panels, and the interface-language switch."""

from functools import cached_property
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.generic import ListView
from django.views.i18n import set_language as django_set_language
from django_filters.views import FilterView

from cases.filtersets import CaseFilterSet
from cases.models import Case

from .access import Action, RestrictedViewMixin, get_restricted_object
from .models import Panel

__all__ = ["PanelCaseListView", "PanelListView", "set_language"]


class PanelListView(RestrictedViewMixin, ListView):  # type: ignore[type-arg]
    queryset = Panel.objects.select_related("coordinator", "chair").prefetch_related("agencies")
    action = Action.VIEW
    permission_required = "agencies.view_panel"
    template_name = "agencies/panel_list.html"
    context_object_name = "panels"


class PanelCaseFilterSet(CaseFilterSet):
    class Meta(CaseFilterSet.Meta):
        exclude = ["panel"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters.pop("panel", None)


class PanelCaseListView(RestrictedViewMixin, FilterView):
    """A panel's case list: the summary of every case on the panel (step 2 and 6)."""

    queryset = Case.objects.with_summary()
    action = Action.VIEW_SUMMARY
    permission_required = "agencies.view_panel"
    filterset_class = PanelCaseFilterSet
    template_name = "agencies/panel_detail.html"
    context_object_name = "cases"
    paginate_by = 50

    @cached_property
    def panel(self) -> Panel:
        panels = Panel.objects.restrict(self.request.user, Action.VIEW).select_related("coordinator", "chair")
        return get_restricted_object(panels, self.request.user, Action.VIEW, pk=self.kwargs["pk"])  # type: ignore[no-any-return]

    def get_queryset(self) -> Any:
        return self.queryset.filter(panel=self.panel).annotate_access(self.request.user)  # type: ignore[attr-defined]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "panel": self.panel}


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a signed-in user keeps the choice on every device."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.language = language  # type: ignore[union-attr]
        request.user.save(update_fields=["language"])  # type: ignore[union-attr]
    return response
