"""Fuzz targets: one function per component, each checking every invariant on one input.

The invariants (see ``docs/reliability.md``):

- **only StreamError escapes**: malformed input ends in a :class:`streamkit.StreamError`
  subclass, never in another exception (a bare ``ValueError`` included);
- **bounded time**: decoding *n* bytes takes less than ``BASE_SECONDS + PER_BYTE_SECONDS * n``;
- **same bytes, same result**: any chunking of a body gives the same events, the
  same end state, and the same error (when no size limit is in play);
- **nothing lost before an error**: the events delivered before an error are a
  prefix of what an unlimited decode gives, and no chunking delivers fewer
  than byte-at-a-time feeding (which stops at the earliest possible point);
- **one contract**: the compiled tokenizer and the pure-Python one, fed the same
  chunks, return the same events from the same calls (offsets and views included),
  raise the same errors (type, message, offset, excerpt) from the same calls, and
  end in the same state (:func:`check_sse_diff`).

Each target raises ``AssertionError`` (or lets an unexpected exception
escape) when an invariant breaks.  The hypothesis tests of this package
(``test_fuzz_*.py``) feed them structured inputs; the coverage-guided driver
``python -m tests.fuzz.atheris_main`` feeds them raw bytes.  Memory bounds are
checked by :func:`check_memory`, which is too slow to run on every input.
"""

from __future__ import annotations

import atexit
import contextlib
import gzip
import os
import shutil
import tempfile
import time
import tracemalloc
import warnings
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

import streamkit
from streamkit import SSEDecoder, SSEEvent, StreamError, _sse, dialects
from streamkit._pipeline import TOKENIZERS, sniff
from streamkit.recording import Recorder, RecordingWarning, Replayer

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

REPO = Path(__file__).resolve().parents[2]
REAL = REPO / "tests" / "data" / "real"
BUNDLED = REPO / "recordings"

#: Fixed cost allowed for one decode, and cost per input byte (generous: CI machines
#: are slow, coverage and atheris instrumentation slower; a quadratic path still shows).
BASE_SECONDS = 2.0
PER_BYTE_SECONDS = 100e-6

POLICIES = ("raise", "skip", "yield")

#: Bodies up to this size are also decoded byte at a time (the strictest chunking).
BYTEWISE_SSE = 2048
BYTEWISE_TYPED = 1024


# -- dialects ----------------------------------------------------------------------


def dialect_names() -> list[str]:
    """Every registered dialect whose package imports (the others are being written)."""
    out = []
    for name in dialects.names():
        try:
            dialects.get(name)
        except (ImportError, AttributeError):  # not there yet, or half written
            continue
        out.append(name)
    return out


# -- helpers -----------------------------------------------------------------------


def split_at(data: bytes, cuts: Iterable[int]) -> list[bytes]:
    """*data* split at the positions *cuts* (clamped and sorted; empty pieces allowed)."""
    points = sorted(min(max(c, 0), len(data)) for c in cuts)
    out, prev = [], 0
    for p in points:
        out.append(data[prev:p])
        prev = p
    out.append(data[prev:])
    return out


def bytewise(data: bytes) -> list[bytes]:
    return [data[i : i + 1] for i in range(len(data))]


@contextlib.contextmanager
def time_bound(nbytes: int, what: str) -> Iterator[None]:
    """Fail when the block took longer than the budget for *nbytes* of input.

    The process's CPU time, not the wall clock: a loaded machine slows the wall
    clock of a linear decode, never its CPU time per byte.
    """
    start = time.process_time()
    yield
    elapsed = time.process_time() - start
    limit = BASE_SECONDS + PER_BYTE_SECONDS * nbytes
    assert elapsed < limit, f"{what}: {elapsed:.3f} s for {nbytes} bytes (limit {limit:.3f} s)"


def _error_key(exc: BaseException | None) -> Any:
    if exc is None:
        return None
    if isinstance(exc, StreamError):
        return (type(exc), exc.message, exc.ordinal, exc.offset, exc.event, getattr(exc, "path", 0))
    return (type(exc), str(exc))


def event_key(event: Any) -> Any:
    """A typed event as a comparable value (an ``InvalidEvent`` holds an exception)."""
    error = getattr(event, "error", None)
    if isinstance(error, StreamError):
        return (type(event), event.event, event.data, _error_key(error))
    return event


# -- the SSE decoder ---------------------------------------------------------------


