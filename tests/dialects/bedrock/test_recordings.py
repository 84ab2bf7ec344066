"""The bundled Bedrock recordings (``recordings/bedrock/``): each replays and folds as shown.

Every file is replayed with :meth:`Replayer.iter_events` (the dialect from its
header) and folded strictly; the result is checked against what its scenario
shows, and against the fold of the whole body (the recorded chunking changes
nothing).  The generator must write the very same files again.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import TYPE_CHECKING, Any

import msgspec
import pytest

import streamkit
from streamkit import Replayer
from streamkit.dialects import bedrock
from tests.helpers import REAL, REPO

from .streams import fold

if TYPE_CHECKING:
    from pathlib import Path
    from types import ModuleType

RECORDINGS = REPO / "recordings" / "bedrock"
GENERATOR = RECORDINGS / "make_recordings.py"
SOURCES = REAL / "bedrock"
NAMES = ("text-answer", "tool-use", "reasoning", "invoke-anthropic", "model-stream-error")


def _replayer(name: str) -> Replayer:
    return Replayer.open(RECORDINGS / f"{name}.ndjson")


def _fold(name: str) -> bedrock.Accumulator:
    replayer = _replayer(name)
    assert replayer.header.dialect == "bedrock"
    assert len(replayer.streams) == 1
    return fold(replayer.iter_events(), strict=True)


def _result(name: str) -> Any:
    return msgspec.to_builtins(_fold(name).result)


def test_the_recordings_are_there() -> None:
    assert sorted(p.stem for p in RECORDINGS.glob("*.ndjson")) == sorted(NAMES)
    assert (RECORDINGS / "README.md").is_file()


@pytest.mark.parametrize("name", NAMES)
def test_the_recorded_chunks_fold_like_the_whole_body(name: str) -> None:
    replayer = _replayer(name)
    chunks = list(replayer.iter_chunks())
    assert len(chunks) > 15
    whole = list(streamkit.iter_events([b"".join(chunks)], dialect="bedrock"))
    assert list(replayer.iter_events()) == whole
    assert msgspec.to_builtins(fold(whole).result) == _result(name)


def test_text_answer() -> None:
    response = _result("text-answer")
    [block] = response["output"]["message"]["content"]
    assert block["text"].startswith("The sum of the numbers from 1 to 10 is 55.")
    assert response["stopReason"] == "end_turn"
    assert response["usage"] == {"inputTokens": 18, "outputTokens": 181, "totalTokens": 199}


def test_tool_use() -> None:
    acc = _fold("tool-use")
    text, tool = msgspec.to_builtins(acc.result)["output"]["message"]["content"]
    assert text["text"].endswith("Let me try again:")
    assert tool["toolUse"]["name"] == "get_cities_list"
    assert tool["toolUse"]["input"]["cities"][:3] == ["Tokyo", "Osaka", "Kyoto"]
    assert acc.outcome == streamkit.Outcome(kind="requires_action", reason="tool_use")


def test_reasoning() -> None:
    thinking, answer = _result("reasoning")["output"]["message"]["content"]
    assert thinking["reasoningContent"]["reasoningText"]["signature"].startswith("Eu0C")
    assert answer["text"].startswith("Hello!")


def test_invoke_anthropic() -> None:
    acc = _fold("invoke-anthropic")
    assert acc.family == "anthropic"
    assert [c.name for c in acc.tool_calls] == [
        "get_current_weather_info",
        "get_current_population_info",
    ]
    assert acc.invocation_metrics is not None


def test_model_stream_error() -> None:
    acc = _fold("model-stream-error")
    assert acc.done
    [error] = acc.errors
    assert isinstance(error, bedrock.ModelStreamErrorException)
    assert error.message.startswith("The system encountered an unexpected error")
    response = msgspec.to_builtins(acc.result)
    assert "stopReason" not in response
    assert acc.text.endswith("daydreaming during")
    assert _replayer("model-stream-error").streams[0].end == "eof"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_streamkit_make_bedrock", GENERATOR)
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
    assert sorted(p.stem for p in written) == sorted(NAMES)
    for path in written:
        assert path.read_bytes() == (RECORDINGS / path.name).read_bytes(), path.name
