"""The Assistants fold: merge rules, lifecycles, violations, outcomes, drift and cost."""

from __future__ import annotations

import time
import tracemalloc
from typing import Any

import msgspec
import pytest

import streamkit
from streamkit import assistants
from streamkit.dialects.assistants import _fold
from streamkit.dialects.assistants._fold import MESSAGE_NEXT, RUN_NEXT, STEP_NEXT

from . import streams as s
from .streams import Stream

MSG = "msg_A1b2C3d4E5f6G7h8I9j0K1l2"
MSG2 = "msg_Z9y8X7w6V5u4T3s2R1q0P9o8"
STEP = "step_A1b2C3d4E5f6G7h8I9j0K1l2"
STEP2 = "step_Z9y8X7w6V5u4T3s2R1q0P9o8"


def _message_stream(*deltas: list[dict[str, Any]]) -> Stream:
    """A run with one message receiving one delta per item of *deltas* (each a content list)."""
    stream = Stream().run("created").run("in_progress").message("created", MSG)
    for content in deltas:
        stream.message_delta(MSG, *content)
    return stream


def _step_stream(*deltas: list[dict[str, Any]]) -> Stream:
    """A run with one tool calls step receiving one delta per item of *deltas* (tool call lists)."""
    stream = Stream().run("created").run("in_progress").step("created", STEP)
    for calls in deltas:
        stream.step_delta(STEP, *calls)
    return stream


def _content(acc: assistants.Accumulator, msg_id: str = MSG) -> list[Any]:
    return msgspec.to_builtins(acc.messages[msg_id])["content"]  # type: ignore[no-any-return]


def _calls(acc: assistants.Accumulator, step_id: str = STEP) -> list[Any]:
    return msgspec.to_builtins(acc.run_steps[step_id])["step_details"]["tool_calls"]  # type: ignore[no-any-return]


def _kinds(acc: assistants.Accumulator) -> list[str]:
    return [violation.kind for violation in acc.warnings]


def _part(part: dict[str, Any]) -> Any:
    """A content part as JSON, as a snapshot gives it back (the schema's defaults filled in)."""
    return msgspec.to_builtins(msgspec.convert(part, assistants.MessageContent))


def _call(call: dict[str, Any]) -> Any:
    """A tool call as JSON, as a snapshot gives it back (the schema's defaults filled in)."""
    return msgspec.to_builtins(msgspec.convert(call, assistants.ToolCall))


def _text(value: str, *annotations: dict[str, Any]) -> Any:
    return _part({"type": "text", "text": {"value": value, "annotations": list(annotations)}})


def _fn(id: str, name: str, arguments: str, output: str | None = None) -> Any:
    function = {"name": name, "arguments": arguments, "output": output}
    return _call({"type": "function", "id": id, "function": function})


# -- merge rules -------------------------------------------------------------------


def test_merge_table_declares_the_rules() -> None:
    """The merge rules are declared in MERGE: concatenated strings and lists merged by index."""
    rules = {(cls.__name__, field): rule for (cls, field), rule in _fold.MERGE.items()}
    assert rules == {
        ("TextDelta", "value"): "concat",
        ("TextDelta", "annotations"): "by_index",
        ("RefusalDeltaBlock", "refusal"): "concat",
        ("MessageDelta", "content"): "by_index",
        ("CodeInterpreterDelta", "input"): "concat",
        ("CodeInterpreterDelta", "outputs"): "by_index",
        ("CodeInterpreterLogsDelta", "logs"): "concat",
        ("FunctionCallDelta", "arguments"): "concat",
        ("ToolCallsStepDetailsDelta", "tool_calls"): "by_index",
    }


def test_text_value_is_concatenated() -> None:
    """Text values of successive deltas for one part are concatenated, escapes and all."""
    pieces = ["Hé", "llo", ", 世界", " 🚀", '\n"q"\\']
    acc = _message_stream(*([s.text(0, piece)] for piece in pieces)).fold()
    assert _content(acc) == [_text("".join(pieces))]
    assert acc.warnings == []


def test_refusal_is_concatenated() -> None:
    """Refusal text of successive deltas is concatenated."""
    acc = _message_stream(
        [s.refusal(0, "I can")], [s.refusal(0, "not")], [s.refusal(0, ".")]
    ).fold()
    assert _content(acc) == [_part({"type": "refusal", "refusal": "I cannot."})]


def test_annotations_are_merged_by_index() -> None:
    """Annotations are merged by their index: fragments of one join, new indexes append."""
    acc = _message_stream(
        [s.text(0, "See 【0†a】", [s.citation(0, "【0†a】", 4)])],
        [s.text(0, None, [s.citation(0, end=9, file_id="file-a")])],
        [s.text(0, " and ", [])],
        [s.text(0, "【1†b】", [s.file_path(1, "【1†b】", 14, 19, "file-b")])],
    ).fold()
    cited = {
        "type": "file_citation",
        "text": "【0†a】",
        "start_index": 4,
        "end_index": 9,
        "file_citation": {"file_id": "file-a"},
    }
    path = {
        "type": "file_path",
        "text": "【1†b】",
        "start_index": 14,
        "end_index": 19,
        "file_path": {"file_id": "file-b"},
    }
    assert _content(acc) == [_text("See 【0†a】 and 【1†b】", cited, path)]


