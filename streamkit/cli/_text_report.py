"""The ``inspect`` report as aligned text, what ``streamkit inspect FILE`` prints."""

from __future__ import annotations

from typing import Any

__all__ = ("render_report", "seconds")

_WIDTH = 18  # of the label column
_LISTED = 10  # warnings, tool calls and oversize events listed one by one


def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f} s"


def _row(key: str, value: object) -> str:
    return f"{key:<{_WIDTH}} {value}"


def _usage(usage: dict[str, Any]) -> str:
    shown = [
        f"{label} {usage[key]:,}"
        for key, label in (
            ("input_tokens", "input"),
            ("output_tokens", "output"),
            ("total_tokens", "total"),
            ("cached_input_tokens", "cached input"),
            ("reasoning_tokens", "reasoning"),
        )
        if usage.get(key) is not None
    ]
    return ", ".join(shown) if shown else "- (not reported)"


def _cut(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_report(report: dict[str, Any]) -> str:
    """The report of :func:`~streamkit.cli._analysis.analyse` as text."""
    timing = "" if report["timed"] else " (raw body: no timing)"
    ends = ", ".join(s["end"] for s in report["streams"])
    lines = [
        _row("file", f"{report['file']}{timing}"),
        _row("dialect", report["dialect"]),
        _row("model", report["model"] or "- (the final object names none)"),
        _row("streams", f"{len(report['streams'])} ({ends})"),
        _row("chunks", f"{report['chunks']:,}"),
        _row("bytes", f"{report['bytes']:,}"),
        _row("duration", seconds(report["duration_s"])),
        _row("events", f"{report['event_count']:,}"),
    ]
    width = max((len(name) for name in report["events"]), default=0)
    for name, count in report["events"].items():
        note = ""
        if name in report["unknown_events"]:
            note = "  (unknown)"
        if name in report["invalid_events"]:
            note = f"  ({report['invalid_events'][name]} invalid)"
        lines.append(f"  {name:<{width}} {count:>7,}{note}")
    lanes = ", ".join(f"{lane} {count:,}" for lane, count in report["lanes"].items())
    lines.append(_row("lanes", lanes or "-"))
    oversize = report["oversize_events"]
    limit = f"{report['max_event_size']:,} B"
    if not oversize:
        lines.append(_row("events > limit", f"none (max event size {limit})"))
    else:
        lines.append(_row("events > limit", f"{len(oversize)} (max event size {limit})"))
        lines += [
            f"  #{o['ordinal']} {o['event']} (stream {o['stream']}): a reader fails here:"
            f" {o['message']} at byte {o['offset']}"
            for o in oversize[:_LISTED]
        ]
    gaps = report["gaps"]
    lines += [
        _row("first event", seconds(report["first_event_s"])),
        _row("first content", seconds(report["first_content_s"])),
        _row("first text", seconds(report["first_text_s"])),
        _row("text", f"{report['text_chars']:,} characters"),
        _row(
            "gaps",
            f"p50 {seconds(gaps['p50_s'])}  p95 {seconds(gaps['p95_s'])}  "
            f"max {seconds(gaps['max_s'])}  (n={gaps['count']:,})",
        ),
    ]
    threshold = f"stalls > {report['stall_threshold_s']:g} s"
    if not report["stalls"]:
        lines.append(_row(threshold, "none"))
    else:
        lines.append(_row(threshold, len(report["stalls"])))
        lines += [
            f"  {s['seconds']:.3f} s after {s['after']} at {s['at_s']:.3f} s (stream {s['stream']})"
            for s in report["stalls"]
        ]
    outcome = report["outcome"] or "-"
    detail = report["reason"] or report["error"]
    lines.append(_row("outcome", f"{outcome}: {detail}" if detail else outcome))
    lines.append(_row("usage", _usage(report["usage"])))
    calls = report["tool_calls"]
    lines.append(_row("tool calls", len(calls)))
    lines += [f"  {call['name']}({_cut(call['arguments'])})" for call in calls[:_LISTED]]
    warnings = report["warnings"]
    dropped = report["warnings_dropped"]
    lines.append(_row("warnings", len(warnings) + dropped))
    lines += [
        f"  {w['kind']} at #{w['ordinal']} {w['event']}: {_cut(w['message'])}"
        for w in warnings[:_LISTED]
    ]
    lines.append(_row("drift", report["drift"]))
    lines.append(_row("errors", len(report["errors"])))
    lines += [f"  {_cut(error)}" for error in report["errors"][:_LISTED]]
    return "\n".join(lines) + "\n"
