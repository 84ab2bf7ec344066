"""Decoding Ollama lines: each line shape, errors with their JSON path, unknown lines, detection."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from msgspec import UNSET

import streamkit
from streamkit.dialects import ollama
from tests.helpers import REAL

from .streams import MODEL, line, until_error

HEAD = {"model": MODEL, "created_at": "2025-08-20T13:48:23.241046Z"}


def decode(obj: Any) -> Any:
    data = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    return ollama.decode_event("message", data)


class TestChatLines:
    def test_a_content_line(self) -> None:
        event = decode({**HEAD, "message": {"role": "assistant", "content": "Hi"}, "done": False})
        assert type(event) is ollama.ChatChunkEvent
        assert event.event == "message"
        chunk = event.data
        assert (chunk.model, chunk.created_at, chunk.done) == (MODEL, HEAD["created_at"], False)
        assert chunk.message == ollama.ChunkMessage(role="assistant", content="Hi")
        assert chunk.done_reason is UNSET
        assert chunk.eval_count is UNSET

    def test_thinking_and_tool_calls(self) -> None:
        calls = [
            {"id": "call_k3v9q2xa", "function": {"index": 0, "name": "f", "arguments": {"a": 1}}},
            {"function": {"name": "g", "arguments": {}}},
        ]
        message = {"role": "assistant", "content": "", "thinking": "hm", "tool_calls": calls}
        event = decode({**HEAD, "message": message, "done": False})
        got = event.data.message
        assert got.thinking == "hm"
        assert got.tool_calls == [
            ollama.ToolCall(
                id="call_k3v9q2xa",
                function=ollama.ToolCallFunction(index=0, name="f", arguments={"a": 1}),
            ),
            ollama.ToolCall(function=ollama.ToolCallFunction(name="g", arguments={})),
        ]
        assert got.tool_calls[1].id is UNSET
        assert got.tool_calls[1].function.index is UNSET

    def test_arguments_sent_as_text_are_kept_as_text(self) -> None:
        call = {"function": {"name": "f", "arguments": '{"a": 1}'}}
        event = decode({**HEAD, "message": {"role": "assistant", "tool_calls": [call]}})
        assert event.data.message.tool_calls[0].function.arguments == '{"a": 1}'

    def test_the_done_line(self) -> None:
        data = (REAL / "ollama" / "magentic_chat-llama31_2024-11-17.ndjson").read_bytes()
        last = data.splitlines()[-1]
        chunk = decode(last).data
        assert chunk.done is True
        assert chunk.done_reason == "stop"
        assert (chunk.prompt_eval_count, chunk.eval_count) == (13, 10)
        assert (chunk.total_duration, chunk.load_duration) == (1_006_884_459, 22_981_209)
        assert (chunk.prompt_eval_duration, chunk.eval_duration) == (80_000_000, 902_000_000)

    def test_an_early_done_line_without_message_is_a_chat_line(self) -> None:
        """Servers of early 2024 sent the last /api/chat line without ``message``."""
        event = decode({**HEAD, "done": True, "total_duration": 5, "eval_count": 3})
        assert type(event) is ollama.ChatChunkEvent
        assert event.data.message is UNSET
        assert event.data.eval_count == 3

    def test_newer_fields(self) -> None:
        logprob = {
            "token": "Hi",
            "logprob": -0.1,
            "top_logprobs": [{"token": "Hi", "logprob": -0.1}],
        }
        event = decode(
            {
                **HEAD,
                "remote_model": "gpt-oss:120b",
                "remote_host": "https://ollama.com:443",
                "message": {"role": "assistant", "content": "Hi", "images": None},
                "done": False,
                "_debug_info": {"rendered_template": "<s>", "image_count": 0},
                "logprobs": [logprob],
            }
        )
        chunk = event.data
        assert (chunk.remote_model, chunk.remote_host) == ("gpt-oss:120b", "https://ollama.com:443")
        assert chunk.debug_info == {"rendered_template": "<s>", "image_count": 0}
        assert chunk.logprobs == [
            ollama.Logprob(
                token="Hi",
                logprob=-0.1,
                top_logprobs=[ollama.TokenLogprob(token="Hi", logprob=-0.1)],
            )
        ]
        assert chunk.message.images is None
        assert msgspec.to_builtins(chunk)["_debug_info"] == chunk.debug_info

    def test_unknown_fields_are_ignored(self) -> None:
        event = decode(
            {**HEAD, "message": {"role": "assistant", "content": "x", "new": 1}, "extra": [1]}
        )
        assert event.data.message.content == "x"


class TestGenerateLines:
    def test_a_response_line(self) -> None:
        event = decode({**HEAD, "response": "Hi", "done": False})
        assert type(event) is ollama.GenerateChunkEvent
        assert event.event == "message"
        assert (event.data.response, event.data.done) == ("Hi", False)

    def test_the_done_line_has_the_context(self) -> None:
        path = REAL / "ollama" / "langchainrb_generate-llama2_2024-02-05.ndjson"
        chunk = decode(path.read_bytes().splitlines()[-1]).data
        assert type(chunk) is ollama.GenerateChunk
        assert chunk.done is True
        assert chunk.done_reason is UNSET  # an early-2024 server
        assert isinstance(chunk.context, list)
        assert len(chunk.context) == 41
        assert chunk.eval_count == 16

    def test_thinking_and_tool_calls(self) -> None:
        call = {"function": {"name": "f", "arguments": {"x": [1, 2]}}}
        event = decode(
            {**HEAD, "response": "", "thinking": "so", "done": True, "tool_calls": [call]}
        )
        assert event.data.thinking == "so"
        assert event.data.tool_calls[0].function.arguments == {"x": [1, 2]}

    def test_a_message_key_nested_in_arguments_does_not_make_a_chat_line(self) -> None:
        call = {"function": {"name": "say", "arguments": {"message": "hi"}}}
        event = decode({**HEAD, "response": "", "done": True, "tool_calls": [call]})
        assert type(event) is ollama.GenerateChunkEvent


class TestErrorsAndUnknownLines:
    def test_an_error_line_is_an_event(self) -> None:
        event = decode({"error": "an error was encountered while running the model"})
        assert type(event) is ollama.ErrorEvent
        assert event.event == "message"
        assert event.data.error == "an error was encountered while running the model"

    def test_an_error_with_model_and_time_is_an_error_too(self) -> None:
        event = decode({**HEAD, "error": "boom"})
        assert type(event) is ollama.ErrorEvent

    @pytest.mark.parametrize(
        "obj",
        [
            {"status": "pulling manifest"},
            {"status": "success", "digest": "sha256:0"},
            {"error": ""},
            {"error": None},
            {},
            {**HEAD},
        ],
    )
    def test_other_objects_are_unknown_events(self, obj: Any) -> None:
        data = json.dumps(obj).encode()
        event = decode(data)
        assert event == streamkit.UnknownEvent("message", data)

    def test_another_frame_name_is_unknown(self) -> None:
        assert ollama.decode_event("ping", b"{}") == streamkit.UnknownEvent("ping", b"{}")

    @pytest.mark.parametrize(
        ("data", "path"),
        [
            (b"not json", "$"),
            (b'{"model": "m", "created_at"', "$"),
            (b"[", "$"),
            (b"[1, 2]", "$"),
            (b"null", "$"),
            (b'"text"', "$"),
            (b'{"model": 1, "created_at": "t", "message": {}}', "$.model"),
            (b'{"model": "m", "message": {"content": "x"}}', "$"),
            (b'{"model": "m", "created_at": "t", "message": {"content": 5}}', "$.message.content"),
            (b'{"model": "m", "created_at": "t", "message": [], "done": false}', "$.message"),
            (
                b'{"model": "m", "created_at": "t", "message": {"tool_calls": [{"function": {}}]}}',
                "$.message.tool_calls[0].function",
            ),
            (b'{"model": "m", "created_at": "t", "done": "yes"}', "$.done"),
            (b'{"model": "m", "created_at": "t", "response": 3}', "$.response"),
            (b'{"model": "m", "response": "x"}', "$"),
            (b'{"model": "m", "created_at": "t", "response": "", "context": "x"}', "$.context"),
            (b'{"error": 5}', "$.error"),
            (b'{"error": {"message": "x"}}', "$.error"),
            (b'{"model": "m", "created_at": "t", "response": "\xff"}', "$"),
        ],
    )
    def test_bad_lines_are_decode_errors_with_their_path(self, data: bytes, path: str) -> None:
        with pytest.raises(streamkit.DecodeError) as info:
            ollama.decode_event("message", data)
        assert info.value.path == path
        assert info.value.event == "message"
        assert info.value.excerpt

    def test_the_stream_locates_a_bad_line(self) -> None:
        good = line({**HEAD, "message": {"role": "assistant", "content": "a"}, "done": False})
        body = good + good + b'{"model": "m", "created_at": "t", "done": 1}\n'
        events, error = until_error([body])
        assert len(events) == 2
        assert isinstance(error, streamkit.DecodeError)
        assert (error.ordinal, error.offset, error.path) == (2, 2 * len(good), "$.done")


def test_a_view_of_the_chunk_decodes_as_bytes() -> None:
    data = line({**HEAD, "message": {"role": "assistant", "content": "é"}, "done": False})
    view = memoryview(b"xx" + data)[2:-1]
    assert ollama.decode_event("message", view) == ollama.decode_event("message", data[:-1])


class TestDetection:
    @pytest.mark.parametrize(
        "path", sorted((REAL / "ollama").glob("*.ndjson")), ids=lambda p: p.stem
    )
    def test_it_claims_every_real_first_line(self, path: Any) -> None:
        first = path.read_bytes().split(b"\n")[0]
        assert ollama.looks_like_ollama("message", first)

    @pytest.mark.parametrize(
        "data",
        [
            b'{"error": "boom"}',
            b'{"status": "pulling manifest"}',
            b'{"model": "m", "done": true}',
            b'{"created_at": "t", "response": "x"}',
            b'{"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m"}',
            b'{"type": "response.created", "response": {"created_at": 1, "model": "m"}}',
            b'{"type": "message_start", "message": {"model": "m"}}',
            b"[DONE]",
            b"not json",
            b"[1]",
            b"",
        ],
    )
    def test_it_claims_nothing_else(self, data: bytes) -> None:
        assert not ollama.looks_like_ollama("message", data)

    def test_only_the_message_frame(self) -> None:
        first = {**HEAD, "response": "x", "done": False}
        assert not ollama.looks_like_ollama("error", json.dumps(first).encode())
        assert ollama.looks_like_ollama("message", json.dumps(first).encode())

    def test_auto_reads_a_stream_as_ollama(self) -> None:
        body = (REAL / "ollama" / "langchainrb_generate-llama3_2024-05-30.ndjson").read_bytes()
        events = list(streamkit.iter_events([body[i : i + 7] for i in range(0, len(body), 7)]))
        assert [type(e) for e in events] == [ollama.GenerateChunkEvent] * 5
        assert events == list(streamkit.iter_events([body], "ollama"))
