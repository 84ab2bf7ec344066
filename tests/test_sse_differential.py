"""The compiled tokenizer against the pure-Python one: one contract, checked by fuzzing.

Both decoders get the same bytes in the same chunks (whole, cut at random,
byte at a time, as bytearray and memoryview chunks; with the default bound and
a small ``max_event_size``) and must show the same thing call by call: the
events each ``feed()`` returned (name, data, id, retry, offset, the view's type
and what it views), the errors raised and by which call (type, message,
offset, excerpt), and ``last_event_id``, ``retry``, ``truncated`` and
``offset``.  See ``tests/fuzz/targets.py`` (``check_sse_diff``); the same
target runs under atheris as ``sse-diff``.  Skipped where the compiled
tokenizer is not in use.
"""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from streamkit import _sse

from .fuzz import targets
from .fuzz.strategies import ATOMS, cuts, fuzz_settings, sse_bodies

pytestmark = pytest.mark.skipif(
    _sse.CSSEDecoder is None, reason="the compiled tokenizer is not in use"
)

# Bodies that reach every branch of the chunk paths: runs of blank lines,
# retry fields cut anywhere, events that outgrow a small bound, CR runs.
SHAPES = [
    *ATOMS,
    b"\n\n\n\n",
    b"\r\r",
    b"retry: 5\n",
    b"re",
    b"try: 7\n",
    b"event: a\n",
    b"event: thread.message.delta\n",
    b"data: " + b"x" * 70 + b"\n",
    b"data: " + b"y" * 300 + b"\n\n",
    b": " + b"c" * 40 + b"\n",
    b": " + b"p" * 2000 + b"\n",  # long blocks, near the larger bounds
    b"data: " + b"q" * 3000 + b"\n",
    b"id: 9\n",
]
shaped = st.lists(st.sampled_from(SHAPES), max_size=60).map(b"".join)
small_limits = st.sampled_from([1, 2, 8, 31, 32, 64, 100, 257, 1000, 4096, 9000])


@fuzz_settings(smoke=400)
@given(body=sse_bodies, cuts=cuts, small_max=st.integers(1, 256))
def test_same_trace_on_fuzzed_bodies(body: bytes, cuts: list[int], small_max: int) -> None:
    targets.check_sse_diff(body, cuts, small_max)


@fuzz_settings(smoke=400)
@given(
    body=shaped,
    cuts=st.lists(st.integers(0, 20_000), max_size=40),
    step=st.integers(5, 97),
    small_max=small_limits,
)
def test_same_trace_on_shaped_bodies(
    body: bytes, cuts: list[int], step: int, small_max: int
) -> None:
    targets.check_sse_diff(body, cuts, small_max)
    # Small even chunks, as a slow network delivers them: many deferred blocks.
    targets.check_sse_diff(body, list(range(0, len(body), step)), small_max, whole=False)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"data: a\n\ndata: " + b"b" * 70 + b"\ndata: c\n\n", id="too-large"),
        pytest.param(b"data: " + b"a" * 20 + b"\n" + b":" * 30 + b"\n\n", id="deferred-count"),
        pytest.param(b"\xef\xbb\xbf\xef\xbb\xbfdata: x\n\n", id="bom"),
        pytest.param(b"retry: 10\ndata: x", id="retry-unfinished"),
        pytest.param(b"retry: " + b"9" * 5000 + b"\ndata: x\n\n", id="huge-retry"),
        pytest.param(b"event: e\r\ndata: a\r\n\r\n" * 3, id="crlf"),
        pytest.param(b"\n" * 300 + b"data: x\n\n" + b": keep-alive\n\n" * 20, id="keepalives"),
    ],
)  # fmt: skip
def test_same_trace_in_every_two_way_split(body: bytes) -> None:
    """Every cut point, with a bound small enough to fail somewhere."""
    targets.check_sse_diff(body, [], 32)  # whole and byte at a time, once
    for cut in range(len(body) + 1):
        targets.check_sse_diff(body, [cut], 32, whole=False)


def test_same_trace_on_real_bodies() -> None:
    """Each real capture, one event per chunk and in 7-byte chunks."""
    for dialect in ("assistants", "chat", "responses", "anthropic"):
        for body in targets.real_bodies(dialect):
            body = body[:8_000]
            ends = [i + 2 for i in range(len(body)) if body.startswith(b"\n\n", i)]
            targets.check_sse_diff(body, ends, 1024)
            targets.check_sse_diff(body, list(range(0, len(body), 7)), 4096)
