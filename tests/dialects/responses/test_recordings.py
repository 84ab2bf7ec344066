"""The bundled Responses recordings (``recordings/responses/``) replay and fold as described.

Every file is replayed with :class:`streamkit.Replayer`, decoded through the
dialect its header names, and folded; the recorded bytes are the real
capture named in its header, and the generator writes the very same files
again.  Every chunking, auto detection, re-encoding and the common face are
the conformance kit's (``tests/conformance``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import sys
from typing import TYPE_CHECKING

import msgspec
import pytest

import streamkit
from streamkit import Replayer
from streamkit.dialects import responses
from tests.helpers import REAL, REPO

from . import streams as s

if TYPE_CHECKING:
    from pathlib import Path
    from types import ModuleType

RECORDINGS = REPO / "recordings" / "responses"
GENERATOR = RECORDINGS / "make_recordings.py"
SOURCES = REAL / "responses"
NAMES = ("text-answer", "reasoning-function-call", "web-search-citations", "mcp-call-failed")


def _path(name: str) -> Path:
    return RECORDINGS / f"{name}.ndjson"


def fold(name: str) -> responses.Accumulator:
    """The recording replayed (through the dialect of its header) and folded, strictly."""
    replayer = Replayer.open(_path(name))
    return s.fold(list(replayer.iter_events()), strict=True)


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_responses_recordings", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


# -- the set ----------------------------------------------------------------------------


def test_the_bundled_recordings_are_exactly_the_scenarios() -> None:
    files = sorted(p.name for p in RECORDINGS.iterdir() if p.name != "__pycache__")
    expected = ["README.md", "make_recordings.py", *(f"{name}.ndjson" for name in NAMES)]
    assert files == sorted(expected)
    readme = (RECORDINGS / "README.md").read_text(encoding="utf-8")
    for name in NAMES:
        assert f"`{name}.ndjson`" in readme


@pytest.mark.parametrize("name", NAMES)
def test_header_says_responses_and_names_its_real_source(name: str) -> None:
    path = _path(name)
    replayer = Replayer.open(path)
    header = replayer.header
    assert (header.version, header.dialect) == (1, "responses")
    assert header.started_at is not None
    assert header.meta["scenario"] == name
    assert header.meta["generator"] == "recordings/responses/make_recordings.py"
    (stream,) = replayer.streams
    assert stream.request is not None
    assert stream.response is not None
    assert stream.request["url"] == "https://api.openai.com/v1/responses"
    assert stream.request["headers"]["Authorization"] == "[redacted]"
    assert stream.response["headers"]["set-cookie"] == "[redacted]"
    assert b"sk-" not in path.read_bytes()
    source = header.meta["source"]
    # The recorded bytes are the real capture, unchanged.
    assert hashlib.sha256(stream.body).hexdigest() == source["sha256"]
    if SOURCES.is_dir():
        assert (SOURCES / source["file"]).read_bytes() == stream.body


@pytest.mark.parametrize("name", NAMES)
def test_chunks_and_timing_look_like_a_network(name: str) -> None:
    (stream,) = Replayer.open(_path(name)).streams
    times = [t for t, _ in stream.chunks]
    assert 0.2999 <= times[0] - stream.t0 <= 0.8001
    assert all(0.0099 <= b - a <= 0.9001 for a, b in itertools.pairwise(times))
    chunks = [chunk for _, chunk in stream.chunks]
    assert len(chunks) >= 20
    assert any(a.endswith(b"\n") and b.startswith(b"\n") for a, b in itertools.pairwise(chunks))
    if any(byte >= 0x80 for byte in stream.body):
        assert any(_splits_a_character(chunk) for chunk in chunks)


def _splits_a_character(chunk: bytes) -> bool:
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


# -- each scenario folded ------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_replay_folds_to_the_final_response(name: str) -> None:
    """Replayed through its header's dialect (the kit checks every chunking of the same bytes)."""
    acc = fold(name)
    events = list(Replayer.open(_path(name)).iter_events())
    final = events[-1]
    assert isinstance(final, responses.ResponseCompleted)
    assert type(acc.result) is responses.FoldedResponse
    assert msgspec.to_builtins(acc.result) == msgspec.to_builtins(final.response)
    assert acc.done
    assert acc.warnings == []
    assert acc.drift == []
    assert acc.sequence_number == len(events) - 1