def test_content_parts_are_merged_by_index() -> None:
    """Content parts of several types are merged by index, their deltas interleaved."""
    acc = _message_stream(
        [s.text(0, "a", [])],
        [s.image_file(1, "file-img")],
        [s.text(2, "x", [])],
        [s.text(0, "b")],
        [s.text(2, "y")],
        [s.refusal(3, "no")],
    ).fold()
    assert _content(acc) == [
        _text("ab"),
        _part({"type": "image_file", "image_file": {"file_id": "file-img"}}),
        _text("xy"),
        _part({"type": "refusal", "refusal": "no"}),
    ]


def test_tool_calls_are_merged_by_index() -> None:
    """Tool calls are merged by index, deltas of parallel calls interleaved."""
    acc = _step_stream(
        [s.function(0, "call_a", "f", "", output=None)],
        [s.function(1, "call_b", "g", "", output=None)],
        [s.function(0, arguments='{"x":')],
        [s.function(1, arguments="[]")],
        [s.function(0, arguments="1}")],
    ).fold()
    assert _calls(acc) == [_fn("call_a", "f", '{"x":1}'), _fn("call_b", "g", "[]")]


def test_code_interpreter_input_logs_and_outputs_merge() -> None:
    """Code interpreter input and logs are concatenated and outputs merged by index."""
    acc = _step_stream(
        [s.code(0, "call_ci", "", [])],
        [s.code(0, input="import os\n")],
        [s.code(0, input="print(1)")],
        [s.code(0, outputs=[s.logs(0, "1")])],
        [s.code(0, outputs=[s.image(1, "file-png")])],
        [s.code(0, outputs=[s.logs(0, "\n2")])],
    ).fold()
    ci = {
        "input": "import os\nprint(1)",
        "outputs": [
            {"type": "logs", "logs": "1\n2"},
            {"type": "image", "image": {"file_id": "file-png"}},
        ],
    }
    assert _calls(acc) == [
        _call({"type": "code_interpreter", "id": "call_ci", "code_interpreter": ci})
    ]


def test_null_logs_delta_keeps_the_logs_so_far() -> None:
    """A logs delta of null, before or after text, adds nothing to the logs."""
    acc = _step_stream(
        [s.code(0, "call_ci", "x", [s.logs(0, None)])],
        [s.code(0, outputs=[s.logs(0, "a")])],
        [s.code(0, outputs=[s.logs(0, None)])],
        [s.code(0, outputs=[s.logs(0, "b")])],
    ).fold()
    assert _calls(acc)[0]["code_interpreter"]["outputs"] == [{"type": "logs", "logs": "ab"}]


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        pytest.param(s.function(0, id="call_a"), _fn("call_a", "f", "{}"), id="id"),
        pytest.param(s.function(0, name="f"), _fn("call_a", "f", "{}"), id="function.name"),
        pytest.param(
            s.function(0, "call_a", "f", "", output=None), _fn("call_a", "f", "{}"), id="id+name"
        ),
        pytest.param(
            s.function(0, output="sunny"), _fn("call_a", "f", "{}", "sunny"), id="output-replaced"
        ),
    ],
)
def test_identifiers_and_scalars_are_replaced_not_concatenated(
    second: dict[str, Any], expected: dict[str, Any]
) -> None:
    """A later delta resending an id, a name or another scalar replaces it: never doubled."""
    acc = _step_stream(
        [s.function(0, "call_a", "f", "{", output=None)], [second], [s.function(0, arguments="}")]
    ).fold()
    assert _calls(acc) == [expected]


def test_annotation_indexes_are_replaced_not_summed() -> None:
    """Numbers resent in a later delta (an annotation's start and end) replace the earlier ones."""
    acc = _message_stream(
        [s.text(0, "ab", [s.citation(0, "ab", 0, 2, "file-a")])],
        [s.text(0, None, [s.citation(0, "ab", 0, 2, "file-a")])],
    ).fold()
    annotation = _content(acc)[0]["text"]["annotations"][0]
    assert (annotation["start_index"], annotation["end_index"], annotation["text"]) == (0, 2, "ab")


def test_image_detail_is_replaced() -> None:
    """An image part's scalar fields are replaced by the latest delta that carries them."""
    acc = _message_stream(
        [{"index": 0, "type": "image_file", "image_file": {"file_id": "f1", "detail": "low"}}],
        [{"index": 0, "type": "image_file", "image_file": {"detail": "high"}}],
    ).fold()
    image = {"type": "image_file", "image_file": {"file_id": "f1", "detail": "high"}}
    assert _content(acc) == [_part(image)]


def test_file_search_payload_is_merged_key_by_key() -> None:
    """A file search call's raw payload takes each key from the latest delta that sent it."""
    options = {"ranker": "default_2024_08_21", "score_threshold": 0.0}
    acc = _step_stream(
        [s.file_search(0, "call_fs", {"ranking_options": options})],
        [s.file_search(0, "call_fs", {"results": []})],
    ).fold()
    search = {"ranking_options": options, "results": []}
    assert _calls(acc) == [_call({"type": "file_search", "id": "call_fs", "file_search": search})]


