"""The part of the stream layer shared by the sync and async glue.

:class:`Pipeline` turns the bytes of one stream into a dialect's typed
events: it tokenizes them with the dialect's framing (SSE, the AWS event
stream, NDJSON), counts the events, locates decode errors, and applies the
error policy.  Both glue modules drive it the same way, so they behave alike
by construction.

Under ``dialect="auto"`` the framing is told from the first bytes (see
:func:`sniff`): an event stream begins with a binary length, NDJSON with
``{``, and anything else is read as SSE.  The first frame then picks the
dialect.

While it does not yet know what it is reading, a pipeline looks at each
event before passing it on: under ``dialect="auto"`` to find the dialect
whose detection claims it, and under a named dialect to see whether the
stream is that dialect's at all (an unknown event that another dialect
claims, before any known one, is warned of as :class:`DialectMismatch`).
Once it knows, ``decode`` is the dialect's own decoder, with nothing around
it: the steady state costs nothing.

An NDJSON dialect may decode a run of whole lines at once
(``Dialect.decode_lines``: one C call for a chunk's lines, not one decode a
line).  Once the dialect is known, :meth:`Pipeline.feed` then hands it the
whole lines in the middle of each chunk, when they are plainly one JSON
object a line (see :func:`_one_object_a_line`), and the tokenizer only the
line the chunk finishes and the one it starts.  A run the dialect declines
is tokenized and decoded line by line as always, so the events, their count
and every error are the same in any chunking.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from ._errors import DecodeError, DialectMismatch
from ._eventstream import EventStreamDecoder
from ._ndjson import NDJSONDecoder
from ._sse import SSEDecoder, as_bytes
from .dialects._events import InvalidEvent, UnknownEvent
from .dialects._registry import ErrorPolicy, Framing, claimant, get, names

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from ._sse import Buffer
    from .dialects._registry import Dialect

__all__ = ("TOKENIZERS", "ErrorPolicy", "Pipeline", "check_chunks", "sniff")

_POLICIES = ("raise", "skip", "yield")

TOKENIZERS: dict[str, Callable[..., Any]] = {
    "sse": SSEDecoder,
    "eventstream": EventStreamDecoder,
    "ndjson": NDJSONDecoder,
}
"""The tokenizer of each framing: ``feed(chunk) -> list[frame]``, ``close()``, ``offset``.

Every frame has ``event`` (its name), ``view`` and ``data`` (its payload)
and ``offset``, so the pipeline reads them all alike.
"""

_WHITESPACE = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"


def sniff(head: bytes, *, final: bool = False) -> Framing | None:
    """The framing the first bytes of a stream are in, or ``None`` while they cannot tell.

    A first byte below the printable range (an event stream's first message
    length is less than 16 MiB, so its first byte is 0) is the AWS event
    stream; a ``{`` after any whitespace is NDJSON; anything else is SSE,
    which is also what a stream of nothing but whitespace is taken for once
    it ends (*final*).
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
    return "ndjson" if text[0:1] == b"{" else "sse"


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
        "_lines",
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
        #: The dialect's ``decode_lines``, once whole runs of lines go to it.
        self._lines: Callable[[bytes], Sequence[Any] | None] | None = None
        if self.dialect is not None:
            self._tokenize(self.dialect.framing)
        elif max_event_size < 1:
            raise ValueError("max_event_size must be positive")

    def _tokenize(self, framing: Framing) -> Any:
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
        in the same batch is still delivered before the error.  The events of
        a run of lines decoded at once come after the frames (see
        :meth:`_feed_runs`).
        """
        for frame in frames:
            try:
                event = self.decode(frame.event, frame.view)
            except DecodeError as exc:
                error = self._locate(exc, frame)
                if self.on_error == "raise":
                    raise error from None
                self.ordinal += 1
                if self.dialect is None:
                    self.unclaimed = self.unclaimed or error
                if self.on_error == "yield":
                    yield InvalidEvent(frame.event, frame.data, error)
                continue
            self.ordinal += 1
            yield event
        if type(frames) is _Frames:
            self.ordinal += len(frames.run)
            yield from frames.run

    def _settled(self, dialect: Dialect[Any]) -> None:
        """The stream is *dialect*'s: decode with it alone, and its runs of lines whole."""
        self.decode = dialect.decode
        if dialect.decode_lines is not None and type(self.decoder) is NDJSONDecoder:
            self._lines = dialect.decode_lines
            self.feed = self._feed_runs

    def _feed_runs(self, chunk: Buffer) -> list[Any]:
        """``feed`` of an NDJSON stream whose dialect decodes runs of whole lines at once.

        The line the chunk finishes goes to the tokenizer, then the whole
        lines after it to ``decode_lines`` when they are one object a line
        (else to the tokenizer too), then the line the chunk starts to the
        tokenizer, which holds it.  The run's events come back as the
        ``run`` of a :class:`_Frames`, after its frames, which is their
        order.  A chunk no longer than ``max_event_size`` holds no line too
        long, so none of this meets an error the tokenizer would have raised
        elsewhere; a short chunk (one line, as Ollama flushes them) goes to
        the tokenizer whole.
        """
        decoder = self.decoder
        size = len(chunk)
        if size < _RUN_MIN or size > self.max_event_size:
            frames: list[Any] = decoder.feed(chunk)
            return frames
        if type(chunk) is not bytes:
            chunk = as_bytes(chunk)
        first = chunk.find(b"\n")
        last = chunk.rfind(b"\n")
        if first == last:
            frames = decoder.feed(chunk)
            return frames
        run = chunk[first + 1 : last + 1]
        lines = _one_object_a_line(run)
        events = None
        if lines:
            assert self._lines is not None  # set with this feed
            events = self._lines(run)
        if events is None or len(events) != lines:
            frames = decoder.feed(chunk)
            return frames
        out = _Frames(decoder.feed(chunk[: first + 1]))
        decoder.skip(len(run))
        out.run = events
        if last + 1 < size:
            decoder.feed(chunk[last + 1 :])  # the start of a line: held, nothing returned
        return out

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
        self._settled(dialect)
        return dialect.decode(name, data)

    def _watch(self, name: str, data: bytes | memoryview) -> Any:
        """Decode with the named dialect, warning once if the stream is another dialect's."""
        dialect = self.dialect
        assert dialect is not None  # a named dialect is never unset
        event = dialect.decode(name, data)
        if type(event) is not UnknownEvent:
            self._settled(dialect)  # the stream is this dialect's: stop looking
            return event
        other = claimant(name, data, framing=dialect.framing, besides=dialect.name)
        if other is not None:
            self._settled(dialect)
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


_RUN_MIN = 1024
"""Chunks shorter than this go to the tokenizer whole: a run of a few lines gains nothing."""


class _Frames(list[Any]):
    """What ``feed`` returns when a run of lines was decoded at once: frames, then ``run``."""

    __slots__ = ("run",)

    run: Sequence[Any]


def _one_object_a_line(run: bytes) -> int:
    """How many lines *run* has if it is plainly one JSON object a line, else 0.

    Plainly: it starts with ``{`` and ends with ``}`` and its LF, and every
    other LF in it stands between a ``}`` and a ``{``; no blank line, no CR,
    no space at a line's ends.  A raw LF cannot stand inside a JSON string,
    and in an object or array a ``}`` is never followed by ``{``, so then no
    object spans two lines, and a run that decodes to as many objects as it
    has lines has exactly one on each (the caller checks the count).
    """
    lines = run.count(b"\n")
    if run[:1] == b"{" and run[-2:] == b"}\n" and run.count(b"}\n{") == lines - 1:
        return lines
    return 0
