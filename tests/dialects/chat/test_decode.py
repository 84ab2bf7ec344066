"""Decoding Chat Completions payloads into typed events."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import msgspec
import pytest

import streamkit
from streamkit import DecodeError, dialects
from streamkit.dialects import chat
from streamkit.dialects.chat import (
    DIALECT,
    ChatCompletionChunk,
    ChatCompletionChunkEvent,
    Done,
    ErrorEvent,
    ErrorObject,
    Unknown,
    UnknownEvent,
    URLCitationAnnotation,
    decode_event,
)
from tests.helpers import REAL

from . import streams as s

if TYPE_CHECKING:
    from pathlib import Path

CAPTURES = sorted((REAL / "chat").glob("*.sse"))
OPENAI = [path for path in CAPTURES if not path.name.startswith("compat-")]


def _payload(**fields: Any) -> bytes:
    return json.dumps(s.chunk(**fields)).encode()


def _chunk(data: bytes | memoryview | str) -> ChatCompletionChunk:
    event = decode_event("message", data.encode() if isinstance(data, str) else data)
    assert type(event) is ChatCompletionChunkEvent
    return event.data


# -- the three payloads of a message event -------------------------------------------


def test_a_chunk_decodes_into_a_chunk_event() -> None:
    data = _payload(choices=[{"index": 0, "delta": {"content": "Hi"}, "finish_reason": None}])
    event = decode_event("message", data)
    assert type(event) is ChatCompletionChunkEvent
    assert event.event == "message"
    assert event.data.object == "chat.completion.chunk"
    assert event.data.id == s.ID
    (choice,) = event.data.choices  # type: ignore[misc]
    assert (choice.index, choice.delta.content, choice.finish_reason) == (0, "Hi", None)
    assert choice.delta.role is msgspec.UNSET
    assert choice.logprobs is msgspec.UNSET


def test_done_decodes_into_done() -> None:
    event = decode_event("message", b"[DONE]")
    assert event == Done()
    assert event.event == "message"
    assert msgspec.json.encode(event) == b'{"event":"message","data":"[DONE]"}'


def test_a_memoryview_is_decoded_in_place() -> None:
    data = b"xx" + _payload(choices=[]) + b"yy"
    view = memoryview(data)[2:-2]
    assert _chunk(bytes(view)) == _chunk(view)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            {
                "error": {
                    "message": "Overloaded",
                    "type": "server_error",
                    "param": None,
                    "code": 529,
                }
            },
            ErrorObject(message="Overloaded", type="server_error", code=529),
        ),
        (
            {"error": {"message": "bad", "type": "invalid_request_error", "code": "x"}},
            ErrorObject(message="bad", type="invalid_request_error", code="x"),
        ),
        ({"error": "rate limited"}, ErrorObject(message="rate limited")),
    ],
)
def test_an_error_payload_is_an_error_event_not_a_decode_error(
    payload: Any, expected: ErrorObject
) -> None:
    """OpenAI reports a mid-stream error as ``data: {"error": {...}}`` (openai-python raises it)."""
    event = decode_event("message", json.dumps(payload).encode())
    assert event == ErrorEvent(event="message", data=expected)


@pytest.mark.parametrize(
    "payload",
    [
        {"error": {"message": "boom", "type": "server_error"}},
        {"message": "boom", "type": "server_error", "code": None, "param": None},
    ],
)
def test_an_error_event_carries_its_error(payload: Any) -> None:
    event = decode_event("error", json.dumps(payload).encode())
    assert event == ErrorEvent(event="error", data=ErrorObject(message="boom", type="server_error"))


@pytest.mark.parametrize("data", [b"not json", b'{"hello": 1}', b"[1, 2]"])
def test_an_error_event_that_is_not_an_error_stays_raw(data: bytes) -> None:
    assert decode_event("error", data) == UnknownEvent("error", data)


@pytest.mark.parametrize("name", ["ping", "response.created", "done", "thread.run.created"])
def test_other_event_names_are_unknown_events(name: str) -> None:
    data = _payload(choices=[])
    assert decode_event(name, memoryview(data)) == UnknownEvent(name, data)


# -- forward compatibility -------------------------------------------------------------


def test_unknown_fields_are_ignored_at_every_level() -> None:
    obj = s.chunk(
        [
            {
                "index": 0,
                "delta": {"content": "a", "reasoning_content": "hmm", "sparkle": [1]},
                "finish_reason": None,
                "glow": True,
            }
        ],
        brand_new={"x": 1},
    )
    chunk = _chunk(json.dumps(obj))
    assert chunk.choices[0].delta.content == "a"  # type: ignore[index]
    assert "brand_new" not in msgspec.to_builtins(chunk)


@pytest.mark.parametrize(
    "reason", ["stop", "length", "content_filter", "function_call", "pondered"]
)
def test_any_finish_reason_and_role_decode(reason: str) -> None:
    obj = s.chunk([{"index": 0, "delta": {"role": "oracle"}, "finish_reason": reason}])
    choice = _chunk(json.dumps(obj)).choices[0]  # type: ignore[index]
    assert (choice.finish_reason, choice.delta.role) == (reason, "oracle")


def test_unknown_annotation_type_is_kept_raw() -> None:
    citation = {
        "type": "url_citation",
        "url_citation": {"start_index": 0, "end_index": 4, "title": "T", "url": "https://x.org"},
    }
    unknown = {"type": "file_citation", "file_citation": {"file_id": "file-1"}, "index": 3}
    obj = s.chunk([{"index": 0, "delta": {"annotations": [citation, unknown]}}])
    annotations = _chunk(json.dumps(obj)).choices[0].delta.annotations  # type: ignore[index]
    assert isinstance(annotations, list)
    assert type(annotations[0]) is URLCitationAnnotation
    assert annotations[1] == Unknown(data=unknown)
    assert annotations[1].kind == "file_citation"


def test_unknown_tool_call_kind_keeps_its_unknown_keys() -> None:
    first = {"index": 0, "id": "call_1", "type": "mcp", "mcp": {"server": "s", "arguments": "{"}}
    later = {"index": 0, "mcp": {"arguments": "}"}}
    known = s.call(1, "{}", id="call_2", name="f")
    obj = s.chunk([{"index": 0, "delta": {"tool_calls": [first, later, known]}}])
    calls = _chunk(json.dumps(obj)).choices[0].delta.tool_calls  # type: ignore[index]
    assert isinstance(calls, list)
    assert (calls[0].type, calls[0].unknown) == ("mcp", {"mcp": first["mcp"]})
    assert (calls[1].type, calls[1].unknown) == (msgspec.UNSET, {"mcp": later["mcp"]})
    assert calls[2].unknown is msgspec.UNSET
    assert calls[2].function.name == "f"  # type: ignore[union-attr]


def test_known_tool_call_parts_take_the_fast_path() -> None:
    obj = s.chunk([{"index": 0, "delta": {"tool_calls": [s.call(0, '{"a"', id="c", name="f")]}}])
    (call,) = _chunk(json.dumps(obj)).choices[0].delta.tool_calls  # type: ignore[index, misc]
    assert call.unknown is msgspec.UNSET
    assert msgspec.to_builtins(call) == s.call(0, '{"a"', id="c", name="f")


def test_choices_absent_null_and_empty_stay_apart() -> None:
    absent = _chunk(json.dumps(s.chunk()))
    empty = _chunk(json.dumps(s.chunk([])))
    assert absent.choices is msgspec.UNSET
    assert empty.choices == []
    assert "choices" not in msgspec.to_builtins(absent)


def test_azure_filter_chunks_decode() -> None:
    """Azure's first chunk (empty id, model, object) and its async filter chunks (no delta)."""
    first = {
        "choices": [],
        "created": 0,
        "id": "",
        "model": "",
        "object": "",
        "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": {}}],
    }
    assert _chunk(json.dumps(first)).prompt_filter_results == first["prompt_filter_results"]
    late = {
        "choices": [
            {
                "index": 0,
                "finish_reason": None,
                "content_filter_offsets": {"check_offset": 0, "start_offset": 0, "end_offset": 9},
                "content_filter_results": {"hate": {"filtered": False, "severity": "safe"}},
            }
        ],
        "created": 0,
        "id": "",
        "model": "",
        "object": "",
    }
    choice = _chunk(json.dumps(late)).choices[0]  # type: ignore[index]
    assert choice.delta == chat.ChoiceDelta()
    assert choice.content_filter_offsets == late["choices"][0]["content_filter_offsets"]  # type: ignore[index]