def test_usage_and_other_object_fields_are_replaced() -> None:
    """Usage and status come from the latest object of a step or run: replaced, never summed."""
    usage_1 = {"prompt_tokens": 10, "completion_tokens": 1, "total_tokens": 11}
    usage_2 = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
    stream = Stream().run("created").run("in_progress", usage=usage_1)
    stream.step("created", STEP).step("in_progress", STEP, usage=usage_1)
    stream.step_delta(STEP, s.function(0, "call_a", "f", "{}", output=None))
    acc = stream.fold()
    step = acc.run_steps[STEP]
    assert (step.status, msgspec.to_builtins(step.usage)["completion_tokens"]) == ("in_progress", 1)
    stream.step("completed", STEP, s.tool_calls(_fn("call_a", "f", "{}")), usage=usage_2)
    stream.run("completed", usage=usage_2)
    acc = stream.fold()
    step = acc.run_steps[STEP]
    assert step.status == "completed"
    assert step.usage == msgspec.convert(usage_2, assistants.Usage)
    assert acc.run is not None
    assert msgspec.to_builtins(acc.run.usage)["completion_tokens"] == 5


# -- index is a logical key --------------------------------------------------------


def test_content_indexes_out_of_order_land_in_place() -> None:
    """Parts whose indexes arrive out of order land at their index, not in arrival order."""
    acc = _message_stream(
        [s.text(1, "second", [])], [s.text(0, "first", [])], [s.text(1, "!")]
    ).fold()
    assert _content(acc) == [_text("first"), _text("second!")]
    # Out of order is no violation; a hole left when the message ends is (below).
    assert _kinds(acc) == []


def test_tool_call_indexes_out_of_order_land_in_place() -> None:
    """Tool calls whose indexes arrive out of order are two calls, each where it belongs."""
    acc = _step_stream(
        [s.function(1, "call_b", "g", "", output=None)],
        [s.function(0, "call_a", "f", "", output=None)],
        [s.function(1, arguments="[1]")],
        [s.function(0, arguments="{}")],
    ).fold()
    assert _calls(acc) == [_fn("call_a", "f", "{}"), _fn("call_b", "g", "[1]")]


def _with_gap() -> Stream:
    """A message whose deltas skip index 1 and that then ends."""
    stream = _message_stream([s.text(0, "a", [])], [s.text(2, "c", [])], [s.text(2, "d")])
    final = [
        {"type": "text", "text": {"value": "a", "annotations": []}},
        {"type": "text", "text": {"value": "cd", "annotations": []}},
    ]
    return stream.message("completed", MSG, final)


def test_index_gap_is_a_violation_and_keeps_the_parts() -> None:
    """A part whose index skips one is kept; the hole left when the message ends is a violation."""
    stream = _with_gap()
    events = stream.typed()
    acc = assistants.Accumulator()
    for event in events[:-1]:
        acc.feed(event)
    assert _content(acc) == [_text("a"), _text("cd")]
    assert acc.warnings == []  # a later delta could still fill index 1
    acc.feed(events[-1])
    [violation] = acc.warnings
    assert (violation.kind, violation.object_id, violation.event) == (
        "index-gap",
        MSG,
        "thread.message.completed",
    )
    assert violation.ordinal == 6
    assert "no index 1" in violation.message


def test_index_gap_raises_when_strict() -> None:
    """A strict accumulator raises FoldError for an index gap left when the message ends."""
    events = _with_gap().typed()
    acc = assistants.Accumulator(strict=True)
    for event in events[:-1]:
        acc.feed(event)
    with pytest.raises(streamkit.FoldError) as info:
        acc.feed(events[-1])
    assert info.value.ordinal == 6
    assert info.value.event == "thread.message.completed"


@pytest.mark.parametrize(
    "deltas",
    [
        pytest.param([[s.text(0, "a", []), s.text(0, "b"), s.text(0, "c")]], id="text"),
        pytest.param([[s.text(0, "a", [])], [s.text(0, "b"), s.text(0, "c")]], id="text-later"),
    ],
)
def test_several_text_fragments_of_one_index_in_one_delta(deltas: list[list[Any]]) -> None:
    """Several fragments for one content index inside one delta are all merged into that part."""
    acc = _message_stream(*deltas).fold()
    assert _content(acc) == [_text("abc")]


def test_several_tool_call_fragments_of_one_index_in_one_delta() -> None:
    """Several fragments for one tool call inside one delta are merged into that call."""
    acc = _step_stream(
        [
            s.function(0, "call_a", "f", "{", output=None),
            s.function(0, arguments='"k"'),
            s.function(1, "call_b", "g", "", output=None),
            s.function(0, arguments="}"),
        ]
    ).fold()
    assert _calls(acc) == [_fn("call_a", "f", '{"k"}'), _fn("call_b", "g", "")]


