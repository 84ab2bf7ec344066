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

from streamkit._errors import StreamError
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
        if not self.known:
            raise self._mismatch()

    def explain(self, error: StreamError) -> Exception:
        """*error*, met before any event the dialect recognises: the mismatch, if it is one."""
        if self.known or self.first is None or self._other() is None:
            return error
        return self._mismatch()

    def _other(self) -> Dialect[Any] | None:
        """The dialect that claims the first event not recognised."""
        first = self.first
        if first is None:
            return None
        framing = self.dialect.framing
        return claimant(
            first.event,
            first.data,
            framing=framing if isinstance(framing, str) else framing[0],
            besides=self.dialect.name,
        )

    def _mismatch(self) -> UserError:
        first = self.first
        assert first is not None  # an event that is not recognised was counted
        name = self.dialect.name
        said = f"none of the {self.events} event(s) of {self.name} belongs to the {name} dialect"
        other = self._other()
        if other is None:
            return UserError(f"{said}, and no dialect claims the first ({first.event!r})")
        return UserError(f"{said}: it looks like {other.name} (use --dialect {other.name})")


def events(source: Source, on_error: ErrorPolicy, max_event_size: int) -> Iterator[tuple[int, Any]]:
    """Every typed event of the selected streams with its stream index, without waiting.

    Events are held back until the first one the dialect recognises, so
    that a stream of another dialect gives nothing but the :class:`UserError`
    that says so (raised instead of a decoding error met before then, too).
    """
    census = Census(source)
    dialect = source.decoder
    held: list[tuple[int, Any]] = []  # until the first event the dialect recognises
    try:
        for index in source.indices:
            chunks = source.replayer.iter_chunks(stream=index)
            for event in iter_events(
                chunks, dialect, on_error=on_error, max_event_size=max_event_size
            ):
                census.count(event)
                if not census.known:
                    held.append((index, event))
                    continue
                if held:
                    yield from held
                    held.clear()
                yield index, event
    except StreamError as exc:
        raise census.explain(exc) from None
    census.check()
