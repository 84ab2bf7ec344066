"""What the type checker sees, checked both ways: mypy ``--strict`` in ``.ci/run``, pytest here.

Each ``assert_type`` is a mypy error when the static type differs (and a no-op
when run); the ``isinstance`` checks beside them hold the runtime to the same
types.  The ``type: ignore[...]`` lines must stay errors: ``--strict`` warns of
an ignore that no longer silences anything.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import assert_type

import msgspec
from msgspec import UNSET

import streamkit
from streamkit import InvalidEvent, UnknownEvent
from streamkit.dialects import anthropic, chat, responses
from tests.helpers import REPO


def _body(path: str) -> bytes:
    stream = streamkit.Replayer.open(REPO / "recordings" / path)
    return b"".join(stream.iter_chunks())


def test_the_event_type_follows_the_dialect_named() -> None:
    chunks = [_body("chat/text-usage.ndjson")]
    events = streamkit.iter_events(chunks, dialect="chat")
    assert_type(events, Generator[chat.ChatStreamEvent | UnknownEvent | InvalidEvent, None, None])
    kinds = {type(event) for event in events}
    assert kinds == {chat.ChatCompletionChunkEvent, chat.Done}


def test_auto_gives_the_union_of_every_dialect() -> None:
    events = list(streamkit.iter_events([_body("anthropic/tool-use.ndjson")]))
    assert_type(events, list[streamkit.AnyEvent])
    assert any(isinstance(event, anthropic.MessageStop) for event in events)


def test_a_misspelt_dialect_name_is_a_type_error() -> None:
    try:
        streamkit.iter_events([b""], dialect="chatt")  # type: ignore[call-overload]
    except ValueError:
        pass
    else:  # pragma: no cover - the runtime refuses the name too
        raise AssertionError("an unknown dialect name was accepted")


def test_the_responses_result_has_status_and_output_without_unset() -> None:
    acc = responses.Accumulator()
    for event in streamkit.iter_events(
        [_body("responses/text-answer.ndjson")], dialect="responses"
    ):
        acc.feed(event)
    result = acc.result
    assert result is not None
    assert_type(result.output, list[responses.OutputItem])
    assert_type(result.status, str)
    assert result.status == "completed"
    assert result.output
    assert result.output_text == acc.text


def test_the_responses_result_fills_what_a_server_left_out() -> None:
    """A response without ``status`` or ``output`` decodes (UNSET); the fold fills both in."""
    bare = b'{"id": "resp_1", "object": "response", "created_at": 1, "model": "m"}'
    created = responses.ResponseCreated(
        sequence_number=0, response=msgspec.json.decode(bare, type=responses.Response)
    )
    assert created.response.status is UNSET
    assert created.response.output is UNSET
    acc = responses.Accumulator()
    acc.feed(created)
    assert acc.result is not None
    assert (acc.result.status, acc.result.output) == ("in_progress", [])
    completed = responses.ResponseCompleted(sequence_number=1, response=created.response)
    acc.feed(completed)
    assert acc.done
    assert acc.result is not None
    assert (acc.result.status, acc.result.output) == ("completed", [])
    assert acc.outcome.kind == "completed"