@pytest.mark.parametrize("index", [10_001, 10**12, -1])
def test_absurd_index_is_a_violation_without_allocation(index: int) -> None:
    """A delta with an index over 10,000 or negative is a violation and allocates nothing for it."""
    stream = _message_stream([s.text(0, "a", [])])
    events = stream.message_delta(MSG, s.text(index, "b")).typed()
    acc = s.fold(events[:-1])
    tracemalloc.start()
    try:
        acc.feed(events[-1])
        content = _content(acc)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert content == [_text("a")]
    assert _kinds(acc) == ["index-out-of-range"]
    assert peak < 64 * 1024
    with pytest.raises(streamkit.FoldError):
        stream.fold(strict=True)


def test_index_at_the_limit_is_accepted() -> None:
    """An index of exactly 10,000 is kept (its gap reported when the message ends), not refused."""
    stream = _message_stream([s.text(10_000, "z", [])])
    assert _content(stream.fold()) == [_text("z")]
    final = [{"type": "text", "text": {"value": "z", "annotations": []}}]
    acc = stream.message("completed", MSG, final).fold()
    assert _kinds(acc) == ["index-gap"]


# -- deltas go to the object their id names ---------------------------------------


def test_interleaved_messages_fold_by_id() -> None:
    """Deltas of two messages interleaved go each to the message whose id they carry."""
    stream = Stream().run("created").message("created", MSG).message("created", MSG2)
    for a, b in [("A", "1"), ("B", "2"), ("C", "3")]:
        stream.message_delta(MSG, s.text(0, a)).message_delta(MSG2, s.text(0, b))
    acc = stream.fold()
    assert _content(acc, MSG) == [_text("ABC")]
    assert _content(acc, MSG2) == [_text("123")]
    assert list(acc.messages) == [MSG, MSG2]
    assert acc.warnings == []


def test_interleaved_steps_fold_by_id() -> None:
    """Deltas of two steps interleaved go each to the step whose id they carry."""
    stream = Stream().run("created").step("created", STEP).step("created", STEP2)
    stream.step_delta(STEP, s.function(0, "call_a", "f", "", output=None))
    stream.step_delta(STEP2, s.code(0, "call_b", "", []))
    stream.step_delta(STEP, s.function(0, arguments="{}"))
    stream.step_delta(STEP2, s.code(0, input="1+1"))
    acc = stream.fold()
    assert _calls(acc, STEP) == [_fn("call_a", "f", "{}")]
    assert _calls(acc, STEP2)[0]["code_interpreter"]["input"] == "1+1"
    assert list(acc.run_steps) == [STEP, STEP2]


# -- lifecycles --------------------------------------------------------------------

_MESSAGE_EVENTS = ("created", "in_progress", "delta", "completed", "incomplete")
_STEP_EVENTS = ("created", "in_progress", "delta", "completed", "failed", "cancelled", "expired")
_RUN_EVENTS = (
    "created",
    "queued",
    "in_progress",
    "requires_action",
    "cancelling",
    "completed",
    "incomplete",
    "failed",
    "cancelled",
    "expired",
)


def _object_event(stream: Stream, kind: str, name: str) -> None:
    if kind == "message":
        if name == "delta":
            stream.message_delta(MSG, s.text(0, "x"))
        else:
            stream.message(name, MSG)
    elif kind == "step":
        if name == "delta":
            stream.step_delta(STEP, s.function(0, "call_a", "f", "", output=None))
        else:
            stream.step(name, STEP)
    else:
        stream.run(name)


def _reach(kind: str, state: str | None) -> Stream:
    """A stream that leaves the message, step or run of *kind* in *state*."""
    stream = Stream()
    if kind != "run":
        stream.run("created").run("in_progress")
    if state is not None:
        _object_event(stream, kind, "created")
        if state != "created":
            _object_event(stream, kind, state)
    return stream


_TABLES = {
    "message": (MESSAGE_NEXT, _MESSAGE_EVENTS),
    "step": (STEP_NEXT, _STEP_EVENTS),
    "run": (RUN_NEXT, _RUN_EVENTS),
}


def _by_state(item: tuple[str | None, frozenset[str]]) -> str:
    """A fixed order of states, so that every process collects the same test ids (xdist)."""
    return "" if item[0] is None else item[0]


def _allowed() -> list[Any]:
    return [
        pytest.param(kind, state, name, id=f"{kind}:{state}->{name}")
        for kind, (table, _) in _TABLES.items()
        for state, allowed in sorted(table.items(), key=_by_state)
        for name in sorted(allowed)
    ]


def _disallowed() -> list[Any]:
    params = []
    for kind, (table, names) in _TABLES.items():
        for state, allowed in sorted(table.items(), key=_by_state):
            name = next(n for n in names if n not in allowed)
            params.append(pytest.param(kind, state, name, id=f"{kind}:{state}->{name}"))
    return params


def test_transition_tables_cover_every_state() -> None:
    """Each table names every state its events can leave an object in, and only those events."""
    for table, names in _TABLES.values():
        assert set(table) == {None, *names}
        assert set().union(*table.values()) <= set(names)


@pytest.mark.parametrize(("kind", "state", "name"), _allowed())
def test_allowed_transition_is_quiet(kind: str, state: str | None, name: str) -> None:
    """Every transition the table allows folds without a violation, strict or not."""
    stream = _reach(kind, state)
    _object_event(stream, kind, name)
    assert stream.fold().warnings == []
    stream.fold(strict=True)


