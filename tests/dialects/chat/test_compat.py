"""OpenAI-compatible servers: each way their streams bend OpenAI's schema, accepted.

For every rule, a stream built from the rule (with the ``streams.py``
builders) and the real capture that shows it (``tests/data/real/chat/
compat-*.sse``, see ``SOURCES.md``).  Two rules have no real capture yet
(``object: "chat.completion"`` on chunks, chunks without ``created``): only
built streams show them.  Whether each capture ends as expected, records the
violations expected and keeps every face check is the conformance kit's job
(``tests/dialects/chat/case.py``).
"""

from __future__ import annotations

import functools
import json
from typing import Any

import msgspec
import pytest

import streamkit
from streamkit import FoldError
from streamkit.dialects import chat
from tests.helpers import REAL

from . import streams as s
from .streams import Stream

DIR = REAL / "chat"
COMPAT = sorted(path.name for path in DIR.glob("compat-*.sse"))


@functools.cache
def _events(name: str) -> tuple[Any, ...]:
    return tuple(streamkit.iter_events([(DIR / name).read_bytes()], dialect="chat"))


def _real(name: str) -> chat.Accumulator:
    return s.fold(list(_events(name)))


def _result(acc: chat.Accumulator) -> chat.ChatCompletion:
    result = acc.result
    assert result is not None
    return result


def _message(acc: chat.Accumulator, index: int = 0) -> chat.ChatCompletionMessage:
    return _result(acc).choices[index].message


def _kinds(acc: chat.Accumulator) -> list[tuple[str, int]]:
    return [(w.kind, w.ordinal) for w in acc.warnings]


def _deltas(events: Any, kind: str) -> list[str]:
    return [d.text for d in streamkit.deltas(events) if d.kind == kind]


def _lanes(events: Any) -> list[str]:
    return [chat.DIALECT.kind(event) for event in events]


def _outcome(acc: chat.Accumulator) -> tuple[str, str | None]:
    return acc.outcome.kind, acc.outcome.reason


def test_the_compat_captures_are_there() -> None:
    assert len(COMPAT) == 20


@pytest.mark.parametrize("name", COMPAT)
def test_every_compat_capture_folds_strictly_unless_it_bends_the_schema(name: str) -> None:
    """Lenient, a capture folds without an exception; strict, it raises exactly when lenient
    records a violation, and the error is the first violation's."""
    events = list(_events(name))
    lenient = s.fold(events)
    if not lenient.warnings:
        assert s.fold(events, strict=True).result == lenient.result
        return
    with pytest.raises(FoldError) as info:
        s.fold(events, strict=True)
    assert info.value.message == lenient.warnings[0].message


# -- tool_calls entries without index -----------------------------------------------------


def _unindexed(arguments: str | None = None, **fields: Any) -> dict[str, Any]:
    """A tool call part as Mistral, Ollama and Gemini send it: no ``index``."""
    return s.without(s.call(0, arguments, **fields), "index")


def test_tool_call_parts_without_index_are_matched_by_id() -> None:
    stream = Stream().start(content=None)
    stream.delta(
        tool_calls=[_unindexed("", id="call_a", name="f"), _unindexed("", id="call_b", name="g")]
    )
    stream.delta(tool_calls=[_unindexed('{"x": 1}', id="call_b")])
    stream.delta(tool_calls=[_unindexed('{"y": 2}', id="call_a")])
    acc = stream.finish("tool_calls").done().fold()
    assert [(c.id, c.name, c.arguments, c.index) for c in acc.tool_calls] == [
        ("call_a", "f", '{"y": 2}', 0),
        ("call_b", "g", '{"x": 1}', 1),
    ]
    assert [(w.kind, w.ordinal, w.index) for w in acc.warnings] == [
        ("tool-call-without-index", 1, 0)
    ]
    assert _outcome(acc) == ("requires_action", "tool_calls")
    calls = _message(acc).tool_calls
    assert isinstance(calls, list)
    assert [type(c) for c in calls] == [chat.FunctionToolCall, chat.FunctionToolCall]
    with pytest.raises(FoldError, match="without index"):
        stream.fold(strict=True)


def test_a_new_id_without_index_starts_the_next_tool_call() -> None:
    stream = Stream().delta(tool_calls=[s.call(0, "{}", id="call_a", name="f")])
    stream.delta(tool_calls=[_unindexed("{}", id="call_b", name="g")])
    acc = stream.finish("tool_calls").fold()
    assert [(c.id, c.index) for c in acc.tool_calls] == [("call_a", 0), ("call_b", 1)]


