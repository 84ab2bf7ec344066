"""The bundled Anthropic recordings (``recordings/anthropic/``): each replays and folds as shown.

Every file is replayed with :meth:`Replayer.iter_events` (the dialect from its
header), and folded into an :class:`Accumulator`; the result is checked
against what its scenario shows, and against the same fold of the whole body
(the recorded chunking changes nothing).
"""

from __future__ import annotations

import importlib.util
import sys
from typing import TYPE_CHECKING, Any

import msgspec
import pytest

import streamkit
from streamkit import Replayer
from streamkit.dialects import anthropic as sk_anthropic
from tests.helpers import REAL, REPO

from .streams import fold

if TYPE_CHECKING:
    from pathlib import Path
    from types import ModuleType

RECORDINGS = REPO / "recordings" / "anthropic"
GENERATOR = RECORDINGS / "make_recordings.py"
SOURCES = REAL / "anthropic"
NAMES = ("tool-use", "thinking", "web-search-citations", "overloaded-error")


def _replayer(name: str) -> Replayer:
    return Replayer.open(RECORDINGS / f"{name}.ndjson")


def _fold(name: str) -> sk_anthropic.Accumulator:
    replayer = _replayer(name)
    assert replayer.header.dialect == "anthropic"
    assert len(replayer.streams) == 1
    return fold(replayer.iter_events(), strict=True)


def _result(name: str) -> Any:
    acc = _fold(name)
    return msgspec.to_builtins(acc.result)


def test_the_recordings_are_there() -> None:
    assert sorted(p.stem for p in RECORDINGS.glob("*.ndjson")) == sorted(NAMES)
    assert (RECORDINGS / "README.md").is_file()


@pytest.mark.parametrize("name", NAMES)
def test_the_recorded_chunks_fold_like_the_whole_body(name: str) -> None:
    replayer = _replayer(name)
    chunks = list(replayer.iter_chunks())
    assert len(chunks) > 5
    whole = list(streamkit.iter_events([b"".join(chunks)], dialect="anthropic"))
    assert list(replayer.iter_events()) == whole
    assert msgspec.to_builtins(fold(whole).result) == _result(name)


def test_tool_use() -> None:
    acc = _fold("tool-use")
    assert acc.done
    message = msgspec.to_builtins(acc.result)
    assert message["stop_reason"] == "tool_use"
    text, weather, time = message["content"]
    assert text["text"].startswith("Certainly! I can help you with that information.")
    assert (weather["name"], weather["input"]) == (
        "get_weather",
        {"location": "San Francisco, CA", "unit": "celsius"},
    )
    assert (time["name"], time["input"]) == ("get_time", {"timezone": "America/Los_Angeles"})


def test_thinking() -> None:
    message = _result("thinking")
    thinking, text = message["content"]
    assert thinking["type"] == "thinking"
    assert thinking["thinking"].startswith("This is a straightforward question")
    assert thinking["signature"].startswith("E")
    assert text["type"] == "text"
    assert message["stop_reason"] == "end_turn"


def test_web_search_citations() -> None:
    message = _result("web-search-citations")
    kinds = [block["type"] for block in message["content"]]
    assert kinds[:6] == [
        "server_tool_use",
        "web_search_tool_result",
        "text",
        "server_tool_use",
        "web_search_tool_result",
        "text",
    ]
    citations = [
        c for b in message["content"] if b["type"] == "text" for c in b.get("citations") or ()
    ]
    assert len(citations) == 9
    assert message["usage"]["server_tool_use"] == {"web_search_requests": 2}


def test_overloaded_error() -> None:
    acc = _fold("overloaded-error")
    assert not acc.done
    assert [(e.type, e.message) for e in acc.errors] == [("overloaded_error", "Overloaded")]
    message = acc.result
    assert message is not None
    assert message.stop_reason is None
    (block,) = message.content
    assert isinstance(block, sk_anthropic.TextBlock)
    assert block.text == (
        "Here's an OpenTelemetry-themed joke for you:\n\n"
        "Why did the developer feel so lost when using OpenTelemet"
    )


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_streamkit_make_anthropic", GENERATOR)
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
