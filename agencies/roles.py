"""What each membership role may do in general (the global permissions that gate endpoints).

Which rows a user may touch is decided by `agencies.access`; this table only says which kinds of
action a role performs at all. Each role has a group named `role:<role>`, kept in step with this
table after every migration, and users are put in the groups of the roles they hold.
"""

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from .models import Membership, User

__all__ = ["ROLE_PERMISSIONS", "role_group_name", "sync_role_groups", "sync_user_groups"]

Role = Membership.Role

_CASEWORK = {
    "cases.view_case",
    "cases.view_case_summary",
    "cases.change_case",
    "cases.manage_case",
    "cases.add_disclosurecheck",
    "referrals.view_referral",
    "referrals.add_referral",
    "referrals.change_referral",
    "panels.view_panelmeeting",  # meetings they attended (a case owner invited to the table)
    "agencies.view_expert",  # the register of experts they may consult (decision 123)
}
_PANEL = {
    "cases.view_case_summary",
    "agencies.view_panel",
    "panels.view_panelmeeting",
    "referrals.view_referral",
    "agencies.view_expert",
    "agencies.view_dutyshift",
}
# The partnership's structure, kept by the coordinator (decisions 121-124).
_STRUCTURE = {
    "agencies.view_networkorganisation",
    "agencies.add_networkorganisation",
    "agencies.add_dutyshift",
    "agencies.add_expert",
    "agencies.change_expert",
}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.PRACTITIONER: _CASEWORK,
    # A supervisor may break the glass into a case beyond their reach (decision 35), and merges two
    # records of one person in a family register (decision 68).
    Role.SUPERVISOR: _CASEWORK | {"agencies.view_user", "audit.add_breakglassaccess", "families.merge_person"},
    Role.POLICE_LIAISON: _CASEWORK,
    Role.COORDINATOR: _PANEL
    | {"cases.manage_case", "agencies.change_panel", "panels.add_panelmeeting", "agencies.view_user"}
    | {"referrals.change_referral"}
    | _STRUCTURE,
    Role.PANEL_MEMBER: _PANEL,
    Role.AGENCY_ADMIN: {
        "agencies.view_membership",
        "agencies.view_user",
        "agencies.view_expert",
        "agencies.add_expert",
        "agencies.change_expert",
    },
    # The audit trail and the data subjects' requests (issue #6); no case file through the agency.
    Role.DATA_PROTECTION_OFFICER: {
        "audit.view_auditevent",
        "agencies.view_user",
        "audit.view_subjectaccessrequest",
        "audit.view_retentionreview",
    },
}


def role_group_name(role: str) -> str:
    return f"role:{role}"


def sync_role_groups(**_: Any) -> None:
    """Create the role groups and give each exactly the permissions of the table above."""
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role_group_name(role))
        wanted = Q()
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(wanted))


def sync_user_groups(user: User) -> None:
    """Put `user` in exactly the agency and role groups their memberships call for.

    Groups that Ura does not manage (made by hand in the admin) are left as they are.
    """
    memberships = list(Membership.objects.filter(user=user).select_related("agency"))
    wanted = {m.agency.group_id for m in memberships if m.role not in Membership.NO_CASE_ROLES}
    role_names = {role_group_name(m.role) for m in memberships}
    wanted |= set(Group.objects.filter(name__in=role_names).values_list("pk", flat=True))
    managed = Q(agency__isnull=False) | Q(name__startswith="role:")
    keep = set(user.groups.exclude(managed).values_list("pk", flat=True))
    user.groups.set(keep | wanted)