def test_tool_call_parts_without_index_or_id_are_placed_by_position() -> None:
    """Gemini's ``id: ""`` is no id: parts go by their position in the chunk."""
    stream = Stream().delta(tool_calls=[_unindexed("", id="", name="f"), _unindexed("", name="g")])
    stream.delta(tool_calls=[_unindexed('{"a": '), _unindexed("{}")])
    stream.delta(tool_calls=[_unindexed("1}")])
    events = stream.finish("tool_calls").typed()
    acc = s.fold(events)
    assert [(c.id, c.name, c.arguments, c.index) for c in acc.tool_calls] == [
        ("", "f", '{"a": 1}', 0),
        (None, "g", "{}", 1),
    ]
    # deltas() says the same: a part without index is numbered by its position
    pieces = [(d.call, d.text) for d in streamkit.deltas(events) if d.kind == "tool_arguments"]
    assert pieces == [(0, '{"a": '), (1, "{}"), (0, "1}")]
    assert _kinds(acc) == [("tool-call-without-index", 0)]


@pytest.mark.parametrize(
    ("name", "call_id", "function", "arguments", "outcome"),
    [
        (
            "compat-mistral_tool-call-no-index_2025-01-12.sse",
            "JdDHRctXt",
            "return_quote",
            {"quote": "May the Force be with you.", "character": "Obi-Wan Kenobi"},
            ("requires_action", "tool_calls"),
        ),
        (
            "compat-ollama_tool-call-no-index_2024-11-29.sse",
            "call_28sm5ma0",
            "return_list_of_int",
            {"value": "[1, 2, 3, 4, 5]"},
            ("requires_action", "stop"),
        ),
        (
            "compat-gemini_tool-call-no-index-no-id_2025-03-02.sse",
            "",
            "return_list_of_str",
            {"value": ["apple", "banana", "orange"]},
            ("requires_action", "stop"),
        ),
    ],
)
def test_real_tool_calls_without_index(
    name: str, call_id: str, function: str, arguments: Any, outcome: tuple[str, str]
) -> None:
    """Sent whole, in one part without ``index``; Ollama and Gemini end them with ``stop``,
    which still leaves calls to answer: ``requires_action``, the server's word kept."""
    acc = _real(name)
    (call,) = acc.tool_calls
    assert (call.id, call.name, call.index) == (call_id, function, 0)
    assert json.loads(call.arguments) == arguments
    assert _message(acc).tool_calls == [
        chat.FunctionToolCall(
            id=call_id, function=chat.Function(name=function, arguments=call.arguments)
        )
    ]
    assert "tool-call-without-index" in [w.kind for w in acc.warnings]
    assert _outcome(acc) == outcome


# -- a missing id, created or model ------------------------------------------------------


def test_chunks_without_id_created_or_model() -> None:
    """Reported once; the completion has ``""`` and ``0`` where the chunks never said."""
    stream = Stream()
    for choice in (
        {"index": 0, "delta": {"role": "assistant", "content": "Hi"}, "finish_reason": None},
        {"index": 0, "delta": {"content": "!"}, "finish_reason": None},
        {"index": 0, "delta": {}, "finish_reason": "stop"},
    ):
        stream.emit(s.without(s.chunk([choice]), "id", "created", "model"))
    acc = stream.done().fold()
    result = _result(acc)
    assert (result.id, result.created, result.model) == ("", 0, "")
    assert (acc.text, _outcome(acc)) == ("Hi!", ("completed", "stop"))
    assert _kinds(acc) == [("missing-field", 0)]
    assert acc.warnings[0].message == "a chunk without id or created or model"
    with pytest.raises(FoldError, match="without id"):
        stream.fold(strict=True)


def test_a_chunk_without_created_and_model_keeps_its_id() -> None:
    stream = Stream().emit(
        s.without(s.chunk([{"index": 0, "delta": {"content": "a"}}]), "created", "model")
    )
    acc = stream.text("b").finish().fold()
    result = _result(acc)
    assert (result.id, result.created, result.model, acc.text) == (s.ID, 0, "", "ab")
    assert [w.message for w in acc.warnings] == ["a chunk without created or model"]


