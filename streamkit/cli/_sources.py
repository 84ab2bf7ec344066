"""Input: FILE (a recording, a raw body, or ``-`` for standard input) and its dialect.

``FILE`` is a recording (``.ndjson``, ``.ndjson.gz``) or a raw body (``.sse``,
``.bin``, ``.json``, gzipped or not, or NDJSON objects whatever the suffix),
told apart as everywhere in streamkit (``Replayer.open`` reads them), or
``-`` for standard input.  Standard input has no suffix, so it is sniffed:
it is read as ``.ndjson`` (a recording, or a raw NDJSON body) when its first
non-blank byte (after gunzipping, when it starts with the gzip magic number)
is ``{``, which no SSE body starts with, and as a raw body otherwise (whose
framing the stream layer tells by its first bytes).

The dialect is ``--dialect NAME`` when one is named, else (``auto``, the
default) the recording header's, else the one whose detection claims the
first event, as ``dialect="auto"`` picks it everywhere in streamkit.
"""

from __future__ import annotations

import os
import sys
import tempfile
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from streamkit._errors import RecordingError
from streamkit._pipeline import Pipeline
from streamkit.dialects import get, names
from streamkit.recording import Replayer

from ._output import UserError, say

if TYPE_CHECKING:
    from streamkit.dialects import Dialect
    from streamkit.recording import RecordedStream

__all__ = ("STDIN", "Source", "check_dialect", "detect", "load", "read")

STDIN = "<stdin>"
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class Source:
    """A FILE read: its streams, the ones selected, and the dialect to decode them with.

    ``dialect`` is ``None`` only for a file read without resolving it
    (:func:`read`); :func:`load` always resolves it.
    """

    replayer: Replayer
    name: str  # as shown to the user
    stream: int | None  # None: every stream
    dialect: Dialect[Any] | None = None

    @property
    def indices(self) -> list[int]:
        """The indices of the selected streams."""
        if self.stream is not None:
            return [self.stream]
        return list(range(len(self.replayer.streams)))

    @property
    def selected(self) -> list[RecordedStream]:
        streams = self.replayer.streams
        return streams if self.stream is None else [streams[self.stream]]

    @property
    def timed(self) -> bool:
        """Whether the file has timing (a raw body has none)."""
        return self.replayer.header.started_at is not None

    @property
    def decoder(self) -> Dialect[Any]:
        """The dialect, once resolved."""
        if self.dialect is None:  # pragma: no cover - every decoding command loads
            raise RuntimeError("the source's dialect was not resolved")
        return self.dialect


def check_dialect(name: str) -> Dialect[Any]:
    """The dialect called *name*, or a :class:`UserError` naming the known ones."""
    try:
        return get(name)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    except ImportError as exc:  # registered, but its package is missing from this install
        raise UserError(f"dialect {name!r} cannot be loaded: {exc}") from None


def _stdin_suffix(data: bytes) -> str:
    """The file suffix standard input's bytes would have (see the module docstring)."""
    head = data
    gzipped = data.startswith(_GZIP_MAGIC)
    if gzipped:
        try:
            head = zlib.decompressobj(wbits=31).decompress(data, 65536)
        except zlib.error:
            return ".ndjson.gz"  # let the reader say what is wrong with it
    kind = ".ndjson" if head.lstrip()[:1] == b"{" else ".sse"
    return kind + (".gz" if gzipped else "")


def _looks_like_recording(path: str) -> bool:
    """Whether *path* starts like a recording (``{``) or is compressed, so not a raw body."""
    with open(path, "rb") as file:
        head = file.read(4096)
    return head.startswith(_GZIP_MAGIC) or head.lstrip()[:1] == b"{"


def _open(path: str, dialect: str | None, shown: str) -> Replayer:
    """``Replayer.open``, its warnings said as one line each, *path* shown as *shown*."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            replayer = Replayer.open(path, dialect=dialect)
        except RecordingError as exc:
            message = str(exc).replace(path, shown)
            if exc.line == 1 and not _looks_like_recording(path):
                message += " (a raw body needs a .sse, .bin or .json suffix)"
            raise UserError(message) from None
    for warning in caught:
        say(str(warning.message).replace(path, shown), "warning")
    return replayer


def read(file: str, dialect: str = "auto", stream: int | None = None) -> Source:
    """Read FILE (or ``-``); the dialect is resolved only when one is named."""
    named = None if dialect == "auto" else dialect
    chosen = None if named is None else check_dialect(named)
    if file == "-":
        data = sys.stdin.buffer.read()
        with tempfile.TemporaryDirectory(prefix="streamkit-") as tmp:
            path = os.path.join(tmp, "stdin" + _stdin_suffix(data))
            Path(path).write_bytes(data)
            replayer = _open(path, named, STDIN)
        replayer.path = STDIN
        shown = STDIN
    else:
        replayer = _open(file, named, file)
        shown = file
    count = len(replayer.streams)
    if stream is not None and stream >= count:
        raise UserError(f"{shown} holds {count} stream(s): --stream must be below {count}")
    return Source(replayer, shown, stream, chosen)


def load(file: str, dialect: str, stream: int | None, *, max_event_size: int) -> Source:
    """Read FILE and resolve the dialect to decode it with (see the module docstring)."""
    source = read(file, dialect, stream)
    if source.dialect is None:
        header = source.replayer.header.dialect
        if header is not None:
            source.dialect = check_dialect(header)
        else:
            source.dialect = detect(source, max_event_size)
    return source


def detect(source: Source, max_event_size: int) -> Dialect[Any]:
    """The dialect that claims the first event of *source*, as ``dialect="auto"`` picks it.

    The stream layer's own search: the first bytes tell the framing, the
    first frame a dialect's detection claims names the dialect (even when
    its payload then fails to decode).
    """
    first: str | None = None
    for recorded in source.selected:
        pipeline = Pipeline("auto", "yield", max_event_size)
        for chunk in [*(chunk for _, chunk in recorded.chunks), None]:
            frames = pipeline.close() if chunk is None else pipeline.feed(chunk)
            if first is None and frames:
                first = frames[0].event
            for _ in pipeline.events(frames):
                if pipeline.dialect is not None:
                    return pipeline.dialect
    if first is None:
        raise UserError(f"{source.name} holds no events: it is empty or not a stream body")
    raise UserError(
        f"no dialect recognises {source.name} (its first event: {first!r}; "
        f"known: {', '.join(names())}): name one with --dialect"
    )
