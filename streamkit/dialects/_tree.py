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


class Fragments(list[str]):
    """A string being built by concatenation: its fragments, joined when read.

    Appending costs the size of the fragment.  To keep memory near the size
    of the text, every ``RUN`` fragments appended since the last join are
    joined into one piece (``limit`` is the length at which that happens), so
    each character is copied once more at most before the text is read.
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
        self[start:] = ["".join(self[start:])]
        self.limit = start + 1 + RUN

    def text(self) -> str:
        """The whole string (kept as the one fragment from then on)."""
        if len(self) != 1:
            self[:] = ["".join(self)]
            self.limit = 1 + RUN
        return self[0]


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