def test_a_chunk_without_id_after_the_first_joins_the_completion() -> None:
    stream = Stream().start().text("a")
    stream.emit(s.without(s.chunk([{"index": 0, "delta": {"content": "b"}}]), "id"))
    acc = stream.text("c").finish().fold()
    assert (_result(acc).id, acc.text) == (s.ID, "abc")
    assert _kinds(acc) == [("missing-field", 2)]


def test_real_chunks_without_id() -> None:
    acc = _real("compat-gemini_tool-call-no-index-no-id_2025-03-02.sse")
    result = _result(acc)
    assert (result.id, result.created, result.model) == ("", 1740894643, "gemini-2.0-flash")
    assert [w.message for w in acc.warnings if w.kind == "missing-field"] == ["a chunk without id"]


# -- null token counts ---------------------------------------------------------------------


def test_null_token_counts_are_none_and_never_erase_a_count() -> None:
    counting = {"prompt_tokens": 22, "completion_tokens": None, "total_tokens": None}
    stream = Stream().start()
    stream.chunk({"index": 0, "delta": {"content": "a"}, "finish_reason": None}, usage=counting)
    acc = stream.fold()
    assert (acc.usage.input_tokens, acc.usage.output_tokens, acc.usage.total_tokens) == (
        22,
        None,
        None,
    )
    assert _kinds(acc) == [("null-usage-count", 1)]
    final = {"prompt_tokens": 22, "completion_tokens": 37, "total_tokens": 59}
    stream.chunk({"index": 0, "delta": {}, "finish_reason": "stop"}, usage=final)
    assert stream.fold().usage.output_tokens == 37
    # a later usage object with null counts keeps the counts given before it
    stream.chunk({"index": 0, "delta": {}}, usage={"prompt_tokens": 22, "completion_tokens": None})
    acc = stream.fold()
    assert (acc.usage.input_tokens, acc.usage.output_tokens, acc.usage.total_tokens) == (22, 37, 59)
    assert _kinds(acc) == [("null-usage-count", 1)]
    assert _result(acc).usage == chat.CompletionUsage(
        prompt_tokens=22, completion_tokens=37, total_tokens=59
    )


def test_real_null_token_counts() -> None:
    """Databricks: completion and total tokens null on every chunk but the last."""
    name = "compat-databricks_null-usage-counts_2025-12-31.sse"
    events = list(_events(name))
    early = s.fold(events[:3]).usage
    assert (early.input_tokens, early.output_tokens, early.total_tokens) == (22, None, None)
    acc = _real(name)
    assert (acc.usage.input_tokens, acc.usage.output_tokens, acc.usage.total_tokens) == (22, 37, 59)
    assert [(w.kind, w.ordinal) for w in acc.warnings] == [("null-usage-count", 0)]


# -- chunks whose object is "chat.completion" ----------------------------------------------


def test_chunks_whose_object_is_chat_completion() -> None:
    stream = Stream()
    for choice in (
        {"index": 0, "delta": {"role": "assistant", "content": "Hel"}, "finish_reason": None},
        {"index": 0, "delta": {"content": "lo"}, "finish_reason": "stop"},
    ):
        stream.emit(s.chunk([choice], object="chat.completion"))
    body = stream.done().body()
    assert list(streamkit.iter_events([body], "auto")) == stream.typed()  # detected as chat
    acc = stream.fold()
    assert (acc.text, _outcome(acc)) == ("Hello", ("completed", "stop"))
    assert _kinds(acc) == [("object-type", 0)]
    assert acc.warnings[0].message == "a chunk whose object is 'chat.completion'"
    with pytest.raises(FoldError, match=r"chat\.completion"):
        stream.fold(strict=True)


def test_a_whole_message_in_place_of_a_delta_is_folded_as_one() -> None:
    """A server that sends its whole completion as one ``chat.completion`` event."""
    message = {
        "role": "assistant",
        "content": "Paris.",
        "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
        ],
    }
    choice = {"index": 0, "message": message, "finish_reason": "tool_calls"}
    stream = Stream().emit(s.chunk([choice], object="chat.completion")).done()
    events = stream.typed()
    acc = s.fold(events)
    assert acc.text == "Paris."
    assert [(c.id, c.name, c.arguments) for c in acc.tool_calls] == [("call_1", "f", "{}")]
    assert sorted(w.kind for w in acc.warnings) == [
        "message-not-delta",
        "object-type",
        "tool-call-without-index",
    ]
    assert _deltas(events, "text") == ["Paris."]
    assert _lanes(events) == ["tool", "lifecycle"]


