"""The fold's shared tree nodes: `Fragments` keeps text exactly, in compact pieces."""

from __future__ import annotations

import sys

from hypothesis import given, strategies as st

from streamkit.dialects._builders import RUN, ByIndex, Fragments, materialize

# Text from every width CPython stores a string at: ASCII, Latin-1, the BMP, astral.
_pieces = st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=6), max_size=3 * RUN)


def _grow(pieces: list[str]) -> Fragments:
    fragments = Fragments([])
    for piece in pieces:
        fragments.add(piece)
    return fragments


@given(_pieces)
def test_text_is_the_concatenation(pieces: list[str]) -> None:
    fragments = _grow(pieces)
    assert fragments.text() == "".join(pieces)
    assert fragments.text() == "".join(pieces)  # reading twice changes nothing


@given(_pieces, st.text(max_size=4))
def test_equals_agrees_with_the_joined_text(pieces: list[str], edit: str) -> None:
    fragments = _grow(pieces)
    whole = "".join(pieces)
    assert fragments.equals(whole)
    other = whole + edit if edit else whole[:-1]
    assert fragments.equals(other) == (other == whole)


@given(_pieces, st.text(max_size=6))
def test_adding_after_reading_continues_the_text(pieces: list[str], more: str) -> None:
    fragments = _grow(pieces)
    fragments.text()
    fragments.add(more)
    assert fragments.text() == "".join(pieces) + more


def test_a_text_read_is_kept_for_the_next_read() -> None:
    # A snapshot per delta reads the text again and again: once joined, it is
    # one piece, so the next read after a few more fragments copies it once.
    fragments = _grow(["é"] * (3 * RUN))
    text = fragments.text()
    assert fragments.text() is text
    assert list(fragments) == [text]
    fragments.add("!")
    assert fragments.text() == text + "!"
    assert len(fragments) == 1


def test_compaction_keeps_the_list_short() -> None:
    fragments = _grow(["x"] * (10 * RUN + 3))
    assert len(fragments) < 2 * RUN
    assert fragments.text() == "x" * (10 * RUN + 3)


def test_text_beyond_latin1_is_kept_as_utf8() -> None:
    # Stored as ``str`` this text would take 4 bytes a character (PEP 393);
    # compacted pieces keep it as UTF-8 instead, so memory follows the JSON.
    fragments = _grow(["some ", "words ", "🙂"] * (64 * RUN))
    kept = sum(sys.getsizeof(piece) for piece in fragments)
    text = fragments.text()
    assert text == "some words 🙂" * (64 * RUN)
    assert kept < 0.4 * sys.getsizeof(text)
    assert kept < 1.1 * len(text.encode())


def test_ascii_text_stays_str() -> None:
    fragments = _grow(["ab"] * (2 * RUN))
    assert all(type(piece) is str for piece in fragments)


def test_equals_does_not_join() -> None:
    fragments = Fragments(["ab", "c", "d"])
    assert fragments.equals("abcd")
    assert not fragments.equals("abc")
    assert not fragments.equals("abcde")
    assert not fragments.equals("abce")
    assert list(fragments) == ["ab", "c", "d"]


def test_materialize_joins_and_lists_in_index_order() -> None:
    tree = {"a": Fragments(["x", "y"]), "b": ByIndex({2: "c", 0: {"v": Fragments(["z"])}})}
    assert materialize(tree) == {"a": "xy", "b": [{"v": "z"}, "c"]}