# -- broken input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        (b'{"id": "x", "created": 1, "model": "m", "choices": [', "$", "truncated JSON"),
        (b"", "$", "empty payload"),
        (b"{}", "$", "not a chat completion chunk: no id, choices, created or model"),
        (
            b'{"usage": null, "p": "abc"}',
            "$",
            "not a chat completion chunk: no id, choices, created or model",
        ),
        (
            b'{"id":"x","created":1,"model":"m","choices":[{"delta":{}}]}',
            "$.choices[0]",
            "missing required field 'index'",
        ),
        (
            b'{"id":"x","created":1,"model":"m","choices":[{"index":"0","delta":{}}]}',
            "$.choices[0].index",
            "expected int, got str",
        ),
        (
            b'{"id":"x","created":1,"model":"m","choices":[{"index":0,"delta":{"content":7}}]}',
            "$.choices[0].delta.content",
            "expected str | array | null, got int",
        ),
        (
            b'{"id":"x","created":1,"model":"m","choices":[{"index":0,"delta":'
            b'{"tool_calls":[{"index":0,"type":"mcp","id":5}]}}]}',
            "$.choices[0].delta.tool_calls[0].id",
            "expected str | null, got int",
        ),
        (
            b'{"id":"x","created":1,"model":"m","choices":[{"index":0,"delta":'
            b'{"annotations":[{"type":"url_citation"}]}}]}',
            "$.choices[0].delta.annotations[0]",
            "missing required field 'url_citation'",
        ),
        (b'"hello"', "$", "expected object, got str"),
        (b'{"id": "\xff", "created": 1, "model": "m"}', "$", "invalid UTF-8"),
        (b"[" * 10_000, "$", "expected object, got array"),
        (b'{"x":' * 100_000 + b"1" + b"}" * 100_000, "$", "JSON nested too deeply"),
    ],
)
def test_broken_payloads_raise_decode_error_with_path(data: bytes, path: str, message: str) -> None:
    with pytest.raises(DecodeError) as info:
        decode_event("message", data)
    error = info.value
    assert error.path == path
    assert error.message == message
    assert error.event == "message"
    assert error.excerpt == data[:60]


