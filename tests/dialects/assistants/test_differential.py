"""streamkit's fold against openai-python's ``AssistantEventHandler``, on the same bytes.

openai-python is driven without a network: an ``httpx.MockTransport`` answers
``client.beta.threads.runs.stream(...)`` (the handler, with its fold and
callbacks) and ``runs.create(stream=True)`` (openai's typed events, which
``accumulate_event`` / ``accumulate_run_step`` — the handler's fold alone —
are then applied to) with the SSE body.

Generated runs agree three ways: streamkit's fold of a stream with the final
objects removed equals both the omitted final objects and openai-python's
fold.  Where openai-python's fold is wrong, a test pins it next to the
streamkit result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
import pytest
from hypothesis import given, settings, strategies as st

httpx = pytest.importorskip("httpx")
openai = pytest.importorskip("openai")
from openai.lib.streaming._assistants import accumulate_event, accumulate_run_step

import streamkit
from streamkit import assistants

from . import streams as s
from .streams import Stream

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.filterwarnings(
    "ignore:The Assistants API is deprecated:DeprecationWarning"
)

MSG = "msg_A1b2C3d4E5f6G7h8I9j0K1l2"
MSG2 = "msg_Z9y8X7w6V5u4T3s2R1q0P9o8"
STEP = "step_A1b2C3d4E5f6G7h8I9j0K1l2"


# -- driving openai-python -----------------------------------------------------------


class _Client:
    """An OpenAI client whose every request is answered with *body* as an event stream."""

    def __init__(self, body: bytes) -> None:
        def answer(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

        self.http = httpx.Client(transport=httpx.MockTransport(answer))
        self.client = openai.OpenAI(
            api_key="sk-test", base_url="http://test.invalid/v1", http_client=self.http
        )

    def __enter__(self) -> openai.OpenAI:
        return self.client

    def __exit__(self, *exc: object) -> None:
        self.client.close()
        self.http.close()


class OpenAIFold(msgspec.Struct):
    """What openai-python folded: messages and run steps by id, the last run (as builtins)."""

    messages: dict[str, Any]
    run_steps: dict[str, Any]
    run: Any


def _dump(model: Any) -> Any:
    return model.model_dump(mode="json", warnings=False)


def handler_fold(body: bytes) -> OpenAIFold:
    """openai-python's ``AssistantEventHandler`` fold of *body* (its exceptions propagate)."""
    with (
        _Client(body) as client,
        client.beta.threads.runs.stream(
            thread_id=s.THREAD_ID, assistant_id=s.ASSISTANT_ID
        ) as stream,
    ):
        stream.until_done()
        return OpenAIFold(
            messages={m.id: _dump(m) for m in _or_none(stream.get_final_messages)},
            run_steps={step.id: _dump(step) for step in _or_none(stream.get_final_run_steps)},
            run=_dump(stream.get_final_run()),
        )


def _or_none(get: Any) -> list[Any]:
    """What *get* returns, or nothing where openai-python raises "No messages/run steps found"."""
    try:
        return list(get())
    except RuntimeError as exc:
        assert str(exc).startswith("No ")  # noqa: PT017
        return []


def _openai_events(body: bytes) -> Iterator[Any]:
    with _Client(body) as client:
        yield from client.beta.threads.runs.create(
            thread_id=s.THREAD_ID, assistant_id=s.ASSISTANT_ID, stream=True
        )


def accumulate_fold(body: bytes) -> OpenAIFold:
    """openai-python's fold functions alone (no handler callbacks) applied to its typed events."""
    message = None
    messages: dict[str, Any] = {}
    steps: dict[str, Any] = {}
    run = None
    for event in _openai_events(body):
        message, _ = accumulate_event(event=event, current_message_snapshot=message)
        if message is not None:
            messages[message.id] = message
        accumulate_run_step(event=event, run_step_snapshots=steps)
        if event.event.startswith("thread.run.") and not event.event.startswith("thread.run.step"):
            run = event.data
    return OpenAIFold(
        messages={k: _dump(v) for k, v in messages.items()},
        run_steps={k: _dump(v) for k, v in steps.items()},
        run=None if run is None else _dump(run),
    )


def streamkit_fold(body: bytes) -> assistants.Accumulator:
    return s.fold(list(streamkit.iter_events([body])))


# -- the fields both folds model -------------------------------------------------------


