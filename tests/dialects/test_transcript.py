"""Transcripts (``Dialect.transcript``): sans-IO, and the default one, read off the common face."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest

import streamkit
from streamkit import Delta, dialects
from streamkit.dialects import DefaultTranscript, Transcript
from streamkit.recording import Replayer

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"


def events_of(path: Path) -> list[Any]:
    replayer = Replayer.open(path)
    return [
        event
        for i in range(len(replayer.streams))
        for event in streamkit.iter_events(replayer.iter_chunks(stream=i), "auto")
    ]


def render(transcript: Transcript, events: list[Any]) -> list[str]:
    """Every piece of text the transcript gives, in order, the closing one last."""
    return [transcript.feed(event) for event in events] + [transcript.close()]


def sse(*payloads: Any) -> list[bytes]:
    return [f"data: {json.dumps(p)}\n\n".encode() for p in payloads]


def chunk(delta: dict[str, Any], finish: str | None = None, index: int = 0) -> dict[str, Any]:
    choice = {"index": index, "delta": delta, "finish_reason": finish}
    return {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m"} | {
        "choices": [choice]
    }


def test_every_dialect_has_a_transcript() -> None:
    for name in dialects.names():
        transcript = dialects.get(name).transcript()
        assert isinstance(transcript, Transcript)
        ending = transcript.close()  # of a stream with no event: it was cut before any
        assert ending.startswith("["), (name, ending)
        assert ending.endswith("]\n"), (name, ending)


@pytest.mark.parametrize("name", dialects.names())
def test_text_comes_as_its_event_does(name: str) -> None:
    """Sans-IO: each feed returns the answer text its event carries, none held back."""
    for path in sorted((RECORDINGS / name).glob("*.ndjson")):
        events = events_of(path)
        pieces = render(dialects.get(name).transcript(), events)
        assert "".join(pieces).endswith("\n")
        for event, piece in zip(events, pieces, strict=False):
            for text in streamkit.text_deltas([event]):
                assert text in piece, (path.name, text)


def test_default_transcript_of_tool_calls_and_text() -> None:
    """The default reads deltas, tool call names and the outcome off the common face."""
    events = events_of(RECORDINGS / "anthropic" / "tool-use.ndjson")
    assert "".join(render(DefaultTranscript(), events)) == (
        "[assistant]\nCertainly! I can help you with that information. To get the weather and "
        "current time in San Francisco, I'll need to use two separate functions. Let me fetch "
        "that data for you.\n"
        '[tool call get_weather]\n{"location": "San Francisco, CA", "unit": "celsius"}\n'
        '[tool call get_time]\n{"timezone": "America/Los_Angeles"}\n'
        "[requires_action: tool_use]\n"
    )


def test_default_transcript_of_reasoning_and_several_choices() -> None:
    thinking = "".join(
        render(DefaultTranscript(), events_of(RECORDINGS / "anthropic" / "thinking.ndjson"))
    )
    assert thinking.startswith("[reasoning]\nThis is a straightforward question")
    assert "\n[assistant]\nHere are the basic steps" in thinking
    assert thinking.endswith("\n[completed: end_turn]\n")
    choices = "".join(
        render(DefaultTranscript(), events_of(RECORDINGS / "chat" / "multiple-choices.ndjson"))
    )
    assert choices.startswith('[assistant]\n{"\n[assistant, index 1]\n{"\n[assistant, index 2]\n')
    assert choices.endswith("[completed: stop]\n")


def test_default_transcript_of_abnormal_ends() -> None:
    error = {"error": {"message": "The server had an error.", "type": "server_error"}}
    events = list(streamkit.iter_events(sse(chunk({"content": "Hel"}), error), "chat"))
    assert "".join(render(DefaultTranscript(), events)) == (
        "[assistant]\nHel\n[error: server_error: The server had an error.]\n"
        "[errored: server_error: The server had an error.]\n"
    )
    cut = list(streamkit.iter_events(sse(chunk({"content": "Hel"})), "chat"))
    assert "".join(render(DefaultTranscript(), cut)) == (
        "[assistant]\nHel\n[truncated: the stream ended early]\n"
    )
    body = sse(chunk({"content": "Hel"}))[0] + b'data: {"id": 1}\n\n'
    odd = list(streamkit.iter_events([body], "chat", on_error="yield"))
    text = "".join(render(DefaultTranscript(), odd))
    assert text.startswith("[assistant]\nHel\n[invalid message event: ")
    assert text.endswith("\n[truncated: the stream ended early]\n")
    assert DefaultTranscript().close() == "[truncated: the stream ended early]\n"


class _Unnumbered(DefaultTranscript):
    """The default transcript of chat events whose tool argument deltas carry no call number."""

    def _dialect_of(self, event: Any) -> Any:
        chat = dialects.get("chat")

        def deltas(event: Any) -> list[Delta]:
            return [Delta(d.kind, d.index, d.text) for d in chat.deltas(event)]

        return attrs.evolve(chat, deltas=deltas)


@pytest.mark.parametrize("transcript", [DefaultTranscript, _Unnumbered])
def test_default_transcript_tells_calls_apart(transcript: type[DefaultTranscript]) -> None:
    """Calls are told apart by their number, or else by the calls the fold has."""
    events = events_of(RECORDINGS / "chat" / "parallel-tool-calls.ndjson")
    assert "".join(render(transcript(), events)) == (
        "[tool call GetWeatherArgs]\n"
        '{"city": "Edinburgh", "country": "GB", "units": "c"}\n'
        "[tool call get_stock_price]\n"
        '{"ticker": "AAPL", "exchange": "NASDAQ"}\n'
        "[requires_action: tool_calls]\n"
    )
