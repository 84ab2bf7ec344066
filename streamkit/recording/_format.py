"""The recording file format, version 1 (described in ``docs/recording-format.md``).

A recording is newline-delimited JSON after asciicast v2: a header object on
line 1, then one ``[t, kind, data]`` array per line.  This module owns both
directions of that format, so the recorder and the replayer cannot disagree:
the ``*_line`` functions build complete lines, :func:`load` parses a file back.

Theory of reading: the file is read whole (recordings are small), gunzipped
leniently (a gzip stream cut short by a killed recorder still yields every
line it holds), split on LF and parsed line by line.  Every complete line must
parse; only a final line with no LF may be torn, and that one is skipped with
a :class:`RecordingWarning`.  A raw body reads as one stream holding one
chunk: a raw body is told by its suffix (:data:`RAW_SUFFIXES`: ``.sse``, an
AWS event stream's ``.bin``, a JSON array's ``.json``), a raw NDJSON body (an
Ollama stream, which shares the ``.ndjson`` suffix with recordings) by its
first lines (:func:`is_raw_ndjson`).
"""

from __future__ import annotations

import base64
import binascii
import math
import os
import warnings
import zlib
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

import attrs
import msgspec

from .._errors import RecordingError
from ..dialects._msgspec_errors import read as read_problem

__all__ = ("DEFAULT_REDACT", "Header", "RecordedStream", "RecordingWarning")

VERSION = 1
REDACTED = "[redacted]"
#: Header names whose values are never written (compared case-insensitively).
DEFAULT_REDACT = frozenset(
    {
        "authorization",
        "api-key",
        "x-api-key",
        "x-goog-api-key",  # Gemini API
        "cookie",
        "set-cookie",
        "proxy-authorization",
    }
)

Headers = Mapping[str, str] | Iterable[tuple[str, str]]


class RecordingWarning(UserWarning):
    """A recording was read in part: its torn final line was skipped."""


@attrs.frozen
class Header:
    """Line 1 of a recording: what was recorded and when.

    ``request`` and ``response`` are those of the first stream (``None`` when
    not recorded); ``started_at`` is ``None`` for a raw ``.sse`` body.
    """

    version: int
    dialect: str | None
    started_at: datetime | None
    request: dict[str, Any] | None = None
    response: dict[str, Any] | None = None
    meta: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class RecordedStream:
    """One recorded response body: its chunks as ``(t, bytes)`` and how it ended.

    ``t`` is seconds since the recording started; ``t0`` and ``end_t`` are
    when this stream started and ended.  ``end`` is ``"eof"``, ``"error"`` (then ``error`` holds the
    exception type name and ``error_message`` its message), ``"cancelled"``,
    or ``None`` when the file stops before an end line: the recorder was
    killed, and the stream is truncated.  ``dialect`` is the dialect this
    stream speaks: its own when its ``"s"`` line names one, else the header's.
    """

    chunks: tuple[tuple[float, bytes], ...]
    end: str | None
    t0: float = 0.0
    end_t: float | None = None
    error: str | None = None
    error_message: str | None = None
    request: dict[str, Any] | None = None
    response: dict[str, Any] | None = None
    meta: dict[str, Any] = attrs.field(factory=dict)
    dialect: str | None = None

    @property
    def body(self) -> bytes:
        """All chunks joined."""
        return b"".join(chunk for _, chunk in self.chunks)


# -- writing -----------------------------------------------------------------


def _line(value: object) -> bytes:
    return msgspec.json.encode(value) + b"\n"


def redact_headers(headers: Headers, names: frozenset[str]) -> dict[str, str]:
    """*headers* as a dict, values of *names* replaced; repeated names joined by ", "."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    out: dict[str, str] = {}
    for name, value in items:
        value = REDACTED if name.lower() in names else value
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


def _message(message: Mapping[str, Any] | None, names: frozenset[str]) -> dict[str, Any] | None:
    if message is None:
        return None
    out = dict(message)
    if out.get("headers") is not None:
        out["headers"] = redact_headers(out["headers"], names)
    return out


class _Inherit:
    """The dialect of an ``"s"`` line that names none: the stream speaks the header's."""


INHERIT = _Inherit()


def _stream_fields(
    request: Mapping[str, Any] | None,
    response: Mapping[str, Any] | None,
    meta: Mapping[str, Any] | None,
    names: frozenset[str],
    dialect: str | _Inherit | None = INHERIT,
) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if not isinstance(dialect, _Inherit):
        fields["dialect"] = dialect
    for key, value in (("request", request), ("response", response)):
        if value is not None:
            fields[key] = _message(value, names)
    fields["meta"] = dict(meta or {})
    return fields


def header_line(
    *,
    dialect: str | None,
    started_at: datetime,
    request: Mapping[str, Any] | None,
    response: Mapping[str, Any] | None,
    meta: Mapping[str, Any] | None,
    redact: frozenset[str],
) -> bytes:
    """Line 1, redacted."""
    stamp = started_at.isoformat(timespec="microseconds").replace("+00:00", "Z")
    head = {"streamkit": VERSION, "dialect": dialect, "started_at": stamp}
    return _line(head | _stream_fields(request, response, meta, redact))