@pytest.mark.parametrize(("kind", "state", "name"), _disallowed())
def test_disallowed_transition_warns_or_raises(kind: str, state: str | None, name: str) -> None:
    """A transition the table does not allow is a warning by default and a FoldError when strict."""
    stream = _reach(kind, state)
    _object_event(stream, kind, name)
    acc = stream.fold()
    # Before "created" a message or step is unknown: its id was never announced.
    expected = "unknown-id" if state is None and kind != "run" else "transition"
    assert _kinds(acc) == [expected]
    assert acc.warnings[0].ordinal == len(stream.events) - 1
    with pytest.raises(streamkit.FoldError) as info:
        stream.fold(strict=True)
    assert info.value.ordinal == len(stream.events) - 1
    assert info.value.event == stream.events[-1][0]


@pytest.mark.parametrize("kind", ["message", "step"])
def test_delta_for_unknown_id_is_a_violation_and_creates_nothing(kind: str) -> None:
    """A delta whose id was never created is an unknown-id violation and is dropped."""
    stream = Stream().run("created")
    _object_event(stream, kind, "delta")
    acc = stream.fold()
    assert _kinds(acc) == ["unknown-id"]
    assert acc.warnings[0].object_id == (MSG if kind == "message" else STEP)
    assert acc.messages == {}
    assert acc.run_steps == {}
    with pytest.raises(streamkit.FoldError):
        stream.fold(strict=True)


def test_delta_after_completion_does_not_change_the_final_object() -> None:
    """A delta after a message's final object is a transition violation and is not applied."""
    final = [_text("ab")]
    stream = _message_stream([s.text(0, "ab", [])]).message("completed", MSG, final)
    stream.message_delta(MSG, s.text(0, "c"))
    acc = stream.fold()
    assert _content(acc) == final
    assert acc.messages[MSG].status == "completed"
    assert _kinds(acc) == ["transition"]


def test_step_of_another_run_is_a_violation() -> None:
    """A step whose run_id is not the run being folded is an other-run violation."""
    stream = Stream().run("created").step("created", STEP, run_id="run_other")
    acc = stream.fold()
    assert _kinds(acc) == ["other-run"]
    assert acc.warnings[0].object_id == STEP
    with pytest.raises(streamkit.FoldError):
        stream.fold(strict=True)


def test_second_run_created_is_a_violation() -> None:
    """A thread.run.created of another run is a second-run violation; the new run is kept."""
    stream = Stream().run("created").run("in_progress").run("created", run_id="run_second")
    acc = stream.fold()
    assert _kinds(acc) == ["second-run"]
    assert acc.run is not None
    assert acc.run.id == "run_second"
    with pytest.raises(streamkit.FoldError):
        stream.fold(strict=True)


def test_event_of_another_run_is_a_violation() -> None:
    """A run event for a run other than the one folded is an other-run violation."""
    acc = Stream().run("created").run("in_progress", run_id="run_other").fold()
    assert _kinds(acc) == ["other-run"]


def test_events_after_done_are_violations() -> None:
    """An event after ``done`` of a finished run is an after-done violation."""
    stream = Stream().run("created").run("completed").done().run("in_progress")
    acc = stream.fold()
    assert _kinds(acc) == ["after-done", "transition"]
    with pytest.raises(streamkit.FoldError):
        stream.fold(strict=True)


def test_continuation_after_requires_action_and_done_is_quiet() -> None:
    """After requires_action and done, the tool-output continuation folds into the same run."""
    stream = _step_stream([s.function(0, "call_a", "f", "{}", output=None)])
    stream.run("requires_action").done()
    final = s.tool_calls(_fn("call_a", "f", "{}", "42"))
    stream.step("completed", STEP, final).run("queued").run("in_progress").run("completed").done()
    acc = stream.fold(strict=True)
    assert acc.warnings == []
    assert acc.outcome.kind == "completed"
    assert _calls(acc) == [_fn("call_a", "f", "{}", "42")]
    # Once the continuation ended with done, more events are violations again.
    late = stream.run("in_progress").fold()
    assert _kinds(late) == ["after-done", "transition"]


def test_error_events_are_collected() -> None:
    """``error`` events are data: kept in order in errors, never raised, even when strict."""
    stream = Stream().run("created").error("first").error("second", code=None)
    acc = stream.fold(strict=True)
    assert [e.message for e in acc.errors] == ["first", "second"]
    assert acc.errors[1] == assistants.ErrorObject(message="second", type="server_error")
    assert acc.warnings == []


# -- outcomes ----------------------------------------------------------------------

_CALL = {"id": "call_a", "type": "function", "function": {"name": "f", "arguments": "{}"}}


