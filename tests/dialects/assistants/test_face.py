"""The Assistants dialect on the common face: outcome, result, text, tool calls, usage, lanes.

Built streams (``streams.py``) pin each row of the dialect's mapping; the
conformance kit (``tests/conformance``) checks the same contract on every
bundled recording and real capture.
"""

from __future__ import annotations

from typing import Any

import attrs
import msgspec
import pytest

import streamkit
from streamkit import assistants
from streamkit.dialects import get
from tests.helpers import REAL

from . import streams as s
from .streams import Stream

MSG = "msg_A1b2C3d4E5f6G7h8I9j0K1l2"
MSG2 = "msg_Z9y8X7w6V5u4T3s2R1q0P9o8"
STEP = "step_A1b2C3d4E5f6G7h8I9j0K1l2"
STEP2 = "step_Z9y8X7w6V5u4T3s2R1q0P9o8"
THREAD = {"id": s.THREAD_ID, "object": "thread", "created_at": 1, "metadata": {}}
CAPTURES = sorted((REAL / "assistants").glob("*.sse"))

DIALECT = get("assistants")


def _running() -> Stream:
    return Stream().run("created").run("queued").run("in_progress")


def _call(id: str, name: str, arguments: str, output: str | None = None) -> dict[str, Any]:
    """A function tool call as a final step object carries it."""
    function = {"name": name, "arguments": arguments, "output": output}
    return {"id": id, "type": "function", "function": function}


def _face(acc: assistants.Accumulator) -> tuple[Any, ...]:
    outcome = acc.outcome
    return (outcome.kind, outcome.reason, acc.text, [attrs.astuple(c) for c in acc.tool_calls])


# -- the fold is a streamkit.Fold --------------------------------------------------------


def test_the_accumulator_is_a_fold_of_the_registry() -> None:
    acc = assistants.Accumulator()
    assert isinstance(acc, streamkit.Fold)
    assert DIALECT.accumulator is assistants.Accumulator
    assert acc.dialect == "assistants"
    assert (acc.result, acc.text, acc.refusal, acc.tool_calls) == (None, "", "", [])
    assert acc.usage == streamkit.Usage()
    assert acc.outcome == assistants.Truncated(run=None)


# -- outcome -------------------------------------------------------------------------

_REQUIRED = {
    "type": "submit_tool_outputs",
    "submit_tool_outputs": {"tool_calls": [_call("call_a", "f", "{}")]},
}
_LAST_ERROR = {"code": "rate_limit_exceeded", "message": "slow down"}


@pytest.mark.parametrize(
    ("ending", "cls", "kind", "reason"),
    [
        pytest.param(lambda st: st.run("completed"), assistants.Completed, "completed", None),
        pytest.param(
            lambda st: st.run("requires_action", required_action=_REQUIRED).done(),
            assistants.RequiresAction,
            "requires_action",
            None,
        ),
        pytest.param(
            lambda st: st.run("failed", last_error=_LAST_ERROR),
            assistants.Failed,
            "failed",
            "rate_limit_exceeded",
        ),
        pytest.param(lambda st: st.run("failed"), assistants.Failed, "failed", None, id="failed-"),
        pytest.param(
            lambda st: st.run("incomplete", incomplete_details={"reason": "max_completion_tokens"}),
            assistants.Incomplete,
            "incomplete",
            "max_completion_tokens",
        ),
        pytest.param(
            # The server may end an incomplete run with thread.run.completed: the status decides.
            lambda st: st.run("completed", status="incomplete", incomplete_details={"reason": "x"}),
            assistants.Incomplete,
            "incomplete",
            "x",
            id="completed-event-incomplete-status",
        ),
        pytest.param(
            lambda st: st.run("cancelling").run("cancelled"),
            assistants.Cancelled,
            "cancelled",
            None,
        ),
        pytest.param(lambda st: st.run("expired"), assistants.Expired, "expired", None),
        pytest.param(
            lambda st: st.error("boom", code="server_error").done(),
            assistants.Errored,
            "errored",
            None,
        ),
        pytest.param(lambda st: st, assistants.Truncated, "truncated", None),
        pytest.param(lambda st: st.done(), assistants.Truncated, "truncated", None, id="done-only"),
    ],
)
def test_outcome_row(ending: Any, cls: type, kind: str, reason: str | None) -> None:
    """Each ending is its dialect class, a streamkit.Outcome with kind, reason and error set."""
    acc = ending(_running()).fold()
    outcome = acc.outcome
    assert outcome.run is acc.run is acc.result
    assert type(outcome) is cls
    assert isinstance(outcome, streamkit.Outcome)
    assert (outcome.kind, outcome.reason) == (kind, reason)
    match outcome:
        case assistants.Failed(last_error=last_error):
            assert outcome.error is last_error
            assert outcome.error == (
                None if reason is None else msgspec.convert(_LAST_ERROR, assistants.LastError)
            )
        case assistants.Errored(error=error):
            assert error is acc.errors[-1]
            assert (error.message, error.code) == ("boom", "server_error")
        case assistants.RequiresAction(tool_calls=(call,)):
            assert (call.id, call.function.name) == ("call_a", "f")
            assert outcome.error is None
        case _:
            assert outcome.error is None


