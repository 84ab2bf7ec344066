"""The part of the stream layer shared by the sync and async glue.

:class:`Pipeline` turns the bytes of one stream into a dialect's typed
events: it tokenizes them with the dialect's framing (SSE, the AWS event
stream, NDJSON, a JSON array), counts the events, locates decode errors, and applies the
error policy.  Both glue modules drive it the same way, so they behave alike
by construction.

Under ``dialect="auto"`` the framing is told from the first bytes (see
:func:`sniff`): an event stream begins with a binary length, NDJSON with
``{``, a JSON array with ``[``, and anything else is read as SSE.  The first
frame then picks the dialect.  A named dialect that reads several framings
(Gemini's SSE and JSON-array forms) has its framing told the same way, among
its own.

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
from ._eventstream import EventStreamDecoder
from ._jsonarray import JSONArrayDecoder
from ._ndjson import NDJSONDecoder
from ._sse import SSEDecoder, as_bytes
from .dialects._events import InvalidEvent, UnknownEvent
from .dialects._registry import ErrorPolicy, Framing, claimant, get, names

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from ._sse import Buffer
    from .dialects._registry import Dialect

__all__ = ("TOKENIZERS", "ErrorPolicy", "Pipeline", "check_chunks", "sniff")

_POLICIES = ("raise", "skip", "yield")

TOKENIZERS: dict[str, Callable[..., Any]] = {
    "sse": SSEDecoder,
    "eventstream": EventStreamDecoder,
    "ndjson": NDJSONDecoder,
    "jsonarray": JSONArrayDecoder,
}
"""The tokenizer of each framing: ``feed(chunk) -> list[frame]``, ``close()``, ``offset``.