def content_view(content: list[Any]) -> list[Any]:
    """Text values, annotations, image files and refusals of a message's content (builtins)."""
    out: list[Any] = []
    for part in content:
        kind = part["type"]
        if kind == "text":
            annotations = []
            for a in part["text"].get("annotations") or []:
                cited = a.get("file_citation") or a.get("file_path") or {}
                annotations.append(
                    {
                        "type": a["type"],
                        "text": a["text"],
                        "start_index": a["start_index"],
                        "end_index": a["end_index"],
                        "file_id": cited.get("file_id"),
                    }
                )
            out.append({"type": kind, "value": part["text"]["value"], "annotations": annotations})
        elif kind == "image_file":
            out.append({"type": kind, "file_id": part["image_file"]["file_id"]})
        elif kind == "refusal":
            out.append({"type": kind, "refusal": part["refusal"]})
        else:
            out.append({"type": kind})
    return out


def calls_view(details: Any) -> list[Any]:
    """Tool call ids, types, function names and arguments, code interpreter input and outputs."""
    out: list[Any] = []
    for call in details.get("tool_calls") or []:
        view = {"id": call.get("id"), "type": call["type"]}
        if call["type"] == "function":
            view |= {"name": call["function"]["name"], "arguments": call["function"]["arguments"]}
        elif call["type"] == "code_interpreter":
            ci = call["code_interpreter"]
            outputs = [
                {"type": "logs", "logs": o["logs"]}
                if o["type"] == "logs"
                else {"type": o["type"], "file_id": o["image"]["file_id"]}
                for o in ci.get("outputs") or []
            ]
            view |= {"input": ci["input"], "outputs": outputs}
        out.append(view)
    return out


def _final_content(obj: dict[str, Any]) -> Any:
    return msgspec.to_builtins(msgspec.convert(obj, assistants.Message).content)


def _final_details(obj: dict[str, Any]) -> Any:
    return msgspec.to_builtins(msgspec.convert(obj, assistants.RunStep).step_details)


# -- generated runs: all three agree --------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_fold_without_finals_equals_finals_and_openai(seed: int) -> None:
    """With the final objects removed, streamkit's fold equals them and openai-python's fold."""
    body, finals = s.random_run(seed, finals=False)
    assert b"thread.message.completed" not in body
    assert b"thread.run.step.completed" not in body
    acc = streamkit_fold(body)
    theirs = handler_fold(body)
    assert acc.warnings == []
    assert acc.outcome.kind == "completed"
    assert list(acc.messages) == list(finals["messages"]) == list(theirs.messages)
    assert list(acc.run_steps) == list(finals["run_steps"]) == list(theirs.run_steps)
    for msg_id, final in finals["messages"].items():
        ours = msgspec.to_builtins(acc.messages[msg_id].content)
        assert ours == _final_content(final)
        assert content_view(ours) == content_view(theirs.messages[msg_id]["content"])
    for step_id, final in finals["run_steps"].items():
        ours = msgspec.to_builtins(acc.run_steps[step_id].step_details)
        assert ours == _final_details(final)
        assert calls_view(ours) == calls_view(theirs.run_steps[step_id]["step_details"])


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_fold_with_finals_is_the_finals_without_drift(seed: int) -> None:
    """With the final objects in the stream, each snapshot is the final object; nothing drifts."""
    body, finals = s.random_run(seed, finals=True)
    acc = streamkit_fold(body)
    assert acc.drift == []
    assert acc.warnings == []
    for msg_id, final in finals["messages"].items():
        assert acc.messages[msg_id] == msgspec.convert(final, assistants.Message)
    for step_id, final in finals["run_steps"].items():
        assert acc.run_steps[step_id] == msgspec.convert(final, assistants.RunStep)


def test_several_fragments_of_one_tool_call_in_one_delta_agree() -> None:
    """Several fragments of one tool call inside one delta: both folds merge them.

    openai-python 3.57 handles this case right ("even the first indexed list
    must be merged"), so this pins agreement, not a difference.
    """
    stream = Stream().run("created").step("created", STEP)
    stream.step_delta(
        STEP,
        s.function(0, "call_a", "f", "{", output=None),
        s.function(0, arguments='"k":1'),
        s.function(0, arguments="}"),
    )
    body = stream.run("completed").done().body()
    expected = [{"id": "call_a", "type": "function", "name": "f", "arguments": '{"k":1}'}]
    ours = msgspec.to_builtins(streamkit_fold(body).run_steps[STEP].step_details)
    assert calls_view(ours) == expected
    assert calls_view(handler_fold(body).run_steps[STEP]["step_details"]) == expected