def test_outcome_classes_set_kind_reason_and_error_themselves() -> None:
    """``kind`` is the class's; ``reason`` and ``error`` follow from the run, not arguments."""
    run = msgspec.convert(s.run_obj("failed", last_error=_LAST_ERROR), assistants.Run)
    failed = assistants.Failed(run=run, last_error=run.last_error)
    assert (failed.kind, failed.reason) == ("failed", "rate_limit_exceeded")
    assert failed.error is run.last_error
    assert [f.name for f in attrs.fields(assistants.Failed)][:3] == ["kind", "reason", "error"]
    with pytest.raises(TypeError):
        assistants.Completed(run=run, kind="failed")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        assistants.Completed(run)  # type: ignore[call-arg]
    assert assistants.Completed(run=run) == assistants.Completed(run=run)
    assert assistants.Completed(run=run) != streamkit.Outcome(kind="completed")


def test_an_error_event_then_the_run_failing_is_failed() -> None:
    acc = _running().error("boom").run("failed", last_error=_LAST_ERROR).fold()
    assert (acc.outcome.kind, acc.outcome.reason) == ("failed", "rate_limit_exceeded")
    assert [e.message for e in acc.errors] == ["boom"]


def test_a_continuation_after_requires_action_moves_the_outcome_on() -> None:
    first = _running().run("requires_action", required_action=_REQUIRED).done().typed()
    second = Stream().run("queued").run("in_progress").run("completed").done().typed()
    acc = s.fold(first)
    kinds = [acc.outcome.kind]
    for event in second:
        acc.feed(event)
    kinds.append(acc.outcome.kind)
    assert kinds == ["requires_action", "completed"]
    assert acc.warnings == []


# -- result ---------------------------------------------------------------------------


def test_result_is_the_latest_run() -> None:
    acc = assistants.Accumulator()
    events = _running().message("created", MSG).run("completed").typed()
    runs = []
    for event in events:
        acc.feed(event)
        runs.append(acc.result)
    assert [None if r is None else r.status for r in runs] == [
        "created",
        "queued",
        "in_progress",
        "in_progress",
        "completed",
    ]
    assert acc.result is acc.run
    assert type(acc.result) is assistants.Run
    thread_only = s.fold(Stream().emit("thread.created", THREAD).typed())
    assert thread_only.result is None
    assert thread_only.thread is not None


# -- text ----------------------------------------------------------------------------


