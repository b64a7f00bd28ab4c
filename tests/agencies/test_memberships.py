"""A membership puts its person in their agency's group, whichever way it changes (in Ura or in the
admin): the groups are what guardian's shares are granted to."""

import pytest

from agencies.models import Agency, User
from tests.conftest import member

pytestmark = pytest.mark.django_db


def test_a_membership_moved_to_another_person_leaves_the_first_persons_groups(agency: Agency) -> None:
    # given a membership of one person
    first, second = member(agency), User.objects.create_user("second")
    membership = first.memberships.get()
    # when it is given to another person (as the admin does)
    membership.user = second
    membership.save()
    # then the group follows the membership
    assert not first.groups.filter(pk=agency.group_id).exists()
    assert second.groups.filter(pk=agency.group_id).exists()
