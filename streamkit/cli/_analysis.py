"""What ``inspect`` measures: every event's time and lane, the timing, the fold.

Each selected stream is decoded on its own, each event stamped with the
recorded time of the chunk that completed it, and all of them are folded
into one accumulator.  The lane of an event is its dialect's ``kind``
(unknown and invalid events, which belong to no dialect, are ``"other"``);
the timing is :class:`streamkit.Timing`'s, fed the recorded times; the text
curve counts the answer text (the deltas the dialect's ``is_answer`` keeps),
as the fold's ``text`` has it.

``--max-event-size`` is a reader's limit (the bytes one unfinished event may
hold between chunks).  Under ``--on-error raise`` the events are read with
it, and the first event held longer fails the command, as it fails any
reader.  Otherwise the stream is read whole (it is in memory already), and
read again with the limit to find where such a reader would fail: that
event is reported as oversize, and the report goes on past it.
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from streamkit._errors import EventTooLarge, StreamError
from streamkit._sync import iter_events
from streamkit._timing import Timing
from streamkit.dialects import InvalidEvent, UnknownEvent
from streamkit.dialects._face import EVENT_KINDS
from streamkit.dialects._transcript import error_text, event_name

from ._decoding import Census
from ._face import model_of, outcome_document, usage_document
from ._output import plain

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from streamkit._pipeline import ErrorPolicy
    from streamkit.dialects._face import EventKind
    from streamkit.recording import RecordedStream

    from ._sources import Source

__all__ = ("Mark", "Timeline", "analyse")


@dataclass
class Mark:
    """One event on the timeline."""

    t: float  # seconds since the first selected stream started
    name: str
    lane: EventKind
    stream: int


@dataclass
class Timeline:
    """What the report is made of, event by event (for the HTML page)."""

    marks: list[Mark] = field(default_factory=list)
    text: list[tuple[float, int, int]] = field(default_factory=list)  # t, mark index, chars
    first_content: int | None = None  # the mark index of the first content delta


def _percentile(ordered: Sequence[float], q: float) -> float | None:
    """The nearest-rank *q* quantile of the sorted *ordered* (None when empty)."""
    if not ordered:
        return None
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _min(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _max(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _timed(recorded: RecordedStream, base: float, now: list[float]) -> Iterator[bytes]:
    """The stream's chunks, setting ``now[0]`` to each one's time before it is decoded."""
    for t, chunk in recorded.chunks:
        now[0] = t - base
        yield chunk


class _Analysis:
    """The state of one ``inspect`` run over a source's streams."""

    def __init__(self, source: Source, on_error: ErrorPolicy, limit: int, stall: float) -> None:
        self.source = source
        self.dialect = dialect = source.decoder
        self.on_error: ErrorPolicy = on_error
        self.limit = limit
        self.stall = stall
        self.acc = dialect.accumulator()
        self.census = Census(source)
        self.timeline = Timeline()
        self.counts: Counter[str] = Counter()
        self.lanes: Counter[str] = Counter()
        self.unknown: Counter[str] = Counter()
        self.invalid: Counter[str] = Counter()
        self.oversize: list[dict[str, Any]] = []
        self.timings: list[Timing] = []
        self.gaps: list[float] = []
        self.stalls: list[dict[str, Any]] = []
        self.chars = 0
        self.first_text: float | None = None
        self.index = 0  # of the stream being read
        self.prev_t, self.prev_name, self.first = 0.0, "", True

    def stream(self, index: int, recorded: RecordedStream, base: float) -> None:
        """Decode and measure one stream."""
        limit = self.limit if self.on_error == "raise" else sys.maxsize
        timing = Timing(start=0.0)
        self.timings.append(timing)
        self.index = index
        self.prev_t, self.prev_name, self.first = recorded.t0 - base, "(stream start)", True
        marked = len(self.timeline.marks)
        now = [self.prev_t]
        chunks = _timed(recorded, base, now)
        for event in iter_events(
            chunks, self.dialect, on_error=self.on_error, max_event_size=limit
        ):
            self.event(event, now[0], timing)
        if recorded.end_t is not None:
            self.silence(recorded.end_t - base)
        if self.on_error != "raise":
            self.reader_limit(index, recorded, marked)

    def reader_limit(self, index: int, recorded: RecordedStream, marked: int) -> None:
        """Where a reader given the limit fails on this stream, if it does: an oversize event."""
        count = 0
        chunks = (chunk for _, chunk in recorded.chunks)
        try:
            for _ in iter_events(chunks, self.dialect, on_error="yield", max_event_size=self.limit):
                count += 1
        except EventTooLarge as exc:
            ordinal = marked + count
            marks = self.timeline.marks
            self.oversize.append(
                {
                    "stream": index,
                    "ordinal": ordinal,
                    "event": marks[ordinal].name if ordinal < len(marks) else None,
                    "offset": exc.offset,
                    "message": exc.message,
                }
            )

    def silence(self, t: float) -> None:
        """A stall, when nothing came for longer than the threshold before *t*."""
        if t - self.prev_t > self.stall:
            self.stalls.append(
                {
                    "stream": self.index,
                    "at_s": self.prev_t,
                    "seconds": t - self.prev_t,
                    "after": self.prev_name,
                }
            )

    def event(self, event: Any, t: float, timing: Timing) -> None:
        name = event_name(event)
        ordinal = len(self.timeline.marks)
        self.counts[name] += 1
        self.census.count(event)
        kind = type(event)
        lane: EventKind
        if kind is InvalidEvent or kind is UnknownEvent:
            (self.invalid if kind is InvalidEvent else self.unknown)[name] += 1
            lane = "other"
        else:
            lane = self.dialect.kind(event)
        self.lanes[lane] += 1
        self.acc.feed(event)
        seen = timing.content_deltas
        timing.mark(event, at=t)
        if timing.content_deltas > seen and self.timeline.first_content is None:
            self.timeline.first_content = ordinal
        self.timeline.marks.append(Mark(t, name, lane, self.index))
        answer = sum(
            len(delta.text) for delta in self.dialect.deltas(event) if self.dialect.is_answer(delta)
        )
        if answer:
            self.chars += answer
            self.timeline.text.append((t, ordinal, self.chars))
            if self.first_text is None:
                self.first_text = t
        if not self.first:
            self.gaps.append(t - self.prev_t)
        self.silence(t)
        self.prev_t, self.prev_name, self.first = t, name, False


