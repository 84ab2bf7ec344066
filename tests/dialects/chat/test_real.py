"""The real Chat Completions captures decode and fold, in any chunking, without a warning."""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any

import msgspec
import pytest
from hypothesis import given, settings, strategies as st

import streamkit
from streamkit.dialects import chat
from tests.helpers import REAL, split_at

from . import streams as s

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

DIR = REAL / "chat"
# OpenAI's own captures (the compatible servers' are in test_compat.py): they fold strictly.
FILES = sorted(path for path in DIR.glob("*.sse") if not path.name.startswith("compat-"))
NAMES = [path.name for path in FILES]


def test_the_recordings_are_there() -> None:
    assert len(FILES) == 19


@functools.cache
def _body(name: str) -> bytes:
    return (DIR / name).read_bytes()


@functools.cache
def _events(name: str) -> tuple[Any, ...]:
    return tuple(streamkit.iter_events([_body(name)], dialect="chat"))


def _state(acc: chat.Accumulator) -> Any:
    """Everything a fold ends with, as builtins, for comparing folds."""
    return {
        "result": msgspec.to_builtins(acc.result),
        "usage": msgspec.to_builtins(acc.usage),
        "errors": msgspec.to_builtins(acc.errors),
        "done": acc.done,
        "warnings": [(w.kind, w.ordinal) for w in acc.warnings],
    }


@functools.cache
def _folded(name: str) -> Any:
    return _state(s.fold(list(_events(name))))


def _payloads(name: str) -> list[Any]:
    """The JSON of every chunk of a capture, read without streamkit."""
    lines = _body(name).split(b"\n")
    return [json.loads(x[6:]) for x in lines if x.startswith(b"data: ") and x != b"data: [DONE]"]


@pytest.mark.parametrize("name", NAMES)
def test_recording_decodes_and_folds_cleanly(name: str) -> None:
    """Every chunk decodes; the fold ends done, without warnings or errors, strict or not.

    The one exception is real: the audio stream sends no ``finish_reason``.
    """
    events = _events(name)
    assert all(type(e) is chat.ChatCompletionChunkEvent for e in events[:-1])
    assert type(events[-1]) is chat.Done
    assert len(events) - 1 == len(_payloads(name))
    unfinished = "audio-output" in name
    acc = s.fold(list(events), strict=not unfinished)
    assert acc.done
    assert [w.kind for w in acc.warnings] == (["unfinished-choice"] if unfinished else [])
    assert acc.errors == []
    result = acc.result
    assert result is not None
    assert result.id.startswith("chatcmpl-")
    assert result.object == "chat.completion"
    assert result.choices


@pytest.mark.parametrize("name", NAMES)
def test_fold_equals_a_plain_reading_of_the_chunks(name: str) -> None:
    """Content, refusal, tool calls and finish reasons are what the chunks say, joined."""
    expected: dict[int, dict[str, Any]] = {}
    for payload in _payloads(name):
        for choice in payload.get("choices") or []:
            got = expected.setdefault(
                choice["index"], {"content": "", "refusal": "", "calls": {}, "finish": None}
            )
            delta = choice.get("delta", {})
            got["content"] += delta.get("content") or ""
            got["refusal"] += delta.get("refusal") or ""
            for call in delta.get("tool_calls") or []:
                item = got["calls"].setdefault(call["index"], {"arguments": ""})
                function = call.get("function") or {}
                item["arguments"] += function.get("arguments") or ""
                for key, value in (("id", call.get("id")), ("name", function.get("name"))):
                    if value is not None:
                        item[key] = value
            got["finish"] = choice.get("finish_reason") or got["finish"]
    result = s.fold(list(_events(name))).result
    assert result is not None
    assert [c.index for c in result.choices] == sorted(expected)
    for choice in result.choices:
        want = expected[choice.index]
        message = choice.message
        assert (message.content or "") == want["content"]
        assert (message.refusal or "") == want["refusal"]
        calls = message.tool_calls if isinstance(message.tool_calls, list) else []
        view = [
            {"id": c.id, "name": c.function.name, "arguments": c.function.arguments}
            for c in calls
            if isinstance(c, chat.FunctionToolCall)
        ]
        assert view == [want["calls"][i] for i in sorted(want["calls"])]
        assert choice.finish_reason == want["finish"]


@pytest.mark.parametrize("size", [7, 1])
@pytest.mark.parametrize("name", NAMES)
def test_small_chunks_give_the_same_events_and_fold(name: str, size: int) -> None:
    body = _body(name)
    chunks = [body[i : i + size] for i in range(0, len(body), size)]
    events = list(streamkit.iter_events(chunks, dialect="chat"))
    assert events == list(_events(name))
    assert _state(s.fold(events)) == _folded(name)