# -- reasoning_content, reasoning and reasoning_details ------------------------------------


def test_reasoning_content_is_kept_and_surfaced() -> None:
    """DeepSeek's shape: reasoning with ``content: null``, then content with reasoning null."""
    stream = Stream().delta(role="assistant", content=None, reasoning_content="")
    for piece in ("Hmm", ", the", " user"):
        stream.delta(content=None, reasoning_content=piece)
    for piece in ("Hello", "!"):
        stream.delta(content=piece, reasoning_content=None)
    events = stream.finish().done().typed()
    acc = s.fold(events, strict=True)
    message = _message(acc)
    assert (message.content, message.reasoning_content) == ("Hello!", "Hmm, the user")
    assert message.reasoning is msgspec.UNSET
    assert acc.text == "Hello!"
    assert acc.reasoning == "Hmm, the user" == "".join(_deltas(events, "reasoning"))
    reasoning = [d for d in streamkit.deltas(events) if d.kind == "reasoning"]
    assert {(d.index, d.call) for d in reasoning} == {(0, None)}
    assert _lanes(events) == [
        "lifecycle",
        *["reasoning"] * 3,
        "content",
        "content",
        "lifecycle",
        "lifecycle",
    ]
    assert list(streamkit.text_deltas(events)) == ["Hello", "!"]


def test_reasoning_and_reasoning_details_are_kept_and_surfaced_once() -> None:
    """OpenRouter sends the same text as ``reasoning`` and in ``reasoning_details``."""
    stream = Stream()
    for piece in ("We need", " to answer"):
        detail = {"type": "reasoning.text", "text": piece, "index": 0, "format": None}
        stream.delta(content="", reasoning=piece, reasoning_details=[detail])
    stream.delta(content="Hi", reasoning=None, reasoning_details=[])
    events = stream.finish().typed()
    acc = s.fold(events, strict=True)
    message = _message(acc)
    assert message.reasoning == "We need to answer"
    assert message.reasoning_details == [
        {"type": "reasoning.text", "text": "We need", "index": 0, "format": None},
        {"type": "reasoning.text", "text": " to answer", "index": 0, "format": None},
    ]
    assert acc.reasoning == "We need to answer" == "".join(_deltas(events, "reasoning"))
    assert _lanes(events) == ["reasoning", "reasoning", "content", "lifecycle"]


def test_reasoning_details_alone_surface_their_text_and_summaries() -> None:
    details = [
        {"type": "reasoning.summary", "summary": "Plan: ", "index": 0},
        {"type": "reasoning.text", "text": "think", "index": 1},
        {"type": "reasoning.encrypted", "data": "gAAAA", "index": 2},
    ]
    events = Stream().delta(reasoning_details=details).finish().typed()
    acc = s.fold(events)
    assert acc.reasoning == "Plan: think" == "".join(_deltas(events, "reasoning"))
    assert _message(acc).reasoning_details == details


def test_reasoning_content_and_reasoning_in_one_delta_count_once() -> None:
    events = Stream().delta(reasoning_content="x", reasoning="x").delta(content="y").typed()
    acc = s.fold(events)
    assert (acc.reasoning, _deltas(events, "reasoning")) == ("x", ["x"])
    message = _message(acc)
    assert (message.reasoning_content, message.reasoning) == ("x", "x")


def test_reasoning_of_each_choice_is_its_own() -> None:
    stream = Stream().delta(0, reasoning_content="a").delta(1, reasoning_content="b")
    events = stream.delta(0, reasoning_content="c").typed()
    acc = s.fold(events)
    assert acc.reasoning == "ac"
    assert [(d.index, d.text) for d in streamkit.deltas(events)] == [(0, "a"), (1, "b"), (0, "c")]
    assert _message(acc, 1).reasoning_content == "b"


