"""The Responses dialect on the common face: outcome, text, tool calls, usage, deltas, lanes."""

from __future__ import annotations

import functools
import typing
from typing import Any

import attrs
import msgspec
import pytest

import streamkit
from streamkit.dialects import responses
from streamkit.dialects._face import EVENT_KINDS
from streamkit.dialects.responses import _face
from tests.helpers import REAL

from . import streams as s
from .streams import Stream

MSG = "msg_0a5004ef5dc3564c0069845a9e9e988193b8df9155eb5d7b71"
MSG2 = "msg_0b5004ef5dc3564c0069845a9e9e988193b8df9155eb5d7b72"
FC = "fc_0a5004ef5dc3564c0069845aa0d8b4819381f1f3c0f3a8b9e1"
CTC = "ctc_0a5004ef5dc3564c0069845aa0d8b4819381f1f3c0f3a8b9e1"
RS = "rs_0a5004ef5dc3564c0069845a9f6a0c8193b2fc3b4c2a6f61b4"
CAPTURES = sorted((REAL / "responses").glob("*.sse"))
EVENT_TYPES = typing.get_args(responses.ResponseStreamEvent)


def _started() -> Stream:
    return Stream().lifecycle("created").lifecycle("in_progress")


def _answer(*deltas: str) -> Stream:
    """A response with one message whose ``output_text`` part gets *deltas*."""
    stream = _started().added(0, s.message_item(MSG)).part_added(0, MSG, 0, s.output_text())
    for delta in deltas:
        stream.text(0, MSG, 0, delta)
    return stream


def _completed(stream: Stream, output: list[Any], **changes: Any) -> Stream:
    return stream.event(
        "response.completed", response=s.response_obj("completed", output, **changes)
    )


def _outcome(stream: Stream) -> tuple[str, str | None, bool]:
    acc = s.fold(stream.typed())
    return acc.outcome.kind, acc.outcome.reason, acc.done


def _call_event(index: int, item_id: str, name: str, delta: str) -> Stream:
    return Stream().item_event(name, index, item_id, delta=delta)


# -- the fold is a Fold ---------------------------------------------------------------------


def test_the_accumulator_has_the_common_face() -> None:
    acc = responses.Accumulator()
    assert isinstance(acc, streamkit.Fold)
    assert acc.dialect == "responses"
    assert (acc.result, acc.done, acc.text, acc.refusal, acc.tool_calls) == (
        None,
        False,
        "",
        "",
        [],
    )
    assert acc.outcome == streamkit.Outcome(kind="truncated")
    assert acc.usage == streamkit.Usage()
    assert responses.Violation is streamkit.Violation
    assert responses.Drift is streamkit.Drift


# -- outcome: every row of the mapping ----------------------------------------------------


def test_completed_with_a_message_is_completed() -> None:
    final = [s.message_item(MSG, "completed", [s.output_text("Hi")])]
    assert _outcome(_completed(_answer("Hi"), final)) == ("completed", None, True)


@pytest.mark.parametrize(
    "item",
    [
        s.function_item(FC, '{"city": "Paris"}', "completed"),
        s.custom_tool_item(CTC, "ls", "completed"),
    ],
    ids=["function_call", "custom_tool_call"],
)
def test_completed_with_a_client_side_call_requires_action(item: dict[str, Any]) -> None:
    message = s.message_item(MSG, "completed", [s.output_text("Let me look.")])
    stream = _completed(_answer("Let me look.").added(1, item).done(1, item), [message, item])
    assert _outcome(stream) == ("requires_action", None, True)


def test_hosted_tool_calls_need_no_action() -> None:
    """MCP, code interpreter, web and file search calls ran on the server: the answer is done."""
    call = {
        "id": "mcp_1",
        "type": "mcp_call",
        "arguments": "{}",
        "name": "roll",
        "server_label": "dmcp",
        "output": "6",
        "error": None,
    }
    code = s.code_interpreter_item("ci_1", "print(1)", "completed", [])
    search = {"id": "ws_1", "type": "web_search_call", "status": "completed"}
    stream = _completed(_started(), [call, code, search])
    assert _outcome(stream) == ("completed", None, True)


