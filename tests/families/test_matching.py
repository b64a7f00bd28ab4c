"""Name keys: the same family written by different people meets; different families do not."""

import pytest

from families.matching import fold, name_key, similar


@pytest.mark.parametrize(
    ("spellings"),
    [
        ["Krasniqi", "Krasnici", "Krasniçi", "Krasnići", "KRASNIQI"],
        ["Hoxha", "Hodža", "Hoxa"],
        ["Gjergj", "Đerđ", "Djerdj"],
        ["Shala", "Šala"],
        ["Berisha", "Beriša"],
        ["Çela", "Cela", "Qela"],
        ["Llazi", "Lazi"],
        ["Ylli", "Illi"],
        ["Dervishi", "Derviši"],
    ],
)
def test_spellings_of_one_name_share_a_key(spellings: list[str]) -> None:
    assert len({name_key(name) for name in spellings}) == 1


@pytest.mark.parametrize(("a", "b"), [("Berisha", "Gashi"), ("Shala", "Sula"), ("Krasniqi", "Kastrati")])
def test_different_names_keep_different_keys(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


def test_fold_keeps_letters_only() -> None:
    assert fold(" Ë-ç'ë 2 ") == "ece"


def test_one_slip_is_similar_and_a_different_name_is_not() -> None:
    assert similar(name_key("Krasniqi"), name_key("Krasnqi"))
    assert not similar(name_key("Berisha"), name_key("Gashi"))
    assert not similar("", "")