def test_decode_error_in_a_stream_names_ordinal_and_offset() -> None:
    good = s.sse(s.chunk([{"index": 0, "delta": {"content": "a"}, "finish_reason": None}]))
    body = good + good + b'data: {"id": "x", "created": 1, "model": "m", "choices": [{]}\n\n'
    events: list[Any] = []
    with pytest.raises(DecodeError) as info:
        events.extend(streamkit.iter_events([body], dialect="chat"))
    assert len(events) == 2
    assert (info.value.ordinal, info.value.offset, info.value.event) == (
        2,
        2 * len(good),
        "message",
    )
    assert "at event #2" in str(info.value)


def test_broken_payload_can_be_yielded_or_skipped() -> None:
    body = s.sse("{oops") + s.Stream().text("a").done().body()
    events = list(streamkit.iter_events([body], dialect="chat", on_error="yield"))
    assert type(events[0]) is chat.InvalidEvent
    assert events[0].error.path == "$"
    assert [type(e) for e in events[1:]] == [ChatCompletionChunkEvent, Done]
    skipped = list(streamkit.iter_events([body], dialect="chat", on_error="skip"))
    assert skipped == events[1:]


def test_too_many_unknown_annotations_is_a_decode_error() -> None:
    annotations = [{"type": "x"}] * 10_001
    data = json.dumps(s.chunk([{"index": 0, "delta": {"annotations": annotations}}])).encode()
    with pytest.raises(DecodeError, match="more than 10000"):
        decode_event("message", data)


# -- the dialect ---------------------------------------------------------------------------


def test_the_registry_finds_the_dialect() -> None:
    assert dialects.get("chat") is DIALECT
    assert DIALECT.name == "chat"
    assert DIALECT.decode is decode_event
    assert isinstance(DIALECT.accumulator(), chat.Accumulator)
    assert chat.InvalidEvent is streamkit.InvalidEvent  # one invalid event for every dialect
    assert sorted(chat.EVENT_NAMES) == ["error", "message"]


def test_public_names() -> None:
    assert isinstance(chat.__all__, tuple)
    assert sorted(chat.__all__) == sorted(set(chat.__all__))
    for name in chat.__all__:
        assert getattr(chat, name) is not None


@pytest.mark.parametrize("path", CAPTURES, ids=[p.name for p in CAPTURES])
def test_every_real_capture_is_detected_from_its_first_event(path: Path) -> None:
    first = streamkit.SSEDecoder().feed(path.read_bytes())[0]
    assert DIALECT.detect(first.event, first.view)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("thread.run.created", b'{"id": "run_1", "object": "thread.run"}'),
        ("message", b'{"type": "message_start", "message": {}}'),
        ("response.created", b'{"type": "response.created"}'),
        ("message", b"[DONE]"),
    ],
)
def test_other_streams_are_not_detected(name: str, data: bytes) -> None:
    assert not DIALECT.detect(name, data)


@pytest.mark.parametrize("path", OPENAI, ids=[p.name for p in OPENAI])
def test_every_real_chunk_reencodes_to_its_json(path: Path) -> None:
    """The schema knows every field OpenAI's captures send: a chunk round-trips exactly.

    (Compatible servers add fields of their own, which are not kept.)
    """
    for sse in streamkit.SSEDecoder().feed(path.read_bytes()):
        if sse.data == b"[DONE]":
            continue
        assert msgspec.to_builtins(_chunk(sse.data)) == json.loads(sse.data)
