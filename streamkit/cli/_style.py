"""The look of the ``inspect`` page: a colour per lane, the lanes' names, the style sheet."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from streamkit.dialects._face import EventKind

__all__ = ("CSS", "CURVE", "GAP", "LANE_NAMES", "PALETTE", "STALL")

#: The colour of each lane: no two alike, none the colour of the text curve.
PALETTE: dict[EventKind, str] = {
    "lifecycle": "#64748b",
    "content": "#2563eb",
    "tool": "#d97706",
    "reasoning": "#9333ea",
    "keepalive": "#0d9488",
    "error": "#dc2626",
    "other": "#db2777",
}
LANE_NAMES: dict[EventKind, str] = {
    "lifecycle": "lifecycle",
    "content": "content",
    "tool": "tool",
    "reasoning": "reasoning",
    "keepalive": "keep-alive",
    "error": "error",
    "other": "other",
}
CURVE = "#16a34a"
STALL = "#fca5a5"
GAP = "#fcd34d"

CSS = """
:root { --ink: #0f172a; --muted: #475569; --rule: #e2e8f0; --strip: #f3f6fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
  background: #fff; margin: 0; padding: 20px clamp(12px, 3vw, 40px); }
h1 { font-size: 18px; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 15px; margin: 28px 0 8px; }
.sub { color: var(--muted); margin: 0 0 16px; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr));
  gap: 8px; margin: 0 0 18px; }
.facts div { border: 1px solid var(--rule); border-radius: 6px; padding: 6px 10px; }
.facts dt { color: var(--muted); font-size: 12px; }
.facts dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; margin: 0 0 10px; padding: 0;
  list-style: none; font-size: 13px; }
.legend li { display: flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; }
.swatch.line { height: 3px; }
.swatch.dash { height: 0; border-top: 2px dashed var(--ink); }
.chart { display: grid; grid-template-columns: minmax(6rem, 9rem) minmax(0, 1fr);
  gap: 4px 12px; align-items: center; }
.label { font-size: 13px; text-align: right; color: var(--muted); line-height: 1.2; }
.label b { color: var(--ink); font-weight: 600; }
svg { display: block; width: 100%; }
svg.strip { height: 22px; background: var(--strip); }
svg.curve { height: 150px; background: #fff; border: 1px solid var(--rule); }
svg line, svg polyline { vector-effect: non-scaling-stroke; }
svg .tick { stroke-width: 2px; shape-rendering: crispEdges; }
svg .first { stroke: var(--ink); stroke-width: 1.5px; stroke-dasharray: 5 3; }
svg .boundary { stroke: var(--muted); stroke-width: 1px; stroke-dasharray: 2 2; }
.axis { position: relative; height: 34px; font-size: 12px; color: var(--muted); }
.axis span { position: absolute; top: 2px; transform: translateX(-50%); white-space: nowrap; }
.axis span.edge { transform: none; }
.axis .title { left: 50%; top: 18px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 3px 14px 3px 0; text-align: left; vertical-align: top; white-space: nowrap; }
td.wrap { white-space: normal; min-width: 14rem; }
th { color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--rule); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.scroll { overflow-x: auto; }
code { font-size: 12px; }
td.wrap code { overflow-wrap: anywhere; }
@media (max-width: 640px) {
  .facts { grid-template-columns: repeat(auto-fill, minmax(6.5rem, 1fr)); gap: 6px; }
  .facts div { padding: 4px 8px; }
  .chart { grid-template-columns: 5rem minmax(0, 1fr); gap: 4px 8px; }
  .label { font-size: 11px; }
  .axis span.minor { display: none; }
}
"""
