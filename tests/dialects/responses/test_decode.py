"""Decoding Responses stream payloads into typed events: exactness, forward compat, errors."""

from __future__ import annotations

import json
import typing
from typing import Any

import msgspec
import pytest

import streamkit
from streamkit import dialects
from streamkit._errors import DecodeError, StreamError
from streamkit.dialects import _unknowns, responses
from streamkit.dialects.responses import (
    DIALECT,
    EVENT_NAMES,
    ResponseStreamEvent,
    Unknown,
    UnknownEvent,
    decode_event,
)
from tests.helpers import REAL

from . import streams as s

DIR = REAL / "responses"
FILES = sorted(DIR.glob("*.sse"))


def _payloads(body: bytes) -> list[tuple[str, bytes]]:
    """(event name, data) of each event of an SSE body, split by hand (not by streamkit)."""
    events = []
    for block in body.split(b"\n\n"):
        name, data = "message", []
        for line in block.split(b"\n"):
            key, _, value = line.partition(b":")
            value = value.removeprefix(b" ")
            if key == b"event":
                name = value.decode()
            elif key == b"data":
                data.append(value)
        if data:
            events.append((name, b"\n".join(data)))
    return events


def _first_difference(built: Any, wire: Any, where: str = "$") -> str | None:
    """Where *built* and *wire* first differ, for a readable failure message."""
    if isinstance(built, dict) and isinstance(wire, dict):
        for key in sorted(built.keys() | wire.keys()):
            if key not in wire:
                return f"{where}.{key}: not sent by the API, decoded as {built[key]!r}"
            if key not in built:
                return f"{where}.{key}: sent by the API as {wire[key]!r}, dropped"
            found = _first_difference(built[key], wire[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(built, list) and isinstance(wire, list):
        if len(built) != len(wire):
            return f"{where}: {len(built)} items, the API sent {len(wire)}"
        for i, (b, w) in enumerate(zip(built, wire, strict=True)):
            found = _first_difference(b, w, f"{where}[{i}]")
            if found:
                return found
        return None
    if built != wire or type(built) is not type(wire):
        return f"{where}: {built!r} != {wire!r}"
    return None


def _json_event(name: str, data: Any) -> Any:
    payload = data if isinstance(data, bytes) else json.dumps(data).encode()
    return decode_event(name, payload)


# -- the vocabulary ---------------------------------------------------------------------


def test_event_names_are_the_union_members_and_known_to_openai() -> None:
    """Every event the dialect types is one openai-python's ``ResponseStreamEvent`` lists."""
    members = typing.get_args(ResponseStreamEvent)
    assert {cls.type for cls in members} == EVENT_NAMES
    assert len(EVENT_NAMES) == len(members) == 49
    openai_types = pytest.importorskip("openai.types.responses")
    (union, *_) = typing.get_args(openai_types.ResponseStreamEvent)
    known = {
        typing.get_args(cls.model_fields["type"].annotation)[0] for cls in typing.get_args(union)
    }
    assert known >= EVENT_NAMES
    # What openai-python lists and streamkit keeps raw (UnknownEvent): audio (and its
    # transcript), shell calls, compaction.  A newer openai-python with more events
    # fails here, to list them for a decision.
    assert {name.split(".")[1] for name in known - EVENT_NAMES} == {
        "audio",
        "compaction",
        "shell_call_command",
        "shell_call_output_content",
    }


def test_dialect_is_registered_and_detects_responses_streams() -> None:
    assert dialects.get("responses") is DIALECT
    assert DIALECT.name == "responses"
    assert DIALECT.decode is decode_event
    assert DIALECT.detect("response.created", b"{}")
    assert DIALECT.detect("response.output_text.delta", b"")
    assert not DIALECT.detect("thread.run.created", b"{}")
    assert not DIALECT.detect("message", b"{}")
    assert type(DIALECT.accumulator()) is responses.Accumulator
    assert responses.InvalidEvent is streamkit.InvalidEvent


def test_public_names() -> None:
    assert isinstance(responses.__all__, tuple)
    assert len(set(responses.__all__)) == len(responses.__all__)
    for name in responses.__all__:
        assert hasattr(responses, name), name


# -- the real captures, exactly --------------------------------------------------------


def test_real_captures_are_present() -> None:
    assert len(FILES) == 17


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_real_payload_decodes_to_exactly_what_was_sent(path: Any) -> None:
    """``to_builtins`` of every decoded event equals its JSON payload: no field lost or invented."""
    for ordinal, (name, data) in enumerate(_payloads(path.read_bytes())):
        event = decode_event(name, data)
        assert type(event) is not UnknownEvent, name
        assert event.type == name
        built, wire = msgspec.to_builtins(event), json.loads(data)
        assert built == wire, f"{name} #{ordinal}: {_first_difference(built, wire)}"
        again = msgspec.json.decode(msgspec.json.encode(event), type=type(event))
        assert again == event


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_decoding_a_memoryview_or_bytearray_matches_bytes(path: Any) -> None:
    for name, data in _payloads(path.read_bytes())[:40]:
        padded = b"xx" + data + b"yy"
        view = memoryview(padded)[2:-2]
        assert decode_event(name, view) == decode_event(name, data)
        assert decode_event(name, bytearray(data)) == decode_event(name, data)


def test_early_format_has_no_sequence_numbers() -> None:
    path = DIR / "ruby-openai_text-early-format_2025-03-14.sse"
    events = [decode_event(name, data) for name, data in _payloads(path.read_bytes())]
    assert {event.sequence_number for event in events} == {msgspec.UNSET}
    final = events[-1]
    assert isinstance(final, responses.ResponseCompleted)
    # Fields the API added later stay absent, not filled with defaults.
    for name in ("background", "max_tool_calls", "safety_identifier", "top_logprobs"):
        assert getattr(final.response, name) is msgspec.UNSET, name


def test_typed_objects() -> None:
    path = DIR / "openai-dotnet_code-interpreter-files_2025-09-26.sse"
    events = [decode_event(name, data) for name, data in _payloads(path.read_bytes())]
    final = events[-1]
    assert isinstance(final, responses.ResponseCompleted)
    output = final.response.output
    assert [type(item) for item in output] == [
        responses.CodeInterpreterCall,
        responses.OutputMessage,
        responses.CodeInterpreterCall,
        responses.OutputMessage,
    ]
    texts = [
        part for item in output if type(item) is responses.OutputMessage for part in item.content
    ]
    assert all(isinstance(text, responses.OutputText) for text in texts)
    annotations = [a for text in texts for a in text.annotations]  # type: ignore[union-attr]
    assert annotations
    assert all(type(a) is responses.ContainerFileCitation for a in annotations)
    assert final.response.output_text == "".join(text.text for text in texts)  # type: ignore[union-attr]
    usage = final.response.usage
    assert isinstance(usage, responses.Usage)
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens
    assert isinstance(final.response.tools[0], responses.CodeInterpreterTool)  # type: ignore[index]


# -- forward compatibility -------------------------------------------------------------


def test_unknown_event_name_is_an_event_not_an_error() -> None:
    data = b'{"type":"response.audio.delta","delta":"AAAA","sequence_number":5}'
    event = decode_event("response.audio.delta", data)
    assert event == UnknownEvent("response.audio.delta", data)
    broken = decode_event("response.future.thing", memoryview(b"{not json"))
    assert broken == UnknownEvent("response.future.thing", b"{not json")
    assert type(broken.data) is bytes


def _item_added(item: dict[str, Any]) -> Any:
    return _json_event(
        "response.output_item.added",
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": item,
            "sequence_number": 2,
        },
    )


def test_unknown_output_item_type_is_kept_raw() -> None:
    item = {"id": "sh_1", "type": "shell_call", "status": "in_progress", "action": {"x": [1]}}
    event = _item_added(item)
    assert isinstance(event, responses.ResponseOutputItemAdded)
    assert event.item == Unknown(data=item)
    assert isinstance(event.item, Unknown)
    assert event.item.kind == "shell_call"
    built = msgspec.to_builtins(event.item)
    assert built == {"type": "streamkit.unknown", "data": item}


def test_unknown_content_and_annotation_types_are_kept_raw_next_to_typed_ones() -> None:
    audio = {"type": "output_audio", "data": "AAAA", "transcript": "hi"}
    cite = {"type": "file_citation", "file_id": "file-1", "filename": "a.txt", "index": 3}
    page = {"type": "page_citation", "page": 7, "start_index": 0, "end_index": 2}
    text = {"type": "output_text", "text": "hi", "annotations": [page, cite], "logprobs": []}
    item = s.message_item("msg_1", "completed", [audio, text])
    event = _item_added(item)
    message = event.item
    assert isinstance(message, responses.OutputMessage)
    first, second = message.content
    assert first == Unknown(data=audio)
    assert isinstance(second, responses.OutputText)
    assert second.annotations == [Unknown(data=page), responses.FileCitation(**{
        k: v for k, v in cite.items() if k != "type"
    })]  # fmt: skip


def test_unknown_tool_format_action_and_output_types_are_kept_raw() -> None:
    tools = [
        {"type": "computer_use_preview", "display_width": 1024},
        {"type": "function", "name": "f", "parameters": {}, "strict": True},
    ]
    text = {"format": {"type": "grammar", "syntax": "lark"}, "verbosity": "low"}
    response = s.response_obj(tools=tools, text=text, tool_choice={"type": "function", "name": "f"})
    event = _json_event(
        "response.created", {"type": "response.created", "response": response, "sequence_number": 0}
    )
    computer, function = event.response.tools
    assert computer == Unknown(data=tools[0])
    assert isinstance(function, responses.FunctionTool)
    assert event.response.text.format == Unknown(data=text["format"])
    assert event.response.tool_choice == responses.ToolChoice(type="function", name="f")
    action = {"type": "scroll", "url": "https://example.com"}
    search = _item_added(
        {"id": "ws_1", "type": "web_search_call", "status": "completed", "action": action}
    )
    assert search.item.action == Unknown(data=action)
    outputs = [{"type": "logs", "logs": "1"}, {"type": "files", "files": []}]
    code = _item_added(s.code_interpreter_item("ci_1", "print(1)", "completed", outputs))
    assert code.item.outputs == [
        responses.CodeInterpreterOutputLogs(logs="1"),
        Unknown(data=outputs[1]),
    ]


def test_new_fields_and_enum_values_decode() -> None:
    item = {**s.message_item("msg_1", "paused"), "phase": "draft", "brand_new": {"a": 1}}
    event = _item_added(item)
    assert event.item.status == "paused"
    assert event.item.phase == "draft"
    response = s.response_obj("thinking_hard", service_tier="ultrafast", new_setting=[1, 2])
    created = _json_event(
        "response.created", {"type": "response.created", "response": response, "sequence_number": 0}
    )
    assert created.response.status == "thinking_hard"
    assert created.response.service_tier == "ultrafast"
    delta = _json_event(
        "response.output_text.delta",
        {
            "type": "response.output_text.delta",
            "item_id": "msg_1",
            "output_index": 0,
            "content_index": 0,
            "delta": "x",
            "new_field": True,
        },
    )
    assert delta.delta == "x"
    assert delta.logprobs is msgspec.UNSET


def test_unknown_types_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_unknowns, "MAX_UNKNOWNS", 3)
    item = s.message_item("msg_1", "completed", [{"type": "x"}] * 4)
    with pytest.raises(DecodeError, match="more than 3 objects of unknown type"):
        _item_added(item)


