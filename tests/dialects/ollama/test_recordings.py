"""The bundled Ollama recordings (``recordings/ollama/``) replay and fold as described."""

from __future__ import annotations

import importlib.util
import json
import sys
from typing import TYPE_CHECKING, Any

import msgspec
import pytest

import streamkit
from streamkit import Replayer
from streamkit.dialects import ollama
from tests.helpers import REAL, REPO

if TYPE_CHECKING:
    from pathlib import Path
    from types import ModuleType

    from streamkit.recording import Rechunk

RECORDINGS = REPO / "recordings" / "ollama"
GENERATOR = RECORDINGS / "make_recordings.py"
SOURCES = REAL / "ollama"
NAMES = ("chat-text", "chat-length", "generate-context", "thinking-tool-calls", "generate-error")
SYNTHESIZED = ("thinking-tool-calls", "generate-error")


def fold(name: str, rechunk: Rechunk | None = None) -> ollama.Accumulator:
    """The recording replayed chunk by chunk, decoded as its header says, folded strictly."""
    replayer = Replayer.open(RECORDINGS / f"{name}.ndjson")
    acc = ollama.Accumulator(strict=True)
    dialect = replayer.header.dialect
    assert dialect == "ollama"
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
        assert f"`{name}.ndjson`" in readme


@pytest.mark.parametrize("name", NAMES)
def test_header_is_realistic(name: str) -> None:
    replayer = Replayer.open(RECORDINGS / f"{name}.ndjson")
    header = replayer.header
    assert (header.version, header.dialect) == (1, "ollama")
    assert header.meta["scenario"] == name
    assert header.meta["generator"] == "recordings/ollama/make_recordings.py"
    assert ("synthesized" in header.meta) == (name in SYNTHESIZED)
    (stream,) = replayer.streams
    assert stream.request is not None
    assert stream.response is not None
    endpoint = "generate" if name.startswith("generate") else "chat"
    assert stream.request["url"] == f"http://localhost:11434/api/{endpoint}"
    assert stream.response["headers"]["Content-Type"] == "application/x-ndjson"
    assert stream.end == "eof"
    assert len(header.meta["source"]["sha256"]) == 64


@pytest.mark.parametrize("name", NAMES)
def test_chunks_and_timing_follow_the_lines(name: str) -> None:
    replayer = Replayer.open(RECORDINGS / f"{name}.ndjson")
    (stream,) = replayer.streams
    times = [t for t, _ in stream.chunks]
    assert times == sorted(times)
    chunks = [chunk for _, chunk in stream.chunks]
    lines = stream.body.count(b"\n")
    assert len(chunks) >= lines // 2
    assert sum(chunk.endswith(b"\n") for chunk in chunks) >= len(chunks) // 2


def test_the_first_line_waits_for_the_prompt() -> None:
    (stream,) = Replayer.open(RECORDINGS / "chat-text.ndjson").streams
    last = json.loads(stream.body.splitlines()[-1])
    wait = (last["load_duration"] + last["prompt_eval_duration"]) / 1e9
    assert wait + 0.001 <= stream.chunks[0][0] <= wait + 0.0066  # 1-5 ms, and the network's


@pytest.mark.parametrize("name", [n for n in NAMES if n not in SYNTHESIZED])
def test_the_body_is_the_real_capture(name: str) -> None:
    replayer = Replayer.open(RECORDINGS / f"{name}.ndjson")
    path = SOURCES / replayer.header.meta["source"]["file"]
    if not path.exists():
        pytest.skip(f"{path} is not here")
    assert replayer.streams[0].body == path.read_bytes()


@pytest.mark.parametrize("rechunk", [None, 1, 16_384, ("random", 7)])
@pytest.mark.parametrize("name", NAMES)
def test_every_chunking_folds_the_same(name: str, rechunk: Rechunk | None) -> None:
    assert msgspec.to_builtins(fold(name, rechunk).result) == result(name)


def test_chat_text() -> None:
    folded = result("chat-text")
    assert folded["model"] == "llama3"
    assert folded["message"]["content"].startswith("Hi! I'm just a language model")
    assert (folded["done_reason"], folded["prompt_eval_count"], folded["eval_count"]) == (
        "stop",
        11,
        42,
    )


def test_chat_length() -> None:
    acc = fold("chat-length")
    assert acc.outcome == streamkit.Outcome(kind="incomplete", reason="length")
    assert acc.text.endswith("😊 ")


def test_generate_context() -> None:
    folded = result("generate-context")
    assert "done_reason" not in folded
    assert len(folded["context"]) == 286
    assert folded["response"].startswith("A little lamb follows Mary everywhere")


def test_thinking_tool_calls() -> None:
    acc = fold("thinking-tool-calls")
    assert acc.outcome == streamkit.Outcome(kind="requires_action", reason="stop")
    assert acc.text == ""
    assert acc.reasoning.startswith("Okay, this is a surprisingly tricky question!")
    assert [(c.id, c.name, json.loads(c.arguments)) for c in acc.tool_calls] == [
        ("call_k3v9q2xa", "convert_units", {"value": 1, "from": "nautical_mile", "to": "foot"}),
        ("call_p0d7m4tc", "convert_units", {"value": 1, "from": "statute_mile", "to": "foot"}),
    ]
    assert acc.usage.output_tokens == 25


def test_generate_error() -> None:
    acc = fold("generate-error")
    assert acc.outcome.kind == "errored"
    assert acc.errors[0].error.startswith("model runner has unexpectedly stopped")
    assert acc.text == "\nIn one word, life is..."
    assert not acc.done


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_streamkit_make_ollama_recordings", GENERATOR)
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
