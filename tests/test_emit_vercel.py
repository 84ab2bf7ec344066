"""streamkit.emit.vercel_ui, read by the AI SDK itself: the message it builds equals the fold.

``tests/js/read-ui-stream.mjs`` hands streamkit's bytes to the SDK's
``DefaultChatTransport`` (what ``useChat`` uses) and ``readUIMessageStream``,
and prints the message.  Needs Node and ``npm ci --prefix tests/js`` (which
``.ci/run`` does); skipped without them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import TYPE_CHECKING, Any

import pytest

import streamkit
from streamkit import emit
from streamkit.recording import Replayer

from .helpers import REPO

if TYPE_CHECKING:
    from pathlib import Path

JS = REPO / "tests" / "js"
SCRIPT = JS / "read-ui-stream.mjs"
RECORDINGS = sorted(
    p
    for d in ("chat", "responses", "anthropic", "assistants")
    for p in (REPO / "recordings" / d).glob("*.ndjson")
)


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    if not (JS / "node_modules" / "ai" / "package.json").exists():
        pytest.skip("the AI SDK is not installed: npm ci --prefix tests/js")
    return node


def read_with_the_sdk(data: bytes, headers: dict[str, str], tmp_path: Path) -> dict[str, Any]:
    body = tmp_path / "body.sse"
    body.write_bytes(data)
    done = subprocess.run(
        [_node(), str(SCRIPT), str(body), json.dumps(headers)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=JS,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_sdks_message_equals_the_fold(path: Path, tmp_path: Path) -> None:
    events = list(Replayer.open(path).iter_events())
    acc = streamkit.Accumulator()
    for event in events:
        acc.feed(event)
    if not (hasattr(acc.inner, "text") and hasattr(acc.inner, "tool_calls")):
        pytest.skip(f"the {acc.dialect} fold has no common face yet")
    reasoning = "".join(d.text for d in streamkit.deltas(events) if d.kind == "reasoning")
    result = read_with_the_sdk(b"".join(emit.vercel_ui(events)), emit.VERCEL_UI_HEADERS, tmp_path)
    message = result["message"]
    parts = message["parts"]
    text = "".join(p["text"] for p in parts if p["type"] == "text")
    assert text == acc.text + acc.refusal
    assert "".join(p["text"] for p in parts if p["type"] == "reasoning") == reasoning
    tools = [p for p in parts if p["type"].startswith("tool-")]
    assert [
        (p["toolCallId"], p["type"].removeprefix("tool-"), p["state"], p["input"]) for p in tools
    ] == [
        (c.id or f"call_{c.index}", c.name, "input-available", json.loads(c.arguments or "{}"))
        for c in acc.tool_calls
    ]
    assert all(p["state"] == "done" for p in parts if p["type"] in ("text", "reasoning"))
    errors = result["errors"]
    assert bool(errors) == (acc.outcome.kind in ("failed", "errored", "truncated"))


def test_a_failed_stream_reaches_the_sdk_as_an_error(tmp_path: Path) -> None:
    events = list(Replayer.open(REPO / "recordings" / "chat" / "text-usage.ndjson").iter_events())
    data = b"".join(emit.vercel_ui(events[:5]))  # cut short: the fold is truncated
    result = read_with_the_sdk(data, emit.VERCEL_UI_HEADERS, tmp_path)
    assert result["errors"] == ["Error: the stream ended early"]
    assert result["message"]["parts"][-1]["type"] == "text"
