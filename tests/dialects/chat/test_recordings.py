"""The bundled Chat Completions recordings (``recordings/chat/``) replay and fold as described."""

from __future__ import annotations

import importlib.util
import itertools
import json
import sys
from typing import TYPE_CHECKING, Any

import msgspec
import pytest

import streamkit
from streamkit import Replayer
from streamkit.dialects import chat
from tests.helpers import REAL, REPO

if TYPE_CHECKING:
    from pathlib import Path
    from types import ModuleType

    from streamkit.recording import Rechunk

RECORDINGS = REPO / "recordings" / "chat"
GENERATOR = RECORDINGS / "make_recordings.py"
SOURCES = REAL / "chat"
NAMES = ("text-usage", "parallel-tool-calls", "multiple-choices", "audio-output")


def fold(name: str, rechunk: Rechunk | None = None) -> chat.Accumulator:
    """The recording replayed chunk by chunk, decoded as its header says, folded strictly.

    The audio stream really sends no finish_reason: its fold is lenient (one violation).
    """
    replayer = Replayer.open(RECORDINGS / f"{name}.ndjson")
    acc = chat.Accumulator(strict=name != "audio-output")
    dialect = replayer.header.dialect
    assert dialect == "chat"
    for event in streamkit.iter_events(replayer.iter_chunks(rechunk=rechunk), dialect=dialect):
        acc.feed(event)
    return acc


def result(name: str) -> Any:
    return msgspec.to_builtins(fold(name).result)


def test_the_bundled_recordings_are_exactly_the_scenarios() -> None:
    files = sorted(p.name for p in RECORDINGS.iterdir() if p.name != "__pycache__")
    expected = sorted([*(f"{n}.ndjson" for n in NAMES), "README.md", "make_recordings.py"])
    assert files == expected
    readme = (RECORDINGS / "README.md").read_text()
    for name in NAMES:
        assert f"`chat/{name}.ndjson`" in readme


@pytest.mark.parametrize("name", NAMES)
def test_header_is_realistic_and_redacted(name: str) -> None:
    path = RECORDINGS / f"{name}.ndjson"
    replayer = Replayer.open(path)
    header = replayer.header
    assert (header.version, header.dialect) == (1, "chat")
    assert header.meta["scenario"] == name
    assert header.meta["generator"] == "recordings/chat/make_recordings.py"
    (stream,) = replayer.streams
    assert stream.request is not None
    assert stream.response is not None
    assert stream.request["url"] == "https://api.openai.com/v1/chat/completions"
    assert stream.request["headers"]["Authorization"] == "[redacted]"
    assert stream.response["headers"]["set-cookie"] == "[redacted]"
    assert stream.end == "eof"
    assert len(header.meta["source"]["sha256"]) == 64
    assert b"sk-" not in path.read_bytes()


@pytest.mark.parametrize("name", NAMES)
def test_chunks_and_timing_look_like_a_network(name: str) -> None:
    (stream,) = Replayer.open(RECORDINGS / f"{name}.ndjson").streams
    times = [t for t, _ in stream.chunks]
    assert times == sorted(times)
    assert 0.2999 <= times[0] - stream.t0 <= 0.8001
    assert all(0.0099 <= b - a <= 0.9001 for a, b in itertools.pairwise(times))
    chunks = [chunk for _, chunk in stream.chunks]
    assert len(chunks) >= 15
    assert any(a.endswith(b"\n") and b.startswith(b"\n") for a, b in itertools.pairwise(chunks))


@pytest.mark.parametrize("name", NAMES)
def test_the_body_is_the_real_capture(name: str) -> None:
    replayer = Replayer.open(RECORDINGS / f"{name}.ndjson")
    source = replayer.header.meta["source"]
    path = SOURCES / source["file"]
    if not path.exists():
        pytest.skip(f"{path} is not here")
    assert replayer.streams[0].body == path.read_bytes()


@pytest.mark.parametrize("rechunk", [None, 1, 16_384, ("random", 7)])
@pytest.mark.parametrize("name", NAMES)
def test_every_chunking_folds_the_same(name: str, rechunk: Rechunk | None) -> None:
    assert msgspec.to_builtins(fold(name, rechunk).result) == result(name)


def test_text_usage() -> None:
    folded = result("text-usage")
    assert folded["model"] == "gpt-4o-mini-2024-07-18"
    assert folded["choices"] == [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "The capital of the UK is London.",
                "refusal": None,
            },
            "logprobs": None,
            "finish_reason": "stop",
        }
    ]
    assert folded["usage"]["total_tokens"] == 87


def test_parallel_tool_calls() -> None:
    (choice,) = result("parallel-tool-calls")["choices"]
    assert choice["finish_reason"] == "tool_calls"
    calls = choice["message"]["tool_calls"]
    assert [(c["id"], c["function"]["name"]) for c in calls] == [
        ("call_JMW1whyEaYG438VE1OIflxA2", "GetWeatherArgs"),
        ("call_DNYTawLBoN8fj3KN6qU9N1Ou", "get_stock_price"),
    ]
    assert json.loads(calls[1]["function"]["arguments"]) == {
        "ticker": "AAPL",
        "exchange": "NASDAQ",
    }


def test_multiple_choices() -> None:
    choices = result("multiple-choices")["choices"]
    assert [c["index"] for c in choices] == [0, 1, 2]
    assert [json.loads(c["message"]["content"]) for c in choices] == [
        {"city": "San Francisco", "temperature": t, "units": "f"} for t in (65, 61, 59)
    ]
    assert {c["finish_reason"] for c in choices} == {"stop"}


def test_audio_output() -> None:
    acc = fold("audio-output")
    folded = msgspec.to_builtins(acc.result)
    audio = folded["choices"][0]["message"]["audio"]
    assert (audio["id"], audio["transcript"], audio["expires_at"]) == (
        "audio_6a233a354ee081918e294494ab803d56",
        "Hello",
        1780697157,
    )
    assert len(audio["data"]) == 60_800
    assert [w.kind for w in acc.warnings] == ["unfinished-choice"]
    assert acc.usage.raw.completion_tokens_details.audio_tokens == 19


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_streamkit_make_chat_recordings", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def test_the_generator_writes_the_same_bytes(tmp_path: Path) -> None:
    if not SOURCES.is_dir():
        pytest.skip(f"{SOURCES} is not here")
    paths = _generator().write_all(tmp_path, SOURCES)
    assert sorted(p.name for p in paths) == sorted(f"{n}.ndjson" for n in NAMES)
    for path in paths:
        assert path.read_bytes() == (RECORDINGS / path.name).read_bytes(), path.name
