"""Which tokenizer is in use, and that the two are one type for users.

In a normal install the compiled tokenizer must be the one in use: a build
that silently fell back to pure Python fails here.  The test is skipped only
when ``STREAMKIT_PURE_PYTHON`` forces the pure decoder, or when
``STREAMKIT_REQUIRE_COMPILED=0`` says no compiler was expected (a platform
without one).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest

import streamkit
from streamkit import SSEDecoder, SSEEvent, _sse

from .helpers import REPO


def _set(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")


def test_the_compiled_tokenizer_is_in_use() -> None:
    if _set("STREAMKIT_PURE_PYTHON"):
        pytest.skip("STREAMKIT_PURE_PYTHON is set: the pure-Python decoder is in use")
    if os.environ.get("STREAMKIT_REQUIRE_COMPILED") == "0":
        pytest.skip("STREAMKIT_REQUIRE_COMPILED=0: no compiled tokenizer expected")
    assert streamkit.SSEDecoder.implementation == "c", (
        "streamkit._csse was not built or did not load: the install fell back to pure"
        " Python (set STREAMKIT_REQUIRE_COMPILED=0 where no C compiler is expected)"
    )
    assert streamkit.SSEDecoder is _sse.CSSEDecoder


def test_the_pure_decoder_is_always_there() -> None:
    assert _sse.PySSEDecoder.implementation == "python"
    expected = "python" if _sse.CSSEDecoder is None else "c"
    assert SSEDecoder.implementation == expected


@pytest.mark.parametrize(("value", "expected"), [("1", "python"), ("0", None), ("", None)])
def test_environment_forces_the_pure_decoder(value: str, expected: str | None) -> None:
    """``STREAMKIT_PURE_PYTHON=1`` at import time: the pure decoder; ``0`` or empty: the default."""
    env = {**os.environ, "STREAMKIT_PURE_PYTHON": value}
    code = (
        "import sys, streamkit, streamkit._sse as s;"
        "print(streamkit.SSEDecoder.implementation, 'streamkit._csse' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    if expected == "python":
        assert out == ["python", "False"]  # the extension is not even imported
    else:  # the default: compiled wherever the extension was built
        built = importlib.util.find_spec("streamkit._csse") is not None
        assert out == (["c", "True"] if built else ["python", "False"])


def test_both_decoders_make_the_one_event_type(sse_decoder: type[SSEDecoder]) -> None:
    body = b"event: a\nid: 1\nretry: 5\ndata: x\n\ndata: y\n\n"
    events = sse_decoder().feed(body)
    pure = _sse.PySSEDecoder().feed(body)
    assert all(type(event) is SSEEvent for event in events)
    assert events == pure == [SSEEvent("a", b"x", "1", 5), SSEEvent("message", b"y", "1")]
    assert [repr(event) for event in events] == [repr(event) for event in pure]
    assert isinstance(events[0], streamkit.SSEEvent)


def test_the_public_names() -> None:
    assert SSEDecoder.__name__ == "SSEDecoder"
    assert SSEDecoder.__module__ == "streamkit"
    assert SSEDecoder.__doc__ == _sse.PySSEDecoder.__doc__


def test_a_chunk_whose_bytes_feed_the_same_decoder(sse_decoder: type[SSEDecoder]) -> None:
    """``bytes(chunk)`` runs before the decoder touches its state, in both decoders."""
    decoder = sse_decoder()

    class Sneaky:
        def __bytes__(self) -> bytes:
            inner.extend(decoder.feed(b"data: inner\n\n"))
            return b"data: outer\n\n"

    inner: list[SSEEvent] = []
    outer = decoder.feed(Sneaky())  # type: ignore[arg-type]
    assert inner == [SSEEvent(data=b"inner")]
    assert outer == [SSEEvent(data=b"outer")]
    assert [event.offset for event in [*inner, *outer]] == [0, 13]
    assert decoder.offset == 26


def test_a_decoder_not_initialised_is_refused() -> None:
    if _sse.CSSEDecoder is None:
        pytest.skip("the compiled tokenizer is not in use")
    decoder = _sse.CSSEDecoder.__new__(_sse.CSSEDecoder)
    with pytest.raises(RuntimeError, match=r"__init__\(\) was not called"):
        decoder.feed(b"data: x\n\n")
    with pytest.raises(RuntimeError, match=r"__init__\(\) was not called"):
        decoder.close()
    with pytest.raises(AttributeError):
        _ = decoder.last_event_id