@pytest.mark.parametrize(
    ("ending", "kind", "extra"),
    [
        pytest.param(lambda st: st.run("completed"), "completed", {}, id="completed"),
        pytest.param(
            lambda st: st.run(
                "requires_action",
                required_action={
                    "type": "submit_tool_outputs",
                    "submit_tool_outputs": {"tool_calls": [_CALL]},
                },
            ).done(),
            "requires_action",
            {"tool_calls": ("call_a", "f", "{}")},
            id="requires_action",
        ),
        pytest.param(
            lambda st: st.run(
                "failed", last_error={"code": "rate_limit_exceeded", "message": "slow down"}
            ),
            "failed",
            {"last_error": ("rate_limit_exceeded", "slow down")},
            id="failed",
        ),
        pytest.param(
            lambda st: st.run("incomplete", incomplete_details={"reason": "max_completion_tokens"}),
            "incomplete",
            {},
            id="incomplete",
        ),
        pytest.param(
            lambda st: st.run("cancelling").run("cancelled"), "cancelled", {}, id="cancelled"
        ),
        pytest.param(lambda st: st.run("expired"), "expired", {}, id="expired"),
        pytest.param(lambda st: st.error("boom").done(), "errored", {}, id="errored"),
        pytest.param(lambda st: st, "truncated", {}, id="truncated"),
    ],
)
def test_outcome(ending: Any, kind: str, extra: dict[str, Any]) -> None:
    """acc.outcome says how the stream ended, with what a caller needs for that ending."""
    stream = _message_stream([s.text(0, "part", [])], [s.text(0, "ial")])
    acc = ending(stream).fold()
    outcome = acc.outcome
    assert outcome.kind == kind
    assert outcome.run is acc.run
    # The folded objects stay in place whatever the ending.
    assert _content(acc) == [_text("partial")]
    match outcome:
        case assistants.RequiresAction(tool_calls=calls):
            [call] = calls
            assert (call.id, call.function.name, call.function.arguments) == extra["tool_calls"]
        case assistants.Failed(last_error=error):
            assert error is not None
            assert (error.code, error.message) == extra["last_error"]
        case assistants.Incomplete(run=run):
            assert run.incomplete_details is not None
            assert run.incomplete_details.reason == "max_completion_tokens"
        case assistants.Errored(error=error):
            assert error.message == "boom"
        case assistants.Truncated(run=run):
            assert run is not None
            assert run.status == "in_progress"
        case assistants.Completed() | assistants.Cancelled() | assistants.Expired():
            assert outcome.run.status == kind
        case _:
            pytest.fail(f"unexpected outcome {outcome!r}")


def test_outcome_before_any_run_is_truncated() -> None:
    """An accumulator fed nothing (or no run) reports a truncated stream with no run."""
    assert assistants.Accumulator().outcome == assistants.Truncated(run=None)


def test_failed_run_after_error_event_is_failed() -> None:
    """An error event followed by the run's failure reports the failure, errors still kept."""
    acc = Stream().run("created").error("boom").run("failed").fold()
    assert acc.outcome.kind == "failed"
    assert [e.message for e in acc.errors] == ["boom"]


# -- snapshots ---------------------------------------------------------------------


def test_snapshots_are_frozen() -> None:
    """Snapshots are frozen structs: their fields cannot be assigned."""
    acc = _message_stream([s.text(0, "a", [])]).fold()
    message = acc.messages[MSG]
    with pytest.raises(AttributeError):
        message.status = "completed"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        message.content[0].text.value = "b"  # type: ignore[union-attr]


def test_snapshot_handed_out_does_not_change_after_later_deltas() -> None:
    """A snapshot read earlier keeps its value while the fold goes on; a new read sees the news."""
    stream = _step_stream([s.function(0, "call_a", "f", "{", output=None)])
    stream.message("created", MSG).message_delta(MSG, s.text(0, "one", []))
    events = stream.typed()
    later = (
        Stream()
        .step_delta(STEP, s.function(0, arguments='"a"'))
        .step_delta(STEP, s.function(1, "call_b", "g", "", output=None))
        .message_delta(MSG, s.text(0, " two"))
        .typed()
    )
    acc = s.fold(events)
    step_before, message_before = acc.run_steps[STEP], acc.messages[MSG]
    dumped = msgspec.to_builtins([step_before, message_before])
    for event in later:
        acc.feed(event)
    assert msgspec.to_builtins([step_before, message_before]) == dumped
    assert _calls(acc) == [_fn("call_a", "f", '{"a"'), _fn("call_b", "g", "")]
    assert _content(acc) == [_text("one two")]


def test_events_fed_are_not_mutated() -> None:
    """Folding never changes the event objects it was fed (their payloads stay as received)."""
    events = _message_stream(
        [s.text(0, "a", [s.citation(0, "a", 0, 1, "f")])],
        [s.text(0, "b", [s.citation(0, quote="q")])],
    ).typed()
    events += _step_stream(
        [s.file_search(0, "call_fs", {"ranking_options": {"ranker": "auto"}})],
        [s.file_search(0, search={"results": []})],
    ).typed()[2:]
    before = msgspec.to_builtins(events)
    acc = s.fold(events)
    acc.messages  # noqa: B018 - reading builds the snapshots
    acc.run_steps  # noqa: B018
    assert msgspec.to_builtins(events) == before


