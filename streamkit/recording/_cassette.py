"""Cassettes: a test's HTTP exchanges in one session file, replayed by request, recorded anew.

A cassette is a recording (``docs/recording-format.md``) whose every stream
is one HTTP exchange and carries its request: method, URL, headers and a
canonical form of the body.  :class:`Cassette` is the engine the transports
(``streamkit.httpx``, ``streamkit.httpx2``) and the pytest plugin drive; it
knows no HTTP library.  For each request it is asked to :meth:`~Cassette.route`,
it answers with a recorded stream to replay, or says to send the request live
and :meth:`~Cassette.record` the answer, or raises :class:`ReplayMismatch`.

Theory of matching: a request is reduced to a :class:`RecordedRequest` the
same way when it is recorded and when it is replayed (secrets redacted first,
so a redacted value matches whatever the live request sends), and compared
field by field (``match=``) or by the caller's own function.  Each recorded
exchange is replayed once, in file order among equals, so a test that sends
the same request twice gets the two recorded answers in turn.  A stream that
holds no request (a recording made without one, a raw ``.sse`` body) matches
any request, which keeps such recordings replaying in order.

Theory of writing: exchanges go to the file in the order they were opened.
The oldest open one writes its lines as they come (append-only and
crash-safe, as the :class:`~streamkit.recording.Recorder` does); any that
overlap it wait in memory and follow when it ends, each shifted in time as a
whole so that its own pacing stays exact.  With ``dialect="auto"`` a stream's
opening line waits until its first event has named the dialect (or the
stream ended without one), so that line can say which it is.
"""

from __future__ import annotations

import collections
import hashlib
import math
import os
import threading
import time
import urllib.parse
import warnings
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs
import msgspec

from .._errors import RecordingError, StreamError
from .._sse import DEFAULT_MAX_EVENT_SIZE, SSEDecoder
from ..dialects import _registry
from ._format import (
    DEFAULT_REDACT,
    REDACTED,
    RecordingWarning,
    chunk_line,
    end_line,
    header_line,
    load,
    redact_headers,
    stream_line,
)
from ._record import DialectProbe, _Sink
from ._replay import Replayer, _rechunk, _sizes

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from ._format import RecordedStream
    from ._replay import Rechunk

__all__ = (
    "DEFAULT_MATCH",
    "Cassette",
    "Fault",
    "Matcher",
    "RecordMode",
    "RecordedRequest",
    "ReplayExhausted",
    "ReplayMismatch",
)

RecordMode = Literal["none", "once", "new_episodes", "all"]
RECORD_MODES: Final = ("none", "once", "new_episodes", "all")
MATCH_FIELDS: Final = ("method", "scheme", "host", "port", "path", "query", "body")
#: What a request is matched on unless told otherwise.
DEFAULT_MATCH: Final = ("method", "path", "query", "body")
#: Media types whose bodies are recorded chunk by chunk; any other body is one chunk.
STREAMING_TYPES: Final = frozenset(
    {
        "text/event-stream",
        "application/x-ndjson",
        "application/jsonl",
        "application/vnd.amazon.eventstream",
    }
)
_PORTS: Final = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_BOUNDARY: Final = b"streamkit-boundary"
_DIFFS: Final = 3  # differences named in a mismatch message


