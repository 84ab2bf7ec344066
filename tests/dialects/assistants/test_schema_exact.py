"""The schema gives back exactly what the API sent, for every full object of every real recording.

``msgspec.to_builtins`` of a decoded ``Thread``, ``Run``, ``RunStep`` or ``Message``
must equal the JSON payload: a field the server left out stays out (``UNSET``), a
``null`` it sent stays ``null``, and nothing the server sent is dropped.  The SSE
bodies are split here by hand, so this test leans on nothing but the dialect.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from streamkit.dialects import assistants
from streamkit.dialects.assistants import decode_event

_REAL = Path(__file__).resolve().parents[2] / "data" / "real" / "assistants"
_PATHS = sorted(_REAL.glob("*.sse"))

_OBJECT_TYPES: dict[str, type[msgspec.Struct]] = {
    "thread": assistants.Thread,
    "thread.run": assistants.Run,
    "thread.run.step": assistants.RunStep,
    "thread.message": assistants.Message,
}


def _is_full_object(name: str) -> bool:
    """Whether the event *name* carries a whole API object (not a delta, error or ``done``)."""
    if name == "thread.created":
        return True
    return name.startswith(("thread.run.", "thread.message.")) and not name.endswith(".delta")


def _events(body: bytes) -> list[tuple[str, bytes]]:
    """(event name, data) of each event of an SSE body, split on blank lines."""
    events = []
    for block in body.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n\n"):
        name, data = "message", []
        for line in block.split(b"\n"):
            if not line or line.startswith(b":"):
                continue
            key, _, value = line.partition(b":")
            value = value.removeprefix(b" ")
            if key == b"event":
                name = value.decode()
            elif key == b"data":
                data.append(value)
        if data:
            events.append((name, b"\n".join(data)))
    return events


def _full_objects(path: Path) -> list[tuple[str, bytes]]:
    return [(name, data) for name, data in _events(path.read_bytes()) if _is_full_object(name)]


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


def test_real_recordings_are_present() -> None:
    assert sum(len(_full_objects(path)) for path in _PATHS) > 300


@pytest.mark.parametrize("path", _PATHS, ids=lambda p: p.stem)
def test_full_objects_convert_back_to_the_exact_json(path: Path) -> None:
    objects = _full_objects(path)
    assert objects, "a recording holds at least one full object"
    for ordinal, (name, data) in enumerate(objects):
        event = decode_event(name, data)
        wire = json.loads(data)
        assert event.event == name
        obj = event.data
        assert type(obj) is _OBJECT_TYPES[wire["object"]], (ordinal, name)
        built = msgspec.to_builtins(obj)
        assert built == wire, f"{name} #{ordinal}: {_first_difference(built, wire)}"


@pytest.mark.parametrize("path", _PATHS, ids=lambda p: p.stem)
def test_full_objects_round_trip_through_msgspec_json(path: Path) -> None:
    for name, data in _full_objects(path):
        obj = decode_event(name, data).data
        again = msgspec.json.decode(msgspec.json.encode(obj), type=type(obj))
        assert again == obj, name
        assert msgspec.to_builtins(again) == json.loads(data), name


# The same rule on shapes the real recordings do not hold.


def _decode_run(payload: dict[str, Any]) -> assistants.Run:
    event = decode_event("thread.run.created", json.dumps(payload).encode())
    assert isinstance(event, assistants.ThreadRunCreated)
    return event.data


def _bare_run(**changes: Any) -> dict[str, Any]:
    """A run with only the fields every API version sends."""
    run: dict[str, Any] = {
        "id": "run_1",
        "object": "thread.run",
        "created_at": 1711295857,
        "assistant_id": "asst_1",
        "thread_id": "thread_1",
        "status": "queued",
        "started_at": None,
        "expires_at": 1711296457,
        "cancelled_at": None,
        "failed_at": None,
        "completed_at": None,
        "required_action": None,
        "last_error": None,
        "model": "gpt-4",
        "instructions": None,
        "tools": [{"type": "code_interpreter"}],
        "metadata": {},
        "usage": None,
    }
    run.update(changes)
    return run


def test_v1_run_omits_what_v1_did_not_send() -> None:
    # As API v1 (March 2024) sent it: ``file_ids``, a ``retrieval`` tool, no later settings.
    wire = _bare_run(
        file_ids=["file_1"], tools=[{"type": "retrieval"}, {"type": "code_interpreter"}]
    )
    run = _decode_run(wire)
    for name in (
        "tool_resources",
        "temperature",
        "top_p",
        "reasoning_effort",
        "max_completion_tokens",
        "max_prompt_tokens",
        "truncation_strategy",
        "incomplete_details",
        "response_format",
        "tool_choice",
        "parallel_tool_calls",
    ):
        assert getattr(run, name) is msgspec.UNSET, name
    assert run.file_ids == ["file_1"]
    assert isinstance(run.tools[0], assistants.Unknown)
    # A part of unknown ``type`` is the one place the builtins differ: it is kept wrapped.
    unknown = {"type": "streamkit.unknown", "data": {"type": "retrieval"}}
    assert msgspec.to_builtins(run) == {**wire, "tools": [unknown, {"type": "code_interpreter"}]}


def test_hybrid_search_weights_are_kept() -> None:
    ranking = {
        "ranker": "auto",
        "score_threshold": 0.5,
        "hybrid_search": {"embedding_weight": 0.7, "text_weight": 0.3},
    }
    sent = {"max_num_results": 5, "ranking_options": ranking}
    tool = {"type": "file_search", "file_search": sent}
    wire = _bare_run(tools=[tool, {"type": "file_search"}])
    run = _decode_run(wire)
    with_options, bare = run.tools
    assert isinstance(with_options, assistants.FileSearchTool)
    assert isinstance(bare, assistants.FileSearchTool)
    assert bare.file_search is msgspec.UNSET
    options = with_options.file_search
    assert isinstance(options, assistants.FileSearchOptions)
    assert options.max_num_results == 5
    assert isinstance(options.ranking_options, assistants.FileSearchRankingOptions)
    hybrid = options.ranking_options.hybrid_search
    assert isinstance(hybrid, msgspec.Struct)
    assert msgspec.to_builtins(hybrid) == {"embedding_weight": 0.7, "text_weight": 0.3}
    assert msgspec.to_builtins(run) == wire
    assert msgspec.json.decode(msgspec.json.encode(run), type=assistants.Run) == run


@pytest.mark.parametrize(
    "ranking",
    [
        {"ranker": "default_2024_08_21", "score_threshold": 0.0, "hybrid_search": None},
        {"ranker": "default_2024_08_21", "score_threshold": 0.0},
    ],
    ids=["null", "absent"],
)
def test_hybrid_search_null_and_absent_stay_apart(ranking: dict[str, Any]) -> None:
    wire = _bare_run(tools=[{"type": "file_search", "file_search": {"ranking_options": ranking}}])
    assert msgspec.to_builtins(_decode_run(wire)) == wire


def _decode_message(payload: dict[str, Any]) -> assistants.Message:
    event = decode_event("thread.message.completed", json.dumps(payload).encode())
    assert isinstance(event, assistants.ThreadMessageCompleted)
    return event.data


def _message(**changes: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "id": "msg_1",
        "object": "thread.message",
        "created_at": 1714255665,
        "assistant_id": "asst_1",
        "thread_id": "thread_1",
        "run_id": "run_1",
        "status": "completed",
        "incomplete_details": None,
        "incomplete_at": None,
        "completed_at": 1714255666,
        "role": "assistant",
        "content": [],
        "metadata": {},
    }
    message.update(changes)
    return message


def test_message_keeps_v1_and_v2_file_fields_apart() -> None:
    citation = {
        "type": "file_citation",
        "text": "[1]",
        "start_index": 0,
        "end_index": 3,
        "file_citation": {"file_id": "file_1", "quote": "the quoted text"},
    }
    image = {"type": "image_file", "image_file": {"file_id": "file_2"}}
    v1 = _message(
        file_ids=[],
        content=[{"type": "text", "text": {"value": "[1]", "annotations": [citation]}}, image],
    )
    message = _decode_message(v1)
    assert message.attachments is msgspec.UNSET
    assert message.file_ids == []
    assert msgspec.to_builtins(message) == v1

    attachment = {"file_id": "file_3", "tools": [{"type": "file_search"}]}
    image_v2 = {"type": "image_file", "image_file": {"file_id": "file_2", "detail": "auto"}}
    v2 = _message(attachments=[attachment], content=[image_v2])
    message = _decode_message(v2)
    assert message.file_ids is msgspec.UNSET
    assert msgspec.to_builtins(message) == v2


def test_run_step_without_documented_but_unsent_fields() -> None:
    step = {
        "id": "step_1",
        "object": "thread.run.step",
        "created_at": 1,
        "run_id": "run_1",
        "assistant_id": "asst_1",
        "thread_id": "thread_1",
        "type": "tool_calls",
        "status": "completed",
        "cancelled_at": None,
        "completed_at": 2,
        "expires_at": None,
        "failed_at": None,
        "last_error": None,
        "step_details": {
            "type": "tool_calls",
            "tool_calls": [{"id": "call_1", "type": "file_search", "file_search": {}}],
        },
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    }
    event = decode_event("thread.run.step.completed", json.dumps(step).encode())
    assert isinstance(event, assistants.ThreadRunStepCompleted)
    assert event.data.expired_at is msgspec.UNSET
    assert event.data.metadata is msgspec.UNSET
    assert msgspec.to_builtins(event.data) == step
    with_extras = {**step, "expired_at": None, "metadata": {"k": "v"}}
    event = decode_event("thread.run.step.completed", json.dumps(with_extras).encode())
    assert msgspec.to_builtins(event.data) == with_extras
