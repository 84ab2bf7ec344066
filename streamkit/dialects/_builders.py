"""What every dialect's fold builds with: strings grown by appending, lists merged by index.

A fold keeps an object being streamed as JSON builtins, into which deltas
are merged.  Two kinds of node make merging cost the size of the delta,
never the size of what was folded before: :class:`Fragments`, a string
built by concatenation, and :class:`ByIndex`, a list whose items are merged
by their ``index``.  :func:`materialize` turns such a tree back into plain
builtins, ready for ``msgspec.convert``, at the cost of its size.
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ("RUN", "ByIndex", "Fragments", "materialize")

RUN: Final = 256
"""How many fragments of a string are kept before the newest are joined into one."""


class Fragments(list[str | bytes]):
    """A string being built by concatenation: its pieces, joined when read.

    Appending costs the size of the fragment.  Every ``RUN`` fragments
    appended since the last join are joined into one piece (``limit`` is the
    length at which that happens), so each character is copied a bounded
    number of times before the text is read.  A joined piece wider than
    ASCII is kept as its UTF-8 encoding: CPython would store it at 2 or 4
    bytes a character (PEP 393), by its widest one, where UTF-8 takes about
    what the JSON did.  Only the ``RUN`` newest fragments are ``str``
    objects of their own, until :meth:`text` joins them all into one.
    """

    __slots__ = ("limit",)

    def __init__(self, fragments: list[str]) -> None:
        super().__init__(fragments)
        self.limit = RUN

    def add(self, fragment: str) -> None:
        self.append(fragment)
        if len(self) >= self.limit:
            self.compact()

    def compact(self) -> None:
        """Join the fragments appended since the last join into one piece."""
        start = self.limit - RUN
        joined = "".join(self[start:])  # type: ignore[arg-type]  # only str after start
        self[start:] = [joined if joined.isascii() else joined.encode()]
        self.limit = start + 1 + RUN

    def text(self) -> str:
        """The whole string, kept from then on as the one piece.

        A string read once is usually read again as it grows (a snapshot per
        delta), and the next read then copies it once more rather than
        decoding every piece again.
        """
        if len(self) == 1 and type(first := self[0]) is str:
            return first
        text = "".join([piece if isinstance(piece, str) else piece.decode() for piece in self])
        self[:] = [text]
        self.limit = 1 + RUN
        return text

    def equals(self, text: str) -> bool:
        """Whether the string is *text*, compared piece by piece without joining."""
        pos = 0
        for piece in self:
            if not isinstance(piece, str):
                piece = piece.decode()
            if not text.startswith(piece, pos):
                return False
            pos += len(piece)
        return pos == len(text)


class ByIndex(dict[int, Any]):
    """A list being merged by ``index``: items by index, listed in index order when read."""

    __slots__ = ()


def materialize(node: Any) -> Any:
    """The JSON builtins of a tree, with fragments joined and indexed items listed."""
    kind = type(node)
    if kind is dict:
        return {key: materialize(value) for key, value in node.items()}
    if kind is Fragments:
        return node.text()
    if kind is ByIndex:
        return [materialize(node[index]) for index in sorted(node)]
    if kind is list:
        return [materialize(item) for item in node]
    return node
