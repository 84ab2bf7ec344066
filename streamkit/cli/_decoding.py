"""Decoding a source's streams, and refusing one whose events its dialect does not know.

Each selected stream of a recording (one per HTTP response, e.g. a run and
its tool-output continuation) is decoded on its own; the commands fold them
all into one accumulator.  A :class:`Census` watches the events go by: a
source with no event at all, or with none its dialect recognises, is a
:class:`UserError` once they have been read (the error names the dialect
that would claim them), never an empty result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from streamkit._sync import iter_events
from streamkit.dialects import UnknownEvent
from streamkit.dialects._registry import claimant

from ._output import UserError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from streamkit._pipeline import ErrorPolicy
    from streamkit.dialects import Dialect

    from ._sources import Source

__all__ = ("Census", "events")


class Census:
    """How many of a source's events there were, and how many its dialect recognised.

    An event is recognised when it is one of the dialect's typed events, an
    invalid one (the dialect took it for its own and could not decode it),
    or an unknown one whose name the dialect's detection claims (a new event
    of the same API).
    """

    __slots__ = ("dialect", "events", "first", "known", "name")

    def __init__(self, source: Source) -> None:
        self.name = source.name
        self.dialect: Dialect[Any] = source.decoder
        self.events = 0
        self.known = 0
        self.first: UnknownEvent | None = None  # the first event not recognised

    def count(self, event: Any) -> None:
        self.events += 1
        if type(event) is UnknownEvent:
            if self.dialect.detect(event.event, event.data):
                self.known += 1
            elif self.first is None:
                self.first = event
        else:
            self.known += 1

    def check(self) -> None:
        """Refuse a source without events, or without one its dialect recognises."""
        if not self.events:
            raise UserError(f"{self.name} holds no events: it is empty or not a stream body")
        if self.known:
            return
        name = self.dialect.name
        first = self.first
        assert first is not None  # an event that is not recognised was counted
        framing = self.dialect.framing
        other = claimant(
            first.event,
            first.data,
            framing=framing if isinstance(framing, str) else framing[0],
            besides=name,
        )
        said = f"none of the {self.events} event(s) of {self.name} is a {name} event"
        if other is None:
            raise UserError(f"{said}, and no dialect claims its first ({first.event!r})")
        raise UserError(f"{said}: it is a {other.name} stream (use --dialect {other.name})")


def events(source: Source, on_error: ErrorPolicy, max_event_size: int) -> Iterator[tuple[int, Any]]:
    """Every typed event of the selected streams with its stream index, without waiting.

    Raises :class:`UserError` after the last one when the census refuses them.
    """
    census = Census(source)
    dialect = source.decoder
    for index in source.indices:
        chunks = source.replayer.iter_chunks(stream=index)
        for event in iter_events(chunks, dialect, on_error=on_error, max_event_size=max_event_size):
            census.count(event)
            yield index, event
    census.check()
