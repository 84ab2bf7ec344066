"""The JSON-array tokenizer (Gemini without ``alt=sse``), rule by rule, and its properties."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import streamkit
from streamkit import EventTooLarge, FrameError, JSONArrayDecoder, JSONArrayElement, StreamError
from streamkit._jsonarray import MAX_FAST_DEPTH

from .helpers import GEMINI_ARRAYS, Decoded, bytewise, split_at

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def decoded(body: bytes, **kw: int) -> Decoded:
    """*body* decoded whole, byte at a time and in 3-byte chunks: all agree; the whole one."""
    whole = Decoded(JSONArrayDecoder, [body], **kw)
    for chunks in (bytewise(body), [body[i : i + 3] for i in range(0, len(body), 3)]):
        Decoded(JSONArrayDecoder, chunks, **kw).same_as(whole)
    return whole


def elements(body: bytes, **kw: int) -> list[bytes]:
    whole = decoded(body, **kw)
    assert whole.error is None, whole.error
    return [element.data for element in whole.frames]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(b'[{"a":1},{"b":2}]', [b'{"a":1}', b'{"b":2}'], id="objects"),
        pytest.param(b"[]", [], id="empty"),
        pytest.param(b" \r\n[ \t]\r\n ", [], id="empty-with-whitespace"),
        pytest.param(
            b'[{\n  "a": 1\n}\n,\r\n{\n  "b": 2\n}\n]',
            [b'{\n  "a": 1\n}', b'{\n  "b": 2\n}'],
            id="gemini-layout",
        ),
        pytest.param(b'[{"a":[1,{"b":[]}]}]', [b'{"a":[1,{"b":[]}]}'], id="nested"),
        pytest.param(b'[{"a":"}]{["}]', [b'{"a":"}]{["}'], id="brackets-in-strings"),
        pytest.param(b'[{"a":"\\"}"}]', [b'{"a":"\\"}"}'], id="escaped-quote"),
        pytest.param(b'[{"a":"\\\\"},1]', [b'{"a":"\\\\"}', b"1"], id="escaped-backslash"),
        pytest.param(b'["x]", "y\\"]"]', [b'"x]"', b'"y\\"]"'], id="strings"),
        pytest.param(
            b"[1, -2.5e3 ,true,false , null]",
            [b"1", b"-2.5e3", b"true", b"false", b"null"],
            id="scalars",
        ),
        pytest.param(b"[[1,2],[]]", [b"[1,2]", b"[]"], id="arrays"),
        pytest.param(b'[{"a":1}]  \n', [b'{"a":1}'], id="whitespace-after"),
        pytest.param(
            '[{"t":"é 東京 😀"}]'.encode(), ['{"t":"é 東京 😀"}'.encode()], id="non-ascii"
        ),
        pytest.param(b'[{"a":1]', [b'{"a":1]'], id="bracket-kinds-not-matched"),
        pytest.param(b"[tru]", [b"tru"], id="scalars-not-parsed"),
    ],
)
def test_elements(body: bytes, expected: list[bytes]) -> None:
    assert elements(body) == expected


def test_every_element_is_named_message() -> None:
    [element] = JSONArrayDecoder().feed(b"[{}]")
    assert element.event == "message"
    assert JSONArrayElement(b"{}").event == "message"


def test_offsets_are_the_first_byte_of_each_element() -> None:
    body = b' [{"a":1} ,\r\n"x", 3 ]'
    whole = decoded(body)
    assert whole.offsets == [2, 13, 18]
    for i in range(len(body) + 1):
        Decoded(JSONArrayDecoder, split_at(body, [i])).same_as(whole)
    decoder = JSONArrayDecoder()
    decoder.feed(body[:5])
    assert decoder.offset == 5
    decoder.feed(body[5:])
    assert decoder.offset == len(body)


def test_an_element_is_delivered_as_soon_as_its_last_byte_is_in() -> None:
    decoder = JSONArrayDecoder()
    assert decoder.feed(b'[{"a":') == []
    [first] = decoder.feed(b'1}\n,\r\n{"b"')
    assert first.data == b'{"a":1}'
    [second] = decoder.feed(b":2}")
    assert second.data == b'{"b":2}'
    assert decoder.feed(b"]") == []
    # A number is whole only once what follows it is in.
    decoder = JSONArrayDecoder()
    assert decoder.feed(b"[12") == []
    [number] = decoder.feed(b"3]")
    assert number.data == b"123"


def test_a_backslash_at_the_end_of_a_chunk_escapes_the_next_chunk_s_first_byte() -> None:
    decoder = JSONArrayDecoder()
    assert decoder.feed(b'[{"a":"x\\') == []
    assert decoder.feed(b'"') == []  # escaped: the string goes on
    assert decoder.feed(b"}") == []  # inside the string
    [element] = decoder.feed(b'"}]')
    assert element.data == b'{"a":"x\\"}"}'


def test_deep_elements_take_the_scan_and_give_the_same() -> None:
    for depth in (MAX_FAST_DEPTH - 1, MAX_FAST_DEPTH, MAX_FAST_DEPTH + 1, 3 * MAX_FAST_DEPTH):
        value: Any = "x]"
        for i in range(depth):
            value = {"k": value} if i % 2 else [value, 1]
        text = json.dumps(value).encode()
        assert elements(b"[" + text + b"," + text + b"]") == [text, text]


def test_an_element_inside_one_chunk_is_a_view_of_it() -> None:
    chunk = b'[{"a":1},2,{"b":[3]}]'
    first, second, third = JSONArrayDecoder().feed(chunk)
    for element in (first, second, third):
        assert isinstance(element.view, memoryview)
        assert element.view.obj is chunk
    assert third.data == b'{"b":[3]}'
    assert type(third.data) is bytes


def test_an_element_across_chunks_is_bytes() -> None:
    decoder = JSONArrayDecoder()
    decoder.feed(b'[{"a"')
    [element] = decoder.feed(b":1}]")
    assert type(element.view) is bytes
    assert element.data == b'{"a":1}'


def test_a_mutable_chunk_is_copied_before_it_is_viewed() -> None:
    chunk = bytearray(b'[{"a":1}]')
    [element] = JSONArrayDecoder().feed(chunk)
    chunk[:] = b"XXXXXXXXX"
    assert element.data == b'{"a":1}'


def test_feed_takes_bytes_like_objects_only() -> None:
    with pytest.raises(TypeError, match="bytes-like"):
        JSONArrayDecoder().feed("[]")  # type: ignore[arg-type]


def test_element_equality_and_repr() -> None:
    assert JSONArrayElement(b"{}", 3) == JSONArrayElement(memoryview(b"{}"))
    assert JSONArrayElement(b"1") != JSONArrayElement(b"2")
    assert JSONArrayElement(b"1") != "1"
    assert repr(JSONArrayElement(b"{}")) == "JSONArrayElement(data=b'{}')"
    with pytest.raises(TypeError):
        hash(JSONArrayElement())


def test_public_names() -> None:
    for name in ("JSONArrayDecoder", "JSONArrayElement"):
        assert name in streamkit.__all__
        assert getattr(streamkit, name).__module__ == "streamkit"


# -- the end of the body -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "truncated", "count"),
    [
        pytest.param(b"", False, 0, id="nothing"),
        pytest.param(b" \r\n", False, 0, id="whitespace"),
        pytest.param(b"[", True, 0, id="opened"),
        pytest.param(b'[{"a":1}', True, 1, id="no-closing-bracket"),
        pytest.param(b'[{"a":1},', True, 1, id="after-a-comma"),
        pytest.param(b'[{"a":1},{"b":', True, 1, id="inside-an-element"),
        pytest.param(b"[1,2", True, 1, id="inside-a-number"),
        pytest.param(b'[{"a":1}]', False, 1, id="closed"),
    ],
)
def test_truncated_says_the_array_was_not_closed(body: bytes, truncated: bool, count: int) -> None:
    whole = decoded(body)
    assert whole.error is None
    assert whole.truncated is truncated
    assert len(whole.frames) == count


def test_close_returns_nothing_and_refuses_input_after() -> None:
    decoder = JSONArrayDecoder()
    decoder.feed(b'[{"a":1}')
    assert decoder.close() == []
    assert decoder.close() == []
    with pytest.raises(StreamError, match="after close"):
        decoder.feed(b"]")


# -- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "offset", "message"),
    [
        pytest.param(b'{"a":1}', 0, "expected '['", id="not-an-array"),
        pytest.param(b"  x[]", 2, "expected '['", id="junk-first"),
        pytest.param(b"\xef\xbb\xbf[]", 0, "expected '['", id="bom"),
        pytest.param(b'[{"a":1} {"b":2}]', 9, "expected ',' or ']'", id="missing-comma"),
        pytest.param(b'[{"a":1},,{"b":2}]', 9, "expected an element after ','", id="two-commas"),
        pytest.param(b'[{"a":1},]', 9, "expected an element after ','", id="trailing-comma"),
        pytest.param(b"[,1]", 1, "expected an element or ']'", id="leading-comma"),
        pytest.param(b"[:]", 1, "expected an element or ']'", id="not-a-value"),
        pytest.param(b"[}]", 1, "expected an element or ']'", id="a-closer"),
        pytest.param(b'[{"a":1}] {}', 10, "data after the end", id="data-after"),
        pytest.param(b"[][]", 2, "data after the end", id="two-arrays"),
    ],
)
def test_a_malformed_array_is_a_frame_error_at_its_byte(
    body: bytes, offset: int, message: str
) -> None:
    whole = decoded(body)
    assert type(whole.error) is FrameError
    assert whole.error.offset == offset
    assert message in whole.error.message
    assert whole.error.excerpt == body[offset : offset + 1]


def test_elements_before_an_error_in_the_same_chunk_come_first() -> None:
    decoder = JSONArrayDecoder()
    assert [e.data for e in decoder.feed(b'[1,{"a":2} x,3]')] == [b"1", b'{"a":2}']
    with pytest.raises(FrameError) as info:
        decoder.feed(b"]")
    assert info.value.offset == 11
    with pytest.raises(StreamError, match="after an earlier error"):
        decoder.feed(b"]")
    assert decoder.close() == []


def test_pending_error_is_raised_by_close() -> None:
    decoder = JSONArrayDecoder()
    assert len(decoder.feed(b"[1 2]")) == 1
    with pytest.raises(FrameError):
        decoder.close()


def test_an_element_of_exactly_max_event_size_is_accepted() -> None:
    body = b'[{"a":"xxxx"},"yyyyyyyyyy",1234567890]'
    assert elements(body, max_event_size=12) == [b'{"a":"xxxx"}', b'"yyyyyyyyyy"', b"1234567890"]


@pytest.mark.parametrize(
    "element",
    [
        pytest.param(b'{"a":"xxxxx"}', id="object"),
        pytest.param(b'"xxxxxxxxxxx"', id="string"),
        pytest.param(b"1234567890123", id="number"),
        pytest.param(b'{"a":"xxxxx', id="unfinished"),
    ],
)
def test_an_element_longer_than_max_event_size(element: bytes) -> None:
    good = b'{"a":1}'
    body = b"[" + good + b"," + good + b"," + element + b"," + good + b"]"
    whole = decoded(body, max_event_size=12)
    assert [e.data for e in whole.frames] == [good, good]
    assert type(whole.error) is EventTooLarge
    assert whole.error.offset == 2 * len(good) + 3
    assert "element exceeds max_event_size=12" in str(whole.error)
    assert whole.error.excerpt == body[whole.error.offset :][:13]


def test_a_long_element_is_refused_before_it_is_held() -> None:
    decoder = JSONArrayDecoder(max_event_size=1000)
    decoder.feed(b'["' + b"x" * 999)
    with pytest.raises(EventTooLarge) as info:
        decoder.feed(b"x")
    assert info.value.offset == 1
    assert decoder.offset == 1002


def test_max_event_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        JSONArrayDecoder(max_event_size=0)


@pytest.mark.parametrize(
    "chunks",
    [
        pytest.param([b"[" + b"1" * 20], id="one-chunk"),
        pytest.param([b"[11", b"1" * 20], id="tail-grows"),
        pytest.param([b"[1,", b"}", b"]"], id="malformed"),
        pytest.param([b"[1]", b"x", b"y"], id="after-the-end"),
    ],
)
def test_offset_counts_every_byte_after_an_error(chunks: list[bytes]) -> None:
    decoder = JSONArrayDecoder(max_event_size=10)
    fed = 0
    try:
        for chunk in chunks:
            fed += len(chunk)
            decoder.feed(chunk)
        decoder.close()
    except StreamError:
        pass
    assert decoder.offset == fed


# -- real captures -------------------------------------------------------------------------


@pytest.mark.parametrize("path", GEMINI_ARRAYS, ids=[path.stem for path in GEMINI_ARRAYS])
def test_real_gemini_array_body(path: Path) -> None:
    body = path.read_bytes()
    whole = decoded(body)
    assert whole.error is None
    assert not whole.truncated
    assert [json.loads(e.data) for e in whole.frames] == json.loads(body)
    for size in (2, 64, 700):
        Decoded(JSONArrayDecoder, [body[i : i + size] for i in range(0, len(body), size)]).same_as(
            whole
        )


# -- properties ----------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.sampled_from('ab"\\[]{},: \n\té東😀'), max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=20,
)
spaces = st.sampled_from(["", " ", "\n", "\r\n", "\t", " \r\n  "])
cuts = st.lists(st.integers(0, 1 << 12), max_size=12)


@st.composite
def arrays(draw: st.DrawFn) -> tuple[bytes, list[Any]]:
    """A JSON array body laid out any way (compact, indented, Gemini's), and its elements."""
    values = draw(st.lists(json_values, max_size=6))
    indent = draw(st.sampled_from([None, 2]))
    texts = [json.dumps(v, indent=indent, ensure_ascii=draw(st.booleans())) for v in values]
    out = draw(spaces) + "["
    for i, text in enumerate(texts):
        if i:
            out += draw(spaces) + "," + draw(spaces)
        else:
            out += draw(spaces)
        out += text
    out += draw(spaces) + "]" + draw(spaces)
    return out.encode(), values


@SETTINGS
@given(item=arrays(), cuts=cuts)
def test_any_array_gives_its_elements_in_any_chunking(
    item: tuple[bytes, list[Any]], cuts: list[int]
) -> None:
    body, values = item
    whole = Decoded(JSONArrayDecoder, [body])
    assert whole.error is None
    assert not whole.truncated
    assert [json.loads(e.data) for e in whole.frames] == values
    for element in whole.frames:
        assert body[element.offset : element.offset + len(element.data)] == element.data
    Decoded(JSONArrayDecoder, split_at(body, cuts)).same_as(whole)
    Decoded(JSONArrayDecoder, bytewise(body)).same_as(whole)


ATOMS = [b"[", b"]", b"{", b"}", b'"', b"\\", b",", b":", b"1", b"a", b" ", b"\r\n", b"\xff"]
soup = st.lists(st.sampled_from(ATOMS), max_size=60).map(b"".join)


@SETTINGS
@given(body=soup | st.binary(max_size=200), cuts=cuts, limit=st.integers(1, 40))
def test_any_bytes_give_the_same_in_any_chunking(body: bytes, cuts: list[int], limit: int) -> None:
    """Only StreamErrors; the same elements, error and truncation whole, cut or byte by byte;
    a limited decode gives a prefix of the unlimited one."""
    whole = Decoded(JSONArrayDecoder, [body])
    assert whole.error is None or type(whole.error) is FrameError
    Decoded(JSONArrayDecoder, split_at(body, cuts)).same_as(whole)
    Decoded(JSONArrayDecoder, bytewise(body)).same_as(whole)
    limited = Decoded(JSONArrayDecoder, [body], max_event_size=limit)
    Decoded(JSONArrayDecoder, bytewise(body), max_event_size=limit).same_as(limited)
    n = len(limited.frames)
    assert limited.frames == whole.frames[:n]
    if limited.error is None:
        assert n == len(whole.frames)


@SETTINGS
@given(item=arrays(), data=st.data())
def test_a_damaged_array_keeps_what_came_before_the_damage(
    item: tuple[bytes, list[Any]], data: st.DataObject
) -> None:
    body = item[0]
    pos = data.draw(st.integers(0, len(body)))
    damaged = body[:pos] + data.draw(st.sampled_from(ATOMS)) + body[pos:]
    whole = Decoded(JSONArrayDecoder, [damaged])
    Decoded(JSONArrayDecoder, bytewise(damaged)).same_as(whole)
    good = Decoded(JSONArrayDecoder, [body])
    # An element is before the damage when its last byte is; a number or a literal
    # only when the byte after it is too (bytes inserted right after it extend it:
    # `[1]` with `2` after the `1` is `[12]`).
    before = [
        e
        for e in good.frames
        if e.offset + len(e.data) < pos
        or (e.offset + len(e.data) == pos and e.data[-1:] in (b"]", b"}", b'"'))
    ]
    assert whole.frames[: len(before)] == before


@pytest.mark.parametrize("body", [b"[null[]", b"[1{}]", b'[true"x"]', b"[null[1]]"])
def test_a_literal_run_into_a_container_or_string_is_malformed_there(body: bytes) -> None:
    """A number or literal ends where a byte that cannot be in one comes; then a separator
    is due, so the element before is given whole and the array fails at that byte."""
    decoded = Decoded(JSONArrayDecoder, [body])
    Decoded(JSONArrayDecoder, bytewise(body)).same_as(decoded)
    first = body[1 : next(i for i, b in enumerate(body[1:], 1) if b in b'[{"')]
    assert [e.data for e in decoded.frames] == [first]
    assert isinstance(decoded.error, FrameError)
    assert decoded.error.offset == 1 + len(first)


# -- linear time ---------------------------------------------------------------------------


def _seconds(run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def _check_linear(make: Callable[[int], bytes], step: int = 1) -> None:
    """Four times the bytes, *step* bytes at a time, in less than eight times the time."""

    def cost(body: bytes) -> float:
        chunks = [body[i : i + step] for i in range(0, len(body), step)]

        def run() -> None:
            decoder = JSONArrayDecoder()
            for chunk in chunks:
                decoder.feed(chunk)
            decoder.close()

        return _seconds(run)

    small, large = make(32 * 1024), make(128 * 1024)
    assert len(large) >= 4 * len(small) - 1024
    t_small, t_large = cost(small), cost(large)
    assert t_large < 8 * t_small + 0.05, (t_small, t_large)


def test_one_byte_at_a_time_is_linear_in_one_large_element() -> None:
    _check_linear(lambda n: b'[{"text":"' + b'ab\\"[{' * (n // 6) + b'"}]')


def test_one_byte_at_a_time_is_linear_in_a_deep_element() -> None:
    _check_linear(lambda n: b"[" + b'{"a":[' * (n // 12) + b"1" + b"]}" * (n // 12) + b"]")


def test_one_byte_at_a_time_is_linear_in_many_elements() -> None:
    _check_linear(lambda n: b"[" + b'{"a":[1,"x"]},\r\n' * (n // 16) + b"1]")


def test_large_chunks_are_linear_in_a_long_unfinished_element() -> None:
    """The one-expression match is tried once per element start, not once per chunk."""
    _check_linear(lambda n: b"[" + b'{"a":"xy"},' * (n // 11) + b"1]", step=7)
    _check_linear(lambda n: b'[{"a":[' + b'"xy",' * (n // 5) + b"1]}]", step=4096)
