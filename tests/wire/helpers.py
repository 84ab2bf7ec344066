"""What the wire tests share: decoding in chunkings, messages built by hand, strategies."""

from __future__ import annotations

import datetime
import struct
import uuid
import zlib
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from streamkit import EventStreamDecoder, JSONArrayDecoder, NDJSONDecoder, StreamError

from ..helpers import REAL, split_at

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = (
    "BEDROCK",
    "GEMINI_ARRAYS",
    "OLLAMA",
    "Decoded",
    "bodies_of",
    "bytewise",
    "headers_and_types",
    "raw_message",
    "split_at",
)

BEDROCK = sorted((REAL / "bedrock").glob("*.bin"))
OLLAMA = sorted((REAL / "ollama").glob("*.ndjson"))
GEMINI_ARRAYS = sorted((REAL / "gemini").glob("*.json"))


def bytewise(data: bytes) -> list[bytes]:
    return [data[i : i + 1] for i in range(len(data))]


class Decoded:
    """What one decoder made of a body in the given chunks: frames, error, truncation."""

    def __init__(
        self,
        kind: type[EventStreamDecoder | NDJSONDecoder | JSONArrayDecoder],
        chunks: Iterable[bytes],
        **kw: int,
    ) -> None:
        decoder = kind(**kw)
        self.frames: list[Any] = []
        self.error: StreamError | None = None
        try:
            for chunk in chunks:
                self.frames += decoder.feed(chunk)
            self.frames += decoder.close()
        except StreamError as exc:
            self.error = exc
        self.decoder = decoder
        self.truncated = decoder.truncated
        self.offsets = [frame.offset for frame in self.frames]

    @property
    def error_key(self) -> Any:
        exc = self.error
        return None if exc is None else (type(exc), exc.message, exc.offset, exc.excerpt)

    def same_as(self, other: Decoded) -> None:
        assert self.frames == other.frames
        assert self.offsets == other.offsets
        assert self.error_key == other.error_key
        assert self.truncated == other.truncated


def raw_message(
    headers: bytes = b"",
    payload: bytes = b"",
    *,
    total: int | None = None,
    hlen: int | None = None,
    prelude_crc: int | None = None,
    message_crc: int | None = None,
) -> bytes:
    """A message laid out by hand (not by ``encode_message``), any field overridable."""
    total = 16 + len(headers) + len(payload) if total is None else total
    hlen = len(headers) if hlen is None else hlen
    prelude = struct.pack(">II", total, hlen)
    crc = zlib.crc32(prelude) if prelude_crc is None else prelude_crc
    head = prelude + struct.pack(">I", crc) + headers + payload
    crc = zlib.crc32(head) if message_crc is None else message_crc
    return head + struct.pack(">I", crc)


def header(name: str | bytes, code: int, value: bytes = b"") -> bytes:
    """One header as wire bytes: name length, name, type byte, value bytes."""
    raw = name.encode() if isinstance(name, str) else name
    return bytes((len(raw),)) + raw + bytes((code,)) + value


def string_header(name: str, value: str) -> bytes:
    data = value.encode()
    return header(name, 7, struct.pack(">H", len(data)) + data)


def bodies_of(paths: list[Any]) -> list[bytes]:
    return [path.read_bytes() for path in paths]


# -- strategies ------------------------------------------------------------------------

_UTC = datetime.UTC
_INT_RANGES = {"byte": 7, "short": 15, "integer": 31, "long": 63}


@st.composite
def headers_and_types(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, str]]:
    """Any headers the format can carry, each with its wire type."""
    names = draw(
        st.lists(
            st.text(max_size=12).filter(lambda n: len(n.encode()) <= 255), unique=True, max_size=6
        )
    )
    headers: dict[str, Any] = {}
    types: dict[str, str] = {}
    for name in names:
        kind = draw(st.sampled_from(["bool", *_INT_RANGES, "bytes", "string", "timestamp", "uuid"]))
        value: Any
        if kind == "bool":
            value = draw(st.booleans())
        elif kind in _INT_RANGES:
            bits = _INT_RANGES[kind]
            value = draw(st.integers(-(2**bits), 2**bits - 1))
        elif kind == "bytes":
            value = draw(st.binary(max_size=40))
        elif kind == "string":
            value = draw(st.text(max_size=20))
        elif kind == "timestamp":
            millis = draw(st.integers(-62135596800000, 253402300799999))
            value = datetime.datetime(1970, 1, 1, tzinfo=_UTC) + datetime.timedelta(
                milliseconds=millis
            )
        else:
            value = uuid.UUID(bytes=draw(st.binary(min_size=16, max_size=16)))
        headers[name] = value
        types[name] = kind
    return headers, types