def test_incomplete_is_incomplete_with_its_reason() -> None:
    details = {"reason": "max_output_tokens"}
    stream = _answer("Hel").lifecycle("incomplete", incomplete_details=details)
    assert _outcome(stream) == ("incomplete", "max_output_tokens", True)
    assert _outcome(_answer("Hel").lifecycle("incomplete")) == ("incomplete", None, True)


def test_failed_is_failed_with_the_response_error_and_its_code() -> None:
    error = {"code": "server_error", "message": "The server had an error."}
    acc = s.fold(_answer("Hel").lifecycle("failed", error=error).typed())
    assert acc.done
    assert acc.outcome == streamkit.Outcome(
        kind="failed", reason="server_error", error=responses.ResponseError(**error)
    )
    acc = s.fold(_answer("Hel").lifecycle("failed").typed())  # "error": null
    assert acc.outcome == streamkit.Outcome(kind="failed")


def test_an_error_event_without_a_final_response_is_errored() -> None:
    stream = _answer("Hel").event("error", code="server_error", message="boom", param=None)
    acc = s.fold(stream.typed())
    assert not acc.done
    assert acc.outcome.kind == "errored"
    assert acc.outcome.reason is None
    assert acc.outcome.error is acc.errors[-1]
    assert isinstance(acc.outcome.error, responses.ErrorEvent)
    assert acc.outcome.error.text == "boom"


def test_the_final_response_decides_after_an_error_event() -> None:
    stream = _answer("Hel").event("error", code="server_error", message="boom", param=None)
    stream.lifecycle("failed", error={"code": "server_error", "message": "boom"})
    assert _outcome(stream) == ("failed", "server_error", True)


def test_a_cancelled_status_is_cancelled() -> None:
    cancelled = _answer("Hel").event(
        "response.incomplete", response=s.response_obj("cancelled", incomplete_details=None)
    )
    assert _outcome(cancelled) == ("cancelled", None, True)
    cancelled_in_progress = s.response_obj("cancelled")
    stream = _answer("Hel").event("response.in_progress", response=cancelled_in_progress)
    assert _outcome(stream) == ("cancelled", None, False)


def test_no_final_response_is_truncated() -> None:
    assert _outcome(_answer("Hel", "lo")) == ("truncated", None, False)
    assert _outcome(Stream().lifecycle("created")) == ("truncated", None, False)


def test_events_after_the_end_change_no_outcome() -> None:
    final = [s.message_item(MSG, "completed", [s.output_text("Hi")])]
    stream = _completed(_answer("Hi"), final)
    stream.event("error", code="server_error", message="late", param=None)
    acc = s.fold(stream.typed())
    assert acc.outcome.kind == "completed"
    assert [w.kind for w in acc.warnings] == ["after-end"]


# -- text, refusal, tool calls: right at every event -----------------------------------------


Face = tuple[str, str, list[streamkit.ToolCall], str]


def _every_step(events: list[Any]) -> list[Face]:
    """One accumulator fed *events* one by one: its face read after each event."""
    acc = responses.Accumulator()
    faces: list[Face] = []
    for event in events:
        acc.feed(event)
        faces.append((acc.text, acc.refusal, acc.tool_calls, acc.outcome.kind))
    return faces


def test_text_and_refusal_mid_stream_in_output_order() -> None:
    """Two messages, the second's refusal, parts out of order: joined in output order."""
    stream = _started().added(0, s.message_item(MSG)).added(1, s.message_item(MSG2))
    stream.part_added(0, MSG, 1, s.output_text()).part_added(0, MSG, 0, s.output_text())
    stream.part_added(1, MSG2, 0, s.refusal())
    stream.text(0, MSG, 1, " world")
    stream.text(0, MSG, 0, "Hello")
    stream.item_event("response.refusal.delta", 1, MSG2, content_index=0, delta="No")
    stream.item_event("response.refusal.delta", 1, MSG2, content_index=0, delta=" way.")
    stream.text(0, MSG, 1, "!")
    faces = [(text, refusal) for text, refusal, *_ in _every_step(stream.typed())]
    assert faces[-5:] == [
        (" world", ""),
        ("Hello world", ""),
        ("Hello world", "No"),
        ("Hello world", "No way."),
        ("Hello world!", "No way."),
    ]