Every frame has ``event`` (its name), ``view`` and ``data`` (its payload)
and ``offset``, so the pipeline reads them all alike.
"""

_WHITESPACE = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"
_OPEN_OBJECT = 0x7B  # {
_OPEN_ARRAY = 0x5B  # [


def sniff(head: bytes, *, final: bool = False) -> Framing | None:
    """The framing the first bytes of a stream are in, or ``None`` while they cannot tell.

    A first byte below the printable range (an event stream's first message
    length is less than 16 MiB, so its first byte is 0) is the AWS event
    stream; a ``{`` after any whitespace is NDJSON, a ``[`` a JSON array;
    anything else is SSE, which is also what a stream of nothing but
    whitespace is taken for once it ends (*final*).
    """
    if not head:
        return "sse" if final else None
    first = head[0]
    if first < 0x09 or 0x0E <= first < 0x20:
        return "eventstream"
    if head.startswith(_BOM[: len(head)]) and first == _BOM[0]:
        return "sse" if len(head) >= len(_BOM) or final else None
    text = head.lstrip(_WHITESPACE)
    if not text:
        return "sse" if final else None
    first = text[0]
    if first == _OPEN_OBJECT:
        return "ndjson"
    return "jsonarray" if first == _OPEN_ARRAY else "sse"


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
    """One stream's tokenizer and dialect, with the error policy applied.

    :meth:`feed` a chunk for its frames and :meth:`events` for their typed
    events; :meth:`close` at the end for the frames the tokenizer still
    held, then :meth:`finish`.
    """

    __slots__ = (
        "_head",
        "decode",
        "decoder",
        "dialect",
        "feed",
        "max_event_size",
        "on_error",
        "ordinal",
        "unclaimed",
    )

    def __init__(
        self, dialect: str | Dialect[Any], on_error: ErrorPolicy, max_event_size: int
    ) -> None:
        if on_error not in _POLICIES:
            raise ValueError(f"on_error must be one of {_POLICIES}, got {on_error!r}")
        # ``"auto"``: the first bytes pick the framing, the first event the dialect.
        self.dialect: Dialect[Any] | None = None if dialect == "auto" else get(dialect)
        self.decode: Callable[[str, bytes | memoryview], Any] = (
            self._detect if self.dialect is None else self._watch
        )
        self.on_error = on_error
        self.max_event_size = max_event_size
        self.ordinal = 0
        #: Events no dialect claimed while ``"auto"`` was still looking (skipped or yielded).
        self.unclaimed: DecodeError | None = None
        self._head = b""  # the first bytes, while they cannot tell the framing
        #: The tokenizer (``None`` until the framing is known) and its ``feed``.
        self.decoder: Any = None
        self.feed: Callable[[Buffer], list[Any]] = self._sniff
        if self.dialect is not None and len(self.dialect.framings) == 1:
            self._tokenize(self.dialect.framings[0])
        elif max_event_size < 1:
            raise ValueError("max_event_size must be positive")

    def _tokenize(self, framing: Framing) -> Any:
        dialect = self.dialect
        if dialect is not None and framing not in dialect.framings:
            framing = dialect.framings[0]  # what the named dialect would read anyway
        decoder = self.decoder = TOKENIZERS[framing](max_event_size=self.max_event_size)
        self.feed = decoder.feed
        return decoder

    def _sniff(self, chunk: Buffer) -> list[Any]:
        """``feed`` while the framing is not known: hold the first bytes until they tell."""
        head = self._head + (chunk if type(chunk) is bytes else as_bytes(chunk))
        framing = sniff(head)
        if framing is None:
            self._head = head
            return []
        self._head = b""
        frames: list[Any] = self._tokenize(framing).feed(head)
        return frames

    @property
    def offset(self) -> int:
        """Bytes received so far."""
        return len(self._head) if self.decoder is None else int(self.decoder.offset)

    def close(self) -> list[Any]:
        """End the body: the frames the tokenizer still held (an NDJSON line without its LF)."""
        decoder = self.decoder
        if decoder is None:
            decoder = self._tokenize(sniff(self._head, final=True) or "sse")
            head, self._head = self._head, b""
            frames: list[Any] = decoder.feed(head)
            return frames + list(decoder.close())
        return list(decoder.close())

    def events(self, frames: list[Any]) -> Iterator[Any]:
        """The typed events for *frames* (what :meth:`feed` returned), in order.

        A generator, so that under ``"raise"`` every event before a bad one
        in the same batch is still delivered before the error.  (The glue
        modules run the same loop inline, to spare a generator per chunk.)
        """
        for frame in frames:
            try:
                event = self.decode(frame.event, frame.view)
            except DecodeError as exc:
                event = self.failed(exc, frame)
                if event is None:
                    continue
            else:
                self.ordinal += 1
            yield event

    def failed(self, exc: DecodeError, frame: Any) -> InvalidEvent | None:
        """Apply the error policy to a frame that did not decode.

        Raises the located error under ``"raise"``; else counts the event and
        returns what to deliver in its place: an :class:`InvalidEvent` under
        ``"yield"``, ``None`` (nothing) under ``"skip"``.
        """
        error = self._locate(exc, frame)
        if self.on_error == "raise":
            raise error from None
        self.ordinal += 1
        if self.dialect is None:
            self.unclaimed = self.unclaimed or error
        if self.on_error == "yield":
            return InvalidEvent(frame.event, frame.data, error)
        return None

    def finish(self) -> None:
        """After the last events: refuse a stream no dialect claimed.

        Under ``"skip"`` and ``"yield"`` the search for a dialect goes on past
        events none claims; a stream that ends before any dialect claimed one
        of its events raises the first of those errors here, never silently.
        """
        if self.dialect is None and self.unclaimed is not None:
            raise self.unclaimed

    def is_keepalive(self, event: Any) -> bool:
        """Whether *event* only shows that the connection is alive."""
        return self.dialect is not None and self.dialect.is_keepalive(event)

    def _detect(self, name: str, data: bytes | memoryview) -> Any:
        """Pick the dialect whose ``detect`` claims the stream's first event, then decode."""
        framing = _FRAMINGS.get(type(self.decoder), "sse")
        dialect = claimant(name, data, framing=framing)
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
        framing = _FRAMINGS.get(type(self.decoder), "sse")
        other = claimant(name, data, framing=framing, besides=dialect.name)
        if other is not None:
            self.decode = dialect.decode
            warnings.warn(
                f"reading a stream as {dialect.name!r}, but its first events are "
                f"{other.name!r} ones: use dialect={other.name!r} or dialect='auto'",
                DialectMismatch,
                stacklevel=2,
            )
        return event

    def _locate(self, exc: DecodeError, frame: Any) -> DecodeError:
        """*exc* again, naming the event's ordinal and byte offset in the stream."""
        return DecodeError(
            exc.message,
            path=exc.path,
            ordinal=self.ordinal,
            offset=frame.offset,
            event=frame.event,
            excerpt=exc.excerpt,
        )


_FRAMINGS: dict[type, Framing] = {cls: name for name, cls in TOKENIZERS.items()}  # type: ignore[misc]
