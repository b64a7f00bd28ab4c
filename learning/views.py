"""The library and training pages (decision 119): no case data, so not on the restricted bases
(`VIEW_EXEMPTIONS`); who may do what is `learning.services`'s answer, 404 for anyone else."""

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from agencies.forms import model_choice_field
from agencies.models import User

from . import services
from .models import Resource, TrainingRecord

__all__ = [
    "LibraryView",
    "ResourceAddView",
    "ResourceDownloadView",
    "ResourceRemoveView",
    "TrainingAddView",
    "TrainingView",
]


class ResourceForm(forms.ModelForm[Resource]):
    upload = forms.FileField(
        label=gettext_lazy("File"), help_text=gettext_lazy("PDF, images, text and office documents.")
    )

    class Meta:
        model = Resource
        fields = ["title", "kind", "language", "description"]


class TrainingForm(forms.ModelForm[TrainingRecord]):
    class Meta:
        model = TrainingRecord
        fields = ["person", "course", "completed_on", "refresh_due_on", "provider"]
        widgets = {
            "completed_on": forms.DateInput(attrs={"type": "date"}),
            "refresh_due_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "person").queryset = services.people_trained_by(actor).order_by(
            "last_name", "first_name"
        )


class _MemberView(LoginRequiredMixin, View):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not services.is_member(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class LibraryView(_MemberView):
    """Awareness material, guidance and assessment manuals, for every member."""

    def get(self, request: HttpRequest) -> HttpResponse:
        resources = Resource.objects.all()
        language = request.GET.get("language", "")
        if language:
            resources = resources.filter(language=language)
        context = {
            "resources": resources,
            "may_manage": services.may_manage_library(request.user),
            "language": language,
        }
        return render(request, "learning/library.html", context)


class ResourceDownloadView(_MemberView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        resource = get_object_or_404(Resource, pk=pk)
        response = FileResponse(
            resource.file.open("rb"),
            as_attachment=True,
            filename=resource.file_name,
            content_type=resource.content_type,
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


class _ManagerView(LoginRequiredMixin, View):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not services.may_manage_library(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ResourceAddView(_ManagerView):
    template_name = "learning/resource_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": ResourceForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ResourceForm(request.POST, request.FILES)
        if form.is_valid():
            data = {key: form.cleaned_data[key] for key in ("title", "kind", "language", "description")}
            try:
                services.add_resource(actor=cast(User, request.user), upload=form.cleaned_data["upload"], **data)
            except ValidationError as error:
                form.add_error("upload", error)
            else:
                messages.success(request, _("The resource is in the library."))
                return redirect("learning:library")
        return render(request, self.template_name, {"form": form}, status=400)


class ResourceRemoveView(_ManagerView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        services.remove_resource(get_object_or_404(Resource, pk=pk), actor=cast(User, request.user))
        messages.success(request, _("The resource was removed from the library."))
        return redirect("learning:library")


class TrainingView(LoginRequiredMixin, View):
    """One's own training, and that of the people one records training for."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = cast(User, request.user)
        context = {
            "records": services.training_visible_to(user).order_by("person__last_name", "-completed_on"),
            "may_record": services.people_trained_by(user).exists(),
        }
        return render(request, "learning/training.html", context)


class TrainingAddView(LoginRequiredMixin, View):
    template_name = "learning/training_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not services.people_trained_by(request.user).exists():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": TrainingForm(actor=cast(User, request.user))})

    def post(self, request: HttpRequest) -> HttpResponse:
        actor = cast(User, request.user)
        form = TrainingForm(request.POST, actor=actor)
        if form.is_valid():
            try:
                services.record_training(actor=actor, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The training is recorded."))
                return redirect("learning:training")
        return render(request, self.template_name, {"form": form}, status=400)
