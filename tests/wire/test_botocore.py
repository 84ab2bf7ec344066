"""Differential: the event stream decoder against botocore's ``EventStreamBuffer``.

botocore gives timestamps as integer milliseconds and UUIDs as their 16
bytes; streamkit's values are compared in that form.  Only outcomes are
compared (the same messages; both reject, or neither), never wording.
"""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from streamkit import EventStreamDecoder, encode_message

from .helpers import BEDROCK, Decoded, bytewise, headers_and_types, split_at
from .test_properties import corrupted, encode_all

if TYPE_CHECKING:
    from pathlib import Path

eventstream = pytest.importorskip("botocore.eventstream")

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _botocore_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return (value - EPOCH) // datetime.timedelta(milliseconds=1)
    if isinstance(value, uuid.UUID):
        return value.bytes
    return value


def ours(chunks: list[bytes]) -> tuple[list[Any], bool]:
    """streamkit's (headers, payload) of every message, and whether it rejected the body."""
    decoded = Decoded(EventStreamDecoder, chunks)
    messages = [
        ({name: _botocore_value(v) for name, v in m.headers.items()}, m.data)
        for m in decoded.frames
    ]
    return messages, decoded.error is not None


def theirs(chunks: list[bytes]) -> tuple[list[Any], bool]:
    """botocore's (headers, payload) of every message, and whether it rejected the body."""
    buffer = eventstream.EventStreamBuffer()
    messages = []
    try:
        for chunk in chunks:
            buffer.add_data(chunk)
            for m in buffer:  # one by one: what came before a rejection is kept
                messages.append((m.headers, m.payload))  # noqa: PERF401
    except Exception:  # any of its errors is a rejection
        return messages, True
    return messages, False


@pytest.mark.parametrize("path", BEDROCK, ids=[path.stem for path in BEDROCK])
def test_real_captures(path: Path) -> None:
    body = path.read_bytes()
    for chunks in ([body], bytewise(body), [body[i : i + 64] for i in range(0, len(body), 64)]):
        mine, rejected = ours(chunks)
        assert not rejected
        assert mine == theirs(chunks)[0]
        assert len(mine) > 0


@SETTINGS
@given(
    items=st.lists(st.tuples(headers_and_types(), st.binary(max_size=200)), max_size=5),
    cuts=st.lists(st.integers(0, 4096), max_size=8),
)
def test_generated_bodies(items: list[Any], cuts: list[int]) -> None:
    body = encode_all(items)
    chunks = split_at(body, cuts)
    mine, rejected = ours(chunks)
    assert not rejected
    assert (mine, False) == theirs(chunks)


@SETTINGS
@given(
    data=st.data(),
    items=st.lists(st.tuples(headers_and_types(), st.binary(max_size=100)), min_size=1, max_size=4),
)
def test_corrupted_bodies_are_rejected_by_both(data: st.DataObject, items: list[Any]) -> None:
    body = data.draw(corrupted(encode_all(items)))
    mine, rejected = ours([body])
    other, other_rejected = theirs([body])
    assert rejected == other_rejected
    assert mine == other


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(encode_message({}, b"x")[:-1] + b"\0", id="message-crc"),
        pytest.param(b"\0\0\0\x20\0\0\0\0" + b"\1\2\3\4" + b"\0" * 20, id="prelude-crc"),
    ],
)
def test_both_reject_a_bad_crc(body: bytes) -> None:
    assert ours([body])[1]
    assert theirs([body])[1]
