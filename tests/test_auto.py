"""dialect="auto": the first event of a stream picks its dialect."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import streamkit
from streamkit import dialects
from streamkit._pipeline import TOKENIZERS, sniff

from .helpers import REAL

if TYPE_CHECKING:
    from pathlib import Path

#: Every real capture of every dialect: raw bodies in any of its framings.
CASES = [
    pytest.param(path, name, id=f"{name}/{path.stem}")
    for name in dialects.names()
    for pattern in ("*.sse", "*.json", "*.bin", "*.ndjson")
    for path in sorted((REAL / name).glob(pattern))
]


@pytest.mark.parametrize(("path", "dialect"), CASES)
def test_auto_picks_the_dialect_of_every_real_capture(path: Path, dialect: str) -> None:
    body = path.read_bytes()
    chunks = [body[i : i + 512] for i in range(0, len(body), 512)]
    assert list(streamkit.iter_events(chunks, "auto")) == list(
        streamkit.iter_events(chunks, dialect)
    )


def test_each_dialect_claims_only_its_own_first_events() -> None:
    for path, dialect in ((c.values[0], c.values[1]) for c in CASES):
        body = path.read_bytes()
        framing = sniff(body, final=True)
        assert framing is not None
        first = next(iter(TOKENIZERS[framing]().feed(body)))
        claims = [n for n in dialects.names() if dialects.get(n).detect(first.event, first.view)]
        assert claims == [dialect], path


def test_auto_names_the_stream_it_cannot_place() -> None:
    with pytest.raises(streamkit.DecodeError, match="no dialect recognises") as info:
        list(streamkit.iter_events([b"event: hello\ndata: {}\n\n"], "auto"))
    assert info.value.event == "hello"
    assert info.value.ordinal == 0
    # Skipping what no dialect claims still ends in the error: never an empty success.
    events = streamkit.iter_events([b"event: hello\ndata: {}\n\n"], "auto", on_error="skip")
    with pytest.raises(streamkit.DecodeError, match="no dialect recognises"):
        next(events)


@pytest.mark.anyio
async def test_auto_async() -> None:
    body = (REAL / "anthropic").glob("*.sse").__next__().read_bytes()

    async def chunks():  # type: ignore[no-untyped-def]
        yield body

    got = [e async for e in streamkit.aiter_events(chunks(), "auto", idle_timeout=5)]
    assert got == list(streamkit.iter_events([body], "anthropic"))


def test_unknown_dialect_name() -> None:
    with pytest.raises(ValueError, match="unknown dialect 'nope'"):
        list(streamkit.iter_events([b""], "nope"))