def test_text_mid_stream_follows_messages_then_content_parts() -> None:
    """Text is every message's text, by creation order then part index, as it streams."""
    stream = _running().message("created", MSG).message("created", MSG2)
    steps = [
        (stream.message_delta(MSG, s.text(1, "B", [])), "B"),
        (stream.message_delta(MSG2, s.text(0, "z", [])), "Bz"),
        (stream.message_delta(MSG, s.text(0, "A", [])), "ABz"),
        (stream.message_delta(MSG, s.image_file(2, "file-x")), "ABz"),
        (stream.message_delta(MSG, s.refusal(3, "no")), "ABz"),
        (stream.message_delta(MSG, s.text(1, "b")), "ABbz"),
        (stream.message_delta(MSG, s.text(0, None, [s.citation(0, "A", 0, 1, "f")])), "ABbz"),
    ]
    events = stream.typed()
    acc = s.fold(events[: -len(steps)])
    assert acc.text == ""
    for event, (_, expected) in zip(events[-len(steps) :], steps, strict=True):
        acc.feed(event)
        assert acc.text == expected
    # The text deltas are the same pieces, in the order they arrived.
    assert sorted(streamkit.text_deltas(events)) == sorted(["B", "z", "A", "b"])
    assert acc.refusal == ""  # refusal parts are not text, and no refusal channel exists


def test_text_of_a_final_message_is_the_server_s() -> None:
    """Once the final message arrives, its text is the text (a conflict kept in drift)."""
    final = [{"type": "text", "text": {"value": "abc", "annotations": []}}]
    stream = _running().message("created", MSG).message_delta(MSG, s.text(0, "ab", []))
    acc = stream.message("completed", MSG, final).fold()
    assert acc.text == "abc"
    assert [d.kind for d in acc.drift] == ["conflict"]


def test_text_of_a_message_created_whole() -> None:
    content = [{"type": "text", "text": {"value": "whole", "annotations": []}}]
    acc = _running().message("created", MSG, content).fold()
    assert acc.text == "whole"


# -- tool calls ---------------------------------------------------------------------


def test_tool_calls_mid_stream_in_step_then_call_order() -> None:
    stream = _running().step("created", STEP).step("created", STEP2)
    stream.step_delta(STEP2, s.function(0, "call_z", "zeta", "", output=None))
    stream.step_delta(STEP, s.function(1, "call_b", "beta", "{", output=None))
    stream.step_delta(STEP, s.code(0, "call_ci", "print(1)", []))
    stream.step_delta(STEP, s.function(1, arguments="}"))
    stream.step_delta(STEP, s.function(2, name="gamma", arguments='{"k"'))
    acc = stream.fold()
    assert acc.tool_calls == [
        streamkit.ToolCall(id="call_b", name="beta", arguments="{}", index=1),
        streamkit.ToolCall(id=None, name="gamma", arguments='{"k"', index=2),
        streamkit.ToolCall(id="call_z", name="zeta", arguments="", index=0),
    ]


def test_tool_calls_of_a_final_step_and_of_other_steps() -> None:
    """A final step's function calls (by position); message creation steps have none."""
    stream = _running().step("created", STEP).step_delta(STEP, s.function(0, "call_a", "f", "{"))
    stream.step("completed", STEP, s.tool_calls(_call("call_a", "f", "{}", "out")))
    stream.step("created", STEP2, s.message_creation(MSG))
    acc = stream.fold()
    assert acc.tool_calls == [streamkit.ToolCall(id="call_a", name="f", arguments="{}", index=0)]
    assert [d.path for d in acc.drift] == [
        "$.step_details.tool_calls[0].function.arguments",
        "$.step_details.tool_calls[0].function.output",
    ]


def test_code_interpreter_and_file_search_calls_are_not_function_calls() -> None:
    stream = _running().step("created", STEP)
    stream.step_delta(STEP, s.code(0, "call_ci", "x=1", []), s.file_search(1, "call_fs"))
    stream.step("completed", STEP, s.tool_calls())
    assert stream.fold().tool_calls == []
    assert (
        _running().step("created", STEP).step_delta(STEP, s.code(0, "c", "x")).fold().tool_calls
        == []
    )


# -- usage -------------------------------------------------------------------------------


def test_usage_is_the_run_s() -> None:
    usage = {
        "prompt_tokens": 120,
        "completion_tokens": 30,
        "total_tokens": 150,
        "prompt_token_details": {"cached_tokens": 100},
        "completion_tokens_details": {"reasoning_tokens": 12},
    }
    acc = _running().run("completed", usage=usage).fold()
    assert acc.run is not None
    assert acc.usage == streamkit.Usage(
        input_tokens=120,
        output_tokens=30,
        total_tokens=150,
        cached_input_tokens=100,
        reasoning_tokens=12,
        raw=acc.run.usage,
    )
    assert type(acc.usage.raw) is assistants.Usage