# -- where openai-python's fold is wrong -----------------------------------------------


def _message_body(*deltas: list[Any]) -> bytes:
    stream = Stream().run("created").message("created", MSG)
    for content in deltas:
        stream.message_delta(MSG, *content)
    return stream.run("completed").done().body()


def _step_body(*deltas: list[Any]) -> bytes:
    stream = Stream().run("created").step("created", STEP)
    for calls in deltas:
        stream.step_delta(STEP, *calls)
    return stream.run("completed").done().body()


def _text(value: str) -> dict[str, Any]:
    return {"type": "text", "value": value, "annotations": []}


def _fn(id: str, name: str, arguments: str) -> dict[str, Any]:
    return {"id": id, "type": "function", "name": name, "arguments": arguments}


def test_content_indexes_out_of_order() -> None:
    """Content indexes out of order: streamkit puts each part at its index; openai-python cannot."""
    body = _message_body([s.text(1, "B", [])], [s.text(0, "A", [])], [s.text(1, "b")])
    truth = [_text("A"), _text("Bb")]
    assert content_view(msgspec.to_builtins(streamkit_fold(body).messages[MSG].content)) == truth
    # The handler indexes its snapshot by `index` as a list position, and fails.
    with pytest.raises(IndexError):
        handler_fold(body)
    # Its fold alone inserts index 1 at position 0, merges index 0 into it, then appends.
    theirs = content_view(accumulate_fold(body).messages[MSG]["content"])
    assert theirs == [_text("BA"), _text("b")]
    assert theirs != truth


def test_tool_call_indexes_out_of_order() -> None:
    """Tool call indexes out of order: streamkit keeps two calls; openai-python merges them."""
    body = _step_body(
        [s.function(1, "call_b", "g", "", output=None)],
        [s.function(0, "call_a", "f", "", output=None)],
        [s.function(0, arguments="{}")],
    )
    truth = [_fn("call_a", "f", "{}"), _fn("call_b", "g", "")]
    assert (
        calls_view(msgspec.to_builtins(streamkit_fold(body).run_steps[STEP].step_details)) == truth
    )
    with pytest.raises(IndexError):
        handler_fold(body)
    theirs = calls_view(accumulate_fold(body).run_steps[STEP]["step_details"])
    assert theirs == [_fn("call_bcall_a", "gf", "{}")]


def test_content_index_gap() -> None:
    """A content index gap: streamkit keeps the part whole; openai-python splits it in two."""
    body = _message_body([s.text(0, "A", [])], [s.text(2, "C", [])], [s.text(2, "c")])
    acc = streamkit_fold(body)
    truth = [_text("A"), _text("Cc")]
    assert content_view(msgspec.to_builtins(acc.messages[MSG].content)) == truth
    assert acc.warnings == []  # the final objects are left out, so the hole is never judged
    with pytest.raises(IndexError):
        handler_fold(body)
    theirs = content_view(accumulate_fold(body).messages[MSG]["content"])
    assert theirs == [_text("A"), _text("C"), _text("c")]


def test_tool_call_index_gap() -> None:
    """A tool call index gap: streamkit keeps the call whole; openai-python splits it in two."""
    body = _step_body(
        [s.function(0, "call_a", "f", "", output=None)],
        [s.function(2, "call_c", "h", "", output=None)],
        [s.function(2, arguments="{}")],
    )
    truth = [_fn("call_a", "f", ""), _fn("call_c", "h", "{}")]
    assert (
        calls_view(msgspec.to_builtins(streamkit_fold(body).run_steps[STEP].step_details)) == truth
    )
    with pytest.raises(IndexError):
        handler_fold(body)
    theirs = calls_view(accumulate_fold(body).run_steps[STEP]["step_details"])
    orphan = {"id": None, "type": "function", "name": None, "arguments": "{}"}
    assert theirs == [_fn("call_a", "f", ""), _fn("call_c", "h", ""), orphan]


def test_tool_call_id_resent() -> None:
    """A tool call id resent in a later delta: streamkit keeps it; openai-python doubles it."""
    body = _step_body(
        [s.function(0, "call_a", "f", "{", output=None)], [s.function(0, "call_a", arguments="}")]
    )
    truth = [_fn("call_a", "f", "{}")]
    assert (
        calls_view(msgspec.to_builtins(streamkit_fold(body).run_steps[STEP].step_details)) == truth
    )
    theirs = calls_view(handler_fold(body).run_steps[STEP]["step_details"])
    assert theirs == [_fn("call_acall_a", "f", "{}")]


