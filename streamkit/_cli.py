"""The command line: ``streamkit COMMAND …`` or ``python -m streamkit COMMAND …``.

Commands (``streamkit COMMAND --help`` for the options of each):

``replay FILE``
    Play a stream back: what a chat user would have seen (``--text``, the
    default: a transcript of the assistant's text, reasoning, tool calls and
    how the stream ended, for every built-in dialect; see
    :mod:`streamkit._views`), its typed events (``--events``, the default for
    a dialect without a transcript) or its raw bytes (``--raw``), at the
    recorded pace scaled by ``--speed`` (``0``: no waiting).
``events FILE``
    One JSON line per typed event, without waiting.
``fold FILE``
    The final state (for Assistants: thread, run, messages, run steps,
    drift, warnings, errors, outcome; for other dialects their fold's
    properties) as one JSON document.
``inspect FILE``
    Event counts, sizes, timing (time to first event and to first text,
    inter-event gaps, stalls) and the run's outcome; ``--json`` for a JSON
    document, ``--html OUT`` for a self-contained page with a timeline chart.
``convert IN OUT``
    Raw ``.sse`` body to recording and back (the format of OUT follows its
    suffix).
``record --url URL -o FILE``
    Record a live SSE endpoint (needs httpx: ``pip install 'streamkit[httpx]'``).
``serve PATH...``, ``proxy --upstream URL --record DIR``
    A mock API over recordings, and a recording proxy (``streamkit._cli_serve``;
    ``pip install 'streamkit[serve]'``).

``FILE`` is a recording (``.ndjson``, ``.ndjson.gz``) or a raw SSE body
(``.sse``, ``.sse.gz``), told apart by the suffix as everywhere in streamkit,
or a raw NDJSON body (an Ollama stream, told from a recording by its first
lines), or ``-`` for standard input.  Standard input has no suffix, so it is
sniffed: it is a recording or a raw NDJSON body when its first non-blank
byte (after gunzipping, when it starts with the gzip magic number) is ``{``,
which no SSE body starts with, and a raw SSE body otherwise.

The dialect is ``--dialect NAME`` when given, else the recording header's,
else (a raw body) the dialect that claims its first event, else
``assistants``.  Each stream of a recording (one per HTTP response, e.g.
a run and its tool-output continuation) is decoded on its own and all of them
fold into one accumulator; ``--stream N`` picks one (counted from 0).

User mistakes (a missing or corrupt file, an unknown dialect, bad input under
``--on-error raise``) print one line, ``streamkit: error: …``, on standard
error and exit with status 1; argument errors exit with status 2, as does
``streamkit`` without a command (it prints the help on standard error).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import html
import io
import math
import os
import sys
import tempfile
import time
import warnings
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, cast

import anyio
import attrs
import msgspec

from streamkit import _cli_serve
from streamkit._async import aiter_events
from streamkit._errors import RecordingError, StreamError
from streamkit._sync import iter_events
from streamkit._views import TEXT_VIEWS, _event_name, _list, _str, outcome_kind, text_delta
from streamkit.dialects import InvalidEvent, UnknownEvent, _registry
from streamkit.recording import Recorder, Replayer
from streamkit.recording._format import is_raw_body

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator, Sequence

    from streamkit._pipeline import ErrorPolicy
    from streamkit.recording import RecordedStream

__all__ = ("main",)

PROG = "streamkit"
DEFAULT_DIALECT = "assistants"
DEFAULT_STALL = 5.0
_GZIP_MAGIC = b"\x1f\x8b"
_PROGRESS_EVERY = 0.1  # seconds between progress updates on a terminal


class UserError(Exception):
    """A mistake the user can fix: reported as one line, exit status 1."""


class _Cancelled(BaseException):
    """Ends a re-recorded stream as ``cancelled`` (a BaseException, like a real cancellation)."""


# -- output helpers ------------------------------------------------------------


def _say(message: str, kind: str = "error") -> None:
    """One line on standard error: ``streamkit: error: message``."""
    text = " ".join(message.split("\n"))
    sys.stderr.write(f"{PROG}: {kind}: {text}\n")
    sys.stderr.flush()


def _fallback(value: Any) -> Any:
    """msgspec ``enc_hook``: anything msgspec does not know is shown as its ``str``."""
    return str(value)


_JSON = msgspec.json.Encoder(enc_hook=_fallback)


def _plain(value: object) -> Any:
    """*value* as JSON-ready builtins: attrs classes via ``attrs.asdict``, the rest via msgspec."""
    if attrs.has(type(value)):
        value = attrs.asdict(cast("attrs.AttrsInstance", value), recurse=True)
    return msgspec.to_builtins(value, enc_hook=_fallback)


def _payload(data: bytes) -> Any:
    """An event's raw payload for display: its JSON value when it is JSON, else its text."""
    try:
        return msgspec.json.decode(data)
    except msgspec.DecodeError:
        return data.decode("utf-8", "replace")


