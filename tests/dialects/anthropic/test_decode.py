"""Decoding Anthropic Messages payloads into typed events: known, unknown, broken."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

import streamkit
from streamkit import dialects
from streamkit._errors import DecodeError
from streamkit.dialects import anthropic as sk_anthropic
from streamkit.dialects.anthropic import (
    EVENT_NAMES,
    CitationsDelta,
    CitationWebSearchResultLocation,
    ContentBlockDelta,
    ContentBlockStart,
    ContentBlockStop,
    ErrorEvent,
    InputJSONDelta,
    InvalidEvent,
    MessageDelta,
    MessageStart,
    MessageStop,
    Ping,
    TextBlock,
    TextDelta,
    ToolUseBlock,
    Unknown,
    UnknownEvent,
    WebSearchResult,
    WebSearchToolResultBlock,
    decode_event,
)

from .streams import Stream, message


def _decode(payload: dict[str, Any], name: str | None = None) -> Any:
    return decode_event(name or payload["type"], json.dumps(payload).encode())


def test_the_event_names() -> None:
    """The eight events of the API, each name equal to its payload's ``type``."""
    assert {
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
        "ping",
        "error",
    } == EVENT_NAMES


def test_every_event_decodes_and_round_trips() -> None:
    """Each event decodes to its class and encodes back to the JSON it came from."""
    payloads = [
        {"type": "message_start", "message": message()},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}},
        {"type": "content_block_stop", "index": 0},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "usage": {"output_tokens": 7},
        },
        {"type": "message_stop"},
        {"type": "ping"},
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
    ]
    classes = [
        MessageStart,
        ContentBlockStart,
        ContentBlockDelta,
        ContentBlockStop,
        MessageDelta,
        MessageStop,
        Ping,
        ErrorEvent,
    ]
    for payload, cls in zip(payloads, classes, strict=True):
        event = _decode(payload)
        assert type(event) is cls
        assert event.event == event.type == payload["type"]
        assert msgspec.to_builtins(event) == payload


def test_a_memoryview_is_decoded_in_place() -> None:
    data = b'{"type":"content_block_delta","index":3,"delta":{"type":"text_delta","text":"x"}}'
    event = decode_event("content_block_delta", memoryview(bytearray(data)))
    assert event == ContentBlockDelta(index=3, delta=TextDelta(text="x"))


def test_absent_and_null_fields_stay_apart() -> None:
    """A field the API left out stays UNSET (absent on encoding); a null stays null."""
    start = _decode({"type": "message_start", "message": message()})
    usage = start.message.usage
    assert usage.cache_creation is msgspec.UNSET
    assert start.message.stop_details is msgspec.UNSET
    assert "stop_details" not in msgspec.to_builtins(start.message)
    with_null = _decode({"type": "message_start", "message": message(stop_details=None)})
    assert with_null.message.stop_details is None
    assert msgspec.to_builtins(with_null.message)["stop_details"] is None


def test_tool_use_and_input_json_delta() -> None:
    block = {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}
    start = _decode({"type": "content_block_start", "index": 1, "content_block": block})
    assert start.content_block == ToolUseBlock(id="toolu_1", name="get_weather", input={})
    delta = {"type": "input_json_delta", "partial_json": '{"loc'}
    event = _decode({"type": "content_block_delta", "index": 1, "delta": delta})
    assert event.delta == InputJSONDelta(partial_json='{"loc')


def test_citations_delta_and_web_search_results() -> None:
    citation = {
        "type": "web_search_result_location",
        "cited_text": "the text",
        "url": "https://example.com/",
        "title": "Example",
        "encrypted_index": "Eo8B",
    }
    event = _decode(
        {
            "type": "content_block_delta",
            "index": 2,
            "delta": {"type": "citations_delta", "citation": citation},
        }
    )
    assert event.delta == CitationsDelta(
        citation=CitationWebSearchResultLocation(
            cited_text="the text",
            url="https://example.com/",
            title="Example",
            encrypted_index="Eo8B",
        )
    )
    result = {
        "type": "web_search_tool_result",
        "tool_use_id": "srvtoolu_1",
        "content": [
            {
                "type": "web_search_result",
                "title": "T",
                "url": "https://example.com/",
                "encrypted_content": "Ep4",
                "page_age": None,
            }
        ],
    }
    start = _decode({"type": "content_block_start", "index": 1, "content_block": result})
    block = start.content_block
    assert type(block) is WebSearchToolResultBlock
    assert block.content == [
        WebSearchResult(
            title="T", url="https://example.com/", encrypted_content="Ep4", page_age=None
        )
    ]
    error = result | {
        "content": {"type": "web_search_tool_result_error", "error_code": "unavailable"}
    }
    start = _decode({"type": "content_block_start", "index": 1, "content_block": error})
    assert msgspec.to_builtins(start.content_block) == error