def test_many_unknown_parts_decode_in_one_pass() -> None:
    item = s.message_item("msg_1", "completed", [{"type": "x", "n": i} for i in range(5_000)])
    event = _item_added(item)
    assert len(event.item.content) == 5_000
    assert all(type(part) is Unknown for part in event.item.content)


def test_event_without_a_name_is_decoded_by_its_type() -> None:
    data = (
        b'{"type":"response.output_text.delta","item_id":"m",'
        b'"output_index":0,"content_index":0,"delta":"hi"}'
    )
    event = decode_event("message", data)
    assert isinstance(event, responses.ResponseOutputTextDelta)
    assert event == decode_event("response.output_text.delta", data)
    unknown = decode_event("message", b'{"type":"response.audio.done"}')
    assert unknown == UnknownEvent("message", b'{"type":"response.audio.done"}')
    with pytest.raises(DecodeError):
        decode_event("message", b"[1,")


# -- broken input ------------------------------------------------------------------------

_DELTA = {
    "type": "response.output_text.delta",
    "item_id": "msg_1",
    "output_index": 0,
    "content_index": 0,
    "delta": "hi",
    "sequence_number": 4,
}


@pytest.mark.parametrize(
    ("name", "data", "path", "message"),
    [
        ("response.output_text.delta", b'{"type":"response.output_text.delta",', "$", "truncated"),
        ("response.output_text.delta", b"\xff\xfe", "$", ""),
        (
            "response.output_text.delta",
            json.dumps({**_DELTA, "delta": 5}).encode(),
            "$.delta",
            "str",
        ),
        (
            "response.output_text.delta",
            json.dumps({k: v for k, v in _DELTA.items() if k != "output_index"}).encode(),
            "$",
            "output_index",
        ),
        (
            "response.output_text.delta",
            json.dumps({**_DELTA, "type": "response.refusal.delta"}).encode(),
            "$.type",
            "not the event name",
        ),
        (
            "response.output_item.added",
            json.dumps(
                {
                    "type": "response.output_item.added",
                    "output_index": 0,
                    "item": {"type": "message"},
                }
            ).encode(),
            "$.item",
            "id",
        ),
        (
            "response.completed",
            json.dumps({"type": "response.completed", "response": {"id": "r"}}).encode(),
            "$.response",
            "",
        ),
        (
            "response.output_item.added",
            json.dumps(
                {
                    "type": "response.output_item.added",
                    "output_index": 0,
                    "item": {"type": "x", "id": 1},
                }
                | {"output_index": "zero"}
            ).encode(),
            "$.output_index",
            "int",
        ),
    ],
)
def test_bad_payload_is_a_decode_error_with_a_location(
    name: str, data: bytes, path: str, message: str
) -> None:
    with pytest.raises(DecodeError) as info:
        decode_event(name, data)
    error = info.value
    assert isinstance(error, StreamError)
    assert error.path == path
    assert error.event == name
    assert error.excerpt == data[:60]
    assert message in error.message