@pytest.mark.parametrize(
    ("name", "field", "start"),
    [
        ("compat-deepseek_reasoning-content-non-ascii_2025-07-10.sse", "reasoning_content", "Hmm"),
        ("compat-zai_reasoning-content_2026-06-30.sse", "reasoning_content", "\n1.  **Analyze"),
        ("compat-openrouter_error-chunk-reasoning-details_2025-11-03.sse", "reasoning", "We need"),
        ("compat-groq_error-event-no-done_2026-02-18.sse", "reasoning", "We need to call"),
        (
            "compat-groq_compound-executed-tools-new-id-per-chunk_2025-09-17.sse",
            "reasoning",
            "<think>",
        ),
    ],
)
def test_real_reasoning(name: str, field: str, start: str) -> None:
    events = list(_events(name))
    acc = s.fold(events)
    kept = getattr(_message(acc), field)
    assert isinstance(kept, str)
    assert kept.startswith(start)
    assert acc.reasoning == kept == "".join(_deltas(events, "reasoning"))
    assert "reasoning" in _lanes(events)


def test_real_reasoning_details_are_kept_raw() -> None:
    acc = _real("compat-openrouter_error-chunk-reasoning-details_2025-11-03.sse")
    message = _message(acc)
    assert message.reasoning_details == [
        {"type": "reasoning.text", "text": "We need", "index": 0, "format": None},
        {
            "type": "reasoning.text",
            "text": " to respond to a greeting. The user",
            "index": 0,
            "format": None,
        },
    ]
    assert message.reasoning == "We need to respond to a greeting. The user"


def test_real_reasoning_then_content() -> None:
    acc = _real("compat-deepseek_reasoning-content-non-ascii_2025-07-10.sse")
    assert acc.text == "Hello there! 😊 How can I help you today?"
    assert acc.usage.reasoning_tokens == 198
    assert acc.warnings == []


# -- choices missing or null ---------------------------------------------------------------


