"""Decoding Assistants stream payloads into typed events."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from streamkit._errors import DecodeError, StreamError
from streamkit.dialects import _unknowns, assistants
from streamkit.dialects.assistants import (
    EVENT_NAMES,
    AssistantStreamEvent,
    CodeInterpreterOutputLogs,
    Done,
    ErrorEvent,
    FunctionToolCallDelta,
    MessageDeltaEvent,
    TextContentBlock,
    TextDeltaBlock,
    ThreadMessageCompleted,
    ThreadMessageDelta,
    ThreadRunCreated,
    ThreadRunStepDelta,
    ToolCallsStepDetailsDelta,
    Unknown,
    UnknownEvent,
    decode_event,
)

_ROOT = Path(__file__).resolve().parents[3]
_RECORDING_DIRS = (
    _ROOT / "recordings" / "assistants",
    _ROOT / "tests" / "data" / "real" / "assistants",
)


def _recordings() -> list[Path]:
    found: dict[str, Path] = {}
    for directory in _RECORDING_DIRS:
        if directory.is_dir():
            for path in sorted(directory.glob("*.sse")):
                found.setdefault(path.name, path)
    return [found[name] for name in sorted(found)]


def _sse_payloads(body: bytes) -> list[tuple[str, bytes]]:
    """(event name, data) of each event in an SSE body: a small stand-in for the real tokenizer."""
    events = []
    for block in body.replace(b"\r\n", b"\n").split(b"\n\n"):
        name, data = "message", []
        for line in block.split(b"\n"):
            field, _, value = line.partition(b":")
            value = value.removeprefix(b" ")
            if field == b"event":
                name = value.decode()
            elif field == b"data":
                data.append(value)
        if data:
            events.append((name, b"\n".join(data)))
    return events


def _assert_matches(built: Any, wire: Any, where: str = "$") -> None:
    """*built* (``to_builtins`` of a decoded object) is *wire*, key for key.

    A key the API did not send must be absent (``UNSET``), not filled with a default;
    ``Unknown`` parts must hold the wire object.
    """
    if isinstance(built, dict) and built.get("type") == "streamkit.unknown":
        assert built["data"] == wire, where
    elif isinstance(built, dict):
        assert isinstance(wire, dict), where
        assert built.keys() == wire.keys(), f"{where}: keys {set(built) ^ set(wire)} differ"
        for key, value in built.items():
            _assert_matches(value, wire[key], f"{where}.{key}")
    elif isinstance(built, list):
        assert isinstance(wire, list), where
        assert len(built) == len(wire), where
        for i, (b, w) in enumerate(zip(built, wire, strict=True)):
            _assert_matches(b, w, f"{where}[{i}]")
    else:
        assert built == wire, where


@pytest.mark.parametrize("path", _recordings(), ids=lambda p: p.stem)
def test_every_recorded_payload_decodes(path: Path) -> None:
    payloads = _sse_payloads(path.read_bytes())
    assert payloads
    for name, data in payloads:
        event = decode_event(name, data)
        assert not isinstance(event, UnknownEvent), name
        assert event.event == name
        if isinstance(event, Done):
            assert event.data == data.decode()
            continue
        built = msgspec.to_builtins(event.data)
        wire = json.loads(data)
        assert "streamkit.unknown" not in json.dumps(built), "recordings use only known types"
        assert built == wire, name


def test_recorded_events_round_trip_through_msgspec_json() -> None:
    events = [
        decode_event(name, data)
        for path in _recordings()
        for name, data in _sse_payloads(path.read_bytes())
    ]
    assert len(events) > 1000
    encoded = msgspec.json.encode(events)
    assert msgspec.json.decode(encoded, type=list[AssistantStreamEvent]) == events


# Payload builders


def _run(**changes: Any) -> dict[str, Any]:
    run: dict[str, Any] = {
        "id": "run_1",
        "object": "thread.run",
        "created_at": 1700000000,
        "assistant_id": "asst_1",
        "thread_id": "thread_1",
        "status": "queued",
        "started_at": None,
        "expires_at": 1700000600,
        "cancelled_at": None,
        "failed_at": None,
        "completed_at": None,
        "required_action": None,
        "last_error": None,
        "model": "gpt-4o",
        "instructions": None,
        "tools": [{"type": "code_interpreter"}],
        "tool_resources": {"code_interpreter": {"file_ids": []}},
        "metadata": {},
        "temperature": 1.0,
        "top_p": 1.0,
        "reasoning_effort": None,
        "max_completion_tokens": None,
        "max_prompt_tokens": None,
        "truncation_strategy": {"type": "auto", "last_messages": None},
        "incomplete_details": None,
        "usage": None,
        "response_format": "auto",
        "tool_choice": "auto",
        "parallel_tool_calls": True,
    }
    run.update(changes)
    return run


def _step(step_details: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "step_1",
        "object": "thread.run.step",
        "created_at": 1700000001,
        "run_id": "run_1",
        "assistant_id": "asst_1",
        "thread_id": "thread_1",
        "type": step_details["type"],
        "status": "completed",
        "cancelled_at": None,
        "completed_at": 1700000002,
        "expires_at": 1700000600,
        "failed_at": None,
        "last_error": None,
        "step_details": step_details,
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
    }


def _message(content: list[Any]) -> dict[str, Any]:
    return {
        "id": "msg_1",
        "object": "thread.message",
        "created_at": 1700000001,
        "assistant_id": "asst_1",
        "thread_id": "thread_1",
        "run_id": "run_1",
        "status": "completed",
        "incomplete_details": None,
        "incomplete_at": None,
        "completed_at": 1700000003,
        "role": "assistant",
        "content": content,
        "attachments": [],
        "metadata": {},
    }


def _message_delta(content: list[Any]) -> dict[str, Any]:
    return {"id": "msg_1", "object": "thread.message.delta", "delta": {"content": content}}


def _step_delta(step_details: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "step_1",
        "object": "thread.run.step.delta",
        "delta": {"step_details": step_details},
    }


def _text(value: str, annotations: list[Any] | None = None) -> dict[str, Any]:
    return {"type": "text", "text": {"value": value, "annotations": annotations or []}}


def _encode(payload: Any) -> bytes:
    return json.dumps(payload).encode()


# Absent and null in deltas


def test_delta_keeps_absent_apart_from_null() -> None:
    call: dict[str, Any] = {"index": 0, "type": "function", "function": {"arguments": "{"}}
    event = decode_event(
        "thread.run.step.delta", _encode(_step_delta({"type": "tool_calls", "tool_calls": [call]}))
    )
    assert isinstance(event, ThreadRunStepDelta)
    details = event.data.delta.step_details
    assert isinstance(details, ToolCallsStepDetailsDelta)
    assert not isinstance(details.tool_calls, msgspec.UnsetType)
    absent = details.tool_calls[0]
    assert isinstance(absent, FunctionToolCallDelta)
    assert absent.id is msgspec.UNSET
    assert not isinstance(absent.function, msgspec.UnsetType)
    assert absent.function.output is msgspec.UNSET
    assert absent.function.name is msgspec.UNSET

    call["function"]["output"] = None
    event = decode_event(
        "thread.run.step.delta", _encode(_step_delta({"type": "tool_calls", "tool_calls": [call]}))
    )
    assert isinstance(event, ThreadRunStepDelta)
    assert msgspec.to_builtins(event.data)["delta"]["step_details"]["tool_calls"][0] == call
    details = event.data.delta.step_details
    assert isinstance(details, ToolCallsStepDetailsDelta)
    assert not isinstance(details.tool_calls, msgspec.UnsetType)
    null = details.tool_calls[0]
    assert isinstance(null, FunctionToolCallDelta)
    assert not isinstance(null.function, msgspec.UnsetType)
    assert null.function.output is None


def test_message_delta_omits_what_was_not_sent() -> None:
    payload = _message_delta([{"index": 0, "type": "text", "text": {"value": "Hi"}}])
    event = decode_event("thread.message.delta", _encode(payload))
    assert isinstance(event, ThreadMessageDelta)
    assert event.data.delta.role is msgspec.UNSET
    assert not isinstance(event.data.delta.content, msgspec.UnsetType)
    block = event.data.delta.content[0]
    assert isinstance(block, TextDeltaBlock)
    assert block.index == 0
    assert block.type == "text"
    assert not isinstance(block.text, msgspec.UnsetType)
    assert block.text.annotations is msgspec.UNSET
    assert msgspec.to_builtins(event.data) == payload


# Unknown event names and unknown types


def test_unknown_event_name_is_an_event_not_an_error() -> None:
    data = b'{"id":"x","anything":[1,2]}'
    event = decode_event("thread.run.step.paused", memoryview(b"__" + data)[2:])
    assert event == UnknownEvent("thread.run.step.paused", data)
    assert type(event.data) is bytes


def test_unknown_event_name_with_broken_payload_is_not_an_error() -> None:
    assert decode_event("ping", b"not json") == UnknownEvent("ping", b"not json")


_NEW_CONTENT = {"type": "audio", "audio": {"file_id": "file_9", "seconds": 2.5}}
_NEW_ANNOTATION = {"type": "url_citation", "text": "[1]", "url": "https://example.com"}
_NEW_TOOL_CALL = {"id": "call_9", "type": "web_search", "web_search": {"query": "q"}}
_NEW_STEP = {"type": "reasoning", "reasoning": {"summary": "thought"}}
_NEW_OUTPUT = {"type": "chart", "chart": {"file_id": "file_7"}}


_UNKNOWN_CASES = [
    pytest.param(
        "thread.message.completed",
        _message([_NEW_CONTENT, _text("ok")]),
        lambda d: d.content[0],
        _NEW_CONTENT,
        id="message-content",
    ),
    pytest.param(
        "thread.message.completed",
        _message([_text("ok [1]", [_NEW_ANNOTATION])]),
        lambda d: d.content[0].text.annotations[0],
        _NEW_ANNOTATION,
        id="message-annotation",
    ),
    pytest.param(
        "thread.run.step.completed",
        _step({"type": "tool_calls", "tool_calls": [_NEW_TOOL_CALL]}),
        lambda d: d.step_details.tool_calls[0],
        _NEW_TOOL_CALL,
        id="step-tool-call",
    ),
    pytest.param(
        "thread.run.step.created",
        _step(_NEW_STEP),
        lambda d: d.step_details,
        _NEW_STEP,
        id="step-details",
    ),
    pytest.param(
        "thread.run.step.completed",
        _step(
            {
                "type": "tool_calls",
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "code_interpreter",
                        "code_interpreter": {
                            "input": "plot()",
                            "outputs": [_NEW_OUTPUT, {"type": "logs", "logs": "ok"}],
                        },
                    }
                ],
            }
        ),
        lambda d: d.step_details.tool_calls[0].code_interpreter.outputs[0],
        _NEW_OUTPUT,
        id="code-interpreter-output",
    ),
    pytest.param(
        "thread.run.created",
        _run(tools=[{"type": "retrieval"}, {"type": "code_interpreter"}]),
        lambda d: d.tools[0],
        {"type": "retrieval"},
        id="run-tool",
    ),
    pytest.param(
        "thread.run.created",
        _run(response_format={"type": "grammar", "grammar": "root ::= 'a'"}),
        lambda d: d.response_format,
        {"type": "grammar", "grammar": "root ::= 'a'"},
        id="run-response-format",
    ),
    pytest.param(
        "thread.message.delta",
        _message_delta([{"index": 1, "type": "audio", "audio": {"data": "AAA="}}]),
        lambda d: d.delta.content[0],
        {"index": 1, "type": "audio", "audio": {"data": "AAA="}},
        id="message-delta-content",
    ),
    pytest.param(
        "thread.message.delta",
        _message_delta(
            [
                {
                    "index": 0,
                    "type": "text",
                    "text": {"annotations": [{"index": 0, "type": "url_citation", "url": "u"}]},
                }
            ]
        ),
        lambda d: d.delta.content[0].text.annotations[0],
        {"index": 0, "type": "url_citation", "url": "u"},
        id="message-delta-annotation",
    ),
    pytest.param(
        "thread.run.step.delta",
        _step_delta({"type": "tool_calls", "tool_calls": [{"index": 0, "type": "web_search"}]}),
        lambda d: d.delta.step_details.tool_calls[0],
        {"index": 0, "type": "web_search"},
        id="step-delta-tool-call",
    ),
    pytest.param(
        "thread.run.step.delta",
        _step_delta({"type": "reasoning", "reasoning": {"delta": "hm"}}),
        lambda d: d.delta.step_details,
        {"type": "reasoning", "reasoning": {"delta": "hm"}},
        id="step-delta-details",
    ),
    pytest.param(
        "thread.run.step.delta",
        _step_delta(
            {
                "type": "tool_calls",
                "tool_calls": [
                    {
                        "index": 0,
                        "type": "code_interpreter",
                        "code_interpreter": {"outputs": [{"index": 0, "type": "chart"}]},
                    }
                ],
            }
        ),
        lambda d: d.delta.step_details.tool_calls[0].code_interpreter.outputs[0],
        {"index": 0, "type": "chart"},
        id="step-delta-code-interpreter-output",
    ),
]


@pytest.mark.parametrize(("name", "payload", "part", "original"), _UNKNOWN_CASES)
def test_unknown_type_becomes_an_unknown_part(
    name: str, payload: dict[str, Any], part: Any, original: dict[str, Any]
) -> None:
    wire = copy.deepcopy(payload)
    event = decode_event(name, _encode(payload))
    assert not isinstance(event, UnknownEvent)
    unknown = part(event.data)
    assert isinstance(unknown, Unknown)
    assert unknown.data == original
    assert unknown.kind == original["type"]
    assert unknown.type == "streamkit.unknown"
    _assert_matches(msgspec.to_builtins(event.data), wire)
    assert payload == wire


def test_known_parts_next_to_unknown_ones_stay_typed() -> None:
    payload = _message([_NEW_CONTENT, _text("a"), {"type": "video"}, _text("b")])
    event = decode_event("thread.message.completed", _encode(payload))
    assert isinstance(event, ThreadMessageCompleted)
    kinds = [type(part) for part in event.data.content]
    assert kinds == [Unknown, TextContentBlock, Unknown, TextContentBlock]


def test_unknown_parts_decode_from_a_memoryview_slice() -> None:
    data = _encode(_message([_NEW_CONTENT]))
    event = decode_event("thread.message.completed", memoryview(b"[[" + data + b"]]")[2:-2])
    assert isinstance(event, ThreadMessageCompleted)
    part = event.data.content[0]
    assert isinstance(part, Unknown)
    assert part.data == _NEW_CONTENT


def test_unknown_parts_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_unknowns, "MAX_UNKNOWNS", 3)
    three = _encode(_message([{"type": f"new{i}"} for i in range(3)]))
    four = _encode(_message([{"type": f"new{i}"} for i in range(4)]))
    event = decode_event("thread.message.completed", three)
    assert isinstance(event, ThreadMessageCompleted)
    with pytest.raises(DecodeError) as caught:
        decode_event("thread.message.completed", four)
    assert caught.value.path == "$"
    assert caught.value.event == "thread.message.completed"


def test_many_unknown_parts_decode_in_linear_time() -> None:
    many = _encode(_message_delta([{"index": i, "type": f"new{i}"} for i in range(10_000)]))
    event = decode_event("thread.message.delta", many)
    assert isinstance(event, ThreadMessageDelta)
    assert not isinstance(event.data.delta.content, msgspec.UnsetType)
    assert len(event.data.delta.content) == 10_000


def test_new_enum_values_and_fields_decode() -> None:
    run = _run(
        status="paused",
        tool_choice={"type": "web_search"},
        truncation_strategy={"type": "smart", "last_messages": 3},
        brand_new={"nested": [1, 2]},
        tools=[{"type": "function", "function": {"name": "f", "extra": True}, "extra": 1}],
    )
    event = decode_event("thread.run.created", _encode(run))
    assert isinstance(event, ThreadRunCreated)
    assert event.data.status == "paused"
    assert isinstance(event.data.truncation_strategy, assistants.TruncationStrategy)
    assert event.data.truncation_strategy.type == "smart"
    assert isinstance(event.data.tool_choice, assistants.ToolChoice)
    assert event.data.tool_choice.type == "web_search"
    assert event.data.tool_choice.function is msgspec.UNSET
    # Fields this schema does not know are dropped; everything else is kept as sent.
    known = copy.deepcopy(run)
    del known["brand_new"], known["tools"][0]["extra"], known["tools"][0]["function"]["extra"]
    _assert_matches(msgspec.to_builtins(event.data), known)


def test_v1_run_without_v2_fields_decodes() -> None:
    run = _run(file_ids=["file_1"])
    for key in ("tool_resources", "parallel_tool_calls", "reasoning_effort", "response_format"):
        del run[key]
    event = decode_event("thread.run.completed", _encode(run))
    assert isinstance(event, assistants.ThreadRunCompleted)
    assert event.data.file_ids == ["file_1"]
    assert event.data.tool_resources is msgspec.UNSET
    assert event.data.parallel_tool_calls is msgspec.UNSET
    assert event.data.reasoning_effort is msgspec.UNSET
    assert event.data.response_format is msgspec.UNSET
    assert msgspec.to_builtins(event.data) == run


def test_v2_run_without_v1_fields_omits_them() -> None:
    run = _run()
    event = decode_event("thread.run.completed", _encode(run))
    assert isinstance(event, assistants.ThreadRunCompleted)
    assert event.data.file_ids is msgspec.UNSET
    assert event.data.reasoning_effort is None
    assert msgspec.to_builtins(event.data) == run


def test_null_is_kept_apart_from_absent() -> None:
    absent = _run()
    del absent["max_prompt_tokens"]
    nulled = _run(max_prompt_tokens=None)
    absent_run = decode_event("thread.run.created", _encode(absent)).data
    nulled_run = decode_event("thread.run.created", _encode(nulled)).data
    assert isinstance(absent_run, assistants.Run)
    assert isinstance(nulled_run, assistants.Run)
    assert absent_run.max_prompt_tokens is msgspec.UNSET
    assert nulled_run.max_prompt_tokens is None
    assert absent_run != nulled_run
    assert msgspec.to_builtins(absent_run) == absent
    assert msgspec.to_builtins(nulled_run) == nulled


# Errors


def _with_content_value(value: Any) -> bytes:
    return _encode(_message([{"type": "text", "text": {"value": value, "annotations": []}}]))


_ERROR_CASES = [
    pytest.param("thread.run.created", b'{"id": "run_1", ', "$", id="malformed-json"),
    pytest.param("thread.run.created", b"", "$", id="empty"),
    pytest.param("thread.run.created", b"[]", "$", id="not-an-object"),
    pytest.param(
        "thread.message.delta",
        b'{"id":"msg_1","object":"thread.message.delta","delta":{"content":[{"index":0,'
        b'"type":"text","text":{"value":"caf\xc3"}}]}}',
        "$",
        id="invalid-utf8-in-string",
    ),
    pytest.param(
        "thread.message.completed",
        _with_content_value("ok").replace(b'"ok"', b'"\xff\xfe"'),
        "$",
        id="invalid-utf8-in-snapshot",
    ),
    pytest.param("done", b"[DONE\xff]", "$", id="invalid-utf8-in-done"),
    pytest.param(
        "thread.run.created",
        _encode({k: v for k, v in _run().items() if k != "id"}),
        "$",
        id="missing-id",
    ),
    pytest.param(
        "thread.message.completed",
        _encode(_message([{"type": "text", "text": {"annotations": []}}])),
        "$.content[0].text",
        id="missing-nested-field",
    ),
    pytest.param(
        "thread.run.created",
        _encode(_run(created_at="yesterday")),
        "$.created_at",
        id="ill-typed-field",
    ),
    pytest.param(
        "thread.message.delta",
        _encode(_message_delta([{"index": "0", "type": "text"}])),
        "$.delta.content[0].index",
        id="ill-typed-delta-index",
    ),
    pytest.param(
        "thread.message.delta",
        _encode(_message_delta([{"type": "text", "text": {"value": "x"}}])),
        "$.delta.content[0]",
        id="missing-delta-index",
    ),
    pytest.param(
        "thread.message.completed",
        _encode(_message([{"text": {"value": "x", "annotations": []}}])),
        "$.content[0]",
        id="missing-type-tag",
    ),
    pytest.param(
        "thread.message.completed",
        _encode(_message([{"type": 5}])),
        "$.content[0].type",
        id="tag-not-a-string",
    ),
    pytest.param(
        "thread.message.completed",
        _encode(_message([{"type": ["list"]}, _NEW_CONTENT])),
        "$.content[0].type",
        id="unhashable-tag",
    ),
    pytest.param(
        "thread.message.completed",
        _encode(_message([_NEW_CONTENT, {"type": "text", "text": {"value": 5}}])),
        "$.content[1].text.value",
        id="ill-typed-after-unknown",
    ),
    pytest.param(
        "thread.message.completed",
        _encode(_message([_NEW_CONTENT]))[:-2],
        "$",
        id="truncated-with-unknown",
    ),
    pytest.param(
        "thread.run.created",
        _encode(
            _run(tools=[{"type": "function", "function": {"name": "f", "parameters": {}}}])
        ).replace(
            b'"parameters": {}', b'"parameters": {"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        ),
        "$",
        id="nested-too-deep",
    ),
    pytest.param("error", b'{"code": "server_error"}', "$", id="error-without-message"),
]


@pytest.mark.parametrize(("name", "data", "path"), _ERROR_CASES)
def test_bad_payload_is_a_decode_error(name: str, data: bytes, path: str) -> None:
    with pytest.raises(DecodeError) as caught:
        decode_event(name, data)
    error = caught.value
    assert isinstance(error, StreamError)
    assert isinstance(error, ValueError)
    assert error.path == path
    assert error.event == name
    assert error.excerpt == data[:60]
    assert error.message
    assert name in str(error)
    assert error.__cause__ is None


def test_decode_error_from_a_memoryview_has_a_bytes_excerpt() -> None:
    data = memoryview(b"xx" + _encode(_run(created_at="soon")))[2:]
    with pytest.raises(DecodeError) as caught:
        decode_event("thread.run.queued", data)
    assert caught.value.path == "$.created_at"
    assert caught.value.excerpt == bytes(data[:60])
    assert caught.value.message == "expected int, got str"


def test_error_event_is_data_not_an_exception() -> None:
    data = (
        b'{"code":"server_error","message":"Sorry, something went wrong.",'
        b'"param":null,"type":"server_error"}'
    )
    event = decode_event("error", data)
    assert isinstance(event, ErrorEvent)
    assert event.event == "error"
    assert event.data.message == "Sorry, something went wrong."
    assert event.data.code == "server_error"
    assert event.data.param is None
    assert msgspec.to_builtins(event.data) == json.loads(data)


# The table, Done, round trips, buffers


_ALL_NAMES = {
    "thread.created",
    "thread.run.created",
    "thread.run.queued",
    "thread.run.in_progress",
    "thread.run.requires_action",
    "thread.run.completed",
    "thread.run.incomplete",
    "thread.run.failed",
    "thread.run.cancelling",
    "thread.run.cancelled",
    "thread.run.expired",
    "thread.run.step.created",
    "thread.run.step.in_progress",
    "thread.run.step.delta",
    "thread.run.step.completed",
    "thread.run.step.failed",
    "thread.run.step.cancelled",
    "thread.run.step.expired",
    "thread.message.created",
    "thread.message.in_progress",
    "thread.message.delta",
    "thread.message.completed",
    "thread.message.incomplete",
    "error",
    "done",
}


def test_event_names_are_the_24_api_events_and_done() -> None:
    assert len(_ALL_NAMES) == 25
    assert EVENT_NAMES == _ALL_NAMES
    classes = {cls.event: cls for cls in AssistantStreamEvent.__args__}
    assert set(classes) == _ALL_NAMES


def test_done() -> None:
    event = decode_event("done", memoryview(b"[DONE]"))
    assert event == Done()
    assert event.data == "[DONE]"
    assert decode_event("done", b"bye") == Done(data="bye")


def _sample_events() -> list[Any]:
    samples = [
        ("thread.run.created", _run()),
        (
            "thread.run.requires_action",
            _run(
                status="requires_action",
                tool_choice={"type": "function", "function": {"name": "f"}},
            ),
        ),
        (
            "thread.run.step.completed",
            _step({"type": "message_creation", "message_creation": {"message_id": "msg_1"}}),
        ),
        ("thread.run.step.failed", _step(_NEW_STEP)),
        ("thread.message.incomplete", _message([_text("a"), _NEW_CONTENT])),
        (
            "thread.message.delta",
            _message_delta([{"index": 0, "type": "refusal", "refusal": "no"}]),
        ),
        ("thread.run.step.delta", _step_delta({"type": "message_creation"})),
        ("error", {"message": "boom", "type": "server_error", "code": None, "param": None}),
    ]
    events = [decode_event(name, _encode(payload)) for name, payload in samples]
    return [*events, decode_event("done", b"[DONE]")]


def test_event_list_round_trips_through_msgspec_json() -> None:
    events = _sample_events()
    decoded = msgspec.json.decode(msgspec.json.encode(events), type=list[AssistantStreamEvent])
    assert decoded == events
    assert [type(e) for e in decoded] == [type(e) for e in events]


def test_encoded_event_carries_its_name_as_tag() -> None:
    event = decode_event("done", b"[DONE]")
    assert msgspec.json.encode(event) == b'{"event":"done","data":"[DONE]"}'


def test_decoding_from_a_memoryview_slice_matches_bytes() -> None:
    data = _encode(_message([_text("hello"), _text("world")]))
    chunk = b"event: thread.message.completed\ndata: " + data + b"\n\n"
    start = chunk.index(b"{")
    view = memoryview(chunk)[start : start + len(data)]
    assert decode_event("thread.message.completed", view) == decode_event(
        "thread.message.completed", data
    )


def test_decoding_from_a_bytearray_matches_bytes() -> None:
    data = _encode(_step({"type": "tool_calls", "tool_calls": []}))
    assert decode_event("thread.run.step.created", bytearray(data)) == decode_event(
        "thread.run.step.created", data
    )


def test_tagged_parts_expose_their_api_type() -> None:
    logs = CodeInterpreterOutputLogs(logs="1")
    assert logs.type == "logs"
    assert msgspec.to_builtins(logs) == {"type": "logs", "logs": "1"}
    assert TextDeltaBlock(index=0).type == "text"
    assert MessageDeltaEvent.__struct_fields__ == ("id", "object", "delta")


def test_invalid_event_holds_the_error() -> None:
    error = DecodeError("bad", path="$.x", event="thread.run.created")
    invalid = assistants.InvalidEvent("thread.run.created", b"{}", error)
    assert invalid.error is error
    assert invalid.event == "thread.run.created"