class Decoded:
    """What decoding one chunking gave: events, the error it ended with, the end state."""

    def __init__(
        self,
        chunks: list[bytes],
        max_event_size: int,
        decoder_class: type[SSEDecoder] = SSEDecoder,
    ) -> None:
        decoder = decoder_class(max_event_size=max_event_size)
        self.events: list[SSEEvent] = []
        self.error: StreamError | None = None
        try:
            for chunk in chunks:
                self.events += decoder.feed(chunk)
            self.events += decoder.close()
        except StreamError as exc:  # anything else escapes: a crash
            self.error = exc
        self.state = (decoder.last_event_id, decoder.retry, decoder.truncated)
        self.offsets = [event.offset for event in self.events]


def _check_event(event: SSEEvent) -> None:
    assert type(event.event) is str
    assert event.event
    assert not ({"\r", "\n"} & set(event.event)), event.event
    assert type(event.id) is str
    assert not ({"\0", "\r", "\n"} & set(event.id)), event.id
    assert b"\r" not in event.data
    assert isinstance(event.text, str)
    assert event.retry is None or (type(event.retry) is int and event.retry >= 0)


def check_sse(
    body: bytes, cuts: list[int], small_max: int, decoder_class: type[SSEDecoder] = SSEDecoder
) -> None:
    """The SSE decoder on *body*, whole, split at *cuts*, and byte at a time.

    With the default ``max_event_size`` no error is possible and every chunking
    must agree exactly.  With *small_max*, only :class:`~streamkit.EventTooLarge`
    may end a decode, and what came before it must be a prefix of the full
    result, no shorter than byte-at-a-time feeding gives.
    """
    size = len(body)
    with time_bound(size, "sse whole"):
        whole = Decoded([body], streamkit.DEFAULT_MAX_EVENT_SIZE, decoder_class)
    assert whole.error is None, whole.error
    for event in whole.events:
        _check_event(event)
    chunkings = [split_at(body, cuts)]
    if size <= BYTEWISE_SSE:
        chunkings.append(bytewise(body))
    for chunks in chunkings:
        with time_bound(size, "sse chunked"):
            other = Decoded(chunks, streamkit.DEFAULT_MAX_EVENT_SIZE, decoder_class)
        assert other.error is None, other.error
        assert other.events == whole.events
        assert other.offsets == whole.offsets
        assert other.state == whole.state

    # A small max_event_size: errors allowed, but only EventTooLarge, and nothing lost.
    limited = [Decoded(chunks, small_max, decoder_class) for chunks in [[body], *chunkings]]
    for result in limited:
        if result.error is not None:
            assert type(result.error) is streamkit.EventTooLarge, repr(result.error)
        n = len(result.events)
        assert result.events == whole.events[:n]
        assert result.offsets == whole.offsets[:n]
        if result.error is None:
            assert n == len(whole.events)
            assert result.state == whole.state
    if size <= BYTEWISE_SSE:
        finest = limited[-1]  # byte at a time: stops at the earliest possible point
        for result in limited:
            assert len(result.events) >= len(finest.events), (
                "an error lost events that byte-at-a-time feeding delivers",
                len(result.events),
                len(finest.events),
            )


# -- the compiled tokenizer against the pure one ------------------------------------


def _trace(decoder_class: type[SSEDecoder], chunks: list[Any], max_event_size: int) -> list[Any]:
    """Everything a decoder shows, call by call: what each feed() and close() returned or
    raised, then its state; and once refused, what the next calls raise."""
    decoder = decoder_class(max_event_size=max_event_size)
    out: list[Any] = []
    calls = [*((decoder.feed, chunk) for chunk in chunks), (decoder.close, None)]
    refused = 0
    for call, chunk in calls:
        try:
            events = call() if chunk is None else call(chunk)
        except StreamError as exc:
            out.append(("raised", _error_key(exc), exc.excerpt, str(exc)))
            refused += 1
            if refused > 2:
                break  # refusing again says nothing new
            continue
        out.append(("returned", [_event_trace(event, chunk) for event in events]))
        out.append(("state", decoder.last_event_id, decoder.retry, decoder.offset))
    out.append(("end", decoder.last_event_id, decoder.retry, decoder.truncated, decoder.offset))
    return out