def test_decode_error_names_ordinal_and_offset_in_a_stream() -> None:
    stream = s.Stream().lifecycle("created").lifecycle("in_progress")
    good = stream.body()
    bad = b'event: response.output_text.delta\ndata: {"type":"response.output_text.delta",\n\n'
    with pytest.raises(DecodeError) as info:
        list(streamkit.iter_events([good + bad], dialect="responses"))
    error = info.value
    assert (error.ordinal, error.offset, error.event) == (
        2,
        len(good),
        "response.output_text.delta",
    )
    assert "event #2" in str(error)
    assert f"byte {len(good)}" in str(error)
    events = list(streamkit.iter_events([good + bad], dialect="responses", on_error="yield"))
    assert [type(e).__name__ for e in events] == [
        "ResponseCreated",
        "ResponseInProgress",
        "InvalidEvent",
    ]
    invalid = events[-1]
    assert isinstance(invalid, responses.InvalidEvent)
    assert invalid.error.ordinal == 2
    skipped = list(streamkit.iter_events([good + bad], dialect="responses", on_error="skip"))
    assert len(skipped) == 2


def test_error_event_is_data_not_an_exception() -> None:
    data = (
        b'{"type":"error","code":"ERR_SOMETHING","message":"Something went wrong",'
        b'"param":null,"sequence_number":1}'
    )
    event = decode_event("error", data)
    assert event == responses.ErrorEvent(
        code="ERR_SOMETHING", message="Something went wrong", param=None, sequence_number=1
    )
    assert msgspec.to_builtins(event) == json.loads(data)


def test_error_event_with_a_nested_error_object() -> None:
    """The shape the API was seen to send (openai/openai-dotnet#881), not the documented one."""
    data = (
        b'{"type":"error","sequence_number":2,"error":{"type":"too_many_requests",'
        b'"code":"too_many_requests","message":"Too Many Requests","param":null}}'
    )
    event = decode_event("error", data)
    assert isinstance(event, responses.ErrorEvent)
    assert event.message is msgspec.UNSET
    assert event.error == responses.ErrorDetails(
        type="too_many_requests", code="too_many_requests", message="Too Many Requests", param=None
    )
    assert event.text == "Too Many Requests"
    assert msgspec.to_builtins(event) == json.loads(data)
    assert decode_event("error", b'{"type":"error"}').text == ""
