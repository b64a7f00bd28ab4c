"""The arithmetic of secondary suppression (decision 138): which cells are hidden so that no count
under 5, printed or not, follows from the cells shown."""

from stats.disclosure import Relation, bounds, determined, protect


def _protect(values: dict[str, int], relations: list[Relation], unpublished: set[str] = frozenset()) -> set[str]:  # type: ignore[assignment]
    sensitive = {key for key, value in values.items() if 0 < value < 5}
    published = set(values) - unpublished
    return protect(
        values, relations, published=published, sensitive=sensitive, withheld=sensitive & published, order=str
    )


def _open(
    values: dict[str, int], relations: list[Relation], hidden: set[str], unpublished: set[str] = frozenset()
) -> set[str]:  # type: ignore[assignment]
    """The cells under 5 that still follow from what is shown."""
    small = {key for key, value in values.items() if 0 < value < 5}
    return small & set(determined(relations, small | hidden | set(unpublished), order=str))


def test_one_part_under_five_beside_its_total_hides_the_smallest_other_part_but_a_zero() -> None:
    # not the zero: were the 3 a 1, a zero hidden with it would leave 20 - 19 = 1 for two cells that
    # cannot be negative, which gives both back
    values = {"total": 20, "a": 3, "b": 0, "c": 7, "d": 10}
    relations = [Relation("total", ("a", "b", "c", "d"))]
    assert _protect(values, relations) == {"c"}


def test_two_parts_under_five_hide_each_other() -> None:
    values = {"total": 20, "a": 3, "b": 2, "c": 5, "d": 10}
    assert _protect(values, [Relation("total", ("a", "b", "c", "d"))]) == set()


def test_nothing_is_hidden_where_nothing_is_small() -> None:
    assert _protect({"total": 20, "a": 10, "b": 10}, [Relation("total", ("a", "b"))]) == set()


def test_a_total_under_five_gives_away_nothing_its_parts_do_not() -> None:
    assert _protect({"total": 3, "a": 3, "b": 0}, [Relation("total", ("a", "b"))]) == set()


def test_a_complement_printed_nowhere_is_protected_too() -> None:
    # first contact made 7, on time 5: the 2 made late follow by subtraction, though never printed
    values = {"made": 7, "on_time": 5, "late": 2}
    relations = [Relation("made", ("on_time", "late"))]
    hidden = _protect(values, relations, unpublished={"late"})
    assert hidden == {"on_time"}
    assert _open(values, relations, hidden, unpublished={"late"}) == set()


def test_a_cell_worked_out_through_another_table_is_hidden_there_too() -> None:
    # a two-by-two table with its row, column and grand totals: hiding one more cell of the small
    # cell's row is not enough, its column gives it back; the whole rectangle goes
    values = {"a": 3, "b": 10, "c": 12, "d": 20, "row1": 13, "row2": 32, "col1": 15, "col2": 30, "all": 45}
    relations = [
        Relation("row1", ("a", "b")),
        Relation("row2", ("c", "d")),
        Relation("col1", ("a", "c")),
        Relation("col2", ("b", "d")),
        Relation("all", ("row1", "row2")),
        Relation("all", ("col1", "col2")),
    ]
    hidden = _protect(values, relations)
    assert hidden == {"b", "c", "d"}
    assert _open(values, relations, hidden) == set()


def test_a_chain_of_differences_counts_as_much_as_one() -> None:
    # a = x - y and x = total - z, x printed nowhere: no single relation gives a back, the two do
    values = {"total": 30, "z": 10, "x": 20, "y": 17, "a": 3}
    relations = [Relation("x", ("y", "a")), Relation("total", ("x", "z"))]
    fixed = determined(relations, {"a", "x"}, order=str)
    assert fixed == {"a": frozenset({"total", "z", "y"}), "x": frozenset({"total", "z"})}
    hidden = _protect(values, relations, unpublished={"x"})
    assert hidden == {"z"}
    assert _open(values, relations, hidden, unpublished={"x"}) == set()


def test_a_total_of_eight_beside_two_parts_under_five_gives_both_away_so_it_is_hidden() -> None:
    # 8 cases opened in a quarter, 4 still open, 4 closed: "<5" is at most 4, so 8 = 4 + 4
    values = {"total": 8, "a": 4, "b": 4}
    relations = [Relation("total", ("a", "b"))]
    assert determined(relations, {"a", "b"}, order=str) == {}  # no subtraction gives them back
    assert bounds(relations, {"total": 8}, {"a": (1, 4), "b": (1, 4)}) == {"total": (8, 8), "a": (4, 4), "b": (4, 4)}
    assert _protect(values, relations) == {"total"}


def test_a_shown_total_of_two_beside_two_parts_under_five_gives_both_away_so_it_is_hidden() -> None:
    # a total not itself withheld (it is not a count of 1 to 4 cases): 2 = 1 + 1, as "<5" is at least 1
    values = {"total": 2, "a": 1, "b": 1}
    relations = [Relation("total", ("a", "b"))]
    hidden = protect(values, relations, published=set(values), sensitive={"a", "b"}, withheld={"a", "b"}, order=str)
    assert hidden == {"total"}


def test_parts_under_five_that_may_still_be_two_values_are_not_hidden_more() -> None:
    # 7 = 3 + 4: either part could be 3 or 4; 20 = 3 + 2 + 15: each "<5" could be 1 to 4
    assert _protect({"total": 7, "a": 3, "b": 4}, [Relation("total", ("a", "b"))]) == set()
    assert _protect({"total": 20, "a": 3, "b": 2, "c": 15}, [Relation("total", ("a", "b", "c"))]) == set()


def test_a_hidden_cell_is_known_to_be_five_or_more_so_its_total_goes_too() -> None:
    # 6 = 1 + 5: hiding the 5 is not enough, as a hidden cell is no "<5" and no zero: 6 = 1 + 5 again
    values = {"total": 6, "a": 1, "b": 5}
    assert _protect(values, [Relation("total", ("a", "b"))]) == {"b", "total"}


def test_a_cell_under_five_by_what_lies_behind_it_is_not_taken_for_at_most_four() -> None:
    # six goals of one case, "<5" by the case: 8 = 6 + 2 gives nothing away, though were both at
    # most 4 they would be 4 and 4, and the total hidden for nothing
    values = {"total": 8, "goals": 6, "other": 2}
    relations = [Relation("total", ("goals", "other"))]
    kept = {"goals", "other"}
    hidden = protect(values, relations, published=set(values), sensitive=kept, withheld=kept, uncapped={"goals"})
    assert hidden == set()