def _event_trace(event: SSEEvent, chunk: Any) -> Any:
    view = event.view
    of_chunk = isinstance(view, memoryview) and view.obj is chunk
    owner = bytes(view.obj) if isinstance(view, memoryview) else None
    assert bytes(view) == event.data
    return (
        type(event),
        event.event,
        event.data,
        event.id,
        event.retry,
        event.offset,
        type(view),
        of_chunk,
        owner,
    )


def check_sse_diff(body: bytes, cuts: list[int], small_max: int, *, whole: bool = True) -> None:
    """The compiled decoder and the pure one, on *body* in several chunkings and limits:
    the same trace (:func:`_trace`) every time.  A no-op where the compiled one is not in use.

    The chunkings: split at *cuts*, and at every other cut as bytearray and as
    memoryview chunks; with *whole* also the body in one chunk and byte at a time.
    """
    compiled = _sse.CSSEDecoder
    if compiled is None:
        return
    chunkings: list[list[Any]] = [split_at(body, cuts)]
    if whole:
        chunkings.append([body])
        if len(body) <= BYTEWISE_SSE:
            chunkings.append(bytewise(body))
    # Mutable and view chunks are copied on entry: the same events, views of the copies.
    chunkings.append([bytearray(chunk) for chunk in split_at(body, cuts[::2])])
    chunkings.append([memoryview(chunk) for chunk in split_at(body, cuts[1::2])])
    for chunks in chunkings:
        for limit in (streamkit.DEFAULT_MAX_EVENT_SIZE, small_max):
            with time_bound(len(body), "sse diff"):
                pure = _trace(_sse.PySSEDecoder, chunks, limit)
                fast = _trace(compiled, chunks, limit)
            assert fast == pure, (limit, [len(chunk) for chunk in chunks])


# -- typed decoding and folds ------------------------------------------------------


class Typed:
    """The typed events ``iter_events`` gave for one chunking, and how it ended."""

    def __init__(self, chunks: list[bytes], dialect: str, on_error: Any) -> None:
        self.events: list[Any] = []
        self.error: StreamError | None = None
        try:
            # A mutated body may well look like another dialect's: a warning, not a failure.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", streamkit.DialectMismatch)
                for event in streamkit.iter_events(chunks, dialect, on_error=on_error):
                    self.events.append(event)  # keep what came before an error
        except StreamError as exc:
            self.error = exc
        self.keys = [event_key(event) for event in self.events]


_FRAMING = (streamkit.FrameError, streamkit.EventTooLarge)


def check_dialect(dialect: str, body: bytes, cuts: list[int]) -> list[Any]:
    """Typed decoding of *body* under every error policy, in several chunkings.

    The policy is for payloads that cannot be decoded: a body whose framing is
    broken (a malformed JSON array, a bad event-stream message, a frame past
    ``max_event_size``) ends the stream under every policy, and the same way.
    Returns the events of the ``"skip"`` policy, for the fold.
    """
    size = len(body)
    skipped: list[Any] = []
    for policy in ("skip", "yield", "raise"):  # "skip" first: the others are checked against it
        with time_bound(size, f"{dialect} {policy} whole"):
            whole = Typed([body], dialect, policy)
        if policy != "raise":
            assert whole.error is None or isinstance(whole.error, _FRAMING), whole.error
        elif whole.error is not None:
            assert isinstance(whole.error, (streamkit.DecodeError, *_FRAMING)), repr(whole.error)
        chunkings = [split_at(body, cuts)]
        if size <= BYTEWISE_TYPED:
            chunkings.append(bytewise(body))
        for chunks in chunkings:
            with time_bound(size, f"{dialect} {policy} chunked"):
                other = Typed(chunks, dialect, policy)
            assert other.keys == whole.keys
            assert _error_key(other.error) == _error_key(whole.error)
        if policy == "skip":
            skipped = whole.events
        elif policy == "yield":
            # "yield" is "skip" plus an InvalidEvent in place of each bad event.
            kept = [e for e in whole.events if not isinstance(e, dialects.InvalidEvent)]
            assert [event_key(e) for e in kept] == [event_key(e) for e in skipped]
        else:
            n = len(whole.events)
            assert whole.keys == [event_key(e) for e in skipped[:n]]
    return skipped


def read_fold(acc: Any) -> None:
    """Read every public attribute of an accumulator, as a user would, and encode it."""
    for name in dir(acc):
        if name.startswith("_"):
            continue
        value = getattr(acc, name)
        if callable(value):
            continue
        values = value.values() if isinstance(value, dict) else [value]
        for item in values:
            msgspec.to_builtins(item, enc_hook=repr)


