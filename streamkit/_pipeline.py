"""The part of the stream layer shared by the sync and async glue.

:class:`Pipeline` turns the SSE events of one stream into a dialect's typed
events: it counts them, locates decode errors, and applies the error policy.
Both glue modules drive it the same way, so they behave alike by construction.

While it does not yet know what it is reading, a pipeline looks at each
event before passing it on: under ``dialect="auto"`` to find the dialect
whose detection claims it, and under a named dialect to see whether the
stream is that dialect's at all (an unknown event that another dialect
claims, before any known one, is warned of as :class:`DialectMismatch`).
Once it knows, ``decode`` is the dialect's own decoder, with nothing around
it: the steady state costs nothing.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from ._errors import DecodeError, DialectMismatch
from ._sse import SSEDecoder
from .dialects._events import InvalidEvent, UnknownEvent
from .dialects._registry import ErrorPolicy, claimant, get, names

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from ._sse import SSEEvent
    from .dialects._registry import Dialect

__all__ = ("ErrorPolicy", "Pipeline", "check_chunks")

_POLICIES = ("raise", "skip", "yield")


def check_chunks(chunks: object, caller: str, *, want_async: bool) -> None:
    """Refuse, with a :class:`TypeError` that says what to do, what is not a stream of chunks.

    A ``bytes`` body is iterable (as ints) and a ``str`` too (as characters):
    both would otherwise give no event and no error.
    """
    if isinstance(chunks, (bytes, bytearray, memoryview, str)):
        kind = type(chunks).__name__
        raise TypeError(
            f"{caller}() takes an iterable of chunks, not one {kind} object: "
            f"pass [body] for a whole body"
        )
    if want_async and not hasattr(chunks, "__aiter__"):
        hint = "; use iter_events() for a sync one" if hasattr(chunks, "__iter__") else ""
        raise TypeError(
            f"{caller}() takes an async iterable of chunks, not {type(chunks).__name__}{hint}"
        )
    if not want_async and not hasattr(chunks, "__iter__"):
        hint = "; use aiter_events() for an async one" if hasattr(chunks, "__aiter__") else ""
        raise TypeError(
            f"{caller}() takes an iterable of chunks, not {type(chunks).__name__}{hint}"
        )


class Pipeline:
    """One stream's tokenizer and dialect, with the error policy applied."""

    __slots__ = ("decode", "decoder", "dialect", "on_error", "ordinal", "unclaimed")

    def __init__(
        self, dialect: str | Dialect[Any], on_error: ErrorPolicy, max_event_size: int
    ) -> None:
        if on_error not in _POLICIES:
            raise ValueError(f"on_error must be one of {_POLICIES}, got {on_error!r}")
        # ``"auto"``: the first event of the stream picks the dialect.
        self.dialect: Dialect[Any] | None = None if dialect == "auto" else get(dialect)
        self.decode: Callable[[str, bytes | memoryview], Any] = (
            self._detect if self.dialect is None else self._watch
        )
        self.on_error = on_error
        self.decoder = SSEDecoder(max_event_size=max_event_size)
        self.ordinal = 0
        #: Events no dialect claimed while ``"auto"`` was still looking (skipped or yielded).
        self.unclaimed: DecodeError | None = None

    def events(self, sse_events: list[SSEEvent]) -> Iterator[Any]:
        """The typed events for *sse_events*, in order.

        A generator, so that under ``"raise"`` every event before a bad one
        in the same batch is still delivered before the error.
        """
        for sse in sse_events:
            try:
                event = self.decode(sse.event, sse.view)
            except DecodeError as exc:
                error = self._locate(exc, sse)
                if self.on_error == "raise":
                    raise error from None
                self.ordinal += 1
                if self.dialect is None:
                    self.unclaimed = self.unclaimed or error
                if self.on_error == "yield":
                    yield InvalidEvent(sse.event, sse.data, error)
                continue
            self.ordinal += 1
            yield event

    def finish(self) -> None:
        """End the stream: close the tokenizer, and refuse a stream no dialect claimed.

        Under ``"skip"`` and ``"yield"`` the search for a dialect goes on past
        events none claims; a stream that ends before any dialect claimed one
        of its events raises the first of those errors here, never silently.
        """
        self.decoder.close()
        if self.dialect is None and self.unclaimed is not None:
            raise self.unclaimed

    def is_keepalive(self, event: Any) -> bool:
        """Whether *event* only shows that the connection is alive."""
        return self.dialect is not None and self.dialect.is_keepalive(event)

    def _detect(self, name: str, data: bytes | memoryview) -> Any:
        """Pick the dialect whose ``detect`` claims the stream's first event, then decode."""
        dialect = claimant(name, data)
        if dialect is None:
            raise DecodeError(
                f"no dialect recognises this stream (tried {', '.join(names())})",
                event=name,
                excerpt=bytes(data[:60]),
            )
        self.dialect = dialect
        self.decode = dialect.decode
        return dialect.decode(name, data)

    def _watch(self, name: str, data: bytes | memoryview) -> Any:
        """Decode with the named dialect, warning once if the stream is another dialect's."""
        dialect = self.dialect
        assert dialect is not None  # a named dialect is never unset
        event = dialect.decode(name, data)
        if type(event) is not UnknownEvent:
            self.decode = dialect.decode  # the stream is this dialect's: stop looking
            return event
        other = claimant(name, data, framing=dialect.framing, besides=dialect.name)
        if other is not None:
            self.decode = dialect.decode
            warnings.warn(
                f"reading a stream as {dialect.name!r}, but its first events are "
                f"{other.name!r} ones: use dialect={other.name!r} or dialect='auto'",
                DialectMismatch,
                stacklevel=2,
            )
        return event

    def _locate(self, exc: DecodeError, sse: SSEEvent) -> DecodeError:
        """*exc* again, naming the event's ordinal and byte offset in the stream."""
        return DecodeError(
            exc.message,
            path=exc.path,
            ordinal=self.ordinal,
            offset=sse.offset,
            event=sse.event,
            excerpt=exc.excerpt,
        )