def event_json(event: Any) -> bytes:
    """One typed event as a JSON object: msgspec's encoding of the event Struct.

    An unknown event is ``{"event": name, "unknown": true, "data": payload}``
    and an undecodable one ``{"event": name, "invalid": true, "error": why,
    "data": payload}``, the payload being its JSON value when it parses, else
    its text.
    """
    if isinstance(event, InvalidEvent):
        obj: Any = {
            "event": event.event,
            "invalid": True,
            "error": str(event.error),
            "data": _payload(event.data),
        }
    elif isinstance(event, UnknownEvent):
        obj = {"event": event.event, "unknown": True, "data": _payload(event.data)}
    else:
        obj = event
    return _JSON.encode(obj)


# -- argument types ------------------------------------------------------------


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, not {text!r}")
    return value


def _positive(text: str) -> float:
    value = _non_negative(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"must be > 0, not {text!r}")
    return value


def _index(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, not {text!r}")
    return value


# -- loading -------------------------------------------------------------------


@dataclass
class Source:
    """A loaded FILE: the replayer, the dialect to decode with, the streams selected."""

    replayer: Replayer
    name: str
    dialect: str
    stream: int | None  # None: every stream

    @property
    def selected(self) -> list[RecordedStream]:
        streams = self.replayer.streams
        return streams if self.stream is None else [streams[self.stream]]

    @property
    def timed(self) -> bool:
        """Whether the file has timing (a raw body has none)."""
        return self.replayer.header.started_at is not None


def _check_dialect(name: str) -> str:
    try:
        _registry.get(name)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    except ImportError as exc:  # registered, but its package is missing from this install
        raise UserError(f"dialect {name!r} cannot be loaded: {exc}") from None
    return name


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


def _open_stdin(dialect: str | None) -> Replayer:
    data = sys.stdin.buffer.read()
    with tempfile.TemporaryDirectory(prefix="streamkit-") as tmp:
        path = os.path.join(tmp, "stdin" + _stdin_suffix(data))
        Path(path).write_bytes(data)
        try:
            replayer = Replayer.open(path, dialect=dialect)
        except RecordingError as exc:
            raise UserError(str(exc).replace(path, "<stdin>")) from None
    replayer.path = "<stdin>"
    return replayer


def load(file: str, dialect: str | None, stream: int | None = None) -> Source:
    """Read FILE (or ``-``), reporting a torn final line as a warning."""
    if dialect is not None:
        _check_dialect(dialect)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if file == "-":
            replayer = _open_stdin(dialect)
        else:
            try:
                replayer = Replayer.open(file, dialect=dialect)
            except RecordingError as exc:
                if exc.line == 1 and not _looks_like_recording(file):
                    raise UserError(f"{exc} (a raw SSE body needs a .sse suffix)") from None
                raise
    for warning in caught:
        _say(str(warning.message), "warning")
    name = _check_dialect(replayer.header.dialect or _detected(replayer) or DEFAULT_DIALECT)
    count = len(replayer.streams)
    if stream is not None and stream >= count:
        shown = "<stdin>" if file == "-" else file
        raise UserError(f"{shown} holds {count} stream(s): --stream must be below {count}")
    return Source(replayer, "<stdin>" if file == "-" else file, name, stream)


def _detected(replayer: Replayer) -> str | None:
    """The dialect that claims the first event of a file that names none (a raw body)."""
    if not replayer.streams:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            for event in iter_events([replayer.streams[0].body], "auto", on_error="skip"):
                dialect = _registry.dialect_of(event)
                if dialect is not None:
                    return dialect.name
        except StreamError:
            pass
    return None


def _stream_indices(source: Source) -> list[int]:
    if source.stream is not None:
        return [source.stream]
    return list(range(len(source.replayer.streams)))


def _accumulator(source: Source) -> Any:
    return _registry.get(source.dialect).accumulator()


# -- replay / events ------------------------------------------------------------


async def _take(source: AsyncIterator[bytes], count: int) -> AsyncGenerator[bytes, None]:
    """The next *count* chunks of *source* (fewer when it ends)."""
    for _ in range(count):
        try:
            chunk = await anext(source)
        except StopAsyncIteration:
            return
        yield chunk


async def _replay(source: Source, speed: float, mode: str, on_error: ErrorPolicy) -> None:
    """Replay at *speed*; each stream goes through its own decoder, all into one fold."""
    chunks = source.replayer.aiter_chunks(speed, stream=source.stream)
    try:
        if mode == "raw":
            raw = sys.stdout.buffer
            async for chunk in chunks:
                raw.write(chunk)
                raw.flush()
            return
        acc = _accumulator(source)
        view = TEXT_VIEWS[source.dialect](sys.stdout) if mode == "text" else None
        for recorded in source.selected:
            part = _take(chunks, len(recorded.chunks))
            async for event in aiter_events(
                part, _registry.choose(source.dialect), on_error=on_error
            ):
                if not isinstance(event, InvalidEvent):
                    acc.feed(event)
                if view is not None:
                    view.feed(event)
                    sys.stdout.flush()
                else:
                    sys.stdout.buffer.write(event_json(event) + b"\n")
                    sys.stdout.buffer.flush()
        async for _ in chunks:  # wait out the recorded end
            pass
        if view is not None:
            view.finish(acc)
            sys.stdout.flush()
    finally:
        await chunks.aclose()


def cmd_replay(args: argparse.Namespace) -> int:
    source = load(args.file, args.dialect, args.stream)
    mode = args.mode or ("text" if source.dialect in TEXT_VIEWS else "events")
    if mode == "text":
        if source.dialect not in TEXT_VIEWS:
            known = ", ".join(sorted(TEXT_VIEWS))
            raise UserError(
                f"--text shows {known} streams only, not {source.dialect}: use --events or --raw"
            )
        if isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.reconfigure(errors="replace")
    anyio.run(_replay, source, args.speed, mode, args.on_error)
    return 0


def _events(source: Source, on_error: ErrorPolicy) -> Iterator[tuple[int, Any]]:
    """Every typed event of the selected streams with its stream index, without waiting."""
    for index in _stream_indices(source):
        chunks = source.replayer.iter_chunks(stream=index)
        for event in iter_events(chunks, _registry.choose(source.dialect), on_error=on_error):
            yield index, event


def cmd_events(args: argparse.Namespace) -> int:
    source = load(args.file, args.dialect, args.stream)
    out = sys.stdout.buffer
    for _, event in _events(source, args.on_error):
        out.write(event_json(event) + b"\n")
    out.flush()
    return 0


# -- fold ------------------------------------------------------------------------

#: The order of a fold document's keys (the Assistants fold has the first four; other
#: dialects' folds have a ``result``); an accumulator's other properties follow.
_FOLD_KEYS = (
    "thread",
    "run",
    "messages",
    "run_steps",
    "result",
    "usage",
    "drift",
    "warnings",
    "warnings_dropped",
    "errors",
    "outcome",
)


def fold_document(acc: Any) -> dict[str, Any]:
    """The accumulator's state as JSON-ready builtins.

    The keys of :data:`_FOLD_KEYS` it has, in that order, then its other
    public properties; records (drift, warnings, errors) one by one.
    """
    properties = [
        name
        for name, value in vars(type(acc)).items()
        if isinstance(value, property) and not name.startswith("_") and name not in _FOLD_KEYS
    ]
    doc: dict[str, Any] = {}
    for key in [*_FOLD_KEYS, *properties]:
        if not hasattr(acc, key):
            continue
        value = getattr(acc, key)
        if isinstance(value, list):
            doc[key] = [_plain(item) for item in value]
        else:
            doc[key] = _plain(value)
    return doc


def cmd_fold(args: argparse.Namespace) -> int:
    source = load(args.file, args.dialect, args.stream)
    acc = _accumulator(source)
    for _, event in _events(source, args.on_error):
        if not isinstance(event, InvalidEvent):
            acc.feed(event)
    data = _JSON.encode(fold_document(acc))
    if args.pretty:
        data = msgspec.json.format(data, indent=2)
    sys.stdout.buffer.write(data + b"\n")
    sys.stdout.buffer.flush()
    return 0


# -- inspect -----------------------------------------------------------------------

#: Event kinds of the timeline chart, in lane order, with their colours.
KINDS: dict[str, str] = {
    "thread": "#6b7280",
    "run": "#2563eb",
    "step": "#7c3aed",
    "step delta": "#a78bfa",
    "message": "#047857",
    "message delta": "#34d399",
    "error": "#dc2626",
    "done": "#111827",
    "other": "#f59e0b",
}


def event_kind(event: Any) -> str:
    """The chart lane of an event."""
    if isinstance(event, InvalidEvent | UnknownEvent):
        return "other"
    name = _event_name(event)
    if name == "thread.created":
        return "thread"
    if name == "thread.run.step.delta":
        return "step delta"
    if name.startswith("thread.run.step."):
        return "step"
    if name.startswith("thread.run."):
        return "run"
    if name == "thread.message.delta":
        return "message delta"
    if name.startswith("thread.message."):
        return "message"
    if name in ("error", "done"):
        return name
    return "other"


def _percentile(ordered: Sequence[float], q: float) -> float | None:
    """The nearest-rank *q* quantile of the sorted *ordered* (None when empty)."""
    if not ordered:
        return None
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


@dataclass
class Timeline:
    """What ``inspect`` measures: every event's time, kind and stream, and the text curve."""

    events: list[tuple[float, str, str, int]] = field(default_factory=list)  # t, name, kind, stream
    text: list[tuple[float, int, int]] = field(default_factory=list)  # t, event ordinal, chars
    counts: Counter[str] = field(default_factory=Counter)
    unknown: Counter[str] = field(default_factory=Counter)
    invalid: Counter[str] = field(default_factory=Counter)


def _timed_chunks(recorded: RecordedStream, now: list[float]) -> Iterator[bytes]:
    """The stream's chunks, setting ``now[0]`` to each one's time before it is decoded."""
    for t, chunk in recorded.chunks:
        now[0] = t
        yield chunk


def analyse(source: Source, on_error: ErrorPolicy, stall: float) -> tuple[dict[str, Any], Timeline]:
    """The ``inspect`` report of *source* as builtins, and the timeline behind it."""
    acc = _accumulator(source)
    timeline = Timeline()
    streams = source.selected
    base = streams[0].t0 if streams else 0.0
    chars = 0
    gaps: list[float] = []
    stalls: list[dict[str, Any]] = []
    per_stream: list[dict[str, Any]] = []
    for index, recorded in zip(_stream_indices(source), streams, strict=True):
        now = [recorded.t0]
        prev_t, prev_name, first = recorded.t0, "(stream start)", True
        for event in iter_events(
            _timed_chunks(recorded, now), _registry.choose(source.dialect), on_error=on_error
        ):
            t, name = now[0] - base, _event_name(event)
            timeline.counts[name] += 1
            if isinstance(event, InvalidEvent):
                timeline.invalid[name] += 1
            else:
                if isinstance(event, UnknownEvent):
                    timeline.unknown[name] += 1
                acc.feed(event)
            timeline.events.append((t, name, event_kind(event), index))
            added = len(text_delta(event))
            if added:
                chars += added
                timeline.text.append((t, len(timeline.events) - 1, chars))
            if not first:
                gaps.append(t - prev_t)
            if t - prev_t > stall:
                stalls.append(
                    {"stream": index, "at": prev_t, "seconds": t - prev_t, "after": prev_name}
                )
            prev_t, prev_name, first = t, name, False
        end_t = None if recorded.end_t is None else recorded.end_t - base
        if end_t is not None and end_t - prev_t > stall:
            stalls.append(
                {"stream": index, "at": prev_t, "seconds": end_t - prev_t, "after": prev_name}
            )
        per_stream.append(
            {
                "stream": index,
                "start": recorded.t0 - base,
                "end": recorded.end if recorded.end is not None else "truncated",
                "end_time": end_t,
                "chunks": len(recorded.chunks),
                "bytes": sum(len(chunk) for _, chunk in recorded.chunks),
            }
        )
    ends = [s["end_time"] for s in per_stream if s["end_time"] is not None]
    last_chunk = [t - base for s in streams for t, _ in s.chunks[-1:]]
    gaps.sort()
    first_event = timeline.events[0][0] if timeline.events else None
    first_text = timeline.text[0][0] if timeline.text else None
    run = getattr(acc, "run", None)
    report: dict[str, Any] = {
        "file": source.name,
        "dialect": source.dialect,
        "timed": source.timed,
        "streams": per_stream,
        "chunks": sum(s["chunks"] for s in per_stream),
        "bytes": sum(s["bytes"] for s in per_stream),
        "duration": max([0.0, *ends, *last_chunk]),
        "events": len(timeline.events),
        "event_counts": dict(timeline.counts),
        "unknown_events": dict(timeline.unknown),
        "invalid_events": dict(timeline.invalid),
        "time_to_first_event": first_event,
        "time_to_first_text": first_text,
        "text_chars": chars,
        "gaps": {
            "count": len(gaps),
            "p50": _percentile(gaps, 0.50),
            "p95": _percentile(gaps, 0.95),
            "max": gaps[-1] if gaps else None,
        },
        "stall_threshold": stall,
        "stalls": stalls,
        "run_status": _str(getattr(run, "status", None)),
        "outcome": outcome_kind(acc),
        "drift": len(_list(getattr(acc, "drift", None))),
        "warnings": len(_list(getattr(acc, "warnings", None))),
        "errors": len(_list(getattr(acc, "errors", None))),
    }
    return report, timeline


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f} s"


