"""When a stream's events arrived: time to first event, to first content, gaps, pace."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ._deltas import _Reader

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ("Timing",)


class Timing:
    """Tell it when each event arrived (:meth:`mark`); it reports the stream's timing.

    Times are seconds since ``start`` (by default, when the ``Timing`` was
    made), on ``clock`` (the monotonic clock by default).  A replay passes
    each event's recorded time as ``at`` (with ``start=0.0``), so that a
    recording reports the timing it was recorded with.

    - ``first_event``: when the first event arrived;
    - ``first_content``: when the first delta of content arrived (answer
      text, refusal, reasoning or tool arguments) — what a user waits for,
      not the first byte;
    - ``last_event``: when the latest event arrived;
    - ``longest_gap``: the longest wait between two consecutive events;
    - ``events`` and ``content_deltas``: how many of each were marked;
    - ``content_rate``: content deltas per second from the first to the
      last content delta (``None`` before two arrived at different times).

    Each is ``None`` (or 0) until there is something to report.
    """

    __slots__ = (
        "_clock",
        "_deltas",
        "content_deltas",
        "events",
        "first_content",
        "first_event",
        "last_content",
        "last_event",
        "longest_gap",
        "start",
    )

    def __init__(
        self, *, start: float | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._clock = clock
        self._deltas = _Reader()
        self.start = clock() if start is None else start
        self.events = 0
        self.content_deltas = 0
        self.first_event: float | None = None
        self.first_content: float | None = None
        self.last_content: float | None = None
        self.last_event: float | None = None
        self.longest_gap: float | None = None

    def mark(self, event: Any, at: float | None = None) -> None:
        """Note that *event* arrived *at* (default: now, on the clock)."""
        t = (self._clock() if at is None else at) - self.start
        last = self.last_event
        if last is None:
            self.first_event = t
        else:
            gap = t - last
            if self.longest_gap is None or gap > self.longest_gap:
                self.longest_gap = gap
        self.last_event = t
        self.events += 1
        count = len(self._deltas(event))
        if count:
            if self.first_content is None:
                self.first_content = t
            self.last_content = t
            self.content_deltas += count

    @property
    def content_rate(self) -> float | None:
        """Content deltas per second between the first and the last content delta."""
        first, last = self.first_content, self.last_content
        if first is None or last is None or last <= first:
            return None
        return (self.content_deltas - 1) / (last - first)

    def __repr__(self) -> str:
        shown = ("first_event", "first_content", "last_event", "longest_gap")
        parts = [f"{name}={getattr(self, name)!r}" for name in shown]
        return f"Timing({', '.join(parts)}, events={self.events})"
