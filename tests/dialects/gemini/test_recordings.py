"""The bundled Gemini recordings (``recordings/gemini/``): each replays and folds as shown.

Every file is replayed with :meth:`Replayer.iter_events` (the dialect from its
header; the SSE or JSON-array form told from the first bytes), folded
strictly, and checked against what its scenario shows and against the same
fold of the whole body.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import TYPE_CHECKING

import msgspec
import pytest

import streamkit
from streamkit import Replayer
from streamkit.dialects import gemini
from tests.helpers import REAL, REPO

from .streams import fold

if TYPE_CHECKING:
    from pathlib import Path
    from types import ModuleType

RECORDINGS = REPO / "recordings" / "gemini"
GENERATOR = RECORDINGS / "make_recordings.py"
SOURCES = REAL / "gemini"
NAMES = (
    "thinking",
    "parallel-function-calls",
    "array-function-call",
    "grounding-web-search",
    "safety-stop",
    "error-in-array",
    "prompt-blocked",
)


def _fold(name: str) -> gemini.Accumulator:
    replayer = Replayer.open(RECORDINGS / f"{name}.ndjson")
    assert replayer.header.dialect == "gemini"
    assert len(replayer.streams) == 1
    return fold(replayer.iter_events(), strict=True)


def test_the_recordings_are_there() -> None:
    assert sorted(p.stem for p in RECORDINGS.glob("*.ndjson")) == sorted(NAMES)
    assert (RECORDINGS / "README.md").is_file()


@pytest.mark.parametrize("name", NAMES)
def test_the_recorded_chunks_fold_like_the_whole_body(name: str) -> None:
    replayer = Replayer.open(RECORDINGS / f"{name}.ndjson")
    chunks = list(replayer.iter_chunks())
    assert len(chunks) >= 4
    whole = list(streamkit.iter_events([b"".join(chunks)], dialect="gemini"))
    assert list(replayer.iter_events()) == whole
    assert msgspec.to_builtins(fold(whole).result) == msgspec.to_builtins(_fold(name).result)


@pytest.mark.parametrize(("name", "form"), [("array-function-call", b"["), ("thinking", b"d")])
def test_both_forms_are_bundled(name: str, form: bytes) -> None:
    body = b"".join(Replayer.open(RECORDINGS / f"{name}.ndjson").iter_chunks())
    assert body[:1] == form


def test_thinking() -> None:
    acc = _fold("thinking")
    assert acc.outcome.kind == "completed"
    assert acc.reasoning.startswith("**Generating Prime Candidates**")
    assert "79" in acc.text
    parts = acc.result.candidates[0].content.parts
    assert [part.thought for part in parts] == [True, msgspec.UNSET]
    assert acc.usage.reasoning_tokens == 3768


def test_parallel_function_calls() -> None:
    acc = _fold("parallel-function-calls")
    assert acc.outcome.kind == "requires_action"
    calls = acc.tool_calls
    assert [c.index for c in calls] == [0, 1]
    assert len({c.arguments for c in calls}) == 2
    first, second = (p for p in acc.result.candidates[0].content.parts if p.function_call)
    assert first.thought_signature
    assert second.thought_signature is msgspec.UNSET


def test_array_function_call() -> None:
    acc = _fold("array-function-call")
    assert acc.outcome.kind == "requires_action"
    assert [(c.name, c.arguments) for c in acc.tool_calls] == [("pelican_name_generator", "{}")]
    assert acc.reasoning.startswith("**Generating Pelican Names**")


def test_grounding_web_search() -> None:
    acc = _fold("grounding-web-search")
    grounding = acc.result.candidates[0].grounding_metadata
    assert {"webSearchQueries", "searchEntryPoint", "groundingChunks", "groundingSupports"} <= set(
        grounding
    )


def test_safety_stop() -> None:
    acc = _fold("safety-stop")
    assert acc.outcome == streamkit.Outcome(kind="incomplete", reason="SAFETY")
    ratings = acc.result.candidates[0].safety_ratings
    assert [r.blocked for r in ratings].count(True) == 1
    assert acc.text.startswith("Clementine was no ordinary calico.")


def test_error_in_array() -> None:
    acc = _fold("error-in-array")
    assert acc.outcome.kind == "errored"
    assert acc.errors == [
        gemini.ErrorObject(
            code=503,
            message="The model is overloaded. Please try again later.",
            status="UNAVAILABLE",
        )
    ]
    assert acc.text.startswith('{"name":"Zephyr')
    assert not acc.done


def test_prompt_blocked() -> None:
    acc = _fold("prompt-blocked")
    assert acc.outcome == streamkit.Outcome(kind="incomplete", reason="PROHIBITED_CONTENT")
    assert acc.result.candidates is msgspec.UNSET
    assert acc.usage.input_tokens == 30


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_streamkit_make_gemini", GENERATOR)
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
