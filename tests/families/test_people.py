"""A person's age and the day they turn 18, which the transition reminders count from."""

import datetime

from families.models import Person


def test_a_leap_day_child_turns_18_when_their_age_says_so() -> None:
    # given a child born on 29 February
    person = Person(date_of_birth=datetime.date(2008, 2, 29))
    # then, in a year with no 29 February, they turn 18 on 1 March, and their age agrees
    turns = person.eighteenth_birthday()
    assert turns == datetime.date(2026, 3, 1)
    assert person.age(on=turns) == 18 and person.age(on=turns - datetime.timedelta(days=1)) == 17
