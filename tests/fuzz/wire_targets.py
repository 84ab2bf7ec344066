"""Fuzz targets of the binary, line and array framings: event stream, NDJSON, JSON array.

The invariants are those of the SSE target (``targets.check_sse``, see
``docs/reliability.md``), with one difference: these framings decide
``EventTooLarge`` from what a frame's first bytes say (a message's prelude, a
line's or an element's length so far), not from what happens to be held, so
even a limited decode gives the same result in every chunking.

- **only StreamError escapes**: ``FrameError`` and ``EventTooLarge``, nothing else;
- **bounded time**: ``targets.time_bound`` per decode;
- **same bytes, same result**: whole, split at *cuts*, one byte at a time: the
  same frames, offsets, error (type, message, offset, excerpt) and truncation;
- **nothing lost before an error**: a limited decode delivers a prefix of the
  unlimited one, and all of it when it ends without an error;
- **exact**: event-stream messages re-encode to the very bytes they came from;
  NDJSON lines are the bytes between their offsets and the line end, and
  JSON-array elements the bytes at their offsets; a body the array's rules
  accept gives the elements ``json.loads`` finds in it.
"""

from __future__ import annotations

import datetime
import json
import uuid
import zlib
from functools import cache
from typing import TYPE_CHECKING, Any

import streamkit
from streamkit import (
    EventStreamDecoder,
    EventStreamMessage,
    JSONArrayDecoder,
    JSONArrayElement,
    NDJSONDecoder,
    NDJSONLine,
    StreamError,
    encode_message,
)

from .targets import REAL, _cuts, bytewise, split_at, time_bound

if TYPE_CHECKING:
    from collections.abc import Iterable

#: Bodies up to this size are also decoded byte at a time.
BYTEWISE = 2048

TARGETS = ("eventstream", "ndjson", "jsonarray")

Tokenizer = type[EventStreamDecoder | NDJSONDecoder | JSONArrayDecoder]

_VALUE_TYPES = (bool, int, bytes, str, datetime.datetime, uuid.UUID)


class Wire:
    """What one decoder made of one chunking: frames, the error it ended with, truncation."""

    def __init__(
        self,
        kind: Tokenizer,
        chunks: Iterable[bytes],
        max_event_size: int = streamkit.DEFAULT_MAX_EVENT_SIZE,
    ) -> None:
        decoder = kind(max_event_size=max_event_size)
        self.frames: list[Any] = []
        self.error: StreamError | None = None
        try:
            for chunk in chunks:
                self.frames += decoder.feed(chunk)
            self.frames += decoder.close()
        except StreamError as exc:  # anything else escapes: a crash
            self.error = exc
        self.truncated = decoder.truncated
        self.offsets = [frame.offset for frame in self.frames]
        exc = self.error
        self.error_key = None if exc is None else (type(exc), exc.message, exc.offset, exc.excerpt)

    def agrees(self, other: Wire) -> None:
        assert other.frames == self.frames
        assert other.offsets == self.offsets
        assert other.error_key == self.error_key, (other.error, self.error)
        assert other.truncated == self.truncated


def _check_message(message: EventStreamMessage, body: bytes) -> None:
    assert type(message.event) is str
    assert type(message.data) is bytes
    assert bytes(message.view) == message.data
    assert message.message_type is None or type(message.message_type) is str
    for name, value in message.headers.items():
        assert type(name) is str
        assert isinstance(value, _VALUE_TYPES), (name, value)
        assert message.header_types[name]
    offset = message.offset
    assert offset is not None
    again = encode_message(message.headers, message.data, types=message.header_types)
    assert body[offset : offset + len(again)] == again


def _check_line(line: NDJSONLine, body: bytes) -> None:
    assert line.event == "message"
    data = line.data
    assert type(data) is bytes
    assert data
    assert b"\n" not in data
    assert data.strip(b" \t\r")
    assert line.offset is not None
    assert body[line.offset : line.offset + len(data)] == data


def _check_element(element: JSONArrayElement, body: bytes) -> None:
    assert element.event == "message"
    data = element.data
    assert type(data) is bytes
    assert data
    assert data[:1] not in b" \t\r\n,"
    assert element.offset is not None
    assert body[element.offset : element.offset + len(data)] == data


_CHECKS: dict[Any, Any] = {
    EventStreamDecoder: _check_message,
    NDJSONDecoder: _check_line,
    JSONArrayDecoder: _check_element,
}


def _check(kind: Tokenizer, body: bytes, cuts: list[int], small_max: int) -> None:
    name = kind.__name__
    size = len(body)
    with time_bound(size, f"{name} whole"):
        whole = Wire(kind, [body])
    if whole.error is not None:
        assert type(whole.error) in (streamkit.FrameError, streamkit.EventTooLarge), whole.error
    check = _CHECKS[kind]
    for frame in whole.frames:
        check(frame, body)
    chunkings = [split_at(body, cuts)]
    if size <= BYTEWISE:
        chunkings.append(bytewise(body))
    for chunks in chunkings:
        with time_bound(size, f"{name} chunked"):
            whole.agrees(Wire(kind, chunks))
    # A small max_event_size: the same in every chunking, and a prefix of the above.
    limited = Wire(kind, [body], small_max)
    for chunks in chunkings:
        limited.agrees(Wire(kind, chunks, small_max))
    n = len(limited.frames)
    assert limited.frames == whole.frames[:n]
    assert limited.offsets == whole.offsets[:n]
    if limited.error is None:  # the limit was never reached: nothing differs
        assert n == len(whole.frames)
        assert whole.error is None
    elif type(limited.error) is not streamkit.EventTooLarge:
        assert limited.error_key == whole.error_key


