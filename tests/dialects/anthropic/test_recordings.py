"""The bundled Anthropic recordings (``recordings/anthropic/``): each replays and folds as shown.

Every file is replayed with :meth:`Replayer.iter_events` (the dialect from its
header), and folded into an :class:`Accumulator`; the result is checked
against what its scenario shows.  That any chunking (the recorded one
included) folds the same, and the common face of each, the conformance kit
checks (``tests/conformance``, entry ``case.py``); the generator script
still makes exactly these files.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import TYPE_CHECKING, Any

import msgspec
import pytest

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
    for name in NAMES:  # recorded as the network cut them, not as one body
        assert len(list(_replayer(name).iter_chunks())) > 5, name


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
    assert acc.outcome.kind == "errored"
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
