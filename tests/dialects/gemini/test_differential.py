"""streamkit against google-genai, the official SDK, on the same bytes.

google-genai is driven without a network: ``client.models.generate_content_stream``
over an ``httpx.MockTransport`` that answers with the captured body, through
its own SSE reader, its response converters (``_from_mldev``, or
``_from_vertex`` for a Vertex AI capture) and its pydantic
``GenerateContentResponse``.  The SDK only requests ``alt=sse``: a JSON-array
capture is given to it as the SSE body of the same objects, while streamkit
reads the array itself.

The SDK has no fold (a chat's history keeps each chunk's content as it
came), so the comparison is:

* chunk by chunk: each streamkit event's response, as JSON, has every value
  the SDK's ``model_dump(by_alias=True, exclude_none=True)`` has (signatures
  compared as bytes: the SDK re-encodes them URL-safe), and nothing more but
  fields the SDK's models do not have (:data:`ONLY_STREAMKIT`);
* the fold against the SDK's chunks read in turn: the text (``chunk.text``
  joined), the thoughts, the function calls (``chunk.function_calls``), the
  other parts in order, every signature, the last usage, the finish reason.

Where the SDK cannot read a capture at all (integer enums), a test pins it
beside streamkit's result.
"""

from __future__ import annotations

import base64
import json
import warnings
from typing import Any

import msgspec
import pytest

httpx = pytest.importorskip("httpx")
genai = pytest.importorskip("google.genai")
from google.genai import types

import streamkit
from streamkit.dialects import gemini
from tests.helpers import REAL

DIR = REAL / "gemini"
NAMES = [p.name for p in sorted(DIR.glob("*.sse")) + sorted(DIR.glob("*.json"))]
INT_ENUMS = [name for name in NAMES if "int-enums" in name]

ONLY_STREAMKIT = {
    "serviceTier": "usageMetadata.serviceTier: the SDK's UsageMetadata has no such field",
    "finishMessage": "the SDK's Gemini API converter (_Candidate_from_mldev) drops it",
}
"""Keys streamkit keeps and google-genai drops, each with where it loses them."""


def _sse(body: bytes) -> bytes:
    """The SSE form of a body (a JSON-array body's elements as ``data:`` lines)."""
    if body.lstrip()[:1] != b"[":
        return body
    return b"".join(b"data: " + json.dumps(o).encode() + b"\r\n\r\n" for o in json.loads(body))