@settings(max_examples=80, deadline=None)
@given(data=st.data(), name=st.sampled_from(NAMES))
def test_any_chunking_gives_the_same_events_and_fold(data: st.DataObject, name: str) -> None:
    body = _body(name)
    cuts = data.draw(st.lists(st.integers(0, len(body)), max_size=80), label="cuts")
    events = list(streamkit.iter_events(split_at(body, cuts), dialect="chat"))
    assert events == list(_events(name))
    assert _state(s.fold(events)) == _folded(name)


@settings(max_examples=40, deadline=None)
@given(data=st.data(), name=st.sampled_from(NAMES))
def test_reading_the_result_midway_does_not_change_the_fold(data: st.DataObject, name: str) -> None:
    events = list(_events(name))
    reads = set(data.draw(st.lists(st.integers(0, len(events)), max_size=10), label="reads"))
    acc = chat.Accumulator()
    for i, event in enumerate(events):
        if i in reads:
            acc.result  # noqa: B018
        acc.feed(event)
    assert _state(acc) == _folded(name)


# -- what particular captures show -----------------------------------------------------


def _result(name: str) -> Any:
    return _folded(name)["result"]


def test_n3_has_three_choices() -> None:
    result = _result("openai-python_n3-multiple-choices_2024-09-26.sse")
    assert [c["index"] for c in result["choices"]] == [0, 1, 2]
    temperatures = [json.loads(c["message"]["content"])["temperature"] for c in result["choices"]]
    assert temperatures == [65, 61, 59]
    assert result["usage"]["completion_tokens"] == 42


def test_parallel_tool_calls() -> None:
    message = _result("openai-python_parallel-tool-calls_2024-09-26.sse")["choices"][0]["message"]
    calls = message["tool_calls"]
    assert [c["function"]["name"] for c in calls] == ["GetWeatherArgs", "get_stock_price"]
    assert [json.loads(c["function"]["arguments"]) for c in calls] == [
        {"city": "Edinburgh", "country": "GB", "units": "c"},
        {"ticker": "AAPL", "exchange": "NASDAQ"},
    ]
    assert message["content"] is None


def test_refusal_with_logprobs() -> None:
    choice = _result("openai-python_refusal-logprobs_2024-09-26.sse")["choices"][0]
    refusal = choice["message"]["refusal"]
    assert refusal == "I'm very sorry, but I can't assist with that."
    assert "".join(t["token"] for t in choice["logprobs"]["refusal"]) == refusal
    assert choice["logprobs"]["content"] is None


def test_content_logprobs() -> None:
    choice = _result("openai-python_content-logprobs_2024-09-26.sse")["choices"][0]
    assert [t["token"] for t in choice["logprobs"]["content"]] == ["Foo", "!"]
    assert choice["logprobs"]["refusal"] is None


def test_audio_output() -> None:
    """Audio across chunks without ``choices``, and a chunk after the usage chunk."""
    name = "openai-dotnet_audio-output_2026-06-05.sse"
    result = _result(name)
    audio = result["choices"][0]["message"]["audio"]
    pieces = [
        c["delta"]["audio"]["data"]
        for p in _payloads(name)
        for c in p.get("choices") or []
        if "data" in c["delta"].get("audio", {})
    ]
    assert len(pieces) == 3
    assert audio == {
        "id": "audio_6a233a354ee081918e294494ab803d56",
        "data": "".join(pieces),
        "expires_at": 1780697157,
        "transcript": "Hello",
    }
    assert result["choices"][0]["message"]["role"] == "assistant"
    assert result["usage"]["completion_tokens_details"]["audio_tokens"] == 19


def test_moderation_chunk_after_usage() -> None:
    result = _result("pydantic-ai_gpt5-moderation-obfuscation_2026-07-22.sse")
    assert result["usage"]["total_tokens"] == 24
    assert result["moderation"]["output"]["results"][0]["flagged"] is False
    assert result["choices"][0]["message"]["content"] == "Paris."


def test_azure_content_filter() -> None:
    result = _result("openllmetry_azure-content-filter_2024-04-25.sse")
    assert result["id"] == "chatcmpl-9HpbaAXyt0cAnlWvI8kUAFpZt5jyQ"
    assert (result["created"], result["model"]) == (1714036974, "gpt-35-turbo")
    assert result["prompt_filter_results"][0]["prompt_index"] == 0
    assert result["system_fingerprint"] is None


def test_2023_format_has_no_fingerprint_or_logprobs() -> None:
    result = _result("ruby-openai_text-gpt35-0301_2023-04-29.sse")
    assert "system_fingerprint" not in result
    assert "logprobs" not in result["choices"][0]
    assert "usage" not in result


@pytest.mark.anyio
@pytest.mark.parametrize("name", NAMES[:4])
async def test_aiter_events_gives_the_same_events(name: str) -> None:
    """The async glue decodes a capture to the same events (asyncio and trio)."""
    body = _body(name)

    async def chunks() -> AsyncIterator[bytes]:
        for i in range(0, len(body), 97):
            yield body[i : i + 97]

    events = [event async for event in streamkit.aiter_events(chunks(), dialect="chat")]
    assert events == list(_events(name))