def check_eventstream(body: bytes, cuts: list[int], small_max: int) -> None:
    """The event stream decoder on *body*: whole, split at *cuts*, byte at a time."""
    _check(EventStreamDecoder, body, cuts, small_max)


def check_ndjson(body: bytes, cuts: list[int], small_max: int) -> None:
    """The NDJSON tokenizer on *body*: whole, split at *cuts*, byte at a time."""
    _check(NDJSONDecoder, body, cuts, small_max)


def check_jsonarray(body: bytes, cuts: list[int], small_max: int) -> None:
    """The JSON-array tokenizer on *body*: whole, split at *cuts*, byte at a time.

    Where the body is a JSON array (``json.loads`` reads it), the elements are
    the array's, and nothing is in error or truncated.
    """
    _check(JSONArrayDecoder, body, cuts, small_max)
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return
    if type(value) is not list or body.startswith(b"\xef\xbb\xbf"):
        return
    whole = Wire(JSONArrayDecoder, [body])
    assert whole.error is None, whole.error
    assert not whole.truncated
    assert [json.loads(e.data) for e in whole.frames] == value


def repair(body: bytes) -> bytes:
    """*body* with the CRCs of its messages made right, walking it by the lengths they declare.

    A mutated message almost never has right CRCs, so without this a fuzzer
    would not get past them to the lengths and headers behind.
    """
    data = bytearray(body)
    pos = 0
    while len(data) - pos >= 12:
        total = int.from_bytes(data[pos : pos + 4], "big")
        data[pos + 8 : pos + 12] = zlib.crc32(data[pos : pos + 8]).to_bytes(4, "big")
        if total < 16 or pos + total > len(data):
            break
        stop = pos + total
        data[stop - 4 : stop] = zlib.crc32(data[pos : stop - 4]).to_bytes(4, "big")
        pos = stop
    return bytes(data)


def run_input(target: str, data: bytes) -> None:
    """Run one raw input on *target* (``eventstream`` or ``ndjson``).

    Byte 0 sets the small ``max_event_size`` (for the event stream 16 plus its
    low 7 bits, the high bit asking for :func:`repair`; 1-256 for NDJSON and
    the JSON array), then
    the cuts (as for ``targets.run_input``), then the body.
    """
    if not data:
        return
    cuts, body = _cuts(data[1:])
    if target == "eventstream":
        if data[0] & 0x80:
            body = repair(body)
        check_eventstream(body, cuts, (data[0] & 0x7F) + 16)
    elif target == "ndjson":
        check_ndjson(body, cuts, data[0] + 1)
    elif target == "jsonarray":
        check_jsonarray(body, cuts, data[0] + 1)
    else:
        raise ValueError(f"unknown wire target {target!r}")


# -- seed material -------------------------------------------------------------------


@cache
def real_bodies(target: str) -> tuple[bytes, ...]:
    """The real Bedrock (``eventstream``), Ollama (``ndjson``) or Gemini (``jsonarray``) bodies."""
    folder, pattern = {
        "eventstream": (REAL / "bedrock", "*.bin"),
        "ndjson": (REAL / "ollama", "*.ndjson"),
        "jsonarray": (REAL / "gemini", "*.json"),
    }[target]
    return tuple(path.read_bytes() for path in sorted(folder.glob(pattern)))


@cache
def real_frames(target: str) -> tuple[bytes, ...]:
    """Every distinct message (its bytes), line (with its LF) or element of the real bodies."""
    seen: dict[bytes, None] = {}
    for body in real_bodies(target):
        seen.update(dict.fromkeys(_frames_of(target, body)))
    return tuple(seen)


def seeds(target: str) -> list[bytes]:
    """Seed inputs for atheris: windows of a few frames of each real body."""
    out = []
    for body in real_bodies(target):
        frames = _frames_of(target, body)
        if target == "jsonarray":  # a few elements, as an array of their own
            windows = [
                b"[" + b",\r\n".join(frames[i : i + 4]) + b"]" for i in range(0, len(frames), 4)
            ]
        else:
            windows = [b"".join(frames[i : i + 4]) for i in range(0, len(frames), 4)]
        out += [b"\x40\x00" + window for window in windows]
        if target == "eventstream":  # the same, with the CRCs repaired after each mutation
            out += [b"\xc0\x00" + window for window in windows]
    return out


def _frames_of(target: str, body: bytes) -> list[bytes]:
    if target == "ndjson":
        return body.splitlines(keepends=True)
    if target == "jsonarray":
        return [element.data for element in JSONArrayDecoder().feed(body)]
    return [
        encode_message(m.headers, m.data, types=m.header_types)
        for m in EventStreamDecoder().feed(body)
    ]
