"""The real Anthropic captures: exact decoding, and what specific captures fold to.

The conformance kit (``tests/conformance``, entry ``case.py``) checks every
capture for what every dialect shares: detection, re-encoding, chunkings,
the common face (outcome, text, tool calls, usage, no warning), cut streams.
What is left here is this dialect's own: the schema knows every field of
every capture, and the fields of some captures fold to what they sent.
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any

import msgspec
import pytest

import streamkit
from streamkit.dialects.anthropic import (
    ContentBlockDelta,
    ContentBlockStart,
    MessageStart,
    Unknown,
)
from tests.helpers import REAL

from .streams import fold

if TYPE_CHECKING:
    from streamkit.dialects import anthropic as sk_anthropic

DIR = REAL / "anthropic"
FILES = sorted(DIR.glob("*.sse"))
NAMES = [path.name for path in FILES]

pytestmark = pytest.mark.skipif(not FILES, reason=f"no real captures in {DIR}")


def test_the_captures_are_there() -> None:
    assert len(FILES) == 15


@functools.cache
def body(name: str) -> bytes:
    return (DIR / name).read_bytes()


@functools.cache
def events(name: str) -> tuple[Any, ...]:
    return tuple(streamkit.iter_events([body(name)], dialect="anthropic"))


def state(acc: sk_anthropic.Accumulator) -> Any:
    """Everything a fold ends with, as builtins, for comparing folds."""
    return {
        "result": msgspec.to_builtins(acc.result),
        "done": acc.done,
        "errors": msgspec.to_builtins(acc.errors),
        "warnings": [(w.kind, w.ordinal, w.index) for w in acc.warnings],
    }


@functools.cache
def folded(name: str) -> Any:
    return state(fold(events(name)))


def _payloads(data: bytes) -> list[tuple[str, Any]]:
    """(event name, JSON payload) of every event, read with the SSE decoder and ``json``."""
    decoder = streamkit.SSEDecoder()
    return [(e.event, json.loads(e.data)) for e in decoder.feed(data) + decoder.close()]


@pytest.mark.parametrize("name", NAMES)
def test_every_event_is_known_and_round_trips_exactly(name: str) -> None:
    """Each event decodes to a known type, nothing inside is Unknown, and it encodes back.

    ``msgspec.to_builtins(event)`` equals the JSON the server sent, field for
    field: the schema knows every field of every real capture.
    """
    typed = events(name)
    payloads = _payloads(body(name))
    assert len(typed) == len(payloads)
    for event, (sse_name, payload) in zip(typed, payloads, strict=True):
        assert type(event).__name__ != "UnknownEvent"
        assert event.event == sse_name == payload["type"]
        assert msgspec.to_builtins(event) == payload
        if isinstance(event, ContentBlockStart):
            assert type(event.content_block) is not Unknown
        elif isinstance(event, ContentBlockDelta):
            assert type(event.delta) is not Unknown
        elif isinstance(event, MessageStart):
            assert not any(type(b) is Unknown for b in event.message.content)


@pytest.mark.parametrize("name", NAMES)
def test_every_capture_folds_strictly_to_the_blocks_it_started(name: str) -> None:
    acc = fold(events(name), strict=True)
    message = acc.result
    assert message is not None
    assert message.usage.output_tokens > 0
    # What the stream sent, and nothing more, reached the message.
    starts = [e for e in events(name) if isinstance(e, ContentBlockStart)]
    assert starts
    assert [b.type for b in message.content] == [e.content_block.type for e in starts]


def _content(name: str) -> list[Any]:
    result = folded(name)["result"]
    assert isinstance(result, dict)
    content: list[Any] = result["content"]
    return content


def test_tool_use_input_is_parsed() -> None:
    content = _content("openllmetry_tool-use_2025-07-29.sse")
    assert [b["type"] for b in content] == ["text", "tool_use", "tool_use"]
    assert content[1]["name"] == "get_weather"
    assert content[1]["input"] == {"location": "San Francisco, CA", "unit": "celsius"}
    assert content[2]["name"] == "get_time"
    assert content[2]["input"] == {"timezone": "America/Los_Angeles"}
    assert content[0]["text"].startswith("Certainly! I can help you with that information.")


def test_thinking_has_its_signature() -> None:
    thinking, text = _content("pydantic-ai_thinking-sonnet4_2026-02-05.sse")
    assert thinking["type"] == "thinking"
    assert thinking["thinking"].startswith("This is a straightforward question about pedestrian")
    assert len(thinking["signature"]) > 100
    assert text["type"] == "text"


def test_web_search_citations_are_appended() -> None:
    content = _content("pydantic-ai_web-search-citations_2025-08-14.sse")
    citations = [c for b in content if b["type"] == "text" for c in b.get("citations") or ()]
    assert len(citations) == body("pydantic-ai_web-search-citations_2025-08-14.sse").count(
        b'"type":"citations_delta"'
    )
    assert [len(b.get("citations") or ()) for b in content if b["type"] == "text"][2:5] == [2, 0, 1]
    assert {c["type"] for c in citations} == {"web_search_result_location"}
    queries = [b["input"]["query"] for b in content if b["type"] == "server_tool_use"]
    assert len(queries) == 2
    assert all(isinstance(q, str) and q for q in queries)


def test_compaction_mcp_and_code_execution() -> None:
    compaction = _content("pydantic-ai_compaction-block_2026-08-10.sse")[0]
    assert compaction["type"] == "compaction"
    assert compaction["content"].startswith("The user provided a very long context")
    mcp = _content("pydantic-ai_mcp-connector_2025-11-25.sse")
    use = next(b for b in mcp if b["type"] == "mcp_tool_use")
    assert use["input"] == {
        "repoName": "pydantic/pydantic-ai",
        "question": "What is this repository about? What are its main features and purpose?",
    }
    result = folded("pydantic-ai_code-execution_2026-05-08.sse")["result"]
    assert result["container"]["id"].startswith("container_")
    assert any(b["type"] == "bash_code_execution_tool_result" for b in result["content"])


def test_pause_turn_and_usage_totals() -> None:
    result = folded("pydantic-ai_pause-turn-web-search_2026-07-14.sse")["result"]
    assert result["stop_reason"] == "pause_turn"
    # message_delta's usage is a total: replaced, not added to message_start's.
    assert result["usage"]["input_tokens"] == 404500
    assert result["usage"]["output_tokens"] == 943
    assert result["usage"]["server_tool_use"] == {
        "web_search_requests": 10,
        "web_fetch_requests": 0,
    }
    cache = folded("openllmetry_prompt-cache-write_2025-03-15.sse")["result"]["usage"]
    assert cache["cache_creation_input_tokens"] == 1165


@pytest.mark.parametrize("name", NAMES)
def test_one_byte_at_a_time_gives_the_same_events_and_fold(name: str) -> None:
    """The kit feeds only small bodies byte by byte; every capture is fed so here."""
    data = body(name)
    if len(data) > 100_000:
        data = data[:100_000]  # the 256 KB capture, cut: still the same events as the prefix
        chunks = [data[i : i + 1] for i in range(len(data))]
        whole = list(streamkit.iter_events([data], dialect="anthropic"))
        assert list(streamkit.iter_events(chunks, dialect="anthropic")) == whole
        return
    chunks = [data[i : i + 1] for i in range(len(data))]
    got = list(streamkit.iter_events(chunks, dialect="anthropic"))
    assert got == list(events(name))
    assert state(fold(got)) == folded(name)


@pytest.mark.anyio
async def test_aiter_events_gives_the_same_fold() -> None:
    name = "pydantic-ai_web-search-thinking_2025-09-18.sse"
    data = body(name)

    async def chunks() -> Any:
        for i in range(0, len(data), 4096):
            yield data[i : i + 4096]

    got = [e async for e in streamkit.aiter_events(chunks(), dialect="anthropic")]
    assert got == list(events(name))
