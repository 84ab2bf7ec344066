"""``inspect --html``: the report as one self-contained page with a timeline chart.

The page is plain HTML and inline SVG: no script, no external resource, one
``<style>``.  The chart is a grid: a label column in HTML and, beside it,
one SVG strip per lane, stretched to the width of the page
(``preserveAspectRatio="none"``, strokes that do not scale), so it fills a
wide screen and still reads on a phone; the text is HTML and never
stretches.  Each event is a tick in its lane's colour with a tooltip; the
cumulative answer text is a curve under the lanes; the first content delta
is a dashed line through all of them; stalls and the longest gap are shaded.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from html import escape
from typing import TYPE_CHECKING, Any

from streamkit.dialects._face import EVENT_KINDS

from ._style import CSS, CURVE, GAP, LANE_NAMES, PALETTE, STALL
from ._text_report import seconds

if TYPE_CHECKING:
    from collections.abc import Iterable

    from streamkit.dialects._face import EventKind

    from ._analysis import Mark, Timeline

__all__ = ("render_html",)

_W = 1000.0  # the width of every strip's viewBox
_PAD = 6.0  # of it left free at each end, so that a tick at the first or last instant shows
_STRIP_H = 20.0
_CURVE_H = 100.0


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _ticks(span: float, count: int = 8) -> list[float]:
    """Round tick values from 0 to *span*."""
    if span <= 0:
        return [0.0]
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(int(span / step + 1e-9) + 1)]


class _Scale:
    """Where an event goes: its time (or, without timing, its number) across the strip."""

    def __init__(self, report: dict[str, Any], marks: list[Mark]) -> None:
        self.timed = bool(report["timed"]) and report["duration_s"] > 0
        self.span = report["duration_s"] if self.timed else float(max(len(marks) - 1, 1))

    def at(self, value: float) -> float:
        """Where *value* (seconds, or an event number) goes across the strip."""
        return _PAD + (_W - 2 * _PAD) * value / self.span if self.span else _PAD

    def x(self, t: float, ordinal: int) -> float:
        return self.at(t if self.timed else float(ordinal))


def _longest_gap(marks: list[Mark]) -> tuple[float, float] | None:
    """The start and end of the longest wait between two events of one stream."""
    best: tuple[float, float] | None = None
    for before, after in itertools.pairwise(marks):
        longer = best is None or after.t - before.t > best[1] - best[0]
        if before.stream == after.stream and after.t > before.t and longer:
            best = (before.t, after.t)
    return best


def _shading(
    report: dict[str, Any], scale: _Scale, gap: tuple[float, float] | None, h: float
) -> str:
    """The stalls and the longest gap, shaded the full height *h* of a strip."""
    if not scale.timed:
        return ""
    parts = []
    if gap is not None:
        x0, x1 = scale.x(gap[0], 0), scale.x(gap[1], 0)
        parts.append(
            f'<rect class="gap" x="{_num(x0)}" y="0" width="{_num(max(x1 - x0, 0.5))}" '
            f'height="{_num(h)}" fill="{GAP}" fill-opacity="0.45">'
            f"<title>longest gap: {gap[1] - gap[0]:.3f} s</title></rect>"
        )
    for stall in report["stalls"]:
        x0 = scale.x(stall["at_s"], 0)
        x1 = scale.x(stall["at_s"] + stall["seconds"], 0)
        parts.append(
            f'<rect class="stall" x="{_num(x0)}" y="0" width="{_num(max(x1 - x0, 0.5))}" '
            f'height="{_num(h)}" fill="{STALL}" fill-opacity="0.45">'
            f"<title>stall: {stall['seconds']:.3f} s after {escape(stall['after'])}</title></rect>"
        )
    return "".join(parts)


def _markers(report: dict[str, Any], timeline: Timeline, scale: _Scale, h: float) -> str:
    """The first content delta and the starts of a session's later streams, as lines."""
    parts = []
    for recorded in report["streams"][1:]:
        if scale.timed:
            x = _num(scale.x(recorded["start_s"], 0))
            parts.append(
                f'<line class="boundary" x1="{x}" x2="{x}" y1="0" y2="{_num(h)}">'
                f"<title>stream {recorded['stream']} starts</title></line>"
            )
    first = timeline.first_content
    if first is not None:
        mark = timeline.marks[first]
        x = _num(scale.x(mark.t, first))
        parts.append(
            f'<line class="first" x1="{x}" x2="{x}" y1="0" y2="{_num(h)}">'
            f"<title>first content: {_when(scale, mark, first)}</title></line>"
        )
    return "".join(parts)


def _when(scale: _Scale, mark: Mark, ordinal: int) -> str:
    return f"{mark.t:.3f} s" if scale.timed else f"event #{ordinal}"