def check_fold(dialect: str, events: list[Any], *, reads: int = 8) -> None:
    """Fold *events*, lenient and strict; read the results about *reads* times as they grow.

    A lenient accumulator may raise nothing but :class:`~streamkit.FoldError`
    from a read; a strict one raises only FoldError.
    """
    make = dialects.get(dialect).accumulator
    read_every = max(1, len(events) // reads)
    with time_bound(64 * len(events), f"{dialect} fold"):
        acc = make()
        for i, event in enumerate(events):
            acc.feed(event)
            if i % read_every == 0:
                read_fold(acc)
        read_fold(acc)
    try:
        strict = make(strict=True)  # type: ignore[call-arg]
    except TypeError:
        return  # a fold with no strict mode
    try:
        for event in events:
            strict.feed(event)
        read_fold(strict)
    except streamkit.FoldError:
        pass


# -- the recording reader ----------------------------------------------------------


@cache
def _tmpdir() -> str:
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    path = tempfile.mkdtemp(prefix="streamkit-fuzz-", dir=base)
    atexit.register(shutil.rmtree, path, True)
    return path


def check_recording(data: bytes, suffix: str = ".ndjson", *, compress: bool = True) -> None:
    """Read *data* as a recording file: only RecordingError (and RecordingWarning) may come.

    A ``.gz`` *suffix* writes *data* gzipped, or as is when not *compress*.

    Whatever reads, replays: every stream's chunks, and its events under the
    ``"skip"`` policy (only StreamError may end those).
    """
    path = os.path.join(_tmpdir(), f"r{os.getpid()}{suffix}")
    with open(path, "wb") as file:
        file.write(gzip.compress(data, mtime=0) if compress and suffix.endswith(".gz") else data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with time_bound(len(data), "recording load"):
                replayer = Replayer.open(path)
        except streamkit.RecordingError as exc:
            error = exc
        else:
            error = None
    if error is not None:
        assert error.path == path
        return
    for warning in caught:
        assert issubclass(warning.category, RecordingWarning), warning
    for index, stream in enumerate(replayer.streams):
        chunks = list(replayer.iter_chunks(index))
        assert chunks == [chunk for _, chunk in stream.chunks]
        assert stream.end in (None, "eof", "cancelled", "error") or isinstance(stream.end, str)
    with time_bound(len(data), "recording events"), warnings.catch_warnings():
        warnings.simplefilter("ignore", streamkit.DialectMismatch)
        try:
            for _ in replayer.iter_events(on_error="skip"):
                pass
        except StreamError:
            pass
        except (ImportError, AttributeError):  # the header names a dialect still being written
            assert replayer.header.dialect in dialects.names()
            assert replayer.header.dialect not in dialect_names()


# -- raw inputs (the atheris driver's, and saved crashes) ----------------------------


def _cuts(data: bytes) -> tuple[list[int], bytes]:
    """Cut positions from the head of *data* (a count, then 16-bit positions); the rest."""
    if not data:
        return [], b""
    count = data[0] % 8
    head = data[1 : 1 + 2 * count]
    cuts = [int.from_bytes(head[i : i + 2], "little") for i in range(0, len(head) - 1, 2)]
    return cuts, data[1 + 2 * count :]


def run_input(target: str, data: bytes) -> None:
    """Run one raw input on *target* (``sse``, ``sse-diff``, ``recording`` or ``dialect-NAME``).

    ``sse`` and ``sse-diff``: byte 0 sets the small ``max_event_size`` (1-256), then the cuts, then
    the body.  ``dialect-NAME``: the cuts, then the body.  ``recording``: byte 0
    picks gzip (bit 0) and whether to write it raw (bit 1), the rest is the file.
    """
    if not data:
        return
    if target in ("sse", "sse-diff"):
        cuts, body = _cuts(data[1:])
        (check_sse if target == "sse" else check_sse_diff)(body, cuts, data[0] + 1)
    elif target == "recording":
        suffix = ".ndjson.gz" if data[0] & 1 else ".ndjson"
        check_recording(data[1:], suffix, compress=not data[0] & 2)
    else:
        dialect = target.removeprefix("dialect-")
        cuts, body = _cuts(data)
        check_fold(dialect, check_dialect(dialect, body, cuts))


# -- memory ------------------------------------------------------------------------


def hostile_chunks(pattern: bytes, total: int, chunk: int) -> Iterator[bytes]:
    """*pattern* repeated up to *total* bytes, in pieces of *chunk* bytes, made lazily."""
    repeats = max(1, chunk // max(1, len(pattern)))
    block = pattern * repeats
    sent = 0
    while sent < total:
        piece = block[: min(len(block), total - sent)]
        yield piece
        sent += len(piece)


def check_memory(
    feed: Callable[[Iterable[bytes]], None], chunks: Iterable[bytes], bound: int
) -> int:
    """Run *feed* over *chunks* under tracemalloc; assert the peak stays below *bound* bytes.

    Returns the peak (bytes allocated beyond what was allocated before).
    """
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        feed(chunks)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        if not was_tracing:
            tracemalloc.stop()
    assert peak < bound, f"peak {peak} bytes, bound {bound}"
    return peak


def sse_sink(
    max_event_size: int, decoder_class: type[SSEDecoder] = SSEDecoder
) -> Callable[[Iterable[bytes]], None]:
    """Feed chunks to a decoder with *max_event_size*, dropping events; EventTooLarge is fine."""

    def feed(chunks: Iterable[bytes]) -> None:
        decoder = decoder_class(max_event_size=max_event_size)
        try:
            for chunk in chunks:
                decoder.feed(chunk)
            decoder.close()
        except streamkit.EventTooLarge:
            pass

    return feed


# -- seed material -----------------------------------------------------------------


#: The real captures of a dialect, by its framing.
CAPTURES = {"sse": "*.sse", "eventstream": "*.bin", "ndjson": "*.ndjson"}


def framing(dialect: str) -> str:
    """The (first) wire framing of *dialect*: ``"sse"``, ``"eventstream"``, ``"ndjson"``..."""
    return dialects.get(dialect).framings[0]


@cache
def real_bodies(dialect: str) -> tuple[bytes, ...]:
    """The raw bodies of the real recordings of *dialect* (and the bundled ones)."""
    out = []
    folder = REAL / dialect
    if folder.is_dir():
        out += [
            path.read_bytes()
            for pattern in CAPTURES.values()
            for path in sorted(folder.glob(pattern))
        ]
    bundled = BUNDLED / dialect
    if bundled.is_dir():
        for path in sorted(bundled.glob("*.ndjson")):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out += [stream.body for stream in Replayer.open(path).streams]
    return tuple(out)


@cache
def real_events(dialect: str) -> tuple[tuple[str, bytes], ...]:
    """Every distinct (event name, data) of the real bodies of *dialect*, in any framing."""
    seen: dict[tuple[str, bytes], None] = {}
    for body in real_bodies(dialect):
        decoder = TOKENIZERS[sniff(body, final=True) or "sse"]()
        for event in [*decoder.feed(body), *decoder.close()]:
            seen[(event.event, event.data)] = None
    return tuple(seen)


def real_frames(dialect: str, body: bytes) -> list[bytes]:
    """The frames of a real body of *dialect* as bytes (SSE events, messages, lines)."""
    kind = sniff(body, final=True) or framing(dialect)
    if kind == "eventstream":
        return [
            streamkit.encode_message(m.headers, m.data, types=m.header_types)
            for m in streamkit.EventStreamDecoder().feed(body)
        ]
    if kind == "ndjson":
        return body.splitlines(keepends=True)
    return [event + b"\n\n" for event in body.split(b"\n\n") if event]


@cache
def recording_files() -> tuple[bytes, ...]:
    """The bytes of every bundled recording file, and of a small session recorded here."""
    out = [path.read_bytes() for path in sorted(BUNDLED.glob("*/*.ndjson"))]
    path = os.path.join(_tmpdir(), "session.ndjson")
    times = iter(range(100))
    with Recorder.open(path, clock=lambda: float(next(times)), meta={"k": "v"}) as recorder:
        list(recorder.tap([b"event: thread.run.created\r", b"\ndata: {}\r\n\r\n", b"\xe2\x82"]))
        recorder.new_stream(request={"method": "POST", "url": "https://x", "headers": {}})
        with contextlib.suppress(OSError):
            list(recorder.tap(_failing([b"data: [DONE]\n\n"])))
    out.append(Path(path).read_bytes())
    return tuple(out)


def _failing(chunks: list[bytes]) -> Iterator[bytes]:
    yield from chunks
    raise OSError("reset")