def test_text_is_read_from_snapshots_and_trees_alike() -> None:
    """A result read between deltas (snapshots built) changes nothing in what text says."""
    acc = responses.Accumulator()
    for event in _answer("a", "b", "c").typed():
        acc.feed(event)
        before = acc.text
        assert acc.result is not None
        assert acc.text == before == acc.result.output_text


def test_done_values_replace_the_text() -> None:
    """A ``*.done`` value that differs replaces the fold, in ``text`` too (and is drift)."""
    acc = s.fold(_answer("Hel", "lo").text_done(0, MSG, 0, "Help").typed())
    assert acc.text == "Help"
    assert [d.path for d in acc.drift] == ["$.content[0].text"]


def test_text_after_the_end_is_the_final_response() -> None:
    final = [
        s.message_item(MSG, "completed", [s.output_text("Hi"), s.refusal("no")]),
        s.message_item(MSG2, "completed", [s.output_text(" there")]),
    ]
    acc = s.fold(_completed(_answer("Hi"), final).typed())
    assert (acc.text, acc.refusal) == ("Hi there", "no")


def test_tool_calls_mid_stream_and_after_the_end() -> None:
    stream = _started().added(0, s.reasoning_item(RS)).added(1, s.function_item(FC))
    stream.added(2, s.custom_tool_item(CTC))
    stream.item_event("response.function_call_arguments.delta", 1, FC, delta='{"city"')
    stream.item_event("response.custom_tool_call_input.delta", 2, CTC, delta="ls ")
    stream.item_event("response.function_call_arguments.delta", 1, FC, delta=': "Paris"}')
    stream.item_event("response.custom_tool_call_input.delta", 2, CTC, delta="-la")
    faces = [calls for *_, calls, _ in _every_step(stream.typed())]
    call_id, custom_id = "call_" + FC[3:27], "call_" + CTC[4:28]
    assert faces[3] == [streamkit.ToolCall(id=call_id, name="get_weather", arguments="", index=1)]
    assert faces[-1] == [
        streamkit.ToolCall(id=call_id, name="get_weather", arguments='{"city": "Paris"}', index=1),
        streamkit.ToolCall(id=custom_id, name="code_exec", arguments="ls -la", index=2),
    ]
    done = s.function_item(FC, '{"city": "Paris"}', "completed")
    custom = s.custom_tool_item(CTC, "ls -la", "completed")
    stream.done(1, done).done(2, custom)
    acc = s.fold(stream.typed())
    assert acc.tool_calls == faces[-1]
    acc = s.fold(_completed(stream, [s.reasoning_item(RS), done, custom]).typed())
    assert acc.tool_calls == faces[-1]
    assert acc.outcome.kind == "requires_action"


@functools.cache
def _capture(name: str) -> tuple[Any, ...]:
    return tuple(streamkit.iter_events([(REAL / "responses" / name).read_bytes()], "responses"))


@pytest.mark.parametrize("name", [path.name for path in CAPTURES])
def test_real_captures_mid_stream_face_is_the_deltas_so_far(name: str) -> None:
    """After every event of every real capture, ``text`` is the text deltas so far, and each
    tool call's arguments are its ``tool_arguments`` deltas so far."""
    acc = responses.Accumulator()
    text: list[str] = []
    arguments: dict[int, list[str]] = {}
    for event in _capture(name):
        acc.feed(event)
        for delta in _face.deltas(event):
            if delta.kind == "text":
                text.append(delta.text)
            elif delta.kind == "tool_arguments":
                arguments.setdefault(delta.index, []).append(delta.text)
        assert acc.text == "".join(text)
        for call in acc.tool_calls:
            assert call.arguments == "".join(arguments.get(call.index, ()))
    assert acc.done