def analyse(
    source: Source, on_error: ErrorPolicy, stall: float, max_event_size: int
) -> tuple[dict[str, Any], Timeline]:
    """The ``inspect`` report of *source* as builtins, and the timeline behind it."""
    run = _Analysis(source, on_error, max_event_size, stall)
    streams = source.selected
    base = streams[0].t0 if streams else 0.0
    per_stream: list[dict[str, Any]] = []
    for index, recorded in zip(source.indices, streams, strict=True):
        try:
            run.stream(index, recorded, base)
        except StreamError as exc:
            raise run.census.explain(exc) from None
        per_stream.append(
            {
                "stream": index,
                "start_s": recorded.t0 - base,
                "end": recorded.end if recorded.end is not None else "truncated",
                "end_s": None if recorded.end_t is None else recorded.end_t - base,
                "chunks": len(recorded.chunks),
                "bytes": sum(len(chunk) for _, chunk in recorded.chunks),
            }
        )
    run.census.check()
    acc = run.acc
    ends = [s["end_s"] for s in per_stream if s["end_s"] is not None]
    last_chunk = [t - base for s in streams for t, _ in s.chunks[-1:]]
    gaps = sorted(run.gaps)
    outcome = outcome_document(getattr(acc, "outcome", None))
    errors = getattr(acc, "errors", None) or []
    report: dict[str, Any] = {
        "file": source.name,
        "dialect": run.dialect.name,
        "model": model_of(getattr(acc, "result", None)),
        "timed": source.timed,
        "streams": per_stream,
        "chunks": sum(s["chunks"] for s in per_stream),
        "bytes": sum(s["bytes"] for s in per_stream),
        "duration_s": max([0.0, *ends, *last_chunk]),
        "event_count": len(run.timeline.marks),
        "events": dict(run.counts),
        "lanes": {lane: run.lanes[lane] for lane in EVENT_KINDS if run.lanes[lane]},
        "unknown_events": dict(run.unknown),
        "invalid_events": dict(run.invalid),
        "max_event_size": max_event_size,
        "oversize_events": run.oversize,
        "first_event_s": _min([timing.first_event for timing in run.timings]),
        "first_content_s": _min([timing.first_content for timing in run.timings]),
        "first_text_s": run.first_text,
        "longest_gap_s": _max([timing.longest_gap for timing in run.timings]),
        "gaps": {
            "count": len(gaps),
            "p50_s": _percentile(gaps, 0.50),
            "p95_s": _percentile(gaps, 0.95),
            "max_s": gaps[-1] if gaps else None,
        },
        "stall_threshold_s": stall,
        "stalls": run.stalls,
        "outcome": outcome["kind"],
        "reason": outcome["reason"],
        "error": None if not outcome["error"] else _error(getattr(acc, "outcome", None)),
        "text_chars": run.chars,
        "usage": usage_document(getattr(acc, "usage", None), raw=False),
        "tool_calls": [plain(call) for call in getattr(acc, "tool_calls", None) or []],
        "warnings": [plain(warning) for warning in getattr(acc, "warnings", None) or []],
        "warnings_dropped": getattr(acc, "warnings_dropped", 0),
        "drift": len(getattr(acc, "drift", None) or []),
        "errors": [error_text(getattr(error, "error", error)) for error in errors],
    }
    return report, run.timeline


def _error(outcome: object) -> str:
    error = getattr(outcome, "error", None)
    return error_text(getattr(error, "error", error))