# -- forward compatibility -----------------------------------------------------------


def test_an_unknown_event_name_is_kept_raw() -> None:
    data = b'{"type":"message_pause","why":"thinking hard"}'
    event = decode_event("message_pause", data)
    assert event == UnknownEvent("message_pause", data)


def test_an_unknown_block_type_is_kept_raw() -> None:
    block = {"type": "hologram", "id": "h_1", "frames": [1, 2, 3]}
    event = _decode({"type": "content_block_start", "index": 0, "content_block": block})
    assert event.content_block == Unknown(data=block)
    assert event.content_block.kind == "hologram"


def test_an_unknown_delta_type_is_kept_raw() -> None:
    delta = {"type": "hologram_delta", "frame": 4}
    event = _decode({"type": "content_block_delta", "index": 0, "delta": delta})
    assert event.delta == Unknown(data=delta)


def test_unknown_types_deep_inside_are_kept_raw() -> None:
    """An unknown citation, search result or error object is an Unknown where it stands."""
    citation = {"type": "video_location", "cited_text": "x", "start_ms": 1}
    event = _decode(
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "citations_delta", "citation": citation},
        }
    )
    assert event.delta == CitationsDelta(citation=Unknown(data=citation))
    result = {
        "type": "web_search_tool_result",
        "tool_use_id": "srvtoolu_1",
        "content": [
            {"type": "web_search_result", "title": "T", "url": "u", "encrypted_content": "e"},
            {"type": "web_video_result", "url": "v"},
        ],
    }
    start = _decode({"type": "content_block_start", "index": 0, "content_block": result})
    assert start.content_block.content[1] == Unknown(data={"type": "web_video_result", "url": "v"})
    blocks = [{"type": "text", "text": "a"}, {"type": "sticker", "id": "s"}]
    start = _decode({"type": "message_start", "message": message(content=blocks)})
    assert start.message.content == [TextBlock(text="a"), Unknown(data=blocks[1])]


def test_extra_fields_are_ignored() -> None:
    payload = {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "text_delta", "text": "x", "sparkle": True},
        "trace": {"id": 1},
    }
    assert _decode(payload) == ContentBlockDelta(index=0, delta=TextDelta(text="x"))
    start = _decode({"type": "message_start", "message": message(glow=1)})
    assert start.message.id


def test_new_enum_values_decode() -> None:
    event = _decode(
        {
            "type": "message_delta",
            "delta": {"stop_reason": "took_a_nap", "stop_sequence": None},
            "usage": {"output_tokens": 3, "service_tier": "galactic"},
        }
    )
    assert event.delta.stop_reason == "took_a_nap"
    assert event.usage.service_tier == "galactic"


def test_an_unnamed_event_is_decoded_by_its_type() -> None:
    """An event without ``event:`` (the SSE default ``message``) goes by its payload's type."""
    data = b'{"type":"content_block_stop","index":4}'
    assert decode_event("message", data) == ContentBlockStop(index=4)
    assert decode_event("message", b'{"type":"nope"}') == UnknownEvent(
        "message", b'{"type":"nope"}'
    )
    assert decode_event("message", b'{"id":1}') == UnknownEvent("message", b'{"id":1}')
    assert decode_event("message", b"[1]") == UnknownEvent("message", b"[1]")
    with pytest.raises(DecodeError):
        decode_event("message", b'{"type":')


# -- broken input --------------------------------------------------------------------


