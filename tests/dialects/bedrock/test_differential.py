"""streamkit against boto3's own ``bedrock-runtime`` client, on the same bytes.

boto3 is driven without a network: a ``before-send`` hook answers
``converse_stream`` and ``invoke_model_with_response_stream`` with the body,
and botocore's own path reads it (``EventStreamBuffer``, the shape-driven
event parser).  Compared:

* every event: botocore's dict for it equals streamkit's typed event as
  builtins, on every key botocore has.  streamkit keeps more: the padding
  ``p`` and the fields this botocore's service model does not have yet
  (:data:`NEWER`), which botocore drops;
* an exception message: botocore raises ``EventStreamError`` with its code
  and message after the events before it; streamkit gives the exception
  event in its place;
* a chunk: botocore's ``bytes`` are streamkit's ``body``;
* the fold: streamkit's ``ConverseResponse`` against the fold a boto3 user
  writes over botocore's dicts (``benchmarks.bench_bedrock.fold_boto3_events``).

boto3 has no fold of its own; the last comparison checks that streamkit's
result is what its dicts add up to.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

pytest.importorskip("boto3")
# The reference fold is the benchmark's boto3 contender (which needs the [bench] extra).
fold_boto3_events = pytest.importorskip("benchmarks.bench_bedrock").fold_boto3_events
from botocore.exceptions import EventStreamError

import streamkit
from streamkit import Replayer
from streamkit.dialects import bedrock
from tests.helpers import REAL, REPO

from .streams import Stream, boto3_client, boto3_converse_events, boto3_invoke_events, fold

if TYPE_CHECKING:
    from pathlib import Path

DIR = REAL / "bedrock"
CAPTURES = sorted(DIR.glob("*.bin"))
CONVERSE = [p for p in CAPTURES if "_converse-stream-" in p.name]
INVOKE = [p for p in CAPTURES if "_invoke-stream-" in p.name]
#: Fields the service sends that this botocore's model of the API lacks (botocore drops them).
NEWER = frozenset({"p", "serverToolUsage", "cacheReadInputTokenCount", "cacheWriteInputTokenCount"})
#: Blocks the reference fold does not build (a boto3 user's fold for text, tools, reasoning).
UNFOLDED = {"pydantic-ai_converse-stream-code-interpreter-tool-result-nova2lite_2026-01-16.bin"}


def ours(events: list[Any]) -> list[dict[str, Any]]:
    """streamkit's events as botocore shapes them: ``{name: fields}``, blobs as bytes."""
    out = []
    for event in events:
        if isinstance(event, bedrock.BedrockException):
            break  # botocore raises it instead
        fields = msgspec.to_builtins(event, builtin_types=(bytes,))
        if isinstance(event, (bedrock.AnthropicChunk, bedrock.Chunk, bedrock.TextChunk)):
            fields = {"bytes": event.body}
        out.append({event.event: fields})
    return out


def covers(mine: Any, theirs: Any, path: str = "$") -> None:
    """*mine* has every value of *theirs*; its other keys are only fields botocore lacks."""
    if isinstance(theirs, dict):
        assert isinstance(mine, dict), path
        for key, value in theirs.items():
            assert key in mine, f"{path}.{key}"
            covers(mine[key], value, f"{path}.{key}")
        extra = set(mine) - set(theirs)
        assert extra <= NEWER, (path, extra)
    elif isinstance(theirs, list):
        assert isinstance(mine, list), path
        assert len(mine) == len(theirs), path
        for i, (a, b) in enumerate(zip(mine, theirs, strict=True)):
            covers(a, b, f"{path}[{i}]")
    else:
        assert mine == theirs, path


def chunks_of(body: bytes, size: int) -> list[bytes]:
    return [body[i : i + size] for i in range(0, len(body), size)]


@pytest.mark.parametrize("path", CONVERSE, ids=[p.stem for p in CONVERSE])
def test_converse_events_are_botocores(path: Path) -> None:
    body = path.read_bytes()
    events = list(streamkit.iter_events([body], "bedrock"))
    for chunks in ([body], chunks_of(body, 97)):
        theirs = boto3_converse_events(chunks)
        mine = ours(events)
        assert len(mine) == len(theirs)
        covers(mine, theirs)


@pytest.mark.parametrize("path", INVOKE, ids=[p.stem for p in INVOKE])
def test_invoke_chunks_are_botocores(path: Path) -> None:
    body = path.read_bytes()
    events = list(streamkit.iter_events([body], "bedrock"))
    assert ours(events) == boto3_invoke_events([body])


@pytest.mark.parametrize("path", CONVERSE, ids=[p.stem for p in CONVERSE])
def test_the_fold_is_what_botocores_events_add_up_to(path: Path) -> None:
    if path.name in UNFOLDED:
        pytest.skip("a tool result block: not in the reference fold")
    body = path.read_bytes()
    acc = fold(streamkit.iter_events([body], "bedrock"), strict=True)
    mine = msgspec.to_builtins(acc.result, builtin_types=(bytes,))
    covers(mine, fold_boto3_events(boto3_converse_events([body])))


def test_an_exception_is_botocores_error() -> None:
    recording = REPO / "recordings" / "bedrock" / "model-stream-error.ndjson"
    body = b"".join(Replayer.open(recording).iter_chunks())
    events = list(streamkit.iter_events([body], "bedrock"))
    seen: list[dict[str, Any]] = []
    client = boto3_client([body])
    stream = client.converse_stream(modelId="m", messages=[])["stream"]
    with pytest.raises(EventStreamError) as info:
        seen.extend(stream)  # what came before the error stays in the list
    error = info.value.response["Error"]
    exception = events[-1]
    assert isinstance(exception, bedrock.ModelStreamErrorException)
    assert (error["Code"], error["Message"]) == (exception.event, exception.message)
    mine = ours(events)
    assert len(mine) == len(seen) == len(events) - 1
    covers(mine, seen)


_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
_pieces = st.lists(_text, min_size=1, max_size=12)
_inputs = st.dictionaries(_text, st.integers() | _text | st.none(), max_size=4)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=_pieces,
    value=_inputs,
    cuts=st.lists(st.integers(0, 200), max_size=6),
    reasoning=_pieces,
    size=st.integers(1, 200),
)
def test_generated_streams(
    texts: list[str], value: dict[str, Any], cuts: list[int], reasoning: list[str], size: int
) -> None:
    """Any stream of text, reasoning and a tool call, in any chunking: botocore's events, and
    the fold they add up to."""
    text = json.dumps(value, ensure_ascii=False)
    points = sorted({min(c, len(text)) for c in cuts})
    arguments = [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]
    stream = Stream().start()
    for piece in reasoning:
        stream.reasoning(0, text=piece)
    stream.reasoning(0, signature="Eu0C").stop(0)
    for piece in texts:
        stream.text(1, piece)
    stream.stop(1).tool(2, "f", "tooluse_x")
    for piece in arguments:
        stream.json(2, piece)
    stream.stop(2).end("tool_use").metadata()
    body = stream.body()
    chunks = chunks_of(body, size)
    events = list(streamkit.iter_events(chunks, "bedrock"))
    theirs = boto3_converse_events(chunks)
    covers(ours(events), theirs)
    acc = fold(events)
    assert acc.text == "".join(texts)
    assert acc.tool_calls[0].arguments == "".join(arguments)
    assert acc.warnings == []
    covers(msgspec.to_builtins(acc.result, builtin_types=(bytes,)), fold_boto3_events(theirs))
