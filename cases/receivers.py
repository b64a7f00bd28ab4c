"""Keep the case row's copy of its index person's name keys in step (decision 82), whichever path
saved the person: the register's services, the admin, a fixture."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from families.models import Person

from .models import copy_index_keys

# The fields whose change changes the keys.
NAMES = {"given_name", "family_name", "other_names"}


# A signal rather than a call in each service: a person is also corrected in the admin, and a
# stale copy would hide a case from the search (or find it by a name it no longer has).
@receiver(post_save, sender=Person)
def person_saved(sender: type[Person], instance: Person, created: bool, **kwargs: Any) -> None:
    fields = kwargs.get("update_fields")
    if not created and (fields is None or NAMES & set(fields)):
        copy_index_keys(instance)