def test_malformed_json_is_a_decode_error_with_location() -> None:
    data = b'{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"'
    with pytest.raises(DecodeError) as info:
        decode_event("content_block_delta", data)
    error = info.value
    assert error.event == "content_block_delta"
    assert error.path == "$"
    assert error.excerpt == data[: len(error.excerpt or b"")]
    assert error.excerpt


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ({"type": "content_block_delta", "delta": {"type": "text_delta", "text": "x"}}, "$"),
        (
            {
                "type": "content_block_delta",
                "index": "0",
                "delta": {"type": "text_delta", "text": ""},
            },
            "$.index",
        ),
        (
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": 5}},
            "$.delta.text",
        ),
        ({"type": "content_block_delta", "index": 0, "delta": {"text": "x"}}, "$.delta"),
        ({"type": "message_start", "message": {"id": "m", "model": "c"}}, "$.message"),
        ({"type": "content_block_stop", "index": 0}, "$.type"),
    ],
)
def test_missing_or_ill_typed_fields_name_their_path(payload: dict[str, Any], path: str) -> None:
    name = "content_block_delta" if payload["type"] == "content_block_stop" else payload["type"]
    with pytest.raises(DecodeError) as info:
        _decode(payload, name)
    assert info.value.path == path
    assert info.value.event == name


def test_bad_utf8_is_a_decode_error() -> None:
    with pytest.raises(DecodeError):
        decode_event(
            "content_block_delta", b'{"type":"content_block_delta","index":0,"delta":\xff}'
        )


def test_too_many_unknown_objects_is_a_decode_error() -> None:
    results = [{"type": "strange"}] * 10_001
    payload = {
        "type": "content_block_start",
        "index": 0,
        "content_block": {"type": "web_search_tool_result", "tool_use_id": "t", "content": results},
    }
    with pytest.raises(DecodeError, match="unknown type"):
        _decode(payload)


def test_the_stream_layer_locates_a_broken_event() -> None:
    """Through ``iter_events``: the ordinal, offset and name of the bad event."""
    good = Stream().start().block(0, {"type": "text", "text": ""}).body()
    bad = b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,\n\n'
    with pytest.raises(DecodeError) as info:
        list(streamkit.iter_events([good, bad], dialect="anthropic"))
    assert (info.value.ordinal, info.value.offset, info.value.event) == (
        2,
        len(good),
        "content_block_delta",
    )
    events = list(streamkit.iter_events([good, bad], dialect="anthropic", on_error="yield"))
    assert type(events[-1]) is InvalidEvent
    assert events[-1].event == "content_block_delta"


# -- the dialect -----------------------------------------------------------------------


def test_the_dialect_is_registered() -> None:
    dialect = dialects.get("anthropic")
    assert dialect is sk_anthropic.DIALECT
    assert dialect.name == "anthropic"
    assert dialect.decode is decode_event
    assert isinstance(dialect.accumulator(), sk_anthropic.Accumulator)
    assert sk_anthropic.InvalidEvent is streamkit.InvalidEvent


def test_ping_is_a_keepalive_and_nothing_else_is() -> None:
    events = Stream().start().ping().block(0, {"type": "text", "text": ""}).typed()
    assert [sk_anthropic.DIALECT.is_keepalive(e) for e in events] == [False, True, False]
    assert not sk_anthropic.DIALECT.is_keepalive(UnknownEvent("ping", b"{}"))


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("message_start", b"{}", True),
        ("ping", b'{"type":"ping"}', True),
        ("content_block_delta", b"{}", True),
        ("error", b'{"type":"error"}', False),
        ("thread.run.created", b"{}", False),
        ("response.created", b"{}", False),
        ("message", b'{"type":"message_start","message":{}}', True),
        ("message", b'{"id":"chatcmpl-1","object":"chat.completion.chunk"}', False),
        ("message", b"[DONE]", False),
    ],
)
def test_detect(name: str, data: bytes, expected: bool) -> None:
    assert sk_anthropic.DIALECT.detect(name, data) is expected


def test_the_public_names() -> None:
    assert isinstance(sk_anthropic.__all__, tuple)
    for name in sk_anthropic.__all__:
        assert hasattr(sk_anthropic, name), name
    assert len(set(sk_anthropic.__all__)) == len(sk_anthropic.__all__)
