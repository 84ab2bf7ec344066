"""streamkit's fold against the official ``ollama`` client's streaming path, on the same bytes.

The client (``ollama.Client``) is driven without a network: an
``httpx.MockTransport`` answers with the body, in the chunks given, and its
own streaming path reads it (``httpx``'s ``iter_lines``, ``json.loads``, a
pydantic model per line, ``ResponseError`` for an error line).  It has no
fold of its own: its documentation tells users to join the parts' content
and thinking and gather their tool calls, and to read the counts from the
last part, so that is the reference, built from the client's parts.

What the client models is compared: the text, the thinking, the tool calls'
names and arguments, ``done``, ``done_reason``, the durations and counts,
``model``, ``created_at`` and, for ``/api/generate``, ``context``.  Not
compared, because the client drops them: a tool call's ``id`` and
``function.index`` (its ``Message.ToolCall`` has neither field), and the
tool calls of ``/api/generate`` where its ``GenerateResponse`` has no
``tool_calls`` (0.6 drops them).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import msgspec
import pytest
from hypothesis import given, settings, strategies as st

httpx = pytest.importorskip("httpx")
ollama_sdk = pytest.importorskip("ollama")

import streamkit
from streamkit import Replayer
from tests.helpers import REAL, REPO, split_at

from . import streams as s

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

METRICS = (
    "total_duration",
    "load_duration",
    "prompt_eval_count",
    "prompt_eval_duration",
    "eval_count",
    "eval_duration",
)
#: Whether the client's ``GenerateResponse`` models tool calls (0.6 does not: it drops them).
GENERATE_CALLS = "tool_calls" in ollama_sdk.GenerateResponse.model_fields
CAPTURES = sorted((REAL / "ollama").glob("*.ndjson"))
RECORDINGS = sorted((REPO / "recordings" / "ollama").glob("*.ndjson"))


class _Body(httpx.SyncByteStream):  # type: ignore[misc]
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.chunks)


def official(chunks: list[bytes], endpoint: str) -> tuple[list[Any], Exception | None]:
    """The parts the ``ollama`` client yields for *chunks*, and the error that ended them."""

    def respond(request: Any) -> Any:
        headers = {"content-type": "application/x-ndjson"}
        return httpx.Response(200, headers=headers, stream=_Body(chunks))

    client = ollama_sdk.Client(host="http://ollama.invalid", transport=httpx.MockTransport(respond))
    if endpoint == "chat":
        stream = client.chat(model="m", messages=[{"role": "user", "content": "hi"}], stream=True)
    else:
        stream = client.generate(model="m", prompt="hi", stream=True)
    parts: list[Any] = []
    try:
        for part in stream:
            parts.append(part)  # noqa: PERF402 - what came before an error is kept
    except ollama_sdk.ResponseError as exc:
        return parts, exc
    return parts, None


def reference(parts: list[Any], endpoint: str) -> dict[str, Any]:
    """What a user of the client folds its parts to, as its documentation says."""
    text, thinking, calls = "", "", []
    for part in parts:
        if endpoint == "chat":
            text += part.message.content or ""
            thinking += part.message.thinking or ""
            calls += part.message.tool_calls or []
        else:
            text += part.response or ""
            thinking += part.thinking or ""
            calls += getattr(part, "tool_calls", None) or []
    last = parts[-1]
    out = {
        "model": last.model,
        "created_at": last.created_at,
        "text": text,
        "thinking": thinking or None,
        "tool_calls": [(c.function.name, dict(c.function.arguments)) for c in calls],
        "done": last.done,
        "done_reason": last.done_reason,
        **{name: getattr(last, name) for name in METRICS},
    }
    if endpoint == "generate":
        out["context"] = list(last.context) if last.context is not None else None
        if not GENERATE_CALLS:
            del out["tool_calls"]
    return out


def ours(chunks: list[bytes]) -> tuple[Any, dict[str, Any]]:
    """streamkit's fold of the same chunks, read as the reference is."""
    acc = s.fold(list(streamkit.iter_events(chunks, "ollama")))
    result = msgspec.to_builtins(acc.result)
    chat = acc.endpoint == "chat"
    message = result["message"] if chat else result
    out = {
        "model": result["model"],
        "created_at": result["created_at"],
        "text": message["content"] if chat else message["response"],
        "thinking": message.get("thinking"),
        "tool_calls": [
            (c["function"]["name"], c["function"]["arguments"])
            for c in message.get("tool_calls", [])
        ],
        "done": result["done"],
        "done_reason": result.get("done_reason"),
        **{name: result.get(name) for name in METRICS},
    }
    if not chat:
        out["context"] = result.get("context")
        if not GENERATE_CALLS:
            del out["tool_calls"]
    # The common face says the same as the final object.
    assert acc.text == out["text"]
    calls = message.get("tool_calls", [])
    assert [(c.name, json.loads(c.arguments)) for c in acc.tool_calls] == [
        (c["function"]["name"], c["function"]["arguments"]) for c in calls
    ]
    return acc, out


def _endpoint(body: bytes) -> str:
    return "chat" if b'"message"' in body.split(b"\n", 1)[0] else "generate"


def _compare(chunks: list[bytes]) -> Any:
    body = b"".join(chunks)
    endpoint = _endpoint(body)
    parts, error = official(chunks, endpoint)
    acc, got = ours(chunks)
    assert len(parts) == sum(
        1 for e in streamkit.iter_events([body], "ollama") if type(e) is not s.ollama.ErrorEvent
    )
    assert got == reference(parts, endpoint)
    if error is None:
        assert acc.errors == []
    else:
        assert [e.error for e in acc.errors] == [error.error]
        assert acc.outcome.kind == "errored"
    return acc


@pytest.mark.parametrize("path", CAPTURES, ids=lambda p: p.stem)
def test_every_real_capture(path: Path) -> None:
    body = path.read_bytes()
    _compare([body])
    _compare([body[i : i + 97] for i in range(0, len(body), 97)])


@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: p.stem)
def test_every_bundled_recording_in_its_chunks(path: Path) -> None:
    _compare(list(Replayer.open(path).iter_chunks()))


def test_an_error_line_ends_both() -> None:
    chunks = list(
        Replayer.open(REPO / "recordings" / "ollama" / "generate-error.ndjson").iter_chunks()
    )
    acc = _compare(chunks)
    assert acc.text == "\nIn one word, life is..."


def test_one_byte_at_a_time() -> None:
    body = (REAL / "ollama" / "magentic_chat-llama31_2024-11-17.ndjson").read_bytes()
    _compare([body[i : i + 1] for i in range(len(body))])


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), cuts=st.lists(st.integers(0, 4_000), max_size=8))
def test_random_streams(seed: int, cuts: list[int]) -> None:
    body, _ = s.random_stream(seed)
    _compare([chunk for chunk in split_at(body, cuts) if chunk])