def test_text_answer() -> None:
    result = fold("text-answer").result
    assert result is not None
    assert result.status == "completed"
    assert result.output_text == "Hello! How can I assist you today?"
    (message,) = result.output  # type: ignore[misc]
    assert isinstance(message, responses.OutputMessage)
    assert message.status == "completed"


def test_reasoning_function_call() -> None:
    result = fold("reasoning-function-call").result
    assert result is not None
    reasoning, call = result.output  # type: ignore[misc]
    assert isinstance(reasoning, responses.Reasoning)
    assert reasoning.summary == []
    assert isinstance(reasoning.encrypted_content, str)
    assert isinstance(call, responses.FunctionCall)
    assert (call.name, call.arguments, call.status) == (
        "final_result",
        '{"result":6666}',
        "completed",
    )
    assert isinstance(result.usage, responses.Usage)
    assert isinstance(result.usage.output_tokens_details, responses.OutputTokensDetails)
    assert result.usage.output_tokens_details.reasoning_tokens == 448


def test_web_search_citations() -> None:
    result = fold("web-search-citations").result
    assert result is not None
    search, message = result.output  # type: ignore[misc]
    assert isinstance(search, responses.WebSearchCall)
    assert search.status == "completed"
    assert isinstance(search.action, responses.WebSearchActionSearch)
    assert isinstance(message, responses.OutputMessage)
    (text,) = message.content
    assert isinstance(text, responses.OutputText)
    assert text.text.startswith("As of 5:05 PM on March 27, 2026, in Redmond, Washington")
    assert text.annotations
    for annotation in text.annotations:  # type: ignore[union-attr]
        assert isinstance(annotation, responses.URLCitation)
        assert annotation.url.startswith("https://")
        assert 0 <= annotation.start_index < annotation.end_index <= len(text.text)


def test_mcp_call_failed() -> None:
    result = fold("mcp-call-failed").result
    assert result is not None
    kinds = [type(item).__name__ for item in result.output]  # type: ignore[union-attr]
    assert kinds == [
        "McpListTools",
        "Reasoning",
        "McpCall",
        "Reasoning",
        "McpCall",
        "OutputMessage",
    ]
    tools, _, failed, _, succeeded, _ = result.output  # type: ignore[misc]
    assert isinstance(tools, responses.McpListTools)
    assert [tool.name for tool in tools.tools] == ["roll"]
    assert isinstance(failed, responses.McpCall)
    assert failed.error == {"type": "http_error", "code": 424, "message": "424: "}
    assert failed.output is None
    assert isinstance(succeeded, responses.McpCall)
    assert (succeeded.output, succeeded.error) == ("6", None)
    assert result.output_text == "You rolled 2d4+1: 6"


def test_replaying_through_iter_events_and_the_header_dialect_agree() -> None:
    for name in NAMES:
        replayer = Replayer.open(_path(name))
        chunks = list(replayer.iter_chunks())
        assert list(streamkit.iter_events(chunks, dialect="responses")) == list(
            replayer.iter_events()
        )
        assert msgspec.to_builtins(fold(name).result) == msgspec.to_builtins(
            s.fold(list(replayer.iter_events())).result
        )


# -- the generator ------------------------------------------------------------------------


@pytest.mark.skipif(not SOURCES.is_dir(), reason="no real recordings")
def test_the_generator_writes_the_same_bytes_again(tmp_path: Path) -> None:
    generator = _load_generator()
    written = generator.write_all(tmp_path, SOURCES)
    assert [path.name for path in written] == [f"{name}.ndjson" for name in NAMES]
    for path in written:
        assert path.read_bytes() == (RECORDINGS / path.name).read_bytes(), path.name