def test_usage_without_details_or_before_the_run_reports_it() -> None:
    usage = {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}
    acc = _running().run("completed", usage=usage).fold()
    assert attrs.astuple(acc.usage)[:5] == (5, 2, 7, None, None)
    running = _running().fold()
    assert running.usage == streamkit.Usage()
    assert running.usage.raw is None


def test_step_usage_is_not_the_run_s() -> None:
    usage = {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}
    acc = _running().step("created", STEP, usage=usage).fold()
    assert acc.usage == streamkit.Usage()


# -- deltas ---------------------------------------------------------------------------


def _deltas(stream: Stream) -> list[streamkit.Delta]:
    return list(streamkit.deltas(stream.typed()))


def test_message_delta_text_is_a_text_delta_per_part() -> None:
    stream = Stream().message_delta(MSG, s.text(0, "a", []), s.text(2, "c"), s.text(1, ""))
    stream.message_delta(MSG, s.text(0, None, [s.citation(0, "a", 0, 1, "f")]))
    stream.message_delta(MSG, s.image_file(3, "file-x"), s.refusal(4, "no"))
    stream.message_delta(MSG, role="assistant")
    assert _deltas(stream) == [streamkit.Delta("text", 0, "a"), streamkit.Delta("text", 2, "c")]


def test_step_delta_arguments_and_code_input_are_tool_argument_deltas() -> None:
    stream = Stream().step_delta(
        STEP,
        s.function(0, "call_a", "f", "", output=None),
        s.function(1, arguments='{"k"'),
        s.code(2, "call_ci", "print(", [s.logs(0, "1")]),
        s.file_search(3, "call_fs", {"results": []}),
    )
    stream.step_delta(STEP, s.code(2, outputs=[s.image(1, "file-i")]))
    stream.step_delta(STEP, details=s.message_creation(MSG))
    assert _deltas(stream) == [
        streamkit.Delta("tool_arguments", 1, '{"k"', 1),
        streamkit.Delta("tool_arguments", 2, "print(", 2),
    ]


def test_other_events_carry_no_delta() -> None:
    stream = _running().emit("thread.created", THREAD).message("created", MSG)
    stream.step("created", STEP).message("completed", MSG).step("completed", STEP)
    stream.error("boom").run("completed").done().emit("thread.future", {"x": 1})
    assert _deltas(stream) == []


def test_every_text_delta_is_answer_text() -> None:
    assert DIALECT.is_answer(streamkit.Delta("text", 3, "x"))
    assert not DIALECT.is_answer(streamkit.Delta("tool_arguments", 0, "{", 0))


@pytest.mark.parametrize("path", CAPTURES, ids=[p.name for p in CAPTURES])
def test_the_dialect_s_own_text_deltas_are_the_common_ones(path: Any) -> None:
    events = list(streamkit.iter_events([path.read_bytes()], dialect="assistants"))
    assert list(assistants.text_deltas(events)) == list(streamkit.text_deltas(events))


@pytest.mark.anyio
async def test_atext_deltas_are_the_common_ones() -> None:
    body = (REAL / "assistants" / "openai-dotnet_text-run_2025-09-16a.sse").read_bytes()

    async def chunks() -> Any:
        yield body

    ours = [t async for t in assistants.atext_deltas(streamkit.aiter_events(chunks()))]
    common = [t async for t in streamkit.atext_deltas(streamkit.aiter_events(chunks()))]
    assert ours == common
    assert "".join(ours)


# -- lanes --------------------------------------------------------------------------