def test_function_name_resent() -> None:
    """A function name resent in a later delta: streamkit keeps it; openai-python doubles it."""
    body = _step_body(
        [s.function(0, "call_a", "get_weather", "{", output=None)],
        [s.function(0, name="get_weather", arguments="}")],
    )
    truth = [_fn("call_a", "get_weather", "{}")]
    assert (
        calls_view(msgspec.to_builtins(streamkit_fold(body).run_steps[STEP].step_details)) == truth
    )
    theirs = calls_view(handler_fold(body).run_steps[STEP]["step_details"])
    assert theirs == [_fn("call_a", "get_weatherget_weather", "{}")]


def test_annotation_resent() -> None:
    """An annotation resent whole: streamkit replaces its fields; openai-python adds them up."""
    citation = s.citation(0, "【0†a】", 2, 7, "file-a")
    body = _message_body([s.text(0, "Hi【0†a】", [citation])], [s.text(0, None, [citation])])
    ours = content_view(msgspec.to_builtins(streamkit_fold(body).messages[MSG].content))
    [annotation] = ours[0]["annotations"]
    assert (annotation["text"], annotation["start_index"], annotation["end_index"]) == (
        "【0†a】",
        2,
        7,
    )
    assert annotation["file_id"] == "file-a"
    [theirs] = content_view(handler_fold(body).messages[MSG]["content"])[0]["annotations"]
    assert (theirs["text"], theirs["start_index"], theirs["end_index"]) == ("【0†a】【0†a】", 4, 14)
    assert theirs["file_id"] == "file-afile-a"


def test_step_completion() -> None:
    """A step's completion: streamkit takes the server's final step; openai-python ignores it."""
    final = s.step_obj(
        STEP,
        s.tool_calls(
            {
                "id": "call_a",
                "type": "function",
                "function": {"name": "f", "arguments": "{}", "output": "sunny"},
            }
        ),
        status="completed",
        completed_at=s.CREATED_AT + 9,
        usage={"prompt_tokens": 9, "completion_tokens": 3, "total_tokens": 12},
    )
    stream = Stream().run("created").step("created", STEP)
    stream.step_delta(STEP, s.function(0, "call_a", "f", "{}", output=None))
    body = stream.emit("thread.run.step.completed", final).run("completed").done().body()
    acc = streamkit_fold(body)
    assert acc.run_steps[STEP] == msgspec.convert(final, assistants.RunStep)
    assert acc.drift[0].path == "$.step_details.tool_calls[0].function.output"
    theirs = handler_fold(body).run_steps[STEP]
    assert theirs["status"] == "in_progress"
    assert theirs["usage"] is None
    assert theirs["completed_at"] is None
    assert theirs["step_details"]["tool_calls"][0]["function"]["output"] is None


def test_interleaved_messages() -> None:
    """Interleaved deltas of two messages: streamkit folds each by id; openai-python the last."""
    stream = Stream().run("created").message("created", MSG).message("created", MSG2)
    stream.message_delta(MSG, s.text(0, "A", [])).message_delta(MSG2, s.text(0, "1", []))
    stream.message_delta(MSG, s.text(0, "B"))
    body = stream.run("completed").done().body()
    acc = streamkit_fold(body)
    assert content_view(msgspec.to_builtins(acc.messages[MSG].content)) == [_text("AB")]
    assert content_view(msgspec.to_builtins(acc.messages[MSG2].content)) == [_text("1")]
    theirs = handler_fold(body).messages
    assert content_view(theirs[MSG]["content"]) == []
    assert content_view(theirs[MSG2]["content"]) == [_text("A1B")]


def test_truncated_run() -> None:
    """A stream cut before the run ends: streamkit: truncated; openai-python: in progress."""
    stream = Stream().run("created").run("in_progress").message("created", MSG)
    body = stream.message_delta(MSG, s.text(0, "partial", [])).body()
    acc = streamkit_fold(body)
    assert isinstance(acc.outcome, assistants.Truncated)
    assert content_view(msgspec.to_builtins(acc.messages[MSG].content)) == [_text("partial")]
    theirs = handler_fold(body)
    assert theirs.run["status"] == "in_progress"
    assert content_view(theirs.messages[MSG]["content"]) == [_text("partial")]