# -- usage -------------------------------------------------------------------------------


def test_usage_maps_every_count() -> None:
    usage = {
        "input_tokens": 31,
        "input_tokens_details": {"cached_tokens": 8},
        "output_tokens": 12,
        "output_tokens_details": {"reasoning_tokens": 5},
        "total_tokens": 43,
    }
    acc = s.fold(_completed(_answer("Hi"), [], usage=usage).typed())
    assert attrs.astuple(acc.usage)[:5] == (31, 12, 43, 8, 5)
    raw = acc.usage.raw
    assert isinstance(raw, responses.Usage)
    assert msgspec.to_builtins(raw) == usage


def test_usage_without_details_says_none_for_them() -> None:
    usage = {"input_tokens": 3, "output_tokens": 2, "total_tokens": 5}
    acc = s.fold(_completed(_answer("Hi"), [], usage=usage).typed())
    assert acc.usage == streamkit.Usage(
        input_tokens=3, output_tokens=2, total_tokens=5, raw=acc.usage.raw
    )


def test_usage_is_the_latest_response_that_carried_one() -> None:
    early = {"input_tokens": 3, "output_tokens": 0, "total_tokens": 3}
    stream = Stream().lifecycle("created").lifecycle("in_progress", usage=early)
    assert s.fold(stream.typed()).usage.input_tokens == 3
    stream.lifecycle("in_progress")  # "usage": null
    assert s.fold(stream.typed()).usage.total_tokens == 3
    _completed(stream, [])
    assert s.fold(stream.typed()).usage.total_tokens == 43


def test_no_usage_is_all_none() -> None:
    assert s.fold(_answer("Hi").typed()).usage == streamkit.Usage()


# -- every event type: deltas, lane, encode, name -----------------------------------------


def _synthetic() -> list[Any]:
    """One event of each type the real captures lack."""
    stream = Stream()
    stream.event("error", code="server_error", message="boom", param=None)
    stream.lifecycle("failed", error={"code": "server_error", "message": "boom"})
    stream.lifecycle("incomplete", incomplete_details={"reason": "max_output_tokens"})
    for name in ("in_progress", "generating", "completed"):
        stream.item_event(f"response.image_generation_call.{name}", 0, "ig_1")
    stream.item_event(
        "response.image_generation_call.partial_image",
        0,
        "ig_1",
        partial_image_b64="AAAA",
        partial_image_index=0,
    )
    stream.item_event("response.mcp_list_tools.failed", 0, "mcpl_1")
    stream.item_event("response.reasoning_text.delta", 0, RS, content_index=0, delta="Hmm")
    stream.item_event("response.reasoning_text.done", 0, RS, content_index=0, text="Hmm")
    stream.item_event("response.refusal.delta", 0, MSG, content_index=0, delta="No")
    stream.item_event("response.refusal.done", 0, MSG, content_index=0, refusal="No")
    return stream.typed()


@functools.cache
def _one_of_each() -> dict[type, Any]:
    out: dict[type, Any] = {}
    for path in CAPTURES:
        for event in _capture(path.name):
            out.setdefault(type(event), event)
    for event in _synthetic():
        out.setdefault(type(event), event)
    return out


def test_every_event_type_is_sampled() -> None:
    assert set(_one_of_each()) == set(EVENT_TYPES)


@pytest.mark.parametrize("cls", EVENT_TYPES, ids=lambda cls: cls.type)
def test_every_event_names_itself_and_encodes_back(cls: type) -> None:
    event = _one_of_each()[cls]
    assert event.event == event.type == cls.type  # type: ignore[attr-defined]
    data = streamkit.encode(event)
    assert data.startswith(f"event: {cls.type}\ndata: ".encode())  # type: ignore[attr-defined]
    assert s.typed(data) == [event]
    assert _face.kind(event) in EVENT_KINDS
    assert _face.kind(event) != "other"