def render_report(report: dict[str, Any]) -> str:
    """The ``inspect`` report as aligned text."""
    rows: list[tuple[str, str]] = []
    timing = "" if report["timed"] else " (raw body: no timing)"
    rows.append(("file", f"{report['file']}{timing}"))
    rows.append(("dialect", report["dialect"]))
    ends = ", ".join(s["end"] for s in report["streams"])
    rows.append(("streams", f"{len(report['streams'])} ({ends})"))
    rows.append(("chunks", f"{report['chunks']:,}"))
    rows.append(("bytes", f"{report['bytes']:,}"))
    rows.append(("duration", _seconds(report["duration"])))
    rows.append(("events", f"{report['events']:,}"))
    lines = [f"{key:<18} {value}" for key, value in rows]
    width = max((len(name) for name in report["event_counts"]), default=0)
    for name, count in report["event_counts"].items():
        note = ""
        if name in report["unknown_events"]:
            note = "  (unknown)"
        if name in report["invalid_events"]:
            note = f"  ({report['invalid_events'][name]} invalid)"
        lines.append(f"  {name:<{width}} {count:>7,}{note}")
    gaps = report["gaps"]
    rows = [
        ("first event", _seconds(report["time_to_first_event"])),
        ("first text delta", _seconds(report["time_to_first_text"])),
        ("text", f"{report['text_chars']:,} characters"),
        (
            "gaps",
            f"p50 {_seconds(gaps['p50'])}  p95 {_seconds(gaps['p95'])}  "
            f"max {_seconds(gaps['max'])}  (n={gaps['count']:,})",
        ),
    ]
    lines += [f"{key:<18} {value}" for key, value in rows]
    threshold = f"stalls > {report['stall_threshold']:g} s"
    if not report["stalls"]:
        lines.append(f"{threshold:<18} none")
    else:
        lines.append(f"{threshold:<18} {len(report['stalls'])}")
        for s in report["stalls"]:
            lines.append(
                f"  {s['seconds']:.3f} s after {s['after']} at {s['at']:.3f} s"
                f" (stream {s['stream']})"
            )
    rows = [
        ("run status", str(report["run_status"] or "-")),
        ("outcome", str(report["outcome"] or "-")),
        ("drift", str(report["drift"])),
        ("warnings", str(report["warnings"])),
        ("errors", str(report["errors"])),
    ]
    lines += [f"{key:<18} {value}" for key, value in rows]
    return "\n".join(lines) + "\n"