def stream_line(
    t: float,
    *,
    request: Mapping[str, Any] | None,
    response: Mapping[str, Any] | None,
    meta: Mapping[str, Any] | None,
    redact: frozenset[str],
    dialect: str | _Inherit | None = INHERIT,
) -> bytes:
    """The ``"s"`` line that starts the next stream of a session, redacted.

    It names *dialect* unless that is :data:`INHERIT` (the stream then speaks
    the header's).
    """
    return _line([t, "s", _stream_fields(request, response, meta, redact, dialect)])


def chunk_line(t: float, chunk: bytes | bytearray | memoryview) -> bytes:
    """An ``"o"`` line when *chunk* is UTF-8 on its own, else a ``"b"`` (base64) line."""
    try:
        return _line([t, "o", str(chunk, "utf-8")])
    except UnicodeDecodeError:
        return _line([t, "b", base64.b64encode(chunk).decode("ascii")])


def end_line(t: float, end: str | dict[str, str]) -> bytes:
    """An ``"x"`` line: ``"eof"``, ``"cancelled"`` or ``{"error": ..., "message": ...}``."""
    return _line([t, "x", end])


# -- reading -----------------------------------------------------------------


RAW_SUFFIXES = (".sse", ".bin", ".json")
"""The suffixes of raw bodies (an SSE body, an AWS event stream, a JSON array), ``.gz`` or not."""


def is_raw_body(path: str) -> bool:
    """Whether *path* names a raw body rather than a recording, by its suffix."""
    return path.removesuffix(".gz").endswith(RAW_SUFFIXES)


def is_raw_ndjson(data: bytes) -> bool:
    """Whether *data*, a file's content, is a raw NDJSON body rather than a recording.

    A recording's first line is its ``{"streamkit": ...}`` header and every
    line after it an array.  A body of JSON objects one per line, such as an
    Ollama stream, starts with an object without that key, followed by
    another object or by nothing.  An object without the key followed by an
    array is neither: a recording whose header is wrong, and the reader says so.
    """
    lines = _nonblank_lines(data)
    first = next(lines, b"")
    if not first.startswith(b"{"):
        return False
    try:
        head = msgspec.json.decode(first)
    except (msgspec.DecodeError, UnicodeDecodeError):
        return False
    if not isinstance(head, dict) or "streamkit" in head:
        return False
    return not next(lines, b"").startswith(b"[")


def _nonblank_lines(data: bytes) -> Iterator[bytes]:
    """The lines of *data* that hold more than whitespace, stripped, as they are asked for."""
    pos, size = 0, len(data)
    while pos < size:
        end = data.find(b"\n", pos)
        if end < 0:
            end = size
        line = data[pos:end].strip()
        pos = end + 1
        if line:
            yield line


def load(
    path: str | os.PathLike[str], *, dialect: str | None = None
) -> tuple[Header, list[RecordedStream]]:
    """Read a recording or a raw body; *dialect*, when given, overrides the header's.

    A raw body (by its suffix, :data:`RAW_SUFFIXES`, or NDJSON objects: see
    :func:`is_raw_ndjson`) has no header: its dialect is *dialect*.
    """
    name = os.fspath(path)
    with open(name, "rb") as file:
        data = file.read()
    if name.endswith(".gz"):
        data = _gunzip(data, name)
    if is_raw_body(name) or is_raw_ndjson(data):
        chunks = ((0.0, data),) if data else ()
        stream = RecordedStream(chunks, "eof", end_t=0.0, dialect=dialect)
        return Header(VERSION, dialect, None), [stream]
    return _Parser(name, dialect).parse(data)


def _gunzip(data: bytes, name: str) -> bytes:
    parts = []
    while data:
        inflater = zlib.decompressobj(wbits=31)
        try:
            parts.append(inflater.decompress(data))
        except zlib.error:
            raise RecordingError("not valid gzip", path=name) from None
        if not inflater.eof:  # cut short, e.g. the recorder was killed: keep what is there
            if not name.removesuffix(".gz").endswith(".ndjson"):  # a raw body, not a recording
                message = f"{name}: compressed stream ended early: the body is cut short"
                warnings.warn(message, RecordingWarning, stacklevel=4)
            break
        data = inflater.unused_data
    return b"".join(parts)