def _strip(lane: EventKind, ticks: Iterable[str], background: str) -> str:
    colour = PALETTE[lane]
    return (
        f'<svg class="strip" data-lane="{lane}" data-colour="{colour}" '
        f'viewBox="0 0 {_num(_W)} {_num(_STRIP_H)}" preserveAspectRatio="none" role="img" '
        f'aria-label="{escape(LANE_NAMES[lane])} events">{background}'
        f'<g stroke="{colour}">{"".join(ticks)}</g></svg>'
    )


def _curve(report: dict[str, Any], timeline: Timeline, scale: _Scale, background: str) -> str:
    chars = max(report["text_chars"], 1)
    top = _CURVE_H - 4
    points = [f"{_num(_PAD)},100"]
    previous = 100.0
    for t, ordinal, total in timeline.text:
        x = _num(scale.x(t, ordinal))
        y = 100.0 - top * total / chars
        points.append(f"{x},{_num(previous)} {x},{_num(y)}")
        previous = y
    points.append(f"{_num(_W - _PAD)},{_num(previous)}")
    line = " ".join(points)
    area = f"{line} {_num(_W - _PAD)},100"
    return (
        f'<svg class="curve" viewBox="0 0 {_num(_W)} {_num(_CURVE_H)}" '
        'preserveAspectRatio="none" role="img" aria-label="cumulative answer text">'
        f"{background}"
        f'<polygon points="{area}" fill="{CURVE}" fill-opacity="0.12"/>'
        f'<polyline points="{line}" fill="none" stroke="{CURVE}" stroke-width="2"/></svg>'
    )


def _axis(scale: _Scale) -> str:
    ticks = _ticks(scale.span, 6 if scale.timed else 5)
    spans = []
    for i, tick in enumerate(ticks):
        left = 100 * scale.at(tick) / _W
        label = f"{tick:g} s" if scale.timed else f"{tick:g}"
        kind = ' class="edge"' if i == 0 else (' class="minor"' if i % 2 else "")
        spans.append(f'<span{kind} style="left:{_num(left)}%">{escape(label)}</span>')
    title = "seconds since the recording started" if scale.timed else "event number (no timing)"
    return f'<div class="axis">{"".join(spans)}<span class="title">{title}</span></div>'


def _facts(report: dict[str, Any]) -> str:
    def when(value: float | None) -> str:
        return seconds(value) if report["timed"] else "no timing"

    usage = report["usage"]
    tokens = "-"
    if usage["input_tokens"] is not None or usage["output_tokens"] is not None:
        tokens = f"{usage['input_tokens'] or 0:,} in · {usage['output_tokens'] or 0:,} out"
    outcome = report["outcome"] or "-"
    detail = report["reason"] or report["error"]
    rows = [
        ("dialect", report["dialect"]),
        ("model", report["model"] or "-"),
        ("outcome", f"{outcome}: {detail}" if detail else outcome),
        ("duration", when(report["duration_s"])),
        ("first event", when(report["first_event_s"])),
        ("first content", when(report["first_content_s"])),
        ("longest gap", when(report["longest_gap_s"])),
        ("events", f"{report['event_count']:,}"),
        ("bytes · chunks", f"{report['bytes']:,} · {report['chunks']:,}"),
        ("tokens", tokens),
        ("tool calls", str(len(report["tool_calls"]))),
        ("warnings", str(len(report["warnings"]) + report["warnings_dropped"])),
    ]
    items = "".join(f"<div><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>" for k, v in rows)
    return f'<dl class="facts">{items}</dl>'


def _legend(report: dict[str, Any], lanes: list[EventKind], timeline: Timeline, gap: bool) -> str:
    items = [
        f'<li><span class="swatch" style="background:{PALETTE[lane]}"></span>'
        f"{escape(LANE_NAMES[lane])}</li>"
        for lane in lanes
    ]
    items.append(
        f'<li><span class="swatch line" style="background:{CURVE}"></span>answer text '
        "(cumulative characters)</li>"
    )
    if timeline.first_content is not None:
        items.append('<li><span class="swatch dash"></span>first content</li>')
    if report["stalls"]:
        items.append(
            f'<li><span class="swatch" style="background:{STALL}"></span>'
            f"stall &gt; {report['stall_threshold_s']:g} s</li>"
        )
    if gap:
        items.append(f'<li><span class="swatch" style="background:{GAP}"></span>longest gap</li>')
    return f'<ul class="legend">{"".join(items)}</ul>'


def _table(head: list[str], rows: list[list[str]], numeric: set[int], wrap: int = -1) -> str:
    """A table: the *numeric* columns aligned right, the *wrap* column's text wrapped."""

    def cells(tag: str, values: list[str]) -> str:
        out = []
        for i, value in enumerate(values):
            kind = "num" if i in numeric else "wrap" if i == wrap and tag == "td" else ""
            attr = f' class="{kind}"' if kind else ""
            out.append(f"<{tag}{attr}>{value}</{tag}>")
        return "".join(out)

    body = "".join(f"<tr>{cells('td', row)}</tr>" for row in rows)
    return f'<div class="scroll"><table><tr>{cells("th", head)}</tr>{body}</table></div>'


