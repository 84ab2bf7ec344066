"""Content deltas of any dialect: what a chat backend forwards to its users as it streams.

``deltas(events)`` yields every :class:`~streamkit.Delta` the events carry
(answer text, refusal, reasoning, tool arguments) and ``text_deltas(events)``
just the answer text, whatever the dialect: each event's dialect says what
it carries.  Joining a stream's text deltas gives its fold's ``text``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .dialects._registry import dialect_of

if TYPE_CHECKING:
    from collections.abc import (
        AsyncIterable,
        AsyncIterator,
        Callable,
        Iterable,
        Iterator,
        Sequence,
    )

    from .dialects._face import Delta
    from .dialects._registry import Dialect

__all__ = ("adeltas", "atext_deltas", "deltas", "text_deltas")


class _Reader:
    """The deltas of one stream's events, one after another.

    The dialect is looked up once per event type, and its reader made once
    per dialect: a dialect's ``delta_reader`` keeps what it must remember of
    the stream's events (which tool call comes next), its ``deltas`` nothing.
    """

    __slots__ = ("cls", "dialect", "read", "readers")

    def __init__(self) -> None:
        self.cls: type | None = None
        self.dialect: Dialect[Any] | None = None
        self.read: Callable[[Any], Sequence[Delta]] | None = None
        self.readers: dict[str, Callable[[Any], Sequence[Delta]]] = {}

    def __call__(self, event: Any) -> Sequence[Delta]:
        cls = type(event)
        if cls is not self.cls:
            self.cls = cls
            dialect = self.dialect = dialect_of(event)
            if dialect is None:
                self.read = None
            else:
                read = self.readers.get(dialect.name)
                if read is None:
                    make = dialect.delta_reader
                    read = self.readers[dialect.name] = dialect.deltas if make is None else make()
                self.read = read
        read = self.read
        return () if read is None else read(event)

    def answer(self, event: Any) -> Iterator[str]:
        read = self(event)
        if read:
            dialect = self.dialect
            assert dialect is not None  # an event with deltas has a dialect
            is_answer = dialect.is_answer
            for delta in read:
                if is_answer(delta):
                    yield delta.text


def deltas(events: Iterable[Any]) -> Iterator[Delta]:
    """Every content delta of *events* (typed events of any dialect), in order."""
    read = _Reader()
    for event in events:
        yield from read(event)


def text_deltas(events: Iterable[Any]) -> Iterator[str]:
    """The pieces of answer text of *events*, in order (choice 0's, for chat)."""
    answer = _Reader().answer
    for event in events:
        yield from answer(event)


async def adeltas(events: AsyncIterable[Any]) -> AsyncIterator[Delta]:
    """:func:`deltas` of an async stream of events."""
    read = _Reader()
    async for event in events:
        for delta in read(event):
            yield delta


async def atext_deltas(events: AsyncIterable[Any]) -> AsyncIterator[str]:
    """:func:`text_deltas` of an async stream of events."""
    answer = _Reader().answer
    async for event in events:
        for text in answer(event):
            yield text