def _ticks(span: float, count: int = 8) -> list[float]:
    """Round tick values from 0 to *span*."""
    if span <= 0:
        return [0.0]
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(int(span / step + 1e-9) + 1)]


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def render_html(report: dict[str, Any], timeline: Timeline) -> str:
    """A self-contained page: the report and an SVG timeline (no scripts, no external resources)."""
    esc = html.escape
    timed = report["timed"] and report["duration"] > 0
    n = len(timeline.events)
    span = report["duration"] if timed else float(max(n - 1, 1))
    left, width, lane_h, top = 140.0, 820.0, 24.0, 20.0
    kinds = [k for k in KINDS if any(e[2] == k for e in timeline.events)] or ["other"]
    lanes_h = lane_h * len(kinds)
    curve_top = top + lanes_h + 30
    curve_h = 150.0
    axis_y = curve_top + curve_h
    total_h = axis_y + 45

    def x_of(t: float, ordinal: int) -> float:
        value = t if timed else float(ordinal)
        return left + (value / span) * width if span else left

    svg: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 30:.0f}" '
        f'height="{total_h:.0f}" viewBox="0 0 {left + width + 30:.0f} {total_h:.0f}" '
        'role="img" aria-label="stream timeline">'
    ]
    for stall in report["stalls"]:
        if timed:
            x0 = x_of(stall["at"], 0)
            x1 = x_of(stall["at"] + stall["seconds"], 0)
            svg.append(
                f'<rect class="stall" x="{_fmt(x0)}" y="{top}" width="{_fmt(max(x1 - x0, 1))}" '
                f'height="{axis_y - top:.0f}"><title>stall: {stall["seconds"]:.3f} s after '
                f"{esc(stall['after'])}</title></rect>"
            )
    for i, kind in enumerate(kinds):
        y = top + i * lane_h
        middle = y + lane_h / 2
        svg.append(
            f'<text class="lane" x="{left - 10:.0f}" y="{middle + 4:.0f}">{esc(kind)}</text>'
            f'<line class="grid" x1="{left:.0f}" x2="{left + width:.0f}" '
            f'y1="{middle:.0f}" y2="{middle:.0f}"/>'
        )
    lane_of = {kind: i for i, kind in enumerate(kinds)}
    for ordinal, (t, name, kind, stream) in enumerate(timeline.events):
        y = top + lane_of.get(kind, 0) * lane_h + 5
        when = f"{t:.3f} s" if timed else f"#{ordinal}"
        svg.append(
            f'<rect x="{_fmt(x_of(t, ordinal) - 1)}" y="{y:.0f}" width="2" '
            f'height="{lane_h - 10:.0f}" fill="{KINDS[kind]}">'
            f"<title>{when} {esc(name)} (stream {stream})</title></rect>"
        )
    for recorded in report["streams"][1:]:
        x = x_of(recorded["start"], 0) if timed else None
        if x is not None:
            svg.append(
                f'<line class="boundary" x1="{_fmt(x)}" x2="{_fmt(x)}" y1="{top}" '
                f'y2="{axis_y:.0f}"><title>stream {recorded["stream"]} starts</title></line>'
            )
    # the cumulative text curve
    chars = max(report["text_chars"], 1)
    svg.append(
        f'<rect class="panel" x="{left:.0f}" y="{curve_top:.0f}" width="{width:.0f}" '
        f'height="{curve_h:.0f}"/>'
        f'<text class="lane" x="{left - 10:.0f}" y="{curve_top + 14:.0f}">'
        f"{report['text_chars']:,} chars</text>"
        f'<text class="lane" x="{left - 10:.0f}" y="{axis_y:.0f}">0</text>'
    )
    if timeline.text:
        points = [f"{left:.1f},{axis_y:.1f}"]
        previous = axis_y
        for t, ordinal, total in timeline.text:
            x = x_of(t, ordinal)
            y = axis_y - curve_h * total / chars
            points.append(f"{x:.1f},{previous:.1f} {x:.1f},{y:.1f}")
            previous = y
        points.append(f"{left + width:.1f},{previous:.1f}")
        svg.append(f'<polyline class="curve" points="{" ".join(points)}"/>')
    # the x axis
    svg.append(
        f'<line class="axis" x1="{left:.0f}" x2="{left + width:.0f}" '
        f'y1="{axis_y:.0f}" y2="{axis_y:.0f}"/>'
    )
    for tick in _ticks(span):
        x = left + tick / span * width
        label = f"{tick:g} s" if timed else f"{tick:g}"
        svg.append(
            f'<line class="axis" x1="{_fmt(x)}" x2="{_fmt(x)}" y1="{axis_y:.0f}" '
            f'y2="{axis_y + 5:.0f}"/><text class="tick" x="{_fmt(x)}" '
            f'y="{axis_y + 18:.0f}">{esc(label)}</text>'
        )
    axis_label = "seconds since the recording started" if timed else "event number (no timing)"
    svg.append(
        f'<text class="tick" x="{left + width / 2:.0f}" y="{axis_y + 38:.0f}">{axis_label}</text>'
    )
    svg.append("</svg>")
    legend = "".join(
        f'<span class="key"><span class="swatch" style="background:{KINDS[k]}"></span>'
        f"{esc(k)}</span>"
        for k in kinds
    )
    counts = "".join(
        f"<tr><td>{esc(name)}</td><td class=num>{count:,}</td></tr>"
        for name, count in report["event_counts"].items()
    )
    title = f"streamkit inspect: {report['file']}"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{esc(title)}</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #111827; background: #fff; }}
