"""The Ollama fold: the lines of a stream into the ``"stream": false`` response, and its rules."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from hypothesis import given, settings, strategies as st
from msgspec import UNSET

import streamkit
from streamkit.dialects import ollama
from tests.helpers import split_at

from . import streams as s
from .streams import Stream, call


def built(acc: ollama.Accumulator) -> Any:
    return msgspec.to_builtins(acc.result)


class TestChat:
    def test_content_is_joined_and_the_rest_is_the_last_lines(self) -> None:
        stream = Stream().text("Hel", "lo", " 😊").done("stop")
        acc = stream.fold(strict=True)
        result = acc.result
        assert type(result) is ollama.ChatResponse
        assert acc.endpoint == "chat"
        assert result.message == ollama.Message(role="assistant", content="Hello 😊")
        assert result.done is True
        assert result.done_reason == "stop"
        assert result.created_at == stream.body().splitlines()[-1].split(b'"')[7].decode()
        assert (result.prompt_eval_count, result.eval_count) == (15, 50)
        assert result.total_duration == s.METRICS["total_duration"]

    def test_thinking_is_joined_apart(self) -> None:
        acc = Stream().think("Let", " me", " see").text("42").done().fold(strict=True)
        assert acc.result.message.thinking == "Let me see"
        assert acc.reasoning == "Let me see"
        assert acc.text == "42"

    def test_no_thinking_leaves_it_out(self) -> None:
        result = built(Stream().text("a").done().fold())
        assert "thinking" not in result["message"]
        assert "tool_calls" not in result["message"]
        assert "logprobs" not in result

    def test_tool_calls_are_appended_as_sent(self) -> None:
        first = call("f", {"a": 1}, id="call_aaaaaaaa", index=0)
        second = call("g", {"b": [1, 2]}, id="call_bbbbbbbb", index=1)
        third = call("h", {})
        acc = Stream().tools(first, second).tools(third).done().fold(strict=True)
        assert built(acc)["message"]["tool_calls"] == [first, second, third]

    def test_logprobs_are_appended(self) -> None:
        one = {"token": "a", "logprob": -0.5}
        two = {"token": "b", "logprob": -0.25, "top_logprobs": [{"token": "b", "logprob": -0.25}]}
        stream = Stream().piece("a", logprobs=[one]).piece("b", logprobs=[two]).done()
        assert built(stream.fold())["logprobs"] == [one, two]

    def test_role_images_and_remote_fields_are_the_last_lines(self) -> None:
        stream = Stream().piece("a", remote_model="x").done(remote_model="gpt-oss:120b")
        result = built(stream.fold())
        assert result["remote_model"] == "gpt-oss:120b"
        assert result["message"]["role"] == "assistant"

    def test_an_early_done_line_without_message(self) -> None:
        stream = Stream().text("a", "b")
        stream.emit({**stream.head(), "done": True, "eval_count": 2, "prompt_eval_count": 3})
        acc = stream.fold(strict=True)
        assert built(acc)["message"] == {"role": "assistant", "content": "ab"}
        assert acc.outcome == streamkit.Outcome(kind="completed")
        assert acc.usage.total_tokens == 5

    def test_a_null_message_folds_as_no_message(self) -> None:
        stream = Stream().text("a")
        stream.emit({**stream.head(), "message": None, "done": False})
        assert stream.fold(strict=True).text == "a"


class TestGenerate:
    def test_response_is_joined_and_context_kept(self) -> None:
        acc = Stream("generate").text("un", "predict", "able").done("stop").fold(strict=True)
        result = acc.result
        assert type(result) is ollama.GenerateResponse
        assert acc.endpoint == "generate"
        assert result.response == "unpredictable"
        assert result.context == [105, 2364, 107]
        assert result.done_reason == "stop"

    def test_thinking_and_tool_calls(self) -> None:
        tool = call("f", {"q": "x"})
        stream = Stream("generate").think("hm").piece("", tool_calls=[tool]).done()
        result = built(stream.fold(strict=True))
        assert result["thinking"] == "hm"
        assert result["tool_calls"] == [tool]
        assert result["response"] == ""

    def test_no_done_reason_leaves_it_out(self) -> None:
        result = built(Stream("generate").text("x").done(None).fold())
        assert "done_reason" not in result
        assert result["done"] is True


class TestReading:
    def test_nothing_before_the_first_line(self) -> None:
        acc = ollama.Accumulator()
        assert acc.result is None
        assert acc.endpoint is None
        assert (acc.text, acc.reasoning, acc.tool_calls) == ("", "", [])
        assert acc.metrics is None
        assert acc.usage == streamkit.Usage()
        assert acc.outcome.kind == "truncated"

    def test_the_result_mid_stream_and_after(self) -> None:
        events = Stream().text("a", "b", "c").done().typed()
        acc = ollama.Accumulator()
        acc.feed(events[0])
        first = acc.result
        assert first is not None
        assert (first.message.content, first.done) == ("a", False)
        assert acc.result is first  # kept until a line changes it
        acc.feed(events[1])
        second = acc.result
        assert second is not first
        assert first.message.content == "a"  # a result once returned never changes
        assert second.message.content == "ab"
        for event in events[2:]:
            acc.feed(event)
        assert acc.result.message.content == "abc"
        assert acc.done

    def test_many_pieces_are_joined_once_read(self) -> None:
        pieces = [f"{i} " for i in range(2_000)]
        acc = Stream().text(*pieces).done().fold()
        assert acc.text == "".join(pieces)
        assert acc.result.message.content == "".join(pieces)


class TestViolations:
    def test_a_line_after_the_done_line(self) -> None:
        stream = Stream().text("a").done("stop").text("b").done("length")
        acc = stream.fold()
        assert [w.kind for w in acc.warnings] == ["after-done", "after-done"]
        assert [w.ordinal for w in acc.warnings] == [2, 3]
        assert acc.text == "ab"  # its text is folded all the same
        assert acc.result.done_reason == "stop"  # the rest of it is not taken
        assert acc.outcome.kind == "completed"
        with pytest.raises(streamkit.FoldError, match="after the done line") as info:
            stream.fold(strict=True)
        assert info.value.ordinal == 2

    def test_an_error_after_the_done_line(self) -> None:
        acc = Stream().text("a").done().error("late").fold()
        assert [w.kind for w in acc.warnings] == ["after-done"]
        assert acc.outcome.kind == "errored"

    def test_a_line_of_the_other_endpoint(self) -> None:
        chat = Stream().text("a")
        generate = Stream("generate").text("b")
        events = [*chat.typed(), *generate.typed(), *Stream().done().typed()]
        acc = s.fold(events)
        assert [(w.kind, w.ordinal) for w in acc.warnings] == [("other-endpoint", 1)]
        assert type(acc.result) is ollama.ChatResponse
        assert acc.text == "ab"
        with pytest.raises(streamkit.FoldError, match="/api/generate line in an /api/chat"):
            s.fold(events, strict=True)

    def test_an_invalid_line_is_a_violation(self) -> None:
        bad = b'{"model": 1, "created_at": "t", "done": false}\n'
        body = Stream().text("a").body() + bad + Stream().done().body()
        events = list(streamkit.iter_events([body], "ollama", on_error="yield"))
        assert type(events[1]) is streamkit.InvalidEvent
        acc = s.fold(events)
        assert [(w.kind, w.ordinal) for w in acc.warnings] == [("invalid-event", 1)]
        assert acc.outcome.kind == "completed"

    def test_unknown_lines_are_ignored(self) -> None:
        body = b'{"status": "pulling manifest"}\n' + Stream().text("a").done().body()
        acc = s.fold(list(streamkit.iter_events([body], "ollama")), strict=True)
        assert acc.warnings == []
        assert acc.text == "a"

    def test_another_dialects_first_event_is_a_mismatch(self) -> None:
        chunk = b'{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[]}'
        acc = ollama.Accumulator()
        acc.feed(streamkit.UnknownEvent("message", chunk))
        assert [w.kind for w in acc.warnings] == ["dialect-mismatch"]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), cuts=st.lists(st.integers(0, 4_000), max_size=12))
def test_any_stream_folds_to_the_servers_response_in_any_chunking(
    seed: int, cuts: list[int]
) -> None:
    """The response is the one the server builds for ``"stream": false``, however cut."""
    body, expected = s.random_stream(seed)
    events = list(streamkit.iter_events([body], "ollama"))
    again = list(streamkit.iter_events(split_at(body, cuts), "ollama"))
    assert again == events
    acc = s.fold(events, strict=True)
    assert built(acc) == expected
    assert built(s.fold(again)) == expected


@pytest.mark.parametrize("seed", range(4))
def test_one_byte_at_a_time(seed: int) -> None:
    body, expected = s.random_stream(seed)
    events = list(streamkit.iter_events([body[i : i + 1] for i in range(len(body))], "ollama"))
    assert built(s.fold(events)) == expected


def test_the_last_line_without_its_newline() -> None:
    body = Stream().text("a").done().body()[:-1]
    acc = s.fold(list(streamkit.iter_events([body], "ollama")), strict=True)
    assert acc.done
    assert acc.result.message.content == "a"


def test_a_cut_last_line_is_a_decode_error_after_what_came() -> None:
    body = Stream().text("a", "b").done().body()[:-20]
    got, error = s.until_error([body])
    assert isinstance(error, streamkit.DecodeError)
    acc = s.fold(got)
    assert (acc.text, acc.outcome.kind) == ("ab", "truncated")


def test_crlf_and_blank_lines() -> None:
    body = Stream().text("a", "b").done().body()
    odd = b"\r\n\n  \n" + body.replace(b"\n", b"\r\n\r\n")
    assert list(streamkit.iter_events([odd], "ollama")) == list(
        streamkit.iter_events([body], "ollama")
    )


def test_results_unset_where_the_stream_said_nothing() -> None:
    acc = Stream().text("a").fold()
    result = acc.result
    assert result.done is False
    assert result.done_reason is UNSET
    assert result.eval_count is UNSET
