"""Shared helpers for the test suite."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from streamkit import SSEDecoder, SSEEvent

if TYPE_CHECKING:
    from collections.abc import Iterable

REPO = Path(__file__).resolve().parent.parent
REAL = REPO / "tests" / "data" / "real"


def decode_chunks(
    chunks: Iterable[bytes], decoder_class: type[SSEDecoder] = SSEDecoder, **kwargs: int
) -> tuple[list[SSEEvent], SSEDecoder]:
    """Decode a body delivered as *chunks*; return the events and the closed decoder.

    *decoder_class* is the implementation to use (the ``sse_decoder`` fixture's).
    """
    decoder = decoder_class(**kwargs)
    events: list[SSEEvent] = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    events += decoder.close()
    return events, decoder


def three_ways(body: bytes, decoder_class: type[SSEDecoder] = SSEDecoder) -> list[SSEEvent]:
    """Decode *body* whole, one byte at a time and with empty chunks between.

    Asserts the three agree (events, last event ID, retry, truncation) and
    returns the events.
    """
    whole, d1 = decode_chunks([body], decoder_class)
    bytewise, d2 = decode_chunks([body[i : i + 1] for i in range(len(body))], decoder_class)
    padded, d3 = decode_chunks(
        [b"", *(body[i : i + 3] + b"" for i in range(0, len(body), 3)), b""], decoder_class
    )
    assert whole == bytewise == padded
    for other in (d2, d3):
        assert (other.last_event_id, other.retry, other.truncated) == (
            d1.last_event_id,
            d1.retry,
            d1.truncated,
        )
    return whole


def split_at(data: bytes, cuts: Iterable[int]) -> list[bytes]:
    """Split *data* at the given positions (clamped, sorted, duplicates allowed)."""
    points = sorted(min(max(c, 0), len(data)) for c in cuts)
    out = []
    prev = 0
    for p in points:
        out.append(data[prev:p])
        prev = p
    out.append(data[prev:])
    return out