h1 {{ font-size: 18px; margin: 0 0 12px; word-break: break-all; }}
pre {{ background: #f3f4f6; padding: 12px; border-radius: 6px; overflow-x: auto; }}
table {{ border-collapse: collapse; margin: 8px 0 16px; }}
td {{ padding: 2px 12px 2px 0; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
.key {{ margin-right: 14px; white-space: nowrap; }}
.swatch {{ display: inline-block; width: 10px; height: 10px; margin-right: 4px; }}
svg {{ display: block; margin: 12px 0; }}
svg .lane {{ font-size: 12px; text-anchor: end; fill: #374151; }}
svg .tick {{ font-size: 11px; text-anchor: middle; fill: #374151; }}
svg .grid {{ stroke: #e5e7eb; }}
svg .axis {{ stroke: #6b7280; }}
svg .panel {{ fill: #f9fafb; stroke: #e5e7eb; }}
svg .curve {{ fill: none; stroke: #047857; stroke-width: 2; }}
svg .stall {{ fill: #fecaca; opacity: 0.6; }}
svg .boundary {{ stroke: #111827; stroke-dasharray: 4 3; }}
</style>
</head>
<body>
<h1>{esc(title)}</h1>
<div class="legend">{legend}<span class="key"><span class="swatch" style="background:#047857">
</span>cumulative text characters</span><span class="key"><span class="swatch"
 style="background:#fecaca"></span>stall &gt; {report["stall_threshold"]:g} s</span></div>
{"".join(svg)}
<pre>{esc(render_report(report))}</pre>
<table><tr><th>event</th><th>count</th></tr>{counts}</table>
</body>
</html>
"""


def cmd_inspect(args: argparse.Namespace) -> int:
    source = load(args.file, args.dialect, args.stream)
    report, timeline = analyse(source, args.on_error, args.stall)
    if args.html is not None:
        page = render_html(report, timeline)
        try:
            Path(args.html).write_text(page, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"cannot write {args.html}: {exc.strerror or exc}") from None
    if args.json:
        sys.stdout.buffer.write(msgspec.json.format(_JSON.encode(report), indent=2) + b"\n")
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(render_report(report))
        sys.stdout.flush()
    return 0


# -- convert -----------------------------------------------------------------------


def _recorded_error(name: str | None, message: str | None) -> Exception:
    """An exception whose type name is *name*, so the Recorder writes the same error end."""
    cls = type(name or "Exception", (Exception,), {})
    cls.__qualname__ = name or "Exception"
    return cast("Exception", cls(message or ""))


def _rerecord(recorder: Recorder, recorded: RecordedStream, now: list[float]) -> None:
    """Tap *recorded*'s chunks into *recorder* at their recorded times, ending as it ended."""
    failure = None
    if recorded.end == "error":
        failure = _recorded_error(recorded.error, recorded.error_message)

    def chunks() -> Iterator[bytes]:
        for t, chunk in recorded.chunks:
            now[0] = t
            yield chunk
        if recorded.end_t is not None:
            now[0] = recorded.end_t
        if failure is not None:
            raise failure
        if recorded.end != "eof":
            raise _Cancelled

    try:
        for _ in recorder.tap(chunks()):
            pass
    except _Cancelled:
        pass
    except Exception as exc:
        if exc is not failure:
            raise


def cmd_convert(args: argparse.Namespace) -> int:
    source = load(args.input, args.dialect, args.stream)
    streams = source.selected
    if is_raw_body(args.output):
        if len(streams) != 1:
            raise UserError(
                f"{source.name} holds {len(streams)} streams and a .sse file one body:"
                " pick one with --stream N"
            )
        body = streams[0].body
        if args.output.endswith(".gz"):
            body = gzip.compress(body, mtime=0)
        try:
            Path(args.output).write_bytes(body)
        except OSError as exc:
            raise UserError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        return 0
    first = streams[0]  # a recording holds at least one stream
    now = [first.t0]  # the recorder's clock: set to each line's recorded time before it
    try:
        recorder = Recorder.open(
            args.output,
            dialect=args.dialect or source.replayer.header.dialect,
            meta=first.meta,
            request=first.request,
            response=first.response,
            clock=lambda: now[0] - first.t0,
        )
    except OSError as exc:
        raise UserError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    with recorder:
        for i, recorded in enumerate(streams):
            if recorded.end is None:
                _say(f"stream {i} was cut short (no end line): written as cancelled", "warning")
            if i:
                now[0] = recorded.t0
                recorder.new_stream(
                    request=recorded.request, response=recorded.response, meta=recorded.meta
                )
            _rerecord(recorder, recorded, now)
    return 0


# -- record ------------------------------------------------------------------------


def _parse_headers(values: Sequence[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for value in values:
        name, sep, rest = value.partition(":")
        if not sep or not name.strip():
            raise UserError(f"bad header {value!r}: expected 'Name: value'")
        name = name.strip()
        headers[name] = f"{headers[name]}, {rest.strip()}" if name in headers else rest.strip()
    return headers


def _request_body(data: str) -> bytes:
    if data.startswith("@"):
        try:
            data = Path(data[1:]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or exc
            raise UserError(f"cannot read --data file {data[1:]}: {reason}") from None
    try:
        msgspec.json.decode(data)
    except msgspec.DecodeError as exc:
        raise UserError(f"--data is not valid JSON: {exc}") from None
    return data.encode()


class _Progress:
    """Bytes and chunks received so far, on standard error when it is a terminal."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.start = time.monotonic()
        self.last = 0.0
        self.bytes = 0
        self.chunks = 0

    def add(self, chunk: bytes) -> None:
        self.bytes += len(chunk)
        self.chunks += 1
        now = time.monotonic()
        if self.enabled and now - self.last >= _PROGRESS_EVERY:
            self.last = now
            self.show(now)

    def show(self, now: float) -> None:
        sys.stderr.write(
            f"\rrecording: {self.bytes:,} bytes in {self.chunks:,} chunks,"
            f" {now - self.start:.1f} s "
        )
        sys.stderr.flush()

    def done(self) -> None:
        if self.enabled:
            self.show(time.monotonic())
            sys.stderr.write("\n")


def _request_clock(sent: float) -> Callable[[], float]:
    """A Recorder clock whose first reading (the recording's t = 0) is *sent*."""
    first = [True]

    def clock() -> float:
        if first[0]:
            first[0] = False
            return sent
        return time.monotonic()

    return clock


def cmd_record(args: argparse.Namespace) -> int:
    """Send the request and record the response body as it comes off the wire.

    ``Accept: text/event-stream`` and ``Accept-Encoding: identity`` are sent
    unless given with ``-H``, so the body is plain SSE; a body the server
    compresses anyway is recorded compressed.  The header holds the request
    as sent (httpx's own headers too) and the response's status and headers.
    """
    dialect = _check_dialect(args.dialect or DEFAULT_DIALECT)
    headers = _parse_headers(args.header)
    lowered = {name.lower() for name in headers}
    body = None
    if args.data is not None:
        body = _request_body(args.data)
        if "content-type" not in lowered:
            headers["Content-Type"] = "application/json"
    if "accept" not in lowered:
        headers["Accept"] = "text/event-stream"
    if "accept-encoding" not in lowered:
        headers["Accept-Encoding"] = "identity"
    method = (args.method or ("POST" if body is not None else "GET")).upper()
    try:
        import httpx
    except ImportError:
        raise UserError("record needs httpx: pip install 'streamkit[httpx]'") from None
    timeout = httpx.Timeout(args.timeout, connect=min(args.timeout, 30.0))
    progress = _Progress()
    status, reason, recording = 0, "", False
    try:
        with httpx.Client(timeout=timeout) as client:
            sent = time.monotonic()
            with client.stream(method, args.url, headers=headers, content=body) as response:
                status, reason = response.status_code, response.reason_phrase
                request = {
                    "method": method,
                    "url": str(response.request.url),
                    "headers": response.request.headers.multi_items(),
                }
                answer = {"status": status, "headers": response.headers.multi_items()}
                try:
                    recorder = Recorder.open(
                        args.output,
                        dialect=dialect,
                        request=request,
                        response=answer,
                        redact=args.redact,
                        clock=_request_clock(sent),
                    )
                except OSError as exc:
                    raise UserError(f"cannot write {args.output}: {exc.strerror or exc}") from None
                recording = True
                with recorder:
                    for chunk in recorder.tap(response.iter_raw()):
                        progress.add(chunk)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        kept = f" (what arrived is recorded in {args.output})" if recording else ""
        raise UserError(f"{method} {args.url} failed: {type(exc).__name__}: {exc}{kept}") from None
    finally:
        progress.done()
    if not 200 <= status < 300:
        raise UserError(f"the server answered {status} {reason} (recorded to {args.output})")
    return 0


# -- the parser ----------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line: ``streamkit: error: …`` (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        hint = f" (see '{self.prog} --help')"
        _say(message + hint)
        raise SystemExit(2)


def _version() -> str:
    from importlib import metadata  # only here: it takes longer to import than the rest

    try:
        return metadata.version("streamkit")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


class _VersionAction(argparse.Action):
    """``--version``: looks the version up only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> NoReturn:
        sys.stdout.write(f"{PROG} {_version()}\n")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Decode, fold, inspect, convert, record and replay LLM SSE streams.",
        epilog="FILE is a recording (.ndjson[.gz]), a raw SSE body (.sse[.gz]) or - for stdin "
        "(read as a recording when its first non-blank byte is '{', else as a raw SSE body; "
        "gzip is detected).",
    )
    parser.add_argument("--version", action=_VersionAction)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    source = _Parser(add_help=False)
    source.add_argument(
        "--dialect",
        metavar="NAME",
        help="decode as this dialect (default: the recording's, else the one its first event"
        f" names, else {DEFAULT_DIALECT}; "
        f"known: {', '.join(_registry.names())})",
    )
    source.add_argument(
        "--stream", metavar="N", type=_index, help="only the N-th stream (from 0) of a session"
    )

    def decoding(default: str) -> _Parser:
        parent = _Parser(add_help=False)
        parent.add_argument(
            "--on-error",
            choices=("raise", "skip", "yield"),
            default=default,
            help="an undecodable event: fail (raise), drop it (skip) or keep it as an "
            f"invalid event (yield); default: {default}",
        )
        return parent

    strict = decoding("raise")

    replay = commands.add_parser(
        "replay",
        parents=[source, strict],
        help="play a stream back at its recorded pace",
        description="Play a stream back: the chat transcript (--text, the default for every "
        "built-in dialect: assistants, chat, responses, anthropic), its typed events (--events) "
        "or its raw bytes (--raw), at the recorded pace scaled by --speed.",
    )
    replay.add_argument("file", metavar="FILE", help="recording, .sse body, or - for stdin")
    replay.add_argument(
        "--speed",
        type=_non_negative,
        default=1.0,
        metavar="F",
        help="pace multiplier: 2 is twice as fast, 0 is no waiting (default: 1)",
    )
    mode = replay.add_mutually_exclusive_group()
    mode.add_argument("--raw", dest="mode", action="store_const", const="raw", help="raw bytes")
    mode.add_argument(
        "--events", dest="mode", action="store_const", const="events", help="JSON event lines"
    )
    mode.add_argument(
        "--text",
        dest="mode",
        action="store_const",
        const="text",
        help="chat transcript (default; for a dialect without one: --events)",
    )
    replay.set_defaults(mode=None, run=cmd_replay)

    events = commands.add_parser(
        "events",
        parents=[source, strict],
        help="one JSON line per typed event",
        description="Print one JSON line per typed event, without waiting.",
    )
    events.add_argument("file", metavar="FILE", help="recording, .sse body, or - for stdin")
    events.set_defaults(run=cmd_events)

    fold = commands.add_parser(
        "fold",
        parents=[source, strict],
        help="the folded final state as JSON",
        description="Fold every event and print the final state (thread, run, messages, "
        "run_steps, drift, warnings, errors, outcome) as one JSON document.",
    )
    fold.add_argument("file", metavar="FILE", help="recording, .sse body, or - for stdin")
    fold.add_argument("--pretty", action="store_true", help="indent the JSON")
    fold.set_defaults(run=cmd_fold)

    inspect = commands.add_parser(
        "inspect",
        parents=[source, decoding("yield")],
        help="counts, sizes, timing and stalls of a stream",
        description="Report event counts, bytes, chunks, time to first event and first text "
        "delta, inter-event gaps, stalls, the run's status and drift.",
    )
    inspect.add_argument("file", metavar="FILE", help="recording, .sse body, or - for stdin")
    inspect.add_argument(
        "--stall",
        type=_positive,
        default=DEFAULT_STALL,
        metavar="SECONDS",
        help=f"report silences longer than this (default: {DEFAULT_STALL:g})",
    )
    inspect.add_argument("--json", action="store_true", help="print the report as JSON")
    inspect.add_argument(
        "--html", metavar="OUT", help="also write a self-contained HTML page with a timeline"
    )
    inspect.set_defaults(run=cmd_inspect)

    convert = commands.add_parser(
        "convert",
        parents=[source],
        help="raw .sse body <-> recording",
        description="Convert by OUT's suffix: .sse / .sse.gz writes the raw body; anything "
        "else writes a recording (a .sse input becomes one chunk at t=0).",
    )
    convert.add_argument("input", metavar="IN", help="recording, .sse body, or - for stdin")
    convert.add_argument("output", metavar="OUT", help="file to write")
    convert.set_defaults(run=cmd_convert)

    record = commands.add_parser(
        "record",
        help="record a live SSE endpoint (needs httpx)",
        description="Send one request and record the streamed response. Authorization, "
        "api-key and cookie headers are redacted in the file.",
    )
    record.add_argument("--url", required=True, help="the endpoint")
    record.add_argument(
        "-H",
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="a request header (repeatable)",
    )
    record.add_argument("--data", metavar="JSON", help="JSON request body (or @FILE); POSTs")
    record.add_argument("--method", metavar="M", help="HTTP method (default: POST with --data)")
    record.add_argument("-o", "--output", required=True, metavar="FILE", help="recording to write")
    record.add_argument("--dialect", metavar="NAME", help="dialect named in the header")
    record.add_argument(
        "--redact", action="append", default=[], metavar="NAME", help="another header to redact"
    )
    record.add_argument(
        "--timeout",
        type=_positive,
        default=600.0,
        metavar="SECONDS",
        help="give up when no byte arrives for this long (default: 600)",
    )
    record.set_defaults(run=cmd_record)
    _cli_serve.add_commands(
        commands, error=UserError, positive=_positive, non_negative=_non_negative
    )
    return parser


def _quiet_broken_pipe() -> None:
    """Standard output's reader went away: drop further output instead of failing again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except (UserError, StreamError) as exc:
        _say(str(exc))
    except BrokenPipeError:
        _quiet_broken_pipe()
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename is not None else ""
        _say(f"{where}{exc.strerror or exc}")
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        return 130
    return 1
