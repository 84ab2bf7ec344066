"""streamkit's fold against the anthropic SDK's own, on the same bytes.

For every real capture, the bytes are served (in 16 KiB chunks) to
``anthropic.Anthropic(...).messages.stream(...)`` over a mock transport, and
its ``get_final_message()`` is compared with ``streamkit.iter_events`` +
:class:`Accumulator` on the same chunks (that any other chunking folds the
same, the conformance kit checks).  The
SDK's beta helper (``client.beta.messages.stream``), whose fold knows more
block and delta types, is compared too.  Both sides are compared as JSON
(``to_dict(mode="json")`` against ``msgspec.to_builtins``), whole, after
taking out the legitimate differences below, each checked to be what it
says:

- **stop_details** (GA and beta): the SDK assigns ``message_delta``'s
  ``stop_details`` unconditionally, so a stream that never sends the field
  (every capture before 2025-09) gets ``"stop_details": null`` from the SDK.
  streamkit keeps it absent, like the non-streaming response of that time.
- **compaction_delta** (GA): the GA fold ignores it, leaving ``content``
  ``null``; streamkit (and the beta fold) set the summary.
- **compaction ``encrypted_content``** (beta): the beta fold assigns the
  delta's ``encrypted_content`` even when the delta leaves it out (``null``);
  streamkit keeps a field the delta does not carry as it was (absent).
- **message_delta ``context_management`` and ``usage.iterations``** (GA): the
  GA fold does not copy them; streamkit (and beta) do.
- **mcp_tool_use ``input``** (GA): the GA fold parses ``input_json_delta``
  only into ``tool_use`` and ``server_tool_use`` blocks; streamkit (and beta)
  into ``mcp_tool_use`` too.

Not exercised by the captures, and documented in the fold: the SDK parses
the partial JSON of a tool's input on every delta (so a stream cut short
shows the SDK a partial ``input``; streamkit parses once, at the block's
stop, and keeps ``{}`` with :meth:`Accumulator.raw_input` until then), and it
raises on invalid input JSON where streamkit records a violation.
"""

from __future__ import annotations

import functools
import random
import warnings
from typing import Any

import msgspec
import pytest

pytest.importorskip("anthropic")

import streamkit
from tests.helpers import REAL

from .streams import REQUEST, fold, sdk_client, sdk_final, text_stream

DIR = REAL / "anthropic"
NAMES = [path.name for path in sorted(DIR.glob("*.sse"))]
CHUNK = 16 * 1024

pytestmark = pytest.mark.skipif(not NAMES, reason=f"no real captures in {DIR}")


def _chunks(data: bytes, how: str) -> list[bytes]:
    if how == "16k":
        return [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]
    rng = random.Random(len(data))
    chunks, pos = [], 0
    while pos < len(data):
        step = rng.randint(1, 300)
        chunks.append(data[pos : pos + step])
        pos += step
    return chunks


@functools.cache
def _body(name: str) -> bytes:
    return (DIR / name).read_bytes()


def _sdk(chunks: list[bytes], *, beta: bool) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # beta / deprecation notices
        message = sdk_final(chunks, beta=beta)
        # The GA SDK holds a block type it lacks in a model of another type: its
        # serializer warns, and still gives the fields as received.
        result: dict[str, Any] = message.to_dict(mode="json")
    return result


def _ours(chunks: list[bytes]) -> dict[str, Any]:
    acc = fold(streamkit.iter_events(chunks, dialect="anthropic"), strict=True)
    result: dict[str, Any] = msgspec.to_builtins(acc.result)
    return result


def _reconcile(ours: dict[str, Any], theirs: dict[str, Any], *, beta: bool) -> list[str]:
    """Take the documented differences out of both sides (in place); name those taken."""
    taken = []
    if "stop_details" not in ours and theirs.get("stop_details", 0) is None:
        del theirs["stop_details"]
        taken.append("stop_details")
    for mine, sdk in zip(ours["content"], theirs["content"], strict=True):
        kind = mine["type"]
        if kind == "compaction":
            if beta and "encrypted_content" not in mine and sdk.get("encrypted_content", 0) is None:
                del sdk["encrypted_content"]
                taken.append("compaction.encrypted_content")
            if not beta and sdk["content"] is None and mine["content"]:
                sdk["content"] = mine["content"]
                taken.append("compaction.content")
        if kind == "mcp_tool_use" and not beta and sdk["input"] == {} and mine["input"]:
            sdk["input"] = mine["input"]
            taken.append("mcp_tool_use.input")
    if not beta:
        if "context_management" in ours and "context_management" not in theirs:
            del ours["context_management"]
            taken.append("context_management")
        if "iterations" in ours["usage"] and "iterations" not in theirs["usage"]:
            del ours["usage"]["iterations"]
            taken.append("usage.iterations")
    return taken