def _is_time(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and value >= 0


class _Builder:
    """The stream being read: collects chunks until its end line."""

    def __init__(self, t0: float, fields: dict[str, Any]) -> None:
        self.t0 = t0
        self.fields = fields
        self.chunks: list[tuple[float, bytes]] = []
        self.end: str | None = None
        self.end_t: float | None = None
        self.error: str | None = None
        self.error_message: str | None = None

    def build(self) -> RecordedStream:
        return RecordedStream(
            tuple(self.chunks),
            self.end,
            t0=self.t0,
            end_t=self.end_t,
            error=self.error,
            error_message=self.error_message,
            request=self.fields.get("request"),
            response=self.fields.get("response"),
            meta=self.fields.get("meta") or {},
            dialect=self.fields.get("dialect"),
        )


class _Parser:
    def __init__(self, name: str, dialect: str | None) -> None:
        self.name = name
        self.dialect = dialect
        self.number = 0

    def error(self, message: str) -> RecordingError:
        return RecordingError(message, path=self.name, line=self.number)

    def lines(self, data: bytes) -> Iterator[Any]:
        """Each non-blank line parsed, ``self.number`` set to its 1-based number."""
        *complete, tail = data.split(b"\n")
        for self.number, raw in enumerate(complete, 1):
            if raw.strip():
                try:
                    yield msgspec.json.decode(raw)
                except (msgspec.DecodeError, UnicodeDecodeError) as exc:  # bad UTF-8 in a string
                    raise self.error(f"invalid JSON: {read_problem(exc, raw).message}") from None
        if tail.strip():
            self.number = len(complete) + 1
            try:
                value = msgspec.json.decode(tail)
            except (msgspec.DecodeError, UnicodeDecodeError):
                if self.number == 1:
                    raise self.error("torn header line") from None
                message = f"{self.name}:{self.number}: skipped a torn final line"
                warnings.warn(message, RecordingWarning, stacklevel=5)
                return
            yield value

    def parse(self, data: bytes) -> tuple[Header, list[RecordedStream]]:
        lines = self.lines(data)
        first = next(lines, None)
        if first is None:
            raise RecordingError("empty recording: no header line", path=self.name)
        header = self.header(first)
        streams: list[RecordedStream] = []
        current = _Builder(0.0, self.fields([first]) | {"dialect": header.dialect})
        for value in lines:
            if not (isinstance(value, list) and len(value) >= 2 and _is_time(value[0])):
                raise self.error("expected an array [t, kind, ...] with t >= 0")
            t, kind, payload = float(value[0]), value[1], value[2:3]
            if kind == "s":
                streams.append(current.build())
                fields = self.fields(payload)
                if self.dialect is not None or "dialect" not in fields:
                    fields["dialect"] = header.dialect
                current = _Builder(t, fields)
            elif kind in ("o", "b", "x"):
                if current.end is not None:
                    raise self.error(f"a {kind!r} line after the stream's end line")
                if not payload:
                    raise self.error(f"a {kind!r} line needs a third element")
                if kind == "x":
                    self.end(current, payload[0])
                    current.end_t = t
                else:
                    current.chunks.append((t, self.chunk(kind, payload[0])))
            # any other kind is from a later version: ignored
        streams.append(current.build())
        return header, streams

    def header(self, value: Any) -> Header:
        if not (isinstance(value, dict) and "streamkit" in value):
            raise self.error(
                'not a streamkit recording: line 1 must be a {"streamkit": 1, ...} header'
            )
        version = value["streamkit"]
        if type(version) is not int or version != VERSION:
            raise self.error(f"unsupported recording version {version!r} (this reader knows 1)")
        dialect = value.get("dialect")
        started_at = value.get("started_at")
        if not isinstance(dialect, str | None) or not isinstance(started_at, str | None):
            raise self.error('"dialect" and "started_at" must be strings')
        try:
            stamp = None if started_at is None else datetime.fromisoformat(started_at)
        except ValueError:
            raise self.error(f"bad started_at {started_at!r}") from None
        fields = self.fields([value])
        fields.pop("dialect", None)
        return Header(VERSION, self.dialect or dialect, stamp, **fields)

    def fields(self, payload: list[Any]) -> dict[str, Any]:
        """request, response and meta of a header or ``"s"`` line, checked."""
        value = payload[0] if payload else {}
        if not isinstance(value, dict):
            raise self.error("stream fields must be an object")
        fields = {key: value.get(key) for key in ("request", "response")}
        fields["meta"] = value.get("meta") or {}
        if not all(isinstance(v, dict | None) for v in fields.values()):
            raise self.error('"request", "response" and "meta" must be objects')
        if "dialect" in value:  # a stream's own dialect (an "s" line); the header's is read apart
            if not isinstance(value["dialect"], str | None):
                raise self.error('"dialect" must be a string or null')
            fields["dialect"] = value["dialect"]
        return fields

    def chunk(self, kind: str, data: Any) -> bytes:
        if not isinstance(data, str):
            raise self.error(f"a {kind!r} line's data must be a string")
        try:
            return data.encode() if kind == "o" else base64.b64decode(data, validate=True)
        except (UnicodeEncodeError, binascii.Error, ValueError):  # ValueError: non-ASCII
            what = "text that is not UTF-8" if kind == "o" else "not base64"
            raise self.error(f"bad {kind!r} data: {what}") from None

    def end(self, stream: _Builder, end: Any) -> None:
        if isinstance(end, dict):
            error, message = end.get("error"), end.get("message", "")
            if not (isinstance(error, str) and isinstance(message, str)):
                raise self.error('an error end must be {"error": str, "message": str}')
            stream.end, stream.error, stream.error_message = "error", error, message
        elif isinstance(end, str):
            stream.end = end
        else:
            raise self.error('an end line holds "eof", "cancelled" or an error object')
