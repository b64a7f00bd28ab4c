"""Configuration only: agencies, people, memberships and panels. Case work happens in Ura itself.

Every change made here goes to the audit trail (`admin_changed`, recorded by the audit app, which
also tells the data protection officers of a membership change), and nobody gives themself a
membership or a role: another administrator must (decision 80).
"""

from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import two_factor
from .addresses import client_ip
from .models import Agency, Membership, Panel, User
from .signals import admin_changed

SELF_GRANT = gettext_lazy("You may not give yourself a membership or a role: another administrator must.")


def _changed_fields(form: forms.BaseForm) -> list[str]:
    return sorted(form.changed_data)


def _announce(request: HttpRequest, obj: models.Model, change: str, fields: list[str]) -> None:
    admin_changed.send(
        sender=type(obj), actor=request.user, obj=obj, change=change, fields=fields, ip_address=client_ip(request)
    )


M = TypeVar("M", bound=models.Model)


class AuditedAdmin(admin.ModelAdmin[M]):
    """Sends `admin_changed` for each save and delete, and for each inline row saved or removed."""

    def save_model(self, request: HttpRequest, obj: M, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _announce(request, obj, "changed" if change else "added", _changed_fields(form))

    def delete_model(self, request: HttpRequest, obj: M) -> None:
        _announce(request, obj, "deleted", [])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            _announce(request, obj, "deleted", [])
        super().delete_queryset(request, queryset)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            _announce(request, obj, "added", [])
        for obj, fields in formset.changed_objects:
            _announce(request, obj, "changed", sorted(fields))
        for obj in formset.deleted_objects:
            _announce(request, obj, "deleted", [])


def _refuse_self_grant(user: Any, request: HttpRequest) -> None:
    if user is not None and user.pk == request.user.pk:
        raise ValidationError(SELF_GRANT)


class MembershipInlineFormSet(BaseInlineFormSet[Membership, Any, Any]):
    request: HttpRequest

    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            if not form.has_changed() or not hasattr(form, "cleaned_data"):
                continue
            # On a person's page the rows are theirs; on an agency's, each row names its person.
            user = self.instance if isinstance(self.instance, User) else form.cleaned_data.get("user")
            _refuse_self_grant(user, self.request)


class MembershipAdminForm(forms.ModelForm[Membership]):
    request: HttpRequest

    class Meta:
        model = Membership
        fields = ["user", "agency", "role"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _refuse_self_grant(cleaned.get("user"), self.request)
        return cleaned


class MembershipInline(admin.TabularInline[Membership, User | Agency]):
    model = Membership
    extra = 0
    autocomplete_fields = ["agency"]
    formset = MembershipInlineFormSet

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        # a class made for this request by inlineformset_factory: its forms refuse a self-grant
        return type(formset.__name__, (formset,), {"request": request})


@admin.register(User)
class UserAdmin(AuditedAdmin[User], DjangoUserAdmin[User]):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "last_login"]
    fieldsets = (*(DjangoUserAdmin.fieldsets or ()), ("Ura", {"fields": ["language"]}))
    actions = ["issue_enrolment_code"]

    @admin.action(description=gettext_lazy("Issue a two-factor enrolment code"))
    def issue_enrolment_code(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """One code per chosen person, shown once in the message (audited, single use, expiring)."""
        issuer = request.user
        if not isinstance(issuer, User):  # the admin is for signed-in staff only
            return
        for person in queryset:
            if not two_factor.may_issue_for(issuer, person):
                messages.error(request, _("You may not issue a code for %(person)s.") % {"person": person.username})
                continue
            code = two_factor.issue_enrolment_code(person, actor=issuer)
            message = _("Enrolment code for %(person)s (works once, for %(hours)s hours): %(code)s")
            hours = settings.URA_ENROLMENT_CODE_HOURS
            messages.warning(request, message % {"person": person.username, "hours": hours, "code": code})

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and obj.pk == request.user.pk:
            # Nor a group or a permission of one's own: those are roles too.
            for name in ("groups", "user_permissions", "is_superuser", "is_staff"):
                if name in form.base_fields:
                    form.base_fields[name].disabled = True
        return form


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin[Agency]):
    list_display = ["name", "sector", "partner_kind"]
    list_filter = ["sector", "partner_kind"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin[Membership]):
    list_display = ["user", "agency", "role"]
    list_filter = ["role", "agency"]
    search_fields = ["user__username", "user__last_name", "agency__name"]
    autocomplete_fields = ["user", "agency"]

    form = MembershipAdminForm

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        # a subclass for this request only: its clean() knows who is asking
        return type(form.__name__, (form,), {"request": request})


class PanelAdminForm(forms.ModelForm[Panel]):
    """A panel's coordinator, chair and single point of contact are roles too: nobody names
    themself to one (an administrator already named may still edit the rest of the panel)."""

    request: HttpRequest

    class Meta:
        model = Panel
        fields = ["coordinator", "chair", "single_point_of_contact"]  # the admin adds the rest

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("coordinator", "chair", "single_point_of_contact"):
            if name in self.changed_data:
                try:
                    _refuse_self_grant(cleaned.get(name), self.request)
                except ValidationError as error:
                    self.add_error(name, error)
        return cleaned


@admin.register(Panel)
class PanelAdmin(AuditedAdmin[Panel]):
    list_display = ["name", "coordinator", "chair", "cadence_days", "record_mode"]
    filter_horizontal = ["agencies"]
    autocomplete_fields = ["coordinator", "chair"]
    form = PanelAdminForm

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        # a subclass for this request only: its clean() knows who is asking
        return type(form.__name__, (form,), {"request": request})