def test_reading_twice_without_news_returns_the_same_snapshot() -> None:
    """Reading an unchanged object again returns the snapshot already built."""
    acc = _message_stream([s.text(0, "a", [])]).fold()
    assert acc.messages[MSG] is acc.messages[MSG]
    assert acc.message(MSG) is acc.messages[MSG]
    assert acc.message("msg_none") is None
    assert acc.run_step("step_none") is None


def test_final_object_replaces_the_fold() -> None:
    """When the final object arrives it is the snapshot, exactly as the server sent it."""
    final = s.message_obj(MSG, [_text("ab")], status="completed", completed_at=5)
    stream = _message_stream([s.text(0, "a", [])], [s.text(0, "b")]).emit(
        "thread.message.completed", final
    )
    acc = stream.fold()
    assert msgspec.to_builtins(acc.messages[MSG]) == msgspec.to_builtins(
        msgspec.convert(final, assistants.Message)
    )
    assert acc.drift == []


# -- drift -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deltas", "final", "expected"),
    [
        pytest.param(
            [[s.text(0, "ab", [])]],
            [_text("abc")],
            [("$.content[0].text.value", "ab", "abc", "conflict")],
            id="conflict",
        ),
        pytest.param(
            [[s.text(0, "ab", [])]],
            [
                _text(
                    "ab",
                    {
                        "type": "file_path",
                        "text": "ab",
                        "start_index": 0,
                        "end_index": 2,
                        "file_path": {"file_id": "f"},
                    },
                )
            ],
            [
                (
                    "$.content[0].text.annotations[0]",
                    None,
                    {
                        "type": "file_path",
                        "text": "ab",
                        "start_index": 0,
                        "end_index": 2,
                        "file_path": {"file_id": "f"},
                    },
                    "only_in_final",
                )
            ],
            id="only_in_final",
        ),
        pytest.param(
            [[s.text(0, "ab", [s.citation(0, "ab", 0, 2, "f", quote="q")])]],
            [
                _text(
                    "ab",
                    {
                        "type": "file_citation",
                        "text": "ab",
                        "start_index": 0,
                        "end_index": 2,
                        "file_citation": {"file_id": "f"},
                    },
                )
            ],
            [("$.content[0].text.annotations[0].file_citation.quote", "q", None, "only_in_fold")],
            id="only_in_fold",
        ),
        pytest.param(
            [[s.text(0, "ab", [])], [s.text(1, "cd", [])]],
            [_text("ab")],
            [("$.content[1]", _text("cd"), None, "only_in_fold")],
            id="extra-part-in-fold",
        ),
    ],
)
def test_drift_is_classified(deltas: list[Any], final: list[Any], expected: list[Any]) -> None:
    """Each difference between the fold and the final object is reported with its path and kind."""
    stream = _message_stream(*deltas).message("completed", MSG, final)
    acc = stream.fold()
    assert [(d.path, d.folded, d.final, d.kind) for d in acc.drift] == expected
    assert {d.object_id for d in acc.drift} == {MSG}
    assert (
        _content(acc)
        == msgspec.to_builtins(msgspec.convert(s.message_obj(MSG, final), assistants.Message))[
            "content"
        ]
    )


def test_step_drift_is_reported() -> None:
    """A final step whose tool call differs from the folded one is reported for that step."""
    stream = _step_stream([s.function(0, "call_a", "f", "{}", output=None)])
    stream.step("completed", STEP, s.tool_calls(_fn("call_a", "f", "{}", "out")))
    acc = stream.fold()
    assert [(d.object_id, d.path, d.kind) for d in acc.drift] == [
        (STEP, "$.step_details.tool_calls[0].function.output", "only_in_final")
    ]


def test_no_drift_without_deltas() -> None:
    """An object completed without deltas has nothing to compare and no drift."""
    acc = (
        Stream()
        .run("created")
        .message("created", MSG)
        .message("completed", MSG, [_text("x")])
        .fold()
    )
    assert acc.drift == []
    assert _content(acc) == [_text("x")]


# -- forward compatibility ---------------------------------------------------------


def test_unknown_event_is_ignored() -> None:
    """An event name the dialect does not know is passed over by the fold without a violation."""
    stream = _message_stream([s.text(0, "a", [])])
    stream.emit("thread.message.sparkle", {"id": MSG}).message_delta(MSG, s.text(0, "b"))
    events = stream.typed()
    assert type(events[-2]) is assistants.UnknownEvent
    acc = s.fold(events, strict=True)
    assert _content(acc) == [_text("ab")]


def test_unknown_content_type_in_a_delta_is_kept_raw() -> None:
    """A content part of an unknown type in a delta is kept as an Unknown part, raw JSON inside."""
    audio = {"index": 1, "type": "audio", "audio": {"transcript": "hi"}}
    acc = _message_stream([s.text(0, "a", [])], [audio], [s.text(0, "b")]).fold(strict=True)
    text, unknown = acc.messages[MSG].content
    assert isinstance(unknown, assistants.Unknown)
    assert unknown.kind == "audio"
    assert unknown.data["audio"] == {"transcript": "hi"}
    assert msgspec.to_builtins(text) == _text("ab")


