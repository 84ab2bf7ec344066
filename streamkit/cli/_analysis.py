"""What ``inspect`` measures: every event's time, lane and size, the timing, the fold.

Each selected stream is decoded on its own, chunk by chunk, each event
stamped with the recorded time of the chunk that completed it, and all of
them are folded into one accumulator.  The lane of an event is its
dialect's ``kind`` (unknown and invalid events, which belong to no dialect,
are ``"other"``); the timing is :class:`streamkit.Timing`'s, fed the
recorded times; the text curve counts the answer text (the deltas the
dialect's ``is_answer`` keeps), as the fold's ``text`` has it.

Under ``--on-error raise`` the events are read with ``--max-event-size`` as
any reader would, and one held longer fails.  Otherwise the whole body is
read (it is in memory already) and each event whose data is larger than
the limit is reported as oversize instead, so the report goes on past it.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from streamkit._pipeline import Pipeline
from streamkit._timing import Timing
from streamkit.dialects import InvalidEvent, UnknownEvent
from streamkit.dialects._transcript import error_text, event_name

from ._decoding import Census
from ._face import model_of, outcome_document, usage_document
from ._output import plain

if TYPE_CHECKING:
    from collections.abc import Sequence

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
    size: int  # bytes of its data


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


class _Analysis:
    """The state of one ``inspect`` run over a source's streams."""

    def __init__(self, source: Source, on_error: ErrorPolicy, limit: int) -> None:
        self.source = source
        self.dialect = dialect = source.decoder
        self.on_error: ErrorPolicy = on_error
        self.limit = limit
        self.acc = dialect.accumulator()
        self.census = Census(source)
        self.timeline = Timeline()
        self.counts: Counter[str] = Counter()
        self.lanes: Counter[str] = Counter()
        self.unknown: Counter[str] = Counter()
        self.invalid: Counter[str] = Counter()
        self.oversize: list[dict[str, Any]] = []
        self.largest: dict[str, Any] | None = None
        self.timings: list[Timing] = []
        self.gaps: list[float] = []
        self.stalls: list[dict[str, Any]] = []
        self.chars = 0
        self.first_text: float | None = None

    def stream(self, index: int, recorded: RecordedStream, base: float, stall: float) -> None:
        """Decode and measure one stream."""
        body = sum(len(chunk) for _, chunk in recorded.chunks)
        limit = self.limit if self.on_error == "raise" else max(self.limit, body + 1)
        pipeline = Pipeline(self.dialect, self.on_error, limit)
        timing = Timing(start=base)
        self.timings.append(timing)
        self.prev_t, self.prev_name, self.first = recorded.t0 - base, "(stream start)", True
        t = self.prev_t
        for at, chunk in recorded.chunks:
            t = at - base
            self.frames(pipeline, pipeline.feed(chunk), index, t, timing, stall)
        self.frames(pipeline, pipeline.close(), index, t, timing, stall)
        pipeline.finish()
        if recorded.end_t is not None:
            self.silence(index, recorded.end_t - base, stall)

    def silence(self, index: int, t: float, stall: float) -> None:
        """A stall, when nothing came for longer than *stall* before *t*."""
        if t - self.prev_t > stall:
            self.stalls.append(
                {
                    "stream": index,
                    "at_s": self.prev_t,
                    "seconds": t - self.prev_t,
                    "after": self.prev_name,
                }
            )

    def frames(
        self,
        pipeline: Pipeline,
        frames: list[Any],
        index: int,
        t: float,
        timing: Timing,
        stall: float,
    ) -> None:
        for frame in frames:
            size = len(frame.data)
            for event in pipeline.events([frame]):
                self.event(event, index, t, size, timing, stall)

    def event(
        self, event: Any, index: int, t: float, size: int, timing: Timing, stall: float
    ) -> None:
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
        timing.mark(event, at=t + timing.start)
        if timing.content_deltas > seen and self.timeline.first_content is None:
            self.timeline.first_content = ordinal
        self.timeline.marks.append(Mark(t, name, lane, index, size))
        answer = sum(
            len(delta.text) for delta in self.dialect.deltas(event) if self.dialect.is_answer(delta)
        )
        if answer:
            self.chars += answer
            self.timeline.text.append((t, ordinal, self.chars))
            if self.first_text is None:
                self.first_text = t
        if self.largest is None or size > self.largest["bytes"]:
            self.largest = {"stream": index, "ordinal": ordinal, "event": name, "bytes": size}
        if size > self.limit:
            self.oversize.append(
                {"stream": index, "ordinal": ordinal, "event": name, "bytes": size}
            )
        if not self.first:
            self.gaps.append(t - self.prev_t)
        self.silence(index, t, stall)
        self.prev_t, self.prev_name, self.first = t, name, False


def analyse(
    source: Source, on_error: ErrorPolicy, stall: float, max_event_size: int
) -> tuple[dict[str, Any], Timeline]:
    """The ``inspect`` report of *source* as builtins, and the timeline behind it."""
    run = _Analysis(source, on_error, max_event_size)
    streams = source.selected
    base = streams[0].t0 if streams else 0.0
    per_stream: list[dict[str, Any]] = []
    for index, recorded in zip(source.indices, streams, strict=True):
        run.stream(index, recorded, base, stall)
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
        "lanes": dict(run.lanes),
        "unknown_events": dict(run.unknown),
        "invalid_events": dict(run.invalid),
        "max_event_size": max_event_size,
        "largest_event": run.largest,
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
