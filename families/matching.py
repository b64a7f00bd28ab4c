"""Names written differently by different people: keys that make them meet.

A reporter on a hotline, a teacher and a police officer will spell the same family "Krasniqi",
"Krasnici", "Krasniçi" or "Krasnići". Each name gets a key — accents folded, Albanian digraphs and
their Slavic or English transliterations reduced to one letter, doubled letters collapsed — stored
on the row and indexed, so that matching is an indexed lookup, not a scan of every person.
"""

import unicodedata
from difflib import SequenceMatcher

__all__ = ["fold", "name_key", "similar"]

# Applied in order, after folding: longer spellings first.
_SOUNDS = [
    ("dzh", "j"), ("xh", "j"), ("x", "j"), ("dz", "j"), ("gj", "j"), ("dj", "j"), ("zh", "z"),
    ("sh", "s"), ("ch", "c"), ("dh", "d"), ("th", "t"), ("nj", "n"), ("ll", "l"), ("rr", "r"),
    ("q", "c"), ("y", "i"), ("w", "v"), ("ph", "f"), ("ck", "k"),
]  # fmt: skip
# Letters that folding alone would not reduce (not decomposable accents).
_LETTERS = str.maketrans({"đ": "dj", "ð": "d", "ł": "l", "ß": "ss", "æ": "ae", "ø": "o"})


def fold(text: str) -> str:
    """Lower case, accents removed (ë→e, ç→c, ć→c, š→s), only letters kept."""
    text = text.lower().translate(_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isalpha() and not unicodedata.combining(ch))


def name_key(text: str) -> str:
    """The matching key of a name: "Krasniqi", "Krasnići" and "Krasniçi" all give "krasnici"."""
    key = fold(text)
    for spelling, sound in _SOUNDS:
        key = key.replace(spelling, sound)
    collapsed = [ch for i, ch in enumerate(key) if i == 0 or ch != key[i - 1]]
    return "".join(collapsed)[:100]


def similar(a: str, b: str, threshold: float = 0.85) -> bool:
    """Whether two keys differ by little more than a typing slip."""
    if not a or not b:
        return False
    return a == b or SequenceMatcher(None, a, b).ratio() >= threshold
