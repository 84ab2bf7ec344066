"""The real Ollama captures: each folds to what the server itself builds from the same lines.

What every dialect gets checked (any chunking, auto-detection, re-encoding,
the common face, cut streams) is the conformance kit's; here are the checks
only this dialect has: the result against a plain reading of the lines, and
particular fields of particular captures.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import msgspec
import pytest

import streamkit
from streamkit.dialects import ollama
from tests.helpers import REAL

from . import streams as s

DIR = REAL / "ollama"
NAMES = [path.name for path in sorted(DIR.glob("*.ndjson"))]


def test_the_captures_are_there() -> None:
    assert len(NAMES) == 8


@functools.cache
def _body(name: str) -> bytes:
    return (DIR / name).read_bytes()


@functools.cache
def _events(name: str) -> tuple[Any, ...]:
    return tuple(streamkit.iter_events([_body(name)], dialect="ollama"))


def plain(body: bytes) -> dict[str, Any]:
    """The ``"stream": false`` response, read from the lines with ``json`` as the server builds it.

    The text of every line joined, the tool calls appended, everything else
    the last line's.
    """
    lines = [json.loads(line) for line in body.splitlines() if line.strip()]
    out = dict(lines[-1])
    if "message" in out:
        message = dict(out["message"])
        message["content"] = "".join(line["message"].get("content", "") for line in lines)
        out["message"] = message
    else:
        out["response"] = "".join(line.get("response", "") for line in lines)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_every_line_decodes_and_folds_cleanly(name: str) -> None:
    events = _events(name)
    endpoint = "chat" if "_chat-" in name else "generate"
    kind = ollama.ChatChunkEvent if endpoint == "chat" else ollama.GenerateChunkEvent
    assert [type(event) for event in events] == [kind] * len(_body(name).splitlines())
    acc = s.fold(list(events), strict=True)
    assert acc.endpoint == endpoint
    assert acc.done
    assert acc.warnings == []
    assert acc.errors == []


@pytest.mark.parametrize("name", NAMES)
def test_the_fold_is_what_the_server_builds(name: str) -> None:
    acc = s.fold(list(_events(name)))
    assert msgspec.to_builtins(acc.result) == plain(_body(name))


def test_the_length_capture() -> None:
    acc = s.fold(list(_events("langchaingo_chat-done-length-non-ascii-gemma3_2025-08-20.ndjson")))
    assert acc.text.startswith("Hello there! I’m doing well")
    assert acc.text.endswith(" 😊 ")
    assert acc.outcome == streamkit.Outcome(kind="incomplete", reason="length")
    assert acc.usage.output_tokens == 50


def test_an_early_generate_server() -> None:
    acc = s.fold(list(_events("langchainrb_generate-llama2_2024-02-05.ndjson")))
    result = acc.result
    assert type(result) is ollama.GenerateResponse
    assert result.response == "\nIn one word, life is... complex."
    assert result.done_reason is msgspec.UNSET
    assert result.context is not msgspec.UNSET
    assert len(result.context) == 41
    assert acc.outcome == streamkit.Outcome(kind="completed")
    assert (acc.usage.input_tokens, acc.usage.output_tokens, acc.usage.total_tokens) == (12, 16, 28)


def test_nanosecond_times_are_kept_as_sent() -> None:
    acc = s.fold(list(_events("langchainrb_chat-llama3_2024-05-30.ndjson")))
    assert acc.result.created_at == "2024-05-30T16:25:26.868515884Z"


def test_json_output_is_text() -> None:
    acc = s.fold(list(_events("langchainrb_chat-format-json-llama32_2024-11-30.ndjson")))
    assert json.loads(acc.text)["name"] == "John"