def test_choices_null_is_a_violation_and_missing_choices_is_not() -> None:
    stream = Stream().start().text("a")
    stream.emit(
        s.chunk(None, usage={"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3})
    )
    acc = stream.fold()
    assert acc.warnings == []  # no choices at all: OpenAI's own audio stream does it
    stream.emit({**s.chunk(None), "choices": None}).finish()
    acc = stream.fold()
    assert _kinds(acc) == [("null-choices", 3)]
    assert (acc.text, acc.usage.total_tokens, _outcome(acc)) == ("a", 3, ("completed", "stop"))
    assert list(streamkit.deltas(stream.typed()[3:4])) == []
    with pytest.raises(FoldError, match="choices: null"):
        stream.fold(strict=True)


def test_real_chunks_without_choices() -> None:
    """OpenAI's audio stream: padding chunks without ``choices``, folded without a violation."""
    name = "openai-dotnet_audio-output_2026-06-05.sse"
    events = list(_events(name))
    bare = [
        e
        for e in events
        if type(e) is chat.ChatCompletionChunkEvent and e.data.choices is msgspec.UNSET
    ]
    assert bare
    assert [w.kind for w in s.fold(events).warnings] == ["unfinished-choice"]


# -- an error object mid-stream ------------------------------------------------------------


def test_an_error_payload_mid_stream_is_errored() -> None:
    stream = Stream().start().text("Hel").error("Overloaded", code="overloaded")
    events = stream.typed()
    assert type(events[-1]) is chat.ErrorEvent
    acc = s.fold(events)
    assert _outcome(acc) == ("errored", None)
    assert acc.outcome.error == acc.errors[0]
    assert (acc.errors[0].code, acc.text) == ("overloaded", "Hel")
    assert _lanes(events)[-1] == "error"


def test_an_error_inside_a_chunk_is_errored_and_the_chunk_folded() -> None:
    """OpenRouter: an ``error`` beside the chunk's choices and usage."""
    usage = {"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6}
    stream = Stream().start().text("Hel")
    choice = {"index": 0, "delta": {"content": "lo"}, "finish_reason": None}
    stream.chunk(choice, error={"code": 400, "message": "Token limit reached"}, usage=usage)
    events = stream.finish().done().typed()
    assert type(events[-3]) is chat.ChatCompletionChunkEvent
    acc = s.fold(events, strict=True)  # not a violation: the outcome says it
    assert _outcome(acc) == ("errored", None)
    assert acc.errors == [chat.ErrorObject(message="Token limit reached", code=400)]
    assert (acc.text, acc.usage.total_tokens) == ("Hello", 6)
    assert _lanes(events)[-3:] == ["error", "lifecycle", "lifecycle"]
    # an error as a bare string, inside a chunk
    stream = Stream().start().chunk(choice, error="upstream timeout")
    assert s.fold(stream.typed()).errors == [chat.ErrorObject(message="upstream timeout")]


def test_real_error_event_mid_stream() -> None:
    """Groq: ``event: error`` after 94 reasoning chunks, and no ``[DONE]``."""
    events = list(_events("compat-groq_error-event-no-done_2026-02-18.sse"))
    last = events[-1]
    assert type(last) is chat.ErrorEvent
    assert (last.event, last.data.code, last.data.type) == (
        "error",
        "tool_use_failed",
        "invalid_request_error",
    )
    acc = s.fold(events)
    assert _outcome(acc) == ("errored", None)
    assert acc.outcome.error is last.data
    assert not acc.done


def test_real_error_inside_a_chunk() -> None:
    events = list(_events("compat-openrouter_error-chunk-reasoning-details_2025-11-03.sse"))
    acc = s.fold(events)
    assert _outcome(acc) == ("errored", None)
    assert acc.errors == [chat.ErrorObject(message="Token limit reached", code=400)]
    assert (acc.usage.input_tokens, acc.usage.output_tokens) == (43, 10)
    assert _result(acc).choices[0].finish_reason == "length"
    assert _lanes(events)[-2:] == ["error", "lifecycle"]
    # cut before the error chunk, the stream said it ended at the length limit
    assert _outcome(s.fold(events[:3])) == ("incomplete", "length")


# -- no [DONE] at the end ------------------------------------------------------------------


def test_without_done_a_stream_is_completed_once_every_choice_finished() -> None:
    stream = Stream().start().text("a").start(1).text("b", index=1).finish()
    acc = stream.fold()
    assert (_outcome(acc), acc.done) == (("truncated", None), False)
    stream.finish(index=1).usage()
    acc = stream.fold(strict=True)
    assert (_outcome(acc), acc.done, acc.usage.total_tokens) == (("completed", "stop"), False, 15)


def test_real_stream_without_done() -> None:
    """A capture without its last line ``data: [DONE]`` folds to what the whole one does."""
    name = "compat-deepseek_reasoning-content-non-ascii_2025-07-10.sse"
    body = (DIR / name).read_bytes()
    assert body.endswith(b"data: [DONE]\n\n")
    events = list(streamkit.iter_events([body.removesuffix(b"data: [DONE]\n\n")], dialect="chat"))
    acc = s.fold(events, strict=True)
    whole = _real(name)
    assert (_outcome(acc), acc.done) == (("completed", "stop"), False)
    assert (acc.result, acc.usage) == (whole.result, whole.usage)


# -- Mistral's content as a list of parts ----------------------------------------------------


def _thinking(text: str) -> dict[str, Any]:
    return {"type": "thinking", "thinking": [{"type": "text", "text": text}]}


def test_content_parts_text_is_content_and_thinking_is_reasoning() -> None:
    stream = Stream().start().delta(content="")
    for piece in ("Okay", ", the", " user"):
        stream.delta(content=[_thinking(piece)])
    stream.delta(content=[{"type": "text", "text": "To "}, {"type": "text", "text": "cross"}])
    stream.text(", look.")
    events = stream.finish().done().typed()
    acc = s.fold(events)
    message = _message(acc)
    assert message.content == "To cross, look." == acc.text
    assert message.thinking == [{"type": "text", "text": "Okay, the user"}]
    assert acc.reasoning == "Okay, the user" == "".join(_deltas(events, "reasoning"))
    assert list(streamkit.text_deltas(events)) == ["To ", "cross", ", look."]
    assert _lanes(events)[2:7] == ["reasoning"] * 3 + ["content"] * 2
    assert _kinds(acc) == [("content-parts", 2)]
    with pytest.raises(FoldError, match="list of parts"):
        stream.fold(strict=True)


def test_thinking_parts_keep_what_is_not_plain_text() -> None:
    reference = {"type": "reference", "reference_ids": [1]}
    parts = [
        {"type": "thinking", "thinking": [{"type": "text", "text": "a"}, reference]},
        {"type": "thinking", "thinking": [{"type": "text", "text": "b"}]},
        {"type": "thinking", "thinking": "c"},
    ]
    events = Stream().delta(content=parts).typed()
    acc = s.fold(events)
    assert _message(acc).thinking == [
        {"type": "text", "text": "a"},
        reference,
        {"type": "text", "text": "bc"},
    ]
    assert acc.reasoning == "abc" == "".join(_deltas(events, "reasoning"))
    assert _message(acc).content is msgspec.UNSET


def test_an_unknown_content_part_is_a_violation_each_time() -> None:
    image = {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
    stream = Stream().delta(content=[{"type": "text", "text": "a"}, image]).delta(content=[image])
    acc = stream.fold()
    assert _kinds(acc) == [
        ("content-parts", 0),
        ("unknown-content-part", 0),
        ("unknown-content-part", 1),
    ]
    assert "'image_url'" in acc.warnings[1].message
    assert acc.text == "a"


def test_real_content_parts() -> None:
    name = "compat-mistral_thinking-content-list_2025-11-28.sse"
    events = list(_events(name))
    acc = s.fold(events)
    message = _message(acc)
    assert message.content == acc.text
    assert acc.text.startswith("To cross the street safely")
    assert acc.reasoning.startswith("Okay, the user is asking")
    assert message.thinking == [{"type": "text", "text": acc.reasoning}]
    assert [w.kind for w in acc.warnings] == ["content-parts"]


# -- a new id on every chunk; usage in x_groq ----------------------------------------------


def test_usage_in_x_groq_stands_for_the_chunks_usage() -> None:
    usage = {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8, "queue_time": 0.2}
    stream = Stream()
    first = {"index": 0, "delta": {"role": "assistant", "content": "a"}, "finish_reason": None}
    stream.emit(s.without(s.chunk([first], x_groq={"id": "req_1"}), "usage"))
    last = {"index": 0, "delta": {}, "finish_reason": "stop"}
    stream.emit(s.without(s.chunk([last], x_groq={"usage": usage}), "usage"))  # as Groq does
    stream.emit(s.without(s.chunk([]), "usage"))  # no usage of its own, no x_groq: no change
    acc = stream.done().fold(strict=True)
    assert (acc.usage.input_tokens, acc.usage.output_tokens, acc.usage.total_tokens) == (5, 3, 8)


def test_real_new_id_on_every_chunk() -> None:
    """Groq compound: 226 ids in one stream, ``stub`` the last; usage only in ``x_groq``."""
    name = "compat-groq_compound-executed-tools-new-id-per-chunk_2025-09-17.sse"
    events = list(_events(name))
    ids = {e.data.id for e in events if type(e) is chat.ChatCompletionChunkEvent}
    assert len(ids) == 226
    acc = s.fold(events)
    assert _result(acc).id == "chatcmpl-03ea1ed2-c2dc-4f8d-ba51-54e08ca9287c"
    assert acc.text == "".join(streamkit.text_deltas(events))
    assert acc.text.startswith("The weather in San Francisco today is")
    assert (acc.usage.input_tokens, acc.usage.output_tokens) == (5003, 359)
    assert [w.kind for w in acc.warnings] == ["other-id"]


# -- the built streams on the kit's terms ----------------------------------------------------


def _built() -> list[Stream]:
    no_index = Stream().delta(tool_calls=[_unindexed("{}", id="c", name="f")])
    no_id = Stream().emit(s.without(s.chunk([{"index": 0, "delta": {"content": "a"}}]), "id"))
    reasoning = Stream().delta(reasoning_content="r", reasoning="r", reasoning_details=[{"a": 1}])
    parts = Stream().delta(content=[_thinking("t"), {"type": "text", "text": "x"}])
    error = Stream().start().chunk({"index": 0, "delta": {}}, error={"message": "boom"})
    usage = Stream().chunk({"index": 0, "delta": {}}, usage={"prompt_tokens": None})
    whole = Stream().emit(
        s.chunk([{"index": 0, "message": {"content": "m"}}], object="chat.completion")
    )
    nulls = Stream().emit({**s.chunk(None), "choices": None})
    return [no_index, no_id, reasoning, parts, error, usage, whole, nulls]


BUILT_IDS = ["no-index", "no-id", "reasoning", "parts", "error", "null-count", "whole", "null"]


@pytest.mark.parametrize("stream", _built(), ids=BUILT_IDS)
def test_built_compat_chunks_encode_to_equal_events(stream: Stream) -> None:
    events = stream.done().typed()
    for event in events:
        assert list(streamkit.iter_events([streamkit.encode(event)], dialect="chat")) == [event]
    body = stream.body()
    assert (
        list(streamkit.iter_events([body[i : i + 1] for i in range(len(body))], "chat")) == events
    )
