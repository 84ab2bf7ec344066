"""The bundled recordings (``recordings/``): each replays and folds to what its scenario shows.

Every file is replayed with :meth:`Replayer.iter_chunks`, decoded with
:func:`streamkit.iter_events` and folded into one :class:`Accumulator` (all
streams of a session into the same one).  Just before the server's final
object of a message or step arrives, the folded snapshot is kept, so the tests
can check that the deltas alone built the same text as the server's final
object.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec
import pytest

import streamkit
from streamkit import Replayer, assistants
from streamkit.dialects.assistants import (
    CodeInterpreterOutputLogs,
    CodeInterpreterToolCall,
    FileSearchToolCall,
    FunctionToolCall,
    MessageCreationStepDetails,
    RunStep,
    TextContentBlock,
    ToolCallsStepDetails,
)

from .helpers import REAL, REPO

if TYPE_CHECKING:
    from pathlib import Path
    from types import ModuleType

    from streamkit.recording import Rechunk

RECORDINGS = REPO / "recordings" / "assistants"
GENERATOR = REPO / "recordings" / "make_recordings.py"
SOURCES = REAL / "assistants"

NAMES = (
    "text-answer",
    "code-interpreter",
    "file-search-citations",
    "function-call-session",
    "failed-run",
    "incomplete-message",
    "error-event",
    "cut-off",
)
T = TypeVar("T")

FINAL_EVENTS = frozenset(
    {
        "thread.message.completed",
        "thread.message.incomplete",
        "thread.run.step.completed",
        "thread.run.step.failed",
        "thread.run.step.cancelled",
        "thread.run.step.expired",
    }
)


@dataclass
class Folded:
    """A recording folded: its accumulator, the outcome after each stream, and more."""

    replayer: Replayer
    acc: assistants.Accumulator
    outcomes: list[Any] = field(default_factory=list)
    #: The folded snapshot of each message or step just before its final object arrived.
    before_final: dict[str, Any] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)


def fold(name: str, rechunk: Rechunk | None = None) -> Folded:
    replayer = Replayer.open(RECORDINGS / f"{name}.ndjson")
    folded = Folded(replayer, assistants.Accumulator())
    acc = folded.acc
    for index in range(len(replayer.streams)):
        chunks = replayer.iter_chunks(stream=index, rechunk=rechunk)
        for event in streamkit.iter_events(chunks, dialect="assistants"):
            folded.events.append(event.event)
            if event.event in FINAL_EVENTS:
                snapshot = acc.message(event.data.id) or acc.run_step(event.data.id)
                if snapshot is not None:
                    folded.before_final[event.data.id] = snapshot
            acc.feed(event)
        folded.outcomes.append(acc.outcome)
    return folded


def texts(acc: assistants.Accumulator) -> list[str]:
    """The text of every message, in creation order."""
    return [
        as_(TextContentBlock, part).text.value for m in acc.messages.values() for part in m.content
    ]


def as_(cls: type[T], value: object) -> T:
    """*value*, checked to be a *cls* (the schema's unions narrowed for the type checker)."""
    assert isinstance(value, cls), value
    return value


def calls(step: RunStep) -> list[Any]:
    """The tool calls of a ``tool_calls`` step."""
    return list(as_(ToolCallsStepDetails, step.step_details).tool_calls)


def the_message(folded: Folded) -> Any:
    (message,) = folded.acc.messages.values()
    return message


def drift(acc: assistants.Accumulator) -> list[tuple[str, str, str]]:
    return [(d.object_id, d.path, d.kind) for d in acc.drift]


def assert_clean(acc: assistants.Accumulator) -> None:
    assert acc.warnings == []
    assert [d for d in acc.drift if d.kind == "conflict"] == []


# -- the set, the headers, the chunking ------------------------------------------


def test_the_bundled_recordings_are_exactly_the_scenarios() -> None:
    assert sorted(p.name for p in RECORDINGS.iterdir()) == sorted(f"{n}.ndjson" for n in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_header_and_streams_are_realistic_and_redacted(name: str) -> None:
    path = RECORDINGS / f"{name}.ndjson"
    replayer = Replayer.open(path)
    header = replayer.header
    assert (header.version, header.dialect) == (1, "assistants")
    assert header.started_at is not None
    assert header.meta["scenario"] == name
    assert header.meta["generator"] == "recordings/make_recordings.py"
    for stream in replayer.streams:
        assert stream.request is not None
        assert stream.response is not None
        assert stream.request["method"] == "POST"
        assert stream.request["url"].startswith("https://api.openai.com/v1/threads/")
        assert stream.request["headers"]["Authorization"] == "[redacted]"
        assert stream.response["status"] == 200
        assert stream.response["headers"]["content-type"].startswith("text/event-stream")
        assert stream.response["headers"]["set-cookie"] == "[redacted]"
        source = stream.meta["source"]
        assert source["file"].endswith(".sse")
        assert source["repo"] in {
            "openai/openai-dotnet",
            "traceloop/openllmetry",
            "alexrudall/ruby-openai",
        }
        assert len(source["sha256"]) == 64
    assert b"sk-" not in path.read_bytes()


@pytest.mark.parametrize("name", NAMES)
def test_chunks_and_timing_look_like_a_network(name: str) -> None:
    replayer = Replayer.open(RECORDINGS / f"{name}.ndjson")
    for stream in replayer.streams:
        times = [t for t, _ in stream.chunks]
        assert times == sorted(times)
        # First byte after 0.3-0.8 s, then 10-80 ms apart or now and then up to 0.9 s
        # (with room for rounding to the microsecond).
        assert 0.2999 <= times[0] - stream.t0 <= 0.8001
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert all(0.0099 <= gap <= 0.9001 for gap in gaps)
        assert stream.end_t is not None
        assert stream.end_t >= times[-1]
        chunks = [chunk for _, chunk in stream.chunks]
        assert len(chunks) >= 15
        # Some chunk ends between the two LFs that end an event.
        assert any(a.endswith(b"\n") and b.startswith(b"\n") for a, b in itertools.pairwise(chunks))
        if any(byte >= 0x80 for byte in stream.body):
            # ... and some inside a multi-byte character.
            assert not all(_is_utf8(chunk) for chunk in chunks)


def _is_utf8(chunk: bytes) -> bool:
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# -- each scenario folded --------------------------------------------------------


def test_text_answer() -> None:
    folded = fold("text-answer")
    acc = folded.acc
    assert [o.kind for o in folded.outcomes] == ["completed"]
    message = the_message(folded)
    text = (
        "Hello! I'm just a program, but I'm here and ready to help you. How can I assist you today?"
    )
    assert (message.status, message.role) == ("completed", "assistant")
    assert texts(acc) == [text]
    assert folded.before_final[message.id].content[0].text.value == text
    (step,) = acc.run_steps.values()
    assert (step.type, step.status) == ("message_creation", "completed")
    details = as_(MessageCreationStepDetails, step.step_details)
    assert details.message_creation.message_id == message.id
    assert acc.run is not None
    assert acc.run.usage is not None
    assert acc.run.usage.total_tokens == 63
    assert acc.drift == []
    assert acc.warnings == []
    assert acc.errors == []
    assert folded.events[-1] == "done"


CODE = (
    "from sympy import symbols, Eq, solve\n\n# Define the variable\nx = symbols('x')\n\n"
    "# Define the equation\nequation = Eq(3*x + 11, 14)\n\n# Solve the equation\n"
    "solution = solve(equation, x)\n\nsolution[0]"
)


def test_code_interpreter() -> None:
    folded = fold("code-interpreter")
    acc = folded.acc
    assert [o.kind for o in folded.outcomes] == ["completed"]
    first, second = texts(acc)
    assert first == (
        "Of course, I can help you solve the equation \\(3x + 11 = 14\\). To find the value of"
        " \\(x\\), we'll follow these steps:\n\n1. Subtract 11 from both sides of the equation to"
        " isolate the term with \\(x\\) on one side. This will give us \\(3x = 14 - 11\\).\n2."
        " Divide both sides of the resulting equation by 3 to solve for \\(x\\).\n\nLet's"
        " calculate this:"
    )
    assert second == (
        "The solution to the equation \\(3x + 11 = 14\\) is \\(x = 1\\). If you have any more"
        " questions or need further assistance, feel free to ask!"
    )
    for message in acc.messages.values():
        assert message.status == "completed"
        assert folded.before_final[message.id].content == message.content
    steps = list(acc.run_steps.values())
    assert [s.type for s in steps] == ["message_creation", "tool_calls", "message_creation"]
    assert all(s.status == "completed" for s in steps)
    (call,) = calls(steps[1])
    call = as_(CodeInterpreterToolCall, call)
    assert call.type == "code_interpreter"
    assert call.code_interpreter.input == CODE
    (output,) = call.code_interpreter.outputs
    output = as_(CodeInterpreterOutputLogs, output)
    assert (output.type, output.logs) == ("logs", "1")
    # The input and the logs came in deltas: the fold had them before the final step.
    assert folded.before_final[steps[1].id].step_details == steps[1].step_details
    assert folded.events.count("thread.run.step.delta") == 60
    assert acc.drift == []
    assert acc.warnings == []


def test_file_search_citations() -> None:
    folded = fold("file-search-citations")
    acc = folded.acc
    assert [o.kind for o in folded.outcomes] == ["completed"]
    message = the_message(folded)
    cite = "【4:0†favorite_foods.txt】"
    assert texts(acc) == [f"Filip's favorite food is cake{cite}."]
    (annotation,) = message.content[0].text.annotations
    assert annotation.type == "file_citation"
    assert (annotation.text, annotation.start_index, annotation.end_index) == (cite, 29, 53)
    assert annotation.file_citation.file_id == "file-4Zpm5VXPDRPpZqU1VtU13K"
    folded_text = folded.before_final[message.id].content[0].text
    assert folded_text.value == message.content[0].text.value
    (folded_annotation,) = folded_text.annotations
    assert folded_annotation.text == cite
    # The delta says "", the final object nothing: both empty, so no drift.
    assert folded_annotation.file_citation.quote == ""
    search_step, creation_step = acc.run_steps.values()
    assert (search_step.type, creation_step.type) == ("tool_calls", "message_creation")
    (call,) = calls(search_step)
    call = as_(FileSearchToolCall, call)
    assert call.file_search.results is not None
    assert call.type == "file_search"
    (result,) = call.file_search.results
    assert (result.file_name, result.file_id) == (
        "favorite_foods.txt",
        annotation.file_citation.file_id,
    )
    assert result.content is not None
    assert (result.content[0].text or "").endswith("- Filip Carola: cake")
    assert drift(acc) == [
        (search_step.id, "$.step_details.tool_calls[0].file_search.results[0]", "only_in_final"),
    ]
    assert_clean(acc)


def test_function_call_session() -> None:
    folded = fold("function-call-session")
    acc = folded.acc
    assert len(folded.replayer.streams) == 2
    assert [o.kind for o in folded.outcomes] == ["requires_action", "completed"]
    (call,) = folded.outcomes[0].tool_calls
    assert (call.id, call.function.name, call.function.arguments) == (
        "call_ns14VV96bsL117lURHoW4hDB",
        "get_current_weather",
        "{}",
    )
    assert acc.thread is not None
    assert acc.thread.id == "thread_iDgA3KZUmnQVLR8BnBeWHL9Q"
    assert acc.run is not None
    assert (acc.run.id, acc.run.status) == ("run_D5jAS7GPAMpI3FFIfN0Wjner", "completed")
    message = the_message(folded)
    text = texts(acc)[0]
    assert text.startswith("Since it's warm and sunny outside, you might consider wearing light")
    assert text.endswith(
        "Don\u2019t forget sunscreen if you\u2019ll be outside for an extended period!"
    )
    assert folded.before_final[message.id].content[0].text.value == text
    tool_step, creation_step = acc.run_steps.values()
    assert (tool_step.status, creation_step.status) == ("completed", "completed")
    (tool_call,) = calls(tool_step)
    tool_call = as_(FunctionToolCall, tool_call)
    assert tool_call.id == call.id
    assert (tool_call.function.arguments, tool_call.function.output) == ("{}", "warm and sunny")
    # The output is not in any delta: it comes with the step's final object only.
    assert drift(acc) == [
        (tool_step.id, "$.step_details.tool_calls[0].function.output", "only_in_final"),
    ]
    assert_clean(acc)


def test_function_call_session_as_one_chunk_stream() -> None:
    """``iter_chunks()`` over the whole session into one ``iter_events`` folds the same."""
    replayer = Replayer.open(RECORDINGS / "function-call-session.ndjson")
    acc = assistants.Accumulator()
    for event in streamkit.iter_events(replayer.iter_chunks(), dialect="assistants"):
        acc.feed(event)
    expected = fold("function-call-session").acc
    assert acc.outcome.kind == "completed"
    assert _state(acc) == _state(expected)
    assert acc.warnings == []


def test_failed_run() -> None:
    folded = fold("failed-run")
    acc = folded.acc
    (outcome,) = folded.outcomes
    assert outcome.kind == "failed"
    assert outcome.last_error is not None
    assert (outcome.last_error.code, outcome.last_error.message) == (
        "server_error",
        "Sorry, something went wrong.",
    )
    run = outcome.run
    assert (run.status, run.completed_at) == ("failed", None)
    assert run.failed_at is not None
    message = the_message(folded)
    text = "Hello! I'm just a program, so I don't have feelings,"
    assert texts(acc) == [text]
    assert message.status == "incomplete"
    assert message.incomplete_details is not None
    assert message.incomplete_details.reason == "run_failed"
    assert folded.before_final[message.id].content[0].text.value == text
    (step,) = acc.run_steps.values()
    assert step.status == "failed"
    assert step.last_error is not None
    assert step.last_error.code == "server_error"
    assert acc.drift == []
    assert acc.warnings == []
    assert acc.errors == []


def test_incomplete_message() -> None:
    folded = fold("incomplete-message")
    acc = folded.acc
    message = the_message(folded)
    text = "Sure, I can help with writing Ruby code. However, as an AI"
    assert texts(acc) == [text]
    assert message.status == "incomplete"
    assert message.incomplete_details is not None
    assert message.incomplete_details.reason == "max_tokens"
    assert folded.before_final[message.id].content[0].text.value == text
    assert "thread.message.incomplete" in folded.events
    # The server sent the end of the run as thread.run.completed with status incomplete.
    assert "thread.run.completed" in folded.events
    assert acc.run is not None
    assert acc.run.status == "incomplete"
    assert acc.run.incomplete_details is not None
    assert acc.run.incomplete_details.reason == "max_prompt_tokens"
    assert acc.drift == []
    assert acc.warnings == []


def test_incomplete_message_outcome_is_incomplete() -> None:
    (outcome,) = fold("incomplete-message").outcomes
    assert outcome.kind == "incomplete"


def test_error_event() -> None:
    folded = fold("error-event")
    acc = folded.acc
    (outcome,) = folded.outcomes
    assert outcome.kind == "errored"
    assert (outcome.error.code, outcome.error.type) == ("server_error", "server_error")
    assert outcome.error.message.startswith("The server had an error")
    assert acc.errors == [outcome.error]
    assert outcome.run is not None
    assert outcome.run.status == "in_progress"
    message = the_message(folded)
    assert message.status == "in_progress"
    assert texts(acc) == ["Hello! I'm here and ready to help you"]
    assert folded.events[-1] == "error"
    assert folded.replayer.streams[0].end == "eof"
    assert acc.drift == []
    assert acc.warnings == []


def test_cut_off() -> None:
    folded = fold("cut-off")
    acc = folded.acc
    (stream,) = folded.replayer.streams
    (outcome,) = folded.outcomes
    assert outcome.kind == "truncated"
    assert outcome.run is not None
    assert outcome.run.status == "in_progress"
    # The stream stopped inside the data line of a message delta: the event is never dispatched.
    assert stream.body.rpartition(b"\n")[2].startswith(b'data: {"id":"msg_')
    assert stream.body.endswith(b'"value":" he')
    assert (stream.end, stream.error) == ("error", "RemoteProtocolError")
    assert stream.error_message is not None
    assert "peer closed connection" in stream.error_message
    message = the_message(folded)
    assert message.status == "in_progress"
    assert texts(acc) == ["Hello! I'm just a program, but I'm here and ready to"]
    assert folded.events[-1] == "thread.message.delta"
    assert acc.drift == []
    assert acc.warnings == []
    assert acc.errors == []


# -- chunking does not matter; the files regenerate ----------------------------------


def _state(acc: assistants.Accumulator) -> Any:
    return msgspec.to_builtins(
        {
            "outcome": acc.outcome.kind,
            "thread": acc.thread,
            "run": acc.run,
            "messages": acc.messages,
            "run_steps": acc.run_steps,
            "errors": acc.errors,
        }
    )


@pytest.mark.parametrize("name", NAMES)
def test_the_fold_does_not_depend_on_chunk_boundaries(name: str) -> None:
    """Replayed one byte at a time, each stream folds the same (the conformance kit cuts the
    recordings in random pieces, and one byte at a time only when small)."""
    original = fold(name)
    again = fold(name, rechunk="bytes")
    assert _state(again.acc) == _state(original.acc)
    assert [o.kind for o in again.outcomes] == [o.kind for o in original.outcomes]
    assert again.acc.warnings == original.acc.warnings
    assert again.acc.drift == original.acc.drift


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_streamkit_make_recordings", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


@pytest.mark.skipif(not SOURCES.is_dir(), reason=f"the real captures are not at {SOURCES}")
def test_make_recordings_regenerates_identical_files(tmp_path: Path) -> None:
    written = _generator().write_all(tmp_path, SOURCES)
    assert sorted(p.name for p in written) == sorted(f"{n}.ndjson" for n in NAMES)
    for path in written:
        assert path.read_bytes() == (RECORDINGS / path.name).read_bytes(), path.name
