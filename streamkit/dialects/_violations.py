"""The violations a fold keeps: bounded, so a hostile stream cannot grow a fold without end."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Generic, TypeVar

if TYPE_CHECKING:
    from ._events import InvalidEvent

__all__ = ("MAX_WARNINGS", "Violations", "lost")

MAX_WARNINGS: Final = 1_000
"""How many violations an accumulator keeps unless told otherwise."""

_V = TypeVar("_V")


class Violations(Generic[_V]):
    """The violations a fold met: the first ``limit`` kept, the others only counted.

    A hostile stream can break a rule with every event it sends; keeping a
    bounded number makes the fold's memory independent of how many it breaks,
    while the first ones, which usually name the cause, stay readable.
    """

    __slots__ = ("dropped", "kept", "limit")

    def __init__(self, limit: int) -> None:
        if limit < 0:
            raise ValueError(f"max_warnings must be >= 0, got {limit}")
        self.kept: list[_V] = []
        self.dropped = 0
        self.limit = limit

    def add(self, violation: _V) -> None:
        if len(self.kept) < self.limit:
            self.kept.append(violation)
        else:
            self.dropped += 1


def lost(event: InvalidEvent) -> str:
    """What a fold says of an :class:`InvalidEvent` it was fed: a delta it cannot apply."""
    error = event.error
    return f"an event that could not be decoded was lost ({error.message} at {error.path})"