# What each capture is expected to differ by, beyond stop_details (GA, beta).
EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    "pydantic-ai_compaction-block_2026-08-10.sse": (
        {"compaction.content", "context_management", "usage.iterations"},
        {"compaction.encrypted_content"},
    ),
    "pydantic-ai_mcp-connector_2025-11-25.sse": ({"mcp_tool_use.input"}, set()),
}
# The captures whose message_delta carries stop_details (so the SDK adds nothing).
WITH_STOP_DETAILS = {
    "pydantic-ai_code-execution_2026-05-08.sse",
    "pydantic-ai_compaction-block_2026-08-10.sse",
    "pydantic-ai_pause-turn-web-search_2026-07-14.sse",
}


@pytest.mark.parametrize("beta", [False, True], ids=["messages", "beta.messages"])
@pytest.mark.parametrize("name", NAMES)
def test_the_same_final_message_as_the_sdk(name: str, beta: bool) -> None:
    chunks = _chunks(_body(name), "16k")
    ours, theirs = _ours(chunks), _sdk(chunks, beta=beta)
    taken = set(_reconcile(ours, theirs, beta=beta))
    assert ours == theirs
    expected = set(EXPECTED.get(name, (set(), set()))[beta])
    if name not in WITH_STOP_DETAILS:
        expected.add("stop_details")
    assert taken == expected


@pytest.mark.parametrize("name", NAMES)
def test_the_same_text_deltas_and_text_as_the_sdk(name: str) -> None:
    """``streamkit.text_deltas`` are the SDK's ``text_stream`` pieces (less empty ones), and
    their join the fold's ``text``."""
    chunks = _chunks(_body(name), "16k")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with sdk_client(chunks).messages.stream(**REQUEST) as stream:
            theirs = [piece for piece in stream.text_stream if piece]
    events = list(streamkit.iter_events(chunks, dialect="anthropic"))
    assert list(streamkit.text_deltas(events)) == theirs
    assert fold(events).text == "".join(theirs)


def test_the_same_on_a_made_up_stream_with_every_rule() -> None:
    """Text, thinking and signature, a tool call, citations, usage totals, in one stream."""
    stream = text_stream()
    stream.events[1:] = []
    stream.block(0, {"type": "thinking", "thinking": "", "signature": ""})
    for piece in ("I should ", "check ", "the weather."):
        stream.thinking(0, piece)
    stream.delta(0, {"type": "signature_delta", "signature": "EuYBCkQYAiJA"}).stop(0)
    stream.block(1, {"type": "text", "text": ""}).text(1, "It is ")
    citation = {
        "type": "char_location",
        "cited_text": "sunny",
        "document_index": 0,
        "document_title": "Forecast",
        "start_char_index": 0,
        "end_char_index": 5,
    }
    stream.delta(1, {"type": "citations_delta", "citation": citation}).text(1, "sunny.").stop(1)
    stream.block(2, {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {}})
    for piece in ("", '{"city": ', '"Paris", "days"', ": 3}"):
        stream.json(2, piece)
    stream.stop(2).ping()
    stream.message_delta(
        "tool_use",
        {"input_tokens": 20, "output_tokens": 64, "cache_read_input_tokens": None},
    ).end()
    chunks = _chunks(stream.body(), "random")
    for beta in (False, True):
        ours, theirs = _ours(chunks), _sdk(chunks, beta=beta)
        assert _reconcile(ours, theirs, beta=beta) == ["stop_details"]
        assert ours == theirs
    assert ours["usage"]["output_tokens"] == 64
    assert ours["usage"]["cache_read_input_tokens"] == 0
    assert ours["content"][2]["input"] == {"city": "Paris", "days": 3}


def test_an_error_event_raises_in_the_sdk_and_is_kept_by_streamkit() -> None:
    """The SDK raises on an ``error`` event; streamkit records it and keeps the partial message.

    A legitimate difference: the fold's job is to keep what arrived, and the
    caller sees the error in :attr:`Accumulator.errors` (and as the event).
    """
    import anthropic as anthropic_sdk

    stream = text_stream("Par", "tial")
    del stream.events[-3:]  # no content_block_stop, message_delta, message_stop
    stream.add({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    chunks = _chunks(stream.body(), "16k")
    with pytest.raises(anthropic_sdk.APIStatusError, match="overloaded_error"):
        _sdk(chunks, beta=False)
    acc = fold(streamkit.iter_events(chunks, dialect="anthropic"), strict=True)
    assert [e.type for e in acc.errors] == ["overloaded_error"]
    assert msgspec.to_builtins(acc.result)["content"] == [{"type": "text", "text": "Partial"}]
