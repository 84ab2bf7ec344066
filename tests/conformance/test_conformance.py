"""The common face, checked on every bundled recording and real capture of every dialect."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pytest

import streamkit
from streamkit import dialects

from .cases import CASES
from .kit import (
    CUTS,
    Case,
    events_of,
    fold,
    rechunkings,
    session_events,
    state,
    streams_of,
)

if TYPE_CHECKING:
    from pathlib import Path

BODIES = [
    pytest.param(case, path, id=f"{case.dialect}/{path.name}")
    for case in CASES
    for path in case.bodies()
]


def test_every_dialect_has_a_case_with_bodies() -> None:
    """A dialect without a case is a dialect the contract is not checked on."""
    assert sorted(case.dialect for case in CASES) == sorted(dialects.names())
    for case in CASES:
        assert case.recordings, case.dialect
        assert case.captures, case.dialect


@pytest.mark.parametrize(("case", "path"), BODIES)
def test_auto_picks_the_dialect(case: Case, path: Path) -> None:
    for stream in streams_of(path):
        auto = events_of(stream)
        assert auto == events_of(stream, case.dialect)
        assert any(dialects.get(case.dialect) is _dialect_of(e) for e in auto)
        acc = streamkit.Accumulator()
        for event in auto:
            acc.feed(event)
        assert acc.dialect == case.dialect


def _dialect_of(event: Any) -> Any:
    from streamkit.dialects._registry import dialect_of

    return dialect_of(event)


@pytest.mark.parametrize(("case", "path"), BODIES)
def test_every_event_names_itself(case: Case, path: Path) -> None:
    events = session_events(path, case.dialect)
    assert events
    for event in events:
        assert isinstance(event.event, str)
        assert event.event
    odd = [e for e in events if type(e) in (streamkit.UnknownEvent, streamkit.InvalidEvent)]
    if not case.expected(path).unknown_events:
        assert odd == []


@pytest.mark.parametrize(("case", "path"), BODIES)
def test_encode_round_trips_every_event(case: Case, path: Path) -> None:
    events = session_events(path, case.dialect)
    for event in events:
        again = events_of([streamkit.encode(event)], case.dialect)
        assert again == [event]
    body = b"".join(streamkit.encode(event) for event in events)
    assert events_of([body], case.dialect) == list(events)


@pytest.mark.parametrize(("case", "path"), BODIES)
def test_every_chunking_gives_the_same_events_and_fold(case: Case, path: Path) -> None:
    for stream in streams_of(path):
        body = b"".join(stream)
        events = events_of(stream, case.dialect)
        folded = state(fold(case, events))
        for chunks in rechunkings(body):
            again = events_of(chunks, case.dialect)
            assert again == events
            assert state(fold(case, again)) == folded


@pytest.mark.parametrize(("case", "path"), BODIES)
def test_the_fold_has_the_common_face(case: Case, path: Path) -> None:
    events = session_events(path, case.dialect)
    acc = fold(case, events)
    assert isinstance(acc, streamkit.Fold)
    expect = case.expected(path)
    # text: the joined text deltas, and the final object's text
    assert acc.text == "".join(streamkit.text_deltas(events))
    assert acc.text == case.final_text(acc)
    # tool calls: the final object's, in order
    calls = acc.tool_calls
    assert [(c.name, c.arguments) for c in calls] == case.final_tool_calls(acc)
    assert all(isinstance(c, streamkit.ToolCall) for c in calls)
    if expect.tool_calls is not None:
        assert len(calls) == expect.tool_calls
    # outcome and usage
    outcome = acc.outcome
    assert isinstance(outcome, streamkit.Outcome)
    if expect.outcome is not None:
        assert (outcome.kind, outcome.reason) == (expect.outcome, expect.reason)
    usage = acc.usage
    assert isinstance(usage, streamkit.Usage)
    if expect.usage is not None:
        assert (usage.raw is not None) == expect.usage
        if expect.usage:
            assert usage.input_tokens is not None
            assert usage.output_tokens is not None
    assert sorted({w.kind for w in acc.warnings}) == sorted(set(expect.warnings))
    assert all(isinstance(w, streamkit.Violation) for w in acc.warnings)
    assert all(isinstance(d, streamkit.Drift) for d in acc.drift)
    # the auto accumulator folds the same
    auto = streamkit.Accumulator()
    for event in events:
        auto.feed(event)
    assert state(auto) == state(acc)


@pytest.mark.parametrize(("case", "path"), BODIES)
def test_a_cut_stream_is_truncated_and_its_text_a_prefix(case: Case, path: Path) -> None:
    """Cut at 25, 50 and 75 % of its events, a stream folds to ``"truncated"``, its text a
    prefix of the full one, unless the cut left every event that decides how it ended: then
    it ends as the full stream does, with all of its text.  An error may come after the
    stream said how it ends (OpenRouter's error chunk after ``finish_reason: "length"``):
    a stream that ends ``"errored"`` may end otherwise when cut before the error."""
    events = session_events(path, case.dialect)
    full = fold(case, events)
    for share in CUTS:
        n = math.floor(len(events) * share)
        acc = fold(case, events[:n])
        assert full.text.startswith(acc.text)
        kind = acc.outcome.kind
        if kind != "truncated":
            assert (
                acc.outcome == full.outcome
                or kind in ("errored", "requires_action")
                or full.outcome.kind == "errored"
            )
            if acc.outcome == full.outcome and kind not in ("errored", "requires_action"):
                assert acc.text == full.text


@pytest.mark.parametrize(("case", "path"), BODIES)
def test_timing_finds_the_first_content(case: Case, path: Path) -> None:
    events = session_events(path, case.dialect)
    timing = streamkit.Timing(start=0.0)
    for i, event in enumerate(events):
        timing.mark(event, at=float(i))
    content = [i for i, e in enumerate(events) if list(streamkit.deltas([e]))]
    assert timing.events == len(events)
    assert timing.first_event == 0.0
    assert timing.first_content == (float(content[0]) if content else None)
    assert timing.content_deltas == len(list(streamkit.deltas(events)))


def test_expectations_name_only_bodies_that_exist() -> None:
    for case in CASES:
        names = {path.name for path in case.bodies()}
        assert set(case.expect) <= names, set(case.expect) - names
