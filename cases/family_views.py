"""The family register in the browser (decision 66): the household at a glance, one member with
their history, and adding, changing, removing and merging members. Thin: fetch through
`restrict()`, call one service, redirect."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import DetailView

from agencies.access import Action, CaseAccess, RestrictedObjectFormView, RestrictedViewMixin, get_restricted_object
from families.models import MemberChange, Person, Relation, Whereabouts
from families.search import known_people

from . import services
from .family_forms import MemberForm, MergeForm, RemoveMemberForm
from .household import household
from .models import Case

__all__ = [
    "FamilyView",
    "MemberAddView",
    "MemberEditView",
    "MemberMergeView",
    "MemberRemoveView",
    "MemberView",
]


def family_url(case: Case) -> str:
    return reverse("cases:family", args=[case.pk])


class FamilyView(RestrictedViewMixin, DetailView[Case]):
    """The household at a glance: every member, their ages and flags, and the key worker. Read with
    the full file; a summary reader is refused (403), anyone else does not find it (404)."""

    queryset = Case.objects.select_related("family", "owner", "owning_agency", "key_worker_person")
    action = Action.VIEW
    permission_required = "cases.view_case"
    template_name = "cases/family/household.html"
    context_object_name = "case"

    def get_queryset(self) -> Any:
        return self.queryset.with_access(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        members, former = household(self.object, self.request.user)
        context |= {"access": CaseAccess.of(self.object, self.request.user), "members": members, "former": former}
        return context


class MemberView(FamilyView):
    """One member: their particulars, relations, whereabouts over time and history (the previous
    values of every change), for the family's full readers."""

    template_name = "cases/family/member.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, case = self.request.user, self.object
        person = get_restricted_object(
            Person.objects.restrict(user, Action.VIEW).filter(family_id=case.family_id).select_related("merged_into"),
            user,
            Action.VIEW,
            pk=self.kwargs["person"],
            family_id=case.family_id,  # through another case's URL: missing (404), not refused
        )
        relations = Relation.objects.restrict(user, Action.VIEW).filter(family_id=case.family_id)
        context |= {
            "person": person,
            "member": next((m for m in context["members"] if m.person.pk == person.pk), None),
            "related_to": relations.filter(other=person).select_related("person", "other"),
            "relations": relations.filter(person=person).select_related("person", "other"),
            "whereabouts": Whereabouts.objects.restrict(user, Action.VIEW).filter(person=person),
            "changes": MemberChange.objects.restrict(user, Action.VIEW).filter(person=person).select_related("actor"),
            "may_merge": user.has_perm("families.merge_person"),
        }
        return context


class _MemberFormView(RestrictedObjectFormView):
    """A change to the register: by who changes the case and writes in its file."""

    queryset = Case.objects.select_related("family")
    action = Action.CHANGE
    permission_required = "cases.change_case"
    template_name = "cases/family/member_form.html"
    person: Person | None = None

    def page_title(self) -> str:
        return ""

    def get_queryset(self) -> Any:
        return self.queryset.with_access(self.request.user)

    def get_object(self, queryset: Any = None) -> Any:
        case = super().get_object(queryset)
        if "person" in self.kwargs:
            user = self.request.user
            members = Person.objects.restrict(user, Action.CHANGE).current().filter(family_id=case.family_id)
            self.person = get_restricted_object(
                members, user, Action.CHANGE, pk=self.kwargs["person"], family_id=case.family_id
            )
        return case

    def allowed(self) -> bool:
        return CaseAccess.of(self.object, self.request.user).writes

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "case": self.object, "user": self.actor}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "case": self.object,
            "person": self.person,
            "title": self.page_title(),
        }

    def done(self, message: str) -> HttpResponse:
        messages.success(self.request, message)
        return HttpResponseRedirect(family_url(self.object))


class MemberAddView(_MemberFormView):
    """Add a member. People already known whose names meet these (across spellings, among the
    registers the user reads) are offered first; "add as a new member" goes on."""

    form_class = MemberForm

    def page_title(self) -> str:
        return _("Add a family member")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": Person(family=self.object.family)}

    def perform(self, form: MemberForm) -> HttpResponse:
        data = form.cleaned_data
        if not self.request.POST.get("confirm_new"):
            known = known_people(
                self.request.user,
                given_name=data.get("given_name", ""),
                family_name=data.get("family_name", ""),
                date_of_birth=data.get("date_of_birth"),
            )
            if known:
                context = self.get_context_data(form=form, known=known)
                return self.render_to_response(context)
        person = services.add_member(
            self.object,
            actor=self.actor,
            relation_kind=data.get("relation_kind", ""),
            relation_to=data.get("relation_to"),
            **form.particulars(),
        )
        return self.done(_("%(person)s is now in the family's register.") % {"person": person})


class MemberEditView(_MemberFormView):
    form_class = MemberForm

    def page_title(self) -> str:
        return _("Change %(person)s") % {"person": self.person}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.person}

    def perform(self, form: MemberForm) -> HttpResponse:
        if self.person is None:
            raise PermissionDenied
        data = form.cleaned_data
        person = services.change_member(
            self.object,
            self.person,
            actor=self.actor,
            relation_kind=data.get("relation_kind", ""),
            relation_to=data.get("relation_to"),
            **form.particulars(),
        )
        return self.done(_("The changes to %(person)s are saved.") % {"person": person})


class MemberRemoveView(_MemberFormView):
    form_class = RemoveMemberForm
    template_name = "cases/family/member_remove.html"

    def page_title(self) -> str:
        return _("Remove %(person)s from the family") % {"person": self.person}

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        return {key: value for key, value in kwargs.items() if key not in ("case", "user")}

    def perform(self, form: RemoveMemberForm) -> HttpResponse:
        if self.person is None:
            raise PermissionDenied
        services.remove_member(self.object, self.person, reason=form.cleaned_data["reason"], actor=self.actor)
        return self.done(_("%(person)s is removed from the register; what names them stays.") % {"person": self.person})


class MemberMergeView(_MemberFormView):
    """A supervisor merges another record of the same person into this one."""

    form_class = MergeForm
    permission_required = "families.merge_person"
    template_name = "cases/family/member_merge.html"

    def page_title(self) -> str:
        return _("Merge another record into %(person)s") % {"person": self.person}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "person": self.person}

    def perform(self, form: MergeForm) -> HttpResponse:
        if self.person is None:
            raise PermissionDenied
        data = form.cleaned_data
        try:
            kept = services.merge_members(
                self.object, self.person, data["other"], reason=data["reason"], actor=self.actor
            )
        except PermissionDenied:
            raise ValidationError(_("Only a supervisor merges records.")) from None
        return self.done(_("The two records are one: %(person)s.") % {"person": kept})
