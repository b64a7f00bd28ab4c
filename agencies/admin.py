"""Configuration only: agencies, people, memberships and panels. Case work happens in Ura itself."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

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