def _sections(report: dict[str, Any], marks: list[Mark]) -> str:
    lanes: dict[str, Counter[EventKind]] = {}
    first: dict[str, float] = {}
    for mark in marks:
        lanes.setdefault(mark.name, Counter())[mark.lane] += 1
        first.setdefault(mark.name, mark.t)

    def lane_cell(name: str) -> str:
        return " ".join(
            f'<span class="swatch" style="background:{PALETTE[lane]}"></span> '
            f"{escape(LANE_NAMES[lane])}"
            for lane in EVENT_KINDS
            if lane in lanes[name]
        )

    timed = report["timed"]
    rows = [
        [
            f"<code>{escape(name)}</code>",
            lane_cell(name),
            f"{count:,}",
            f"{first[name]:.3f} s" if timed else "-",
        ]
        for name, count in report["events"].items()
    ]
    head = ["event", "lanes", "count", "first at"]
    out = ["<h2>Events</h2>", _table(head, rows, {2, 3})]
    if report["stalls"]:
        rows = [
            [f"{s['at_s']:.3f} s", f"{s['seconds']:.3f} s", escape(s["after"]), str(s["stream"])]
            for s in report["stalls"]
        ]
        out += ["<h2>Stalls</h2>", _table(["at", "silent for", "after", "stream"], rows, {0, 1})]
    if report["tool_calls"]:
        rows = [
            [escape(c["name"]), f"<code>{escape(c['arguments'])}</code>", escape(str(c["id"]))]
            for c in report["tool_calls"]
        ]
        out += ["<h2>Tool calls</h2>", _table(["name", "arguments", "id"], rows, set(), 1)]
    problems = [
        [escape(w["kind"]), f"#{w['ordinal']} {escape(w['event'])}", escape(w["message"])]
        for w in report["warnings"]
    ]
    problems += [["error", "", escape(e)] for e in report["errors"]]
    problems += [
        [
            "oversize",
            f"#{o['ordinal']} {escape(str(o['event']))}",
            escape(
                f"a reader with max_event_size={report['max_event_size']} fails here: "
                f"{o['message']} (at byte {o['offset']})"
            ),
        ]
        for o in report["oversize_events"]
    ]
    if problems:
        out += [
            "<h2>Warnings and errors</h2>",
            _table(["kind", "event", "what"], problems, set(), 2),
        ]
    return "".join(out)


def render_html(report: dict[str, Any], timeline: Timeline) -> str:
    """The page of an ``inspect`` report (see the module docstring)."""
    marks = timeline.marks
    scale = _Scale(report, marks)
    gap = _longest_gap(marks) if scale.timed else None
    lanes = [lane for lane in EVENT_KINDS if report["lanes"].get(lane)]
    strip_bg = _shading(report, scale, gap, _STRIP_H) + _markers(report, timeline, scale, _STRIP_H)
    ticks: dict[str, list[str]] = {lane: [] for lane in lanes}
    for ordinal, mark in enumerate(marks):
        x = _num(scale.x(mark.t, ordinal))
        tip = f"{_when(scale, mark, ordinal)} · #{ordinal} {mark.name}"
        if len(report["streams"]) > 1:
            tip += f" · stream {mark.stream}"
        ticks[mark.lane].append(
            f'<line class="tick" x1="{x}" x2="{x}" y1="2" y2="18"><title>{escape(tip)}</title>'
            "</line>"
        )
    rows = [
        f'<div class="label"><b>{escape(LANE_NAMES[lane])}</b><br>'
        f"{report['lanes'][lane]:,}</div>{_strip(lane, ticks[lane], strip_bg)}"
        for lane in lanes
    ]
    curve_bg = _shading(report, scale, gap, _CURVE_H) + _markers(report, timeline, scale, _CURVE_H)
    rows.append(
        f'<div class="label"><b>answer text</b><br>{report["text_chars"]:,} chars</div>'
        f"{_curve(report, timeline, scale, curve_bg)}"
    )
    rows.append(f"<div></div>{_axis(scale)}")
    title = f"streamkit inspect: {report['file']}"
    streams = len(report["streams"])
    sub = f"{report['dialect']} stream" + (
        f", a session of {streams} streams" if streams > 1 else ""
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f'<h1>{escape(report["file"])}</h1>\n<p class="sub">{escape(sub)}</p>\n'
        f"{_facts(report)}\n{_legend(report, lanes, timeline, gap is not None)}\n"
        f'<div class="chart">{"".join(rows)}</div>\n'
        f"{_sections(report, marks)}\n</body>\n</html>\n"
    )