class ReplayMismatch(RuntimeError):
    """A request that no recorded exchange of the cassette answers.

    ``request`` is the request, ``closest`` the recorded request most like it
    (``None`` when the cassette holds none), ``differences`` how they differ.
    """

    def __init__(
        self,
        message: str,
        *,
        request: RecordedRequest | None = None,
        closest: RecordedRequest | None = None,
        differences: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.request = request
        self.closest = closest
        self.differences = tuple(differences)


class ReplayExhausted(ReplayMismatch):
    """A request whose recorded answers were all replayed already (more requests than streams)."""


# -- requests ---------------------------------------------------------------------


def _media_type(value: str | None) -> str:
    return (value or "").partition(";")[0].strip().lower()


def is_streaming(content_type: str | None) -> bool:
    """Whether a body of *content_type* is a stream, recorded chunk by chunk."""
    return _media_type(content_type) in STREAMING_TYPES


def _is_json(content_type: str) -> bool:
    media = _media_type(content_type)
    return media == "application/json" or media.endswith("+json")


def redact_json(value: Any, names: frozenset[str]) -> tuple[Any, bool]:
    """*value* with the value of every object key named in *names* (any case) redacted.

    Returns the new value and whether anything was redacted.
    """
    if isinstance(value, dict):
        out, hit = {}, False
        for key, item in value.items():
            if isinstance(key, str) and key.lower() in names:
                out[key], hit = REDACTED, True
            else:
                out[key], sub = redact_json(item, names)
                hit = hit or sub
        return out, hit
    if isinstance(value, list):
        items = [redact_json(item, names) for item in value]
        return [item for item, _ in items], any(hit for _, hit in items)
    return value, False


def _redact_url(url: str, names: frozenset[str]) -> str:
    parts = urllib.parse.urlsplit(url)
    if not parts.query:
        return url
    pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    if not any(key.lower() in names for key, _ in pairs):
        return url
    redacted = [(key, REDACTED if key.lower() in names else value) for key, value in pairs]
    return parts._replace(query=urllib.parse.urlencode(redacted)).geturl()


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _canonical_json(value: Any) -> bytes:
    return msgspec.json.encode(value, order="sorted")


BodyKind = Literal["unknown", "none", "json", "bytes"]


@attrs.frozen
class RecordedRequest:
    """A request as a cassette keeps it: secrets redacted, the body in canonical form.

    ``body`` says what the body was: ``"none"`` (empty), ``"json"`` (then
    ``json`` holds it decoded), ``"bytes"`` (anything else), or
    ``"unknown"`` for a recording that kept no body (it matches any body).
    ``digest`` is the SHA-256 of the canonical body: JSON re-encoded with
    sorted keys, a multipart body with its random boundary replaced, other
    bodies as sent.
    """

    method: str
    url: str
    headers: dict[str, str] = attrs.field(factory=dict)
    body: BodyKind = "none"
    json: Any = None
    digest: str | None = None
    size: int = 0

    @classmethod
    def build(
        cls,
        method: str,
        url: str,
        headers: Iterable[tuple[str, str]],
        content: bytes,
        *,
        redact: Iterable[str] = (),
    ) -> RecordedRequest:
        """A live request reduced: headers, query parameters and JSON fields in *redact* hidden.

        :data:`~streamkit.recording.DEFAULT_REDACT` is always redacted.
        """
        names = DEFAULT_REDACT | {name.lower() for name in redact}
        items = list(headers)
        content_type = next((v for k, v in items if k.lower() == "content-type"), "")
        fields: dict[str, Any] = {"body": "none", "size": len(content)}
        if content:
            fields.update(body="bytes", digest=_digest(_canonical_bytes(content, content_type)))
            if _is_json(content_type):
                try:
                    value = msgspec.json.decode(content)
                except (msgspec.DecodeError, UnicodeDecodeError):
                    pass  # not JSON after all: kept as bytes
                else:
                    value, _ = redact_json(value, names)
                    fields.update(body="json", json=value, digest=_digest(_canonical_json(value)))
        return cls(
            method.upper(),
            _redact_url(url, names),
            redact_headers(items, names),
            **fields,
        )

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> RecordedRequest:
        """The request of a recorded stream (its ``request`` object)."""
        fields: dict[str, Any] = {"body": "unknown"}
        if "json" in record:
            fields.update(
                body="json", json=record["json"], digest=_digest(_canonical_json(record["json"]))
            )
        elif isinstance(record.get("body_sha256"), str):
            fields.update(body="bytes", digest="sha256:" + record["body_sha256"])
        elif record.get("body_size") == 0:
            fields.update(body="none")
        size = record.get("body_size")
        headers = record.get("headers")
        return cls(
            str(record.get("method", "")).upper(),
            str(record.get("url", "")),
            dict(headers) if isinstance(headers, dict) else {},
            size=size if isinstance(size, int) and not isinstance(size, bool) else 0,
            **fields,
        )

    def to_record(self) -> dict[str, Any]:
        """The ``request`` object written in the cassette."""
        out: dict[str, Any] = {"method": self.method, "url": self.url, "headers": self.headers}
        if self.body == "json":
            out["json"] = self.json
        elif self.body == "bytes" and self.digest is not None:
            out["body_sha256"] = self.digest.removeprefix("sha256:")
        if self.body != "unknown":
            out["body_size"] = self.size
        return out

    def field(self, name: str) -> Any:
        """The value compared when matching on *name* (one of ``MATCH_FIELDS``)."""
        parts = urllib.parse.urlsplit(self.url)
        if name == "method":
            return self.method
        if name == "scheme":
            return parts.scheme
        if name == "host":
            return parts.hostname
        if name == "port":
            return parts.port or _PORTS.get(parts.scheme)
        if name == "path":
            return parts.path or "/"
        if name == "query":
            return tuple(sorted(urllib.parse.parse_qsl(parts.query, keep_blank_values=True)))
        if name == "body":
            return self.digest
        raise ValueError(f"cannot match on {name!r} (known: {', '.join(MATCH_FIELDS)})")

    def __str__(self) -> str:
        return f"{self.method} {self.url}"


def _canonical_bytes(content: bytes, content_type: str) -> bytes:
    """*content* with what changes from one sending to the next (a multipart boundary) fixed."""
    if _media_type(content_type) == "multipart/form-data":
        for param in content_type.split(";")[1:]:
            key, _, value = param.strip().partition("=")
            if key.lower() == "boundary" and value:
                return content.replace(value.strip('"').encode("latin-1"), _BOUNDARY)
    return content


#: A request matcher: ``matcher(live, recorded)`` says whether *recorded* answers *live*.
Matcher = Callable[[RecordedRequest, RecordedRequest], bool]


def _check_match(match: Sequence[str] | Callable[..., bool] | None) -> tuple[str, ...] | None:
    if match is None or callable(match):
        return None
    if isinstance(match, str):
        match = (match,)
    names = tuple(match)
    for name in names:
        if name not in MATCH_FIELDS:
            raise ValueError(f"cannot match on {name!r} (known: {', '.join(MATCH_FIELDS)})")
    return names


def _same(live: RecordedRequest, recorded: RecordedRequest, name: str) -> bool:
    """Whether *live* matches *recorded* on *name*; a value redacted when recorded matches any."""
    if name == "body":
        if recorded.body == "unknown":
            return True
        if live.body == recorded.body == "json":
            return _json_matches(recorded.json, live.json)
    elif name == "query":
        recorded_query, live_query = recorded.field(name), live.field(name)
        return len(recorded_query) == len(live_query) and all(
            a == b or (a[0] == b[0] and a[1] == REDACTED)
            for a, b in zip(recorded_query, live_query, strict=True)
        )
    return bool(live.field(name) == recorded.field(name))


def _json_matches(recorded: Any, live: Any) -> bool:
    if recorded == REDACTED:
        return True
    if isinstance(recorded, dict) and isinstance(live, dict):
        return recorded.keys() == live.keys() and all(
            _json_matches(value, live[key]) for key, value in recorded.items()
        )
    if isinstance(recorded, list) and isinstance(live, list):
        return len(recorded) == len(live) and all(
            _json_matches(a, b) for a, b in zip(recorded, live, strict=True)
        )
    return type(recorded) is type(live) and bool(recorded == live)


def _differences(
    live: RecordedRequest, recorded: RecordedRequest, fields: Sequence[str]
) -> list[str]:
    out: list[str] = []
    for name in fields:
        if _same(live, recorded, name):
            continue
        if name == "body":
            out.extend(_body_differences(live, recorded))
        else:
            out.append(
                f"{name}: recorded {_show(recorded.field(name))}, sent {_show(live.field(name))}"
            )
    return out


def _body_differences(live: RecordedRequest, recorded: RecordedRequest) -> list[str]:
    if live.body == recorded.body == "json":
        found: list[tuple[str, str, str]] = []
        _json_diff(recorded.json, live.json, "$", found)
        shown = [f"body {path}: recorded {a}, sent {b}" for path, a, b in found[:_DIFFS]]
        if len(found) > _DIFFS:
            shown.append(f"and {len(found) - _DIFFS} more body differences")
        return shown or ["body: differs"]
    return [f"body: recorded {_describe_body(recorded)}, sent {_describe_body(live)}"]


def _describe_body(request: RecordedRequest) -> str:
    if request.body == "none":
        return "none"
    if request.body == "json":
        return f"JSON ({request.size} bytes)" if request.size else "JSON"
    return f"{request.size} bytes, {(request.digest or '')[:19]}…"


def _json_diff(a: Any, b: Any, path: str, out: list[tuple[str, str, str]]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            sub = (
                f"{path}.{key}"
                if isinstance(key, str) and key.isidentifier()
                else f"{path}[{key!r}]"
            )
            if key not in b:
                out.append((sub, _show(a[key]), "nothing"))
            elif key not in a:
                out.append((sub, "nothing", _show(b[key])))
            else:
                _json_diff(a[key], b[key], sub, out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _json_diff(x, y, f"{path}[{i}]", out)
    elif not _json_matches(a, b):
        out.append((path, _show(a), _show(b)))


def _show(value: Any, limit: int = 60) -> str:
    text = (
        repr(value) if not isinstance(value, dict | list) else msgspec.json.encode(value).decode()
    )
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- faults -------------------------------------------------------------------------


def _offset(value: object, name: str) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise ValueError(f"{name} must be an int >= 0, not {value!r}")


def _check_offset(instance: object, attribute: attrs.Attribute[int | None], value: object) -> None:
    _offset(value, attribute.name)


@attrs.frozen(kw_only=True)
class Fault:
    """What goes wrong when a recorded stream is replayed, to test how an app copes.

    Byte offsets and event numbers count the *recorded* body (events from 0):

    - ``cut_at=n`` / ``cut_event=n``: the body ends cleanly after *n* bytes,
      or just before event *n*, as when a proxy closes the stream early;
    - ``drop_at=n`` / ``drop_event=n``: the connection breaks there: reading
      on raises the HTTP library's ``RemoteProtocolError``;
    - ``stall=(at, seconds)``: at recording time *at* (seconds into the
      stream) nothing comes for *seconds* (real ones, at any speed);
    - ``inject={n: data}``: the bytes *data* (say, an error event built with
      :func:`streamkit.encode_event`) are sent just before event *n*.
    """

    cut_at: int | None = attrs.field(default=None, validator=_check_offset)
    cut_event: int | None = attrs.field(default=None, validator=_check_offset)
    drop_at: int | None = attrs.field(default=None, validator=_check_offset)
    drop_event: int | None = attrs.field(default=None, validator=_check_offset)
    stall: tuple[float, float] | None = None
    inject: Mapping[int, bytes] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        if self.stall is not None:
            at, seconds = self.stall
            if not (math.isfinite(at) and math.isfinite(seconds) and at >= 0 and seconds >= 0):
                raise ValueError(f"stall must be (at, seconds), both >= 0, not {self.stall!r}")
        for key, data in self.inject.items():
            _offset(key, "an inject key")
            if not isinstance(data, bytes):
                raise TypeError(f"inject[{key}] must be bytes, not {type(data).__name__}")


@attrs.frozen
class Broken:
    """Where a replayed body breaks: the transport raises its HTTP library's error."""

    message: str
    error: str | None = None  # the type name of the error the recorded stream ended with


#: One step of a replayed body: ``(t, chunk)``, ``(t, Broken)``, or ``(t, None)`` for its end.
Step = tuple[float, "bytes | Broken | None"]


def _event_offsets(body: bytes) -> list[int]:
    decoder = SSEDecoder(max_event_size=max(DEFAULT_MAX_EVENT_SIZE, len(body) + 1))
    try:
        events = decoder.feed(body) + decoder.close()
    except StreamError:  # pragma: no cover - the size limit covers the body
        return []
    return [event.offset for event in events if event.offset is not None]


def timeline(stream: RecordedStream, fault: Fault | None, rechunk: Rechunk | None) -> list[Step]:
    """The steps that replay *stream* with *fault* applied, its bytes re-split by *rechunk*.

    Times are seconds since the stream started.  A stream recorded as
    failed breaks where it failed; one recorded as cut short (cancelled,
    truncated) just ends there.
    """
    chunks = [(t - stream.t0, chunk) for t, chunk in stream.chunks]
    end_t = (stream.end_t - stream.t0) if stream.end_t is not None else None
    stop: int | None = None
    broken: Broken | None = None
    inserts: dict[int, bytes] = {}
    if fault is not None:
        offsets: list[int] = []
        total = sum(len(c) for _, c in chunks)
        if fault.cut_event is not None or fault.drop_event is not None or fault.inject:
            offsets = _event_offsets(stream.body)

        def at_event(n: int | None) -> int | None:
            return None if n is None else (offsets[n] if n < len(offsets) else total)

        cut = min(
            (v for v in (fault.cut_at, at_event(fault.cut_event)) if v is not None), default=None
        )
        drop = min(
            (v for v in (fault.drop_at, at_event(fault.drop_event)) if v is not None), default=None
        )
        if drop is not None and (cut is None or drop <= cut):
            stop = drop
            broken = Broken(f"streamkit fault: the connection drops after byte {drop}")
        elif cut is not None:
            stop = cut
        for n, data in sorted(fault.inject.items()):
            offset = at_event(n) or 0
            inserts[offset] = inserts.get(offset, b"") + data
    steps = _edit(chunks, inserts, stop)
    sizes = _sizes(rechunk)
    out: list[Step] = list(steps if sizes is None else _rechunk(steps, sizes))
    last = out[-1][0] if out else 0.0
    if stop is not None:
        out.append((last, broken))
    elif stream.end == "error":
        kind = stream.error or "error"
        message = (
            f"streamkit replay: the recorded stream failed here ({kind}: {stream.error_message})"
        )
        out.append((end_t if end_t is not None else last, Broken(message, stream.error)))
    else:
        out.append((end_t if end_t is not None else last, None))
    return out


def _edit(
    chunks: Sequence[tuple[float, bytes]], inserts: Mapping[int, bytes], stop: int | None
) -> list[tuple[float, bytes]]:
    """*chunks* with *inserts* (offset -> bytes) put in and everything from *stop* on left out.

    Chunks are split at those offsets only; an insert comes at the time of the
    chunk it lands in (at the end, for offsets past the body).
    """
    points = sorted({*inserts, *(() if stop is None else (stop,))})
    pieces: list[tuple[float, int, bytes]] = []  # (t, offset, bytes), no piece across a point
    position = 0
    for t, chunk in chunks:
        cut = position
        for point in points:
            if position < point < position + len(chunk):
                pieces.append((t, cut, chunk[cut - position : point - position]))
                cut = point
        pieces.append((t, cut, chunk[cut - position :]))
        position += len(chunk)
    pending = dict(inserts)
    out: list[tuple[float, bytes]] = []
    last = 0.0
    for t, offset, data in pieces:
        if offset in pending and (stop is None or offset <= stop):
            out.append((t, pending.pop(offset)))
        if stop is not None and offset >= stop:
            break
        out.append((t, data))
        last = t
    else:
        out.extend((last, pending[o]) for o in sorted(pending) if stop is None or o <= stop)
    return out


# -- writing ------------------------------------------------------------------------


class Exchange:
    """One exchange being recorded into a cassette; the transport feeds it its body."""

    def __init__(
        self,
        writer: _SessionWriter,
        index: int,
        request: dict[str, Any],
        response: dict[str, Any],
        dialect: str | None,
        content_type: str | None = None,
    ) -> None:
        self.index = index
        self.content_type = content_type
        self.ended = False
        self._writer = writer
        self._request = request
        self._response = response
        self._probe = DialectProbe() if dialect == "auto" else None
        self._dialect = None if dialect == "auto" else dialect
        self._t0 = writer.now()
        self._pending: list[tuple[float, str, Any]] = []
        self._opened = False
        self._shift = 0.0

    @property
    def resolved(self) -> bool:
        return self._probe is None or self._probe.decided

    def chunk(self, data: bytes | bytearray | memoryview) -> None:
        """Record the next chunk of the body (before the app sees it)."""
        if self.ended:
            raise RuntimeError("this exchange's recording has ended")
        data = bytes(data)
        if self._probe is not None:
            self._probe.feed(data)
        self._writer.emit(self, (self._writer.now(), "o", data))

    def end(self, end: str | dict[str, str]) -> None:
        """Record how the body ended: ``"eof"``, ``"cancelled"``, an error; once only."""
        if self.ended:
            return
        self.ended = True
        if self._probe is not None:
            self._probe.close()
        self._writer.emit(self, (self._writer.now(), "x", end))

    def fail(self, exc: BaseException) -> None:
        """End the recording with *exc*: an error, or ``cancelled`` for a cancellation."""
        if isinstance(exc, Exception):
            self.end({"error": type(exc).__qualname__, "message": str(exc)})
        else:
            self.end("cancelled")

    # The writer's side.

    def lines(
        self, last: float, first: bool, started_at: datetime, redact: frozenset[str]
    ) -> Iterator[tuple[float, bytes]]:
        """The lines ready to write, as ``(t, line)``; the opening line first."""
        if not self._opened:
            self._opened = True
            self._shift = max(0.0, last - self._t0)
            dialect = self._probe.dialect if self._probe is not None else self._dialect
            t0 = max(last, round(self._t0 + self._shift, 6))
            if first:
                line = header_line(
                    dialect=dialect,
                    started_at=started_at,
                    request=self._request,
                    response=self._response,
                    meta=None,
                    redact=redact,
                )
                yield 0.0, line
            else:
                line = stream_line(
                    t0,
                    request=self._request,
                    response=self._response,
                    meta=None,
                    redact=redact,
                    dialect=dialect,
                )
                yield t0, line
        pending, self._pending = self._pending, []
        for t, kind, payload in pending:
            t = max(last, round(t + self._shift, 6))
            last = t
            yield t, chunk_line(t, payload) if kind == "o" else end_line(t, payload)

    def queue(self, item: tuple[float, str, Any]) -> None:
        self._pending.append(item)


class _SessionWriter:
    """The cassette file: exchanges written one after another, in the order they opened."""

    def __init__(
        self, path: str, *, append: bool, redact: frozenset[str], clock: Callable[[], float]
    ) -> None:
        last = _prepare_append(path) if append else 0.0
        self.path = path
        self._sink = _Sink(path, fsync=False, append=append)
        self._first = not append
        self._clock = clock
        self._start = clock() - last
        self._last = last
        self._redact = redact
        self._started_at = datetime.now(UTC)
        self._queue: collections.deque[Exchange] = collections.deque()
        self._lock = threading.RLock()
        self._closed = False

    def now(self) -> float:
        return round(self._clock() - self._start, 6)

    def open(
        self,
        index: int,
        request: dict[str, Any],
        response: dict[str, Any],
        dialect: str | None,
        content_type: str | None,
    ) -> Exchange:
        with self._lock:
            if self._closed:
                raise RuntimeError("the cassette is closed")
            exchange = Exchange(self, index, request, response, dialect, content_type)
            self._queue.append(exchange)
            return exchange

    def emit(self, exchange: Exchange, item: tuple[float, str, Any]) -> None:
        with self._lock:
            if self._closed:
                return
            exchange.queue(item)
            self._drain()

    def _drain(self) -> None:
        while self._queue:
            head = self._queue[0]
            if not head.resolved:
                return
            for t, line in head.lines(self._last, self._first, self._started_at, self._redact):
                self._first = False
                self._sink.write(line)
                self._last = max(self._last, t)
            if not head.ended:
                return
            self._queue.popleft()

    def close(self) -> None:
        """End every exchange still open as ``cancelled``, write what waits, close the file."""
        with self._lock:
            if self._closed:
                return
            try:
                for exchange in list(self._queue):
                    if not exchange.ended:
                        exchange.ended = True
                        if exchange._probe is not None:
                            exchange._probe.close()
                        exchange.queue((self.now(), "x", "cancelled"))
                if not self._sink.broken:
                    self._drain()
            finally:
                self._closed = True
                self._sink.close()


def _prepare_append(path: str) -> float:
    """The last time in the recording at *path*, its torn final line (if any) cut off."""
    with warnings.catch_warnings():  # a torn line was reported when the cassette was read
        warnings.simplefilter("ignore", RecordingWarning)
        _, streams = load(path)
    last = 0.0
    for stream in streams:
        last = max(last, stream.t0, stream.end_t or 0.0, *(t for t, _ in stream.chunks))
    if not path.endswith(".gz"):
        with open(path, "r+b") as file:
            data = file.read()
            if data and not data.endswith(b"\n"):
                file.truncate(data.rfind(b"\n") + 1)
    return last


# -- the cassette -------------------------------------------------------------------


class Cassette:
    """A session of HTTP exchanges in one file: replays recorded ones, records new ones.

    *record_mode* says what it may do, as pytest-recording's modes do:

    - ``"none"``: replay only; the file must exist; an unmatched request is a
      :class:`ReplayMismatch`;
    - ``"once"``: replay an existing file as ``"none"`` does; record a missing one;
    - ``"new_episodes"``: replay what matches, record (append) what does not;
    - ``"all"``: record everything, replacing the file.

    *match* is the request fields compared (:data:`DEFAULT_MATCH`), a
    function ``match(live, recorded) -> bool`` over two
    :class:`RecordedRequest`, or ``None`` to ignore requests and replay the
    streams in order.  *redact* names headers, query parameters and JSON
    body fields never written (besides
    :data:`~streamkit.recording.DEFAULT_REDACT`).  New streams record the
    dialect detected from their first event with ``dialect="auto"``.
    *rechunk* and *faults* (one :class:`Fault` for every replayed stream, or
    ``{index: Fault}``) shape what :meth:`timeline` replays.

    What it did is kept for assertions: ``streams`` (the recorded streams it
    replays from), ``requests`` (every request routed, as
    :class:`RecordedRequest`), ``replayed`` and ``recorded`` (stream indexes,
    in order), ``mismatches`` (the :class:`ReplayMismatch` errors raised,
    also those an HTTP client wrapped in its own); :meth:`fold` folds a
    stream of the file as it is now.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        replayer: Replayer | None = None,
        record_mode: RecordMode = "none",
        match: Sequence[str] | Matcher | None = DEFAULT_MATCH,
        redact: Iterable[str] = (),
        dialect: str | None = "auto",
        rechunk: Rechunk | None = None,
        faults: Fault | Mapping[int, Fault] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if record_mode not in RECORD_MODES:
            raise ValueError(f"record_mode must be one of {RECORD_MODES}, not {record_mode!r}")
        if replayer is None and path is None:
            raise TypeError("a Cassette needs a path or a replayer")
        self.path = os.fspath(path) if path is not None else replayer.path if replayer else None
        self.record_mode = record_mode
        self._fields = _check_match(match)
        self._matcher = match if callable(match) else None
        self._sequential = match is None
        self.redact = frozenset(
            DEFAULT_REDACT | {n.lower() for n in ([redact] if isinstance(redact, str) else redact)}
        )
        self.dialect = dialect
        self.rechunk = rechunk
        _sizes(rechunk)  # a bad rechunk is an error now, not at the first replay
        self._faults = faults
        self._clock = clock
        exists = self.path is not None and os.path.exists(self.path)
        if replayer is None and (record_mode == "none" or (exists and record_mode != "all")):
            assert self.path is not None
            replayer = Replayer.open(self.path)
        self._replayer = replayer if record_mode != "all" else None
        self.streams: list[RecordedStream] = list(self._replayer.streams) if self._replayer else []
        self._requests = [
            RecordedRequest.from_record(s.request) if s.request is not None else None
            for s in self.streams
        ]
        self.can_replay = record_mode != "all" and bool(self.streams)
        self.can_record = record_mode in ("new_episodes", "all") or (
            record_mode == "once" and not exists
        )
        self._append = record_mode == "new_episodes" and exists
        self._served = [False] * len(self.streams)
        #: A note added to every mismatch (how to record what is missing, say).
        self.hint: str | None = None
        self.requests: list[RecordedRequest] = []
        self.mismatches: list[ReplayMismatch] = []
        self.replayed: list[int] = []
        self.recorded: list[int] = []
        self._writer: _SessionWriter | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> Cassette:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Finish the file: exchanges still open end as ``cancelled``."""
        with self._lock:
            writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()

    # -- routing

    def route(self, request: RecordedRequest) -> int | None:
        """The recorded stream that answers *request*, or ``None``: send it live and record it.

        Raises :class:`ReplayMismatch` (or :class:`ReplayExhausted`) when the
        cassette can neither replay nor record it.
        """
        with self._lock:
            self.requests.append(request)
            if self.can_replay:
                for index, recorded in enumerate(self._requests):
                    if not self._served[index] and self._matches(request, recorded):
                        self._served[index] = True
                        self.replayed.append(index)
                        return index
            if self.can_record:
                return None
            mismatch = self._mismatch(request, len(self.requests))
            if self.hint:
                mismatch.add_note(self.hint)
            self.mismatches.append(mismatch)  # an HTTP client may wrap the error: kept to report
            raise mismatch

    def _matches(self, live: RecordedRequest, recorded: RecordedRequest | None) -> bool:
        if recorded is None or self._sequential:
            return True
        if self._matcher is not None:
            return bool(self._matcher(live, recorded))
        assert self._fields is not None
        return all(_same(live, recorded, name) for name in self._fields)

    def _how(self) -> str:
        if self._matcher is not None:
            return f"matched by {getattr(self._matcher, '__qualname__', repr(self._matcher))}"
        return f"matched on {', '.join(self._fields or ())}"

    def _mismatch(self, request: RecordedRequest, number: int) -> ReplayMismatch:
        where = f" {self.path}" if self.path else ""
        count = len(self.streams)
        holds = f"{count} stream{'s' if count != 1 else ''}"
        if self._sequential or all(r is None for r in self._requests):
            return ReplayExhausted(
                f"request #{number}, {request}, but the recording{where} holds {holds}",
                request=request,
            )
        served = [
            i for i, r in enumerate(self._requests) if r is not None and self._matches(request, r)
        ]
        if served:
            return ReplayExhausted(
                f"request #{number}, {request}, matches stream{'s' if len(served) > 1 else ''}"
                f" {', '.join(map(str, served))} of the cassette{where} ({holds}),"
                " replayed already: each recorded exchange answers one request",
                request=request,
                closest=self._requests[served[0]],
            )
        fields = self._fields or MATCH_FIELDS
        candidates = [(i, r) for i, r in enumerate(self._requests) if r is not None]
        index, closest = max(
            candidates,
            key=lambda c: (
                sum(_same(request, c[1], f) for f in fields),
                not self._served[c[0]],
                -c[0],
            ),
        )
        differences = _differences(request, closest, fields)
        once = "; record mode 'once' records nothing new" if self.record_mode == "once" else ""
        return ReplayMismatch(
            f"request #{number}, {request}, matches no recorded exchange of the cassette{where}"
            f" ({holds}, {self._how()}); the closest is stream {index}, {closest},"
            " which differs in " + "; ".join(differences or ["what the matcher looks at"]) + once,
            request=request,
            closest=closest,
            differences=differences,
        )

    # -- replaying

    def fault(self, index: int) -> Fault | None:
        """The fault for stream *index*."""
        if self._faults is None or isinstance(self._faults, Fault):
            return self._faults
        return self._faults.get(index)

    def timeline(self, index: int) -> list[Step]:
        """What replays stream *index*: see :func:`timeline`."""
        return timeline(self.streams[index], self.fault(index), self.rechunk)

    # -- recording

    def record(
        self, request: RecordedRequest, status: int, headers: Iterable[tuple[str, str]]
    ) -> Exchange:
        """Start recording the answer to *request*; feed the returned exchange its body."""
        headers = list(headers)
        content_type = next((v for k, v in headers if k.lower() == "content-type"), None)
        dialect = self.dialect if is_streaming(content_type) else None
        with self._lock:
            if not self.can_record:
                raise RuntimeError(f"record mode {self.record_mode!r} records nothing")
            if self._writer is None:
                assert self.path is not None
                if self.path.removesuffix(".gz").endswith(".sse"):
                    raise RecordingError(
                        "a cassette is a recording, not a raw .sse body", path=self.path
                    )
                directory = os.path.dirname(self.path)
                if directory:
                    os.makedirs(directory, exist_ok=True)
                self._writer = _SessionWriter(
                    self.path, append=self._append, redact=self.redact, clock=self._clock
                )
            index = (len(self.streams) if self._append else 0) + len(self.recorded)
            self.recorded.append(index)
            writer = self._writer
        response = {"status": status, "headers": headers}
        return writer.open(index, request.to_record(), response, dialect, content_type)

    # -- reading back

    def replayer(self) -> Replayer:
        """The cassette as it is now (the file read again when this run wrote to it)."""
        if (
            self.path is not None
            and os.path.exists(self.path)
            and (self.recorded or self._replayer is None)
        ):
            return Replayer.open(self.path)
        if self._replayer is None:
            raise RecordingError("the cassette holds nothing yet", path=self.path)
        return self._replayer

    def fold(self, index: int) -> Any:
        """Stream *index* folded: its dialect's accumulator fed every event of the stream.

        The dialect is the one recorded for the stream, else the one its first
        event names.  Assert on ``.result`` (the final object) and whatever
        else the dialect's accumulator offers.  Raises :class:`ValueError` for
        a stream of no known dialect (a JSON body, say).
        """
        replayer = self.replayer()
        if not -len(replayer.streams) <= index < len(replayer.streams):
            raise IndexError(f"no stream {index} in a cassette of {len(replayer.streams)}")
        stream = replayer.streams[index]
        dialect = stream.dialect
        if dialect is None:  # recorded without one: the first event may still name it
            probe = DialectProbe()
            probe.feed(stream.body)
            probe.close()
            dialect = probe.dialect
        if dialect is None:
            response = stream.response or {}
            headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
            media = _media_type(headers.get("content-type")) or "no content type"
            raise ValueError(f"stream {index} speaks no dialect ({media}): nothing to fold")
        accumulator = _registry.get(dialect).accumulator()
        for event in replayer.iter_events(index, dialect=dialect):
            accumulator.feed(event)
        return accumulator

    def __repr__(self) -> str:
        return f"<Cassette {self.path!r} record_mode={self.record_mode!r}>"
