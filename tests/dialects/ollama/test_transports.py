"""The official ``ollama`` client recorded through streamkit's httpx transports and replayed.

Nothing in the stream glue, the recorder or the transports knows the Ollama
dialect: an ``application/x-ndjson`` response is recorded chunk by chunk, its
dialect detected from its first line, and replayed byte for byte.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

httpx = pytest.importorskip("httpx")
ollama_sdk = pytest.importorskip("ollama")

from streamkit.dialects import ollama
from streamkit.httpx import RecordingTransport, ReplayTransport
from streamkit.recording import Cassette, Replayer

from .streams import Stream, call

if TYPE_CHECKING:
    from pathlib import Path

BODY = Stream().think("hm").text("It is", " 3°C").tools(call("f", {"a": 1})).done().body()
LINES = BODY.splitlines(keepends=True)


class _Lines(httpx.SyncByteStream):  # type: ignore[misc]
    def __iter__(self) -> Any:
        return iter(LINES)  # one line a chunk, as Ollama flushes them


def _server(request: Any) -> Any:
    assert request.url.path == "/api/chat"
    headers = {"content-type": "application/x-ndjson"}
    return httpx.Response(200, headers=headers, stream=_Lines())


def _chat(transport: Any) -> list[Any]:
    messages = [{"role": "user", "content": "weather?"}]
    with ollama_sdk.Client(host="http://127.0.0.1:11434", transport=transport) as client:
        return list(client.chat(model="gemma3:1b", messages=messages, stream=True))


def test_record_then_replay(tmp_path: Path) -> None:
    path = tmp_path / "ollama.ndjson"
    live = _chat(RecordingTransport(httpx.MockTransport(_server), path))
    replayer = Replayer.open(path)
    (stream,) = replayer.streams
    assert stream.dialect == "ollama"
    assert [chunk for _, chunk in stream.chunks] == LINES
    assert stream.request is not None
    assert stream.request["json"]["messages"][0]["content"] == "weather?"

    again = _chat(ReplayTransport(path))
    assert [part.model_dump() for part in again] == [part.model_dump() for part in live]

    acc = Cassette(path).fold(0)
    assert type(acc) is ollama.Accumulator
    assert (acc.text, acc.reasoning, acc.outcome.kind) == ("It is 3°C", "hm", "requires_action")