def sdk_chunks(body: bytes) -> list[Any]:
    """What ``generate_content_stream`` yields for *body* (Vertex AI's path for its captures)."""

    def respond(request: Any) -> Any:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    options = types.HttpOptions(httpx_client=httpx.Client(transport=httpx.MockTransport(respond)))
    vertex = b'"createTime"' in body
    client = genai.Client(vertexai=vertex, api_key="not-a-key", http_options=options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the SDK warns of non-text parts when .text is read
        chunks = list(
            client.models.generate_content_stream(model="gemini-2.5-flash", contents="hi")
        )
        for chunk in chunks:
            chunk.__dict__["_text"] = chunk.text
            chunk.__dict__["_calls"] = chunk.function_calls
    return chunks


def ours(name: str) -> tuple[list[Any], gemini.Accumulator]:
    events = list(streamkit.iter_events([(DIR / name).read_bytes()], "gemini"))
    acc = gemini.Accumulator(strict=True)
    for event in events:
        acc.feed(event)
    return events, acc


def _normal(value: Any, key: str = "") -> Any:
    """JSON as compared: signatures as bytes, times as parsed."""
    if isinstance(value, dict):
        return {k: _normal(v, k) for k, v in value.items() if k != "sdkHttpResponse"}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if key == "thoughtSignature" and isinstance(value, str):
        return base64.urlsafe_b64decode(value.replace("+", "-").replace("/", "_"))
    if key == "createTime" and isinstance(value, str):
        return value.rstrip("Z").split("+")[0]
    return value


def _covers(mine: Any, theirs: Any, path: str = "$") -> None:
    """*mine* has every value *theirs* has, and more only under :data:`ONLY_STREAMKIT` keys."""
    if isinstance(theirs, dict):
        assert isinstance(mine, dict), path
        for key, value in theirs.items():
            assert key in mine, f"{path}.{key}"
            _covers(mine[key], value, f"{path}.{key}")
        assert set(mine) - set(theirs) <= set(ONLY_STREAMKIT), (path, set(mine) - set(theirs))
    elif isinstance(theirs, list):
        assert isinstance(mine, list), path
        assert len(mine) == len(theirs), path
        for i, (a, b) in enumerate(zip(mine, theirs, strict=True)):
            _covers(a, b, f"{path}[{i}]")
    elif isinstance(theirs, float) or isinstance(mine, float):
        assert mine == pytest.approx(theirs), path
    else:
        assert mine == theirs, path


@pytest.mark.parametrize("name", [n for n in NAMES if n not in INT_ENUMS])
def test_every_chunk_decodes_as_the_sdk_decodes_it(name: str) -> None:
    events, _ = ours(name)
    chunks = sdk_chunks(_sse((DIR / name).read_bytes()))
    assert len(events) == len(chunks)
    for event, chunk in zip(events, chunks, strict=True):
        mine = _normal(msgspec.to_builtins(event.data))
        theirs = _normal(chunk.model_dump(mode="json", by_alias=True, exclude_none=True))
        _covers(mine, theirs)


@pytest.mark.parametrize("name", [n for n in NAMES if n not in INT_ENUMS])
def test_the_fold_agrees_with_the_sdk_s_chunks(name: str) -> None:
    _, acc = ours(name)
    chunks = sdk_chunks(_sse((DIR / name).read_bytes()))
    parts = [
        part
        for chunk in chunks
        if chunk.candidates and chunk.candidates[0].content
        for part in chunk.candidates[0].content.parts or ()
    ]
    # The answer, the thoughts and the calls.
    assert acc.text == "".join(chunk.__dict__["_text"] or "" for chunk in chunks)
    assert acc.reasoning == "".join(p.text for p in parts if p.thought and p.text)
    calls = [call for chunk in chunks for call in chunk.__dict__["_calls"] or ()]
    assert [(c.id, c.name, json.loads(c.arguments)) for c in acc.tool_calls] == [
        (call.id, call.name, call.args or {}) for call in calls
    ]
    # Every other part, in order; every signature.
    result = msgspec.to_builtins(acc.result)
    folded = result["candidates"][0].get("content", {}).get("parts", [])
    assert [
        _normal({k: v for k, v in p.items() if k != "thoughtSignature"})
        for p in folded
        if "text" not in p
    ] == [
        _normal(
            p.model_dump(
                mode="json", by_alias=True, exclude_none=True, exclude={"thought_signature"}
            )
        )
        for p in parts
        if p.text is None
    ]
    assert sorted(_normal(p, "thoughtSignature") for p in _signatures(folded)) == sorted(
        p.thought_signature for p in parts if p.thought_signature
    )
    # The last usage and the finish reason.
    last = chunks[-1]
    assert (
        _normal(result["usageMetadata"]).items()
        >= _normal(
            last.usage_metadata.model_dump(mode="json", by_alias=True, exclude_none=True)
        ).items()
    )
    reasons = [
        c.candidates[0].finish_reason
        for c in chunks
        if c.candidates and c.candidates[0].finish_reason
    ]
    assert result["candidates"][0]["finishReason"] == reasons[-1].value


def _signatures(parts: list[dict[str, Any]]) -> list[str]:
    return [p["thoughtSignature"] for p in parts if "thoughtSignature" in p]


@pytest.mark.parametrize("name", INT_ENUMS)
def test_integer_enums_the_sdk_cannot_read(name: str) -> None:
    """``$alt=json;enum-encoding=int`` bodies: the SDK raises a bare AttributeError;
    streamkit keeps the numbers and names the finish reason."""
    with pytest.raises(AttributeError):
        sdk_chunks(_sse((DIR / name).read_bytes()))
    _, acc = ours(name)
    assert acc.result.candidates[0].finish_reason == 1
    assert acc.outcome == streamkit.Outcome(kind="completed", reason="STOP")
