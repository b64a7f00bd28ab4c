"""Configuration only: agencies, people, memberships and panels. Case work happens in Ura itself."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import two_factor
from .models import Agency, Membership, Panel, User


class MembershipInline(admin.TabularInline[Membership, User | Agency]):
    model = Membership
    extra = 0
    autocomplete_fields = ["agency"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
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


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin[Agency]):
    list_display = ["name", "sector", "partner_kind"]
    list_filter = ["sector", "partner_kind"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ["user", "agency", "role"]
    list_filter = ["role", "agency"]
    search_fields = ["user__username", "user__last_name", "agency__name"]
    autocomplete_fields = ["user", "agency"]


@admin.register(Panel)
class PanelAdmin(admin.ModelAdmin[Panel]):
    list_display = ["name", "coordinator", "chair", "cadence_days", "record_mode"]
    filter_horizontal = ["agencies"]
    autocomplete_fields = ["coordinator", "chair"]