DELTA_ROWS = [
    ("response.output_text.delta", {"content_index": 0, "logprobs": []}, "text"),
    ("response.refusal.delta", {"content_index": 0}, "refusal"),
    ("response.reasoning_summary_text.delta", {"summary_index": 0}, "reasoning"),
    ("response.reasoning_text.delta", {"content_index": 0}, "reasoning"),
    ("response.function_call_arguments.delta", {}, "tool_arguments"),
    ("response.custom_tool_call_input.delta", {}, "tool_arguments"),
    ("response.mcp_call_arguments.delta", {}, "tool_arguments"),
    ("response.code_interpreter_call_code.delta", {}, "tool_arguments"),
]


@pytest.mark.parametrize(("name", "fields", "kind"), DELTA_ROWS, ids=[r[0] for r in DELTA_ROWS])
def test_deltas_of_each_delta_event(name: str, fields: dict[str, Any], kind: str) -> None:
    (event,) = Stream().item_event(name, 3, "it_1", delta="piece", **fields).typed()
    assert list(streamkit.deltas([event])) == [streamkit.Delta(kind, 3, "piece")]  # type: ignore[arg-type]
    assert list(streamkit.text_deltas([event])) == (["piece"] if kind == "text" else [])
    (empty,) = Stream().item_event(name, 3, "it_1", delta="", **fields).typed()
    assert list(streamkit.deltas([empty])) == []


def test_only_delta_events_carry_content() -> None:
    carrying = {cls for cls in EVENT_TYPES if list(streamkit.deltas([_one_of_each()[cls]]))}
    assert carrying == set(_face.DELTAS)
    assert {cls.type for cls in carrying} == {row[0] for row in DELTA_ROWS}


def test_lanes() -> None:
    lanes = {cls.type: _face.kind(_one_of_each()[cls]) for cls in EVENT_TYPES}
    assert {name for name, lane in lanes.items() if lane == "lifecycle"} == {
        "response.created",
        "response.queued",
        "response.in_progress",
        "response.completed",
        "response.incomplete",
        "response.failed",
        "response.output_item.added",
        "response.output_item.done",
        "response.content_part.added",
        "response.content_part.done",
    }
    assert {name for name, lane in lanes.items() if lane == "content"} == {
        "response.output_text.delta",
        "response.output_text.done",
        "response.output_text.annotation.added",
        "response.refusal.delta",
        "response.refusal.done",
    }
    assert {name for name, lane in lanes.items() if lane == "reasoning"} == {
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_part.done",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done",
        "response.reasoning_text.delta",
        "response.reasoning_text.done",
    }
    assert {name for name, lane in lanes.items() if lane == "error"} == {"error"}
    tool = {name for name, lane in lanes.items() if lane == "tool"}
    assert all("_call" in name or "mcp_list_tools" in name for name in tool)
    assert len(tool) == len(EVENT_TYPES) - 10 - 5 - 6 - 1


def test_unknown_and_invalid_events_are_other() -> None:
    body = s.sse("response.audio.delta", {"type": "response.audio.delta", "delta": "AAAA"})
    body += s.sse("response.output_text.delta", b'{"type": "response.output_text.delta"}')
    unknown, invalid = streamkit.iter_events([body], "responses", on_error="yield")
    assert type(unknown) is streamkit.UnknownEvent
    assert type(invalid) is streamkit.InvalidEvent
    for event in (unknown, invalid):
        assert _face.kind(event) == "other"
        assert _face.deltas(event) == []
        (again,) = streamkit.iter_events([_face.encode(event)], "responses", on_error="yield")
        assert type(again) is type(event)
        assert (again.event, again.data) == (event.event, event.data)


# -- violations on the shared type --------------------------------------------------------


def test_violations_name_the_output_index() -> None:
    stream = _answer("a").text(0, MSG2, 0, "b").text(4, MSG, 0, "lost")
    acc = s.fold(stream.typed())
    assert [(w.kind, w.object_id, w.index) for w in acc.warnings] == [
        ("item-id-mismatch", MSG, 0),
        ("unknown-output-index", MSG, 4),
    ]
    assert all(type(w) is streamkit.Violation for w in acc.warnings)
