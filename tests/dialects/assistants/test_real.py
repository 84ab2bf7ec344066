"""The real Assistants recordings decode and fold, in any chunking, to the server's objects."""

from __future__ import annotations

import functools
import re
from typing import Any

import msgspec
import pytest

import streamkit
from streamkit import assistants
from tests.helpers import REAL

from . import streams as s

DIR = REAL / "assistants"
FILES = sorted(DIR.glob("*.sse"))
NAMES = [path.name for path in FILES]
FILE_SEARCH = [name for name in NAMES if "file-search" in name]
PAIRS = sorted(
    (name, name.replace("function-requires-action", "submit-tool-outputs"))
    for name in NAMES
    if "function-requires-action" in name
)
# The events that carry a message's or a step's final object.
FINAL_EVENTS = frozenset(
    {
        "thread.message.completed",
        "thread.message.incomplete",
        "thread.run.step.completed",
        "thread.run.step.failed",
        "thread.run.step.cancelled",
        "thread.run.step.expired",
    }
)


def test_the_recordings_are_there() -> None:
    """The 29 real captures and their requires-action / submit-tool-outputs pairs are present."""
    assert len(FILES) == 29
    assert len(PAIRS) == 4
    assert all(other in NAMES for _, other in PAIRS)
    assert len(FILE_SEARCH) == 4


@functools.cache
def _body(name: str) -> bytes:
    return (DIR / name).read_bytes()


@functools.cache
def _events(name: str) -> tuple[Any, ...]:
    """The typed events of a whole body."""
    return tuple(streamkit.iter_events([_body(name)]))


# The conformance kit (tests/conformance) checks every capture's events, outcome, text,
# tool calls, usage and warnings, and that random chunkings give the same events and fold.


@pytest.mark.parametrize("name", NAMES)
def test_recording_ends_with_done_and_no_error(name: str) -> None:
    """A whole recorded body ends with ``done``; no ``error`` event, a message or step folded."""
    events = _events(name)
    assert type(events[-1]) is assistants.Done
    acc = s.fold(list(events))
    assert acc.run is not None
    assert acc.messages or acc.run_steps
    assert acc.errors == []


@pytest.mark.parametrize("size", [7, 1])
@pytest.mark.parametrize("name", NAMES)
def test_small_chunks_give_the_same_events(name: str, size: int) -> None:
    """In 7-byte and 1-byte chunks a recording gives the same events (so the same fold).

    The kit cuts bodies this large in random pieces only.
    """
    body = _body(name)
    chunks = [body[i : i + size] for i in range(0, len(body), size)]
    assert list(streamkit.iter_events(chunks)) == list(_events(name))


# -- the fold equals the server's final objects ------------------------------------


def _text_view(content: list[Any]) -> list[Any]:
    """Text values and annotations' text and ranges of a message's content (builtins)."""
    out = []
    for part in content:
        if part["type"] == "text":
            annotations = [
                (a["type"], a["text"], a["start_index"], a["end_index"])
                for a in part["text"]["annotations"]
            ]
            out.append((part["text"]["value"], annotations))
        else:
            out.append(part)
    return out


def _calls_view(details: Any) -> list[Any]:
    """Ids, function names and arguments, code interpreter inputs and logs of a step (builtins)."""
    out: list[Any] = []
    for call in details.get("tool_calls", ()):
        if call["type"] == "function":
            fn = call["function"]
            out.append((call["id"], fn["name"], fn["arguments"]))
        elif call["type"] == "code_interpreter":
            ci = call["code_interpreter"]
            outputs = [o.get("logs", o.get("image")) for o in ci["outputs"]]
            out.append((call["id"], ci["input"], outputs))
        else:
            out.append((call["id"], call["type"]))
    return out


_PAIRED = {name for pair in PAIRS for name in pair}
RUNS = [
    *(pytest.param((name,), id=name) for name in NAMES if name not in _PAIRED),
    *(pytest.param(pair, id=pair[0].replace("function-requires-action", "pair")) for pair in PAIRS),
]