def test_unknown_annotation_and_tool_call_types_are_kept_raw() -> None:
    """Annotations and tool calls of unknown types fold as Unknown parts."""
    url = {"index": 0, "type": "url_citation", "url": "https://example.com"}
    acc = _message_stream([s.text(0, "a", [url])]).fold(strict=True)
    annotation = acc.messages[MSG].content[0].text.annotations[0]  # type: ignore[union-attr]
    assert isinstance(annotation, assistants.Unknown)
    assert annotation.kind == "url_citation"
    browse = {"index": 0, "id": "call_w", "type": "web_browse", "web_browse": {"q": "x"}}
    acc = _step_stream([browse]).fold(strict=True)
    [call] = acc.run_steps[STEP].step_details.tool_calls  # type: ignore[union-attr]
    assert isinstance(call, assistants.Unknown)
    assert call.data["web_browse"] == {"q": "x"}


def test_unknown_part_folds_to_the_part_the_server_sends() -> None:
    """An unknown part folds to the part the final object carries: its delta's index dropped."""
    audio = {"type": "audio", "audio": {"transcript": "hi"}}
    stream = _message_stream([s.text(0, "a", [])], [{"index": 1, **audio}])
    folded = _content(stream.fold())
    acc = stream.message("completed", MSG, [_text("a"), audio]).fold(strict=True)
    assert folded == _content(acc)
    assert acc.drift == []


def test_unknown_content_type_in_a_final_message() -> None:
    """A final message with a content part of unknown type replaces the fold without error."""
    final = [_text("a"), {"type": "audio", "audio": {"id": "au_1"}}]
    acc = _message_stream([s.text(0, "a", [])]).message("completed", MSG, final).fold(strict=True)
    part = acc.messages[MSG].content[1]
    assert isinstance(part, assistants.Unknown)
    assert part.data == {"type": "audio", "audio": {"id": "au_1"}}
    assert [(d.path, d.kind) for d in acc.drift] == [("$.content[1]", "only_in_final")]


def test_unknown_run_status_folds() -> None:
    """A run status the dialect does not know is kept as sent, without a violation."""
    acc = Stream().run("created").run("in_progress", status="thinking").fold(strict=True)
    assert acc.run is not None
    assert acc.run.status == "thinking"
    assert acc.outcome.kind == "truncated"


def test_unknown_step_type_folds() -> None:
    """A step of an unknown type, announced and then sent in deltas, folds into an Unknown part."""
    details = {"type": "web_research", "web_research": {"queries": []}}
    stream = Stream().run("created").step("created", STEP, details)
    stream.step_delta(STEP, details={"type": "web_research", "web_research": {"queries": ["q"]}})
    acc = stream.fold(strict=True)
    step = acc.run_steps[STEP]
    assert step.type == "web_research"
    assert isinstance(step.step_details, assistants.Unknown)
    assert step.step_details.kind == "web_research"
    assert step.step_details.data["web_research"] == {"queries": ["q"]}


def test_extra_fields_are_ignored() -> None:
    """Fields the dialect does not know, at any level, are ignored by decode and fold."""
    stream = Stream().run("created", brand_new_field={"x": 1}).message("created", MSG, sparkle=1)
    part = s.text(0, "a", [])
    part["text"]["glow"] = True
    part["shine"] = 2
    stream.message_delta(MSG, part, mood="happy")
    stream.message_delta(MSG, s.text(0, "b"))
    acc = stream.fold(strict=True)
    assert _content(acc) == [_text("ab")]


# -- cost --------------------------------------------------------------------------


def _fold_cost(n: int) -> float:
    """Seconds per delta to fold one message of *n* text deltas and read it once (best of 3)."""
    head = _message_stream([s.text(0, "x", [])]).typed()
    delta = Stream().message_delta(MSG, s.text(0, "token ")).typed()[0]
    best = float("inf")
    for _ in range(3):
        acc = s.fold(head)
        feed = acc.feed
        start = time.process_time()
        for _ in range(n):
            feed(delta)
        message = acc.messages[MSG]
        best = min(best, time.process_time() - start)
    assert len(message.content[0].text.value) == 1 + 6 * n  # type: ignore[union-attr]
    return best / n


def test_fold_cost_per_delta_does_not_grow_with_the_message() -> None:
    """Folding 50,000 text deltas costs per delta less than three times what 1,000 do."""
    small = _fold_cost(1_000)
    large = _fold_cost(50_000)
    assert large < 3 * small, (small, large)


@pytest.mark.parametrize("token", ["token ", "données ", "데이터 ", "🙂 ok "])
def test_text_in_flight_costs_about_its_utf8_size(token: str) -> None:
    """A message being folded holds its text in about its UTF-8 size, whatever the script.

    As one ``str``, text with one emoji would cost 4 bytes a character (PEP 393).
    """
    n = 20_000
    head = _message_stream([s.text(0, "x", [])]).typed()
    delta = Stream().message_delta(MSG, s.text(0, token)).typed()[0]
    acc = s.fold(head)
    tracemalloc.start()
    try:
        for _ in range(n):
            acc.feed(delta)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    utf8 = n * len(token.encode())
    assert held < 1.15 * utf8 + 32 * 1024, (held, utf8)
    assert _content(acc) == [_text("x" + token * n)]