_ALL = (
    Stream()
    .emit("thread.created", THREAD)
    .run("created")
    .run("queued")
    .run("in_progress")
    .step("created", STEP, s.message_creation(MSG))
    .step("in_progress", STEP, s.message_creation(MSG))
    .message("created", MSG)
    .message("in_progress", MSG)
    .message_delta(MSG, s.text(0, "hi", []))
    .message_delta(MSG, s.image_file(1, "file-x"))
    .message("completed", MSG)
    .message("incomplete", MSG2)
    .step("completed", STEP, s.message_creation(MSG))
    .step("created", STEP2)
    .step("in_progress", STEP2)
    .step_delta(STEP2, s.function(0, "call_a", "f", "{}", output=None))
    .step_delta(STEP2, details=s.message_creation(MSG))
    .step("completed", STEP2, s.tool_calls(_call("call_a", "f", "{}")))
    .step("failed", STEP2)
    .step("cancelled", STEP2)
    .step("expired", STEP2)
    .step("expired", STEP, s.message_creation(MSG))
    .run("requires_action")
    .run("incomplete")
    .run("failed")
    .run("cancelling")
    .run("cancelled")
    .run("expired")
    .run("completed")
    .error("boom")
    .done()
)

_LANES = [
    ("thread.created", "lifecycle"),
    *[(f"thread.run.{state}", "lifecycle") for state in ("created", "queued", "in_progress")],
    ("thread.run.step.created", "lifecycle"),
    ("thread.run.step.in_progress", "lifecycle"),
    ("thread.message.created", "lifecycle"),
    ("thread.message.in_progress", "lifecycle"),
    ("thread.message.delta", "content"),
    ("thread.message.delta", "content"),
    ("thread.message.completed", "lifecycle"),
    ("thread.message.incomplete", "lifecycle"),
    ("thread.run.step.completed", "lifecycle"),
    ("thread.run.step.created", "tool"),
    ("thread.run.step.in_progress", "tool"),
    ("thread.run.step.delta", "tool"),
    ("thread.run.step.delta", "tool"),
    ("thread.run.step.completed", "tool"),
    ("thread.run.step.failed", "tool"),
    ("thread.run.step.cancelled", "tool"),
    ("thread.run.step.expired", "tool"),
    ("thread.run.step.expired", "lifecycle"),
    *[
        (f"thread.run.{state}", "lifecycle")
        for state in (
            "requires_action",
            "incomplete",
            "failed",
            "cancelling",
            "cancelled",
            "expired",
            "completed",
        )
    ],
    ("error", "error"),
    ("done", "lifecycle"),
]


def test_every_event_type_has_its_lane() -> None:
    events = _ALL.typed()
    assert [(e.event, DIALECT.kind(e)) for e in events] == _LANES
    assert {type(e) for e in events} == set(DIALECT.events)
    unknown = assistants.UnknownEvent("thread.future", b"{}")
    assert DIALECT.kind(unknown) == "other"


# -- encode ---------------------------------------------------------------------------


def test_encode_gives_back_every_event_type() -> None:
    """Each event type, unknown parts inside included, encodes to bytes that decode to it."""
    stream = Stream().message_delta(MSG, {"index": 0, "type": "sparkle", "x": [1]})
    stream.step_delta(STEP, {"index": 0, "type": "web_browse", "url": "u"})
    stream.emit("thread.future", {"x": 1})
    events = [*_ALL.typed(), *stream.typed()]
    assert type(events[-1]) is assistants.UnknownEvent
    assert any(type(e) is assistants.Unknown for e in _parts(events[-3]))
    for event in events:
        data = streamkit.encode(event)
        assert data == DIALECT.encode(event)
        assert list(streamkit.iter_events([data], dialect="assistants")) == [event]


def _parts(event: Any) -> list[Any]:
    content = event.data.delta.content
    return list(content)


def test_encode_refuses_what_is_no_assistants_event() -> None:
    with pytest.raises(TypeError, match="assistants"):
        DIALECT.encode(streamkit.Usage())
    with pytest.raises(TypeError, match="assistants"):
        DIALECT.encode(msgspec.convert(s.run_obj(), assistants.Run))


# -- a stream read as the wrong dialect ------------------------------------------


def test_a_chat_stream_fed_to_the_assistants_fold_is_a_mismatch() -> None:
    chunk = b'{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[]}'
    event = assistants.decode_event("message", chunk)
    acc = assistants.Accumulator()
    acc.feed(event)
    assert [w.kind for w in acc.warnings] == ["dialect-mismatch"]
    assert _face(acc) == ("truncated", None, "", [])