@pytest.mark.parametrize("names", RUNS)
def test_fold_without_finals_equals_the_server_objects(names: tuple[str, ...]) -> None:
    """Folding deltas alone gives the text, annotations, arguments, inputs and logs the server sent.

    A run spanning a requires-action stream and its continuation is fed both.
    """
    events = [event for name in names for event in _events(name)]
    finals = {e.data.id: e.data for e in events if e.event in FINAL_EVENTS}
    acc = s.fold([e for e in events if e.event not in FINAL_EVENTS])
    compared = 0
    for obj_id, final in finals.items():
        if isinstance(final, assistants.Message):
            folded = msgspec.to_builtins(acc.messages[obj_id].content)
            assert _text_view(folded) == _text_view(msgspec.to_builtins(final.content))
            compared += 1
        else:
            folded = msgspec.to_builtins(acc.run_steps[obj_id].step_details)
            assert _calls_view(folded) == _calls_view(msgspec.to_builtins(final.step_details))
            compared += 1
    assert compared == len(finals) > 0


@pytest.mark.parametrize("name", NAMES)
def test_real_drift_is_classified_and_never_a_conflict(name: str) -> None:
    """Real streams drift only by known, classified differences, never by a conflict.

    The file_search final steps carry ``results`` no delta sent (only in the
    final object); their delta annotations carry a ``file_citation.quote`` of
    ``""`` the final message lacks, which is no drift (both are empty); every
    other recording folds to exactly its final objects.
    """
    acc = s.fold(list(_events(name)))
    found = {(d.kind, re.sub(r"\[\d+\]", "[]", d.path)) for d in acc.drift}
    if name in FILE_SEARCH:
        assert found == {("only_in_final", "$.step_details.tool_calls[].file_search.results[]")}
        assert all(d.folded is None and "file_id" in d.final for d in acc.drift)
    else:
        assert found == set()


# -- runs that span two streams ------------------------------------------------------


@pytest.mark.parametrize(("first", "second"), PAIRS)
def test_requires_action_and_submit_tool_outputs_fold_as_one_run(first: str, second: str) -> None:
    """A requires-action stream and its submit-tool-outputs continuation fold as one run."""
    acc = assistants.Accumulator(strict=True)
    for event in _events(first):
        acc.feed(event)
    waiting = acc.outcome
    assert isinstance(waiting, assistants.RequiresAction)
    [call] = waiting.tool_calls
    run_id = waiting.run.id
    for event in _events(second):
        acc.feed(event)
    assert acc.warnings == []
    assert acc.outcome.kind == "completed"
    assert acc.run is not None
    assert acc.run.id == run_id
    assert {step.run_id for step in acc.run_steps.values()} == {run_id}
    # The function step of the first stream now holds the output sent in the second.
    [step] = [
        st
        for st in acc.run_steps.values()
        if isinstance(st.step_details, assistants.ToolCallsStepDetails)
    ]
    [folded_call] = step.step_details.tool_calls
    assert isinstance(folded_call, assistants.FunctionToolCall)
    assert (folded_call.id, folded_call.function.name) == (call.id, call.function.name)
    assert folded_call.function.arguments == call.function.arguments
    assert folded_call.function.output is not None
    assert step.status == "completed"
    assert acc.messages
    assert all(m.status == "completed" for m in acc.messages.values())


@pytest.mark.parametrize("name", [second for _, second in PAIRS])
def test_continuation_alone_adopts_the_server_step(name: str) -> None:
    """A submit-tool-outputs stream alone adopts the server's step, with an unknown-id warning."""
    events = _events(name)
    first = events[0]
    assert first.event == "thread.run.step.completed"
    acc = s.fold(list(events))
    assert acc.run_steps[first.data.id] == first.data
    unknown = [w for w in acc.warnings if w.kind == "unknown-id"]
    assert [(w.object_id, w.ordinal) for w in unknown] == [(first.data.id, 0)]
    # The run itself is also first seen mid-life (queued, never created): a transition warning.
    assert {w.kind for w in acc.warnings} == {"unknown-id", "transition"}
    assert acc.outcome.kind == "completed"
    with pytest.raises(streamkit.FoldError):
        s.fold(list(events), strict=True)
