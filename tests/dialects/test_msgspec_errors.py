"""What streamkit reads of msgspec's errors: the same problems, in our words, on every release.

CI runs this file against the newest msgspec and the lowest one ``pyproject.toml``
declares, so a release that rewords an error shows here first.
"""

from __future__ import annotations

from typing import Literal

import msgspec
import pytest

from streamkit.dialects._msgspec_errors import Problem, read


class _A(msgspec.Struct, tag_field="type", tag="a"):
    x: int


class _B(msgspec.Struct, tag_field="type", tag="b"):
    y: int


class _Doc(msgspec.Struct):
    x: int
    items: list[str] = []
    part: _A | _B | None = None
    mode: Literal["p", "q"] = "p"


CASES = {
    # name: (payload, kind, message, path, value)
    "empty": (b"", "empty", "empty payload", "$", None),
    "blank": (b" \r\n", "empty", "empty payload", "$", None),
    "truncated": (b'{"x": 1', "truncated", "truncated JSON", "$", None),
    "malformed": (b'{"x": \x01}', "malformed", "malformed JSON at byte 6", "$", None),
    "trailing": (
        b'{"x": 1} x',
        "malformed",
        "malformed JSON: data after the value at byte 10",
        "$",
        None,
    ),
    "invalid-utf8": (b'{"x": 1, "items": ["\xff"]}', "invalid-utf8", "invalid UTF-8", "$", None),
    "too-deep": (b"[" * 100_000, "wrong-type", "expected object, got array", "$", None),
    "wrong-type": (b'{"x": "1"}', "wrong-type", "expected int, got str", "$.x", None),
    "wrong-type-deep": (
        b'{"x": 1, "items": [1]}',
        "wrong-type",
        "expected str, got int",
        "$.items[0]",
        None,
    ),
    "missing-field": (b"{}", "missing-field", "missing required field 'x'", "$", None),
    "missing-tag": (
        b'{"x": 1, "part": {"y": 1}}',
        "missing-field",
        "missing required field 'type'",
        "$.part",
        None,
    ),
    "unknown-tag": (
        b'{"x": 1, "part": {"type": "zz"}}',
        "unknown-tag",
        "unknown type 'zz'",
        "$.part.type",
        "zz",
    ),
    "invalid-value": (
        b'{"x": 1, "mode": "r"}',
        "invalid-value",
        "invalid value 'r'",
        "$.mode",
        "r",
    ),
    "out-of-range": (b'{"x": 1e999999}', "out-of-range", "number out of range", "$.x", None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_problem_reads_the_same_on_the_installed_msgspec(case: str) -> None:
    data, kind, message, path, value = CASES[case]
    with pytest.raises(Exception) as caught:  # whatever msgspec raises
        msgspec.json.decode(data, type=_Doc)
    assert read(caught.value, data) == Problem(kind, message, path, value)  # type: ignore[arg-type]


def test_nesting_too_deep_for_the_decoder() -> None:
    data = b'{"x":' * 100_000 + b"1" + b"}" * 100_000
    with pytest.raises(RecursionError) as caught:
        msgspec.json.decode(data)
    assert read(caught.value) == Problem("too-deep", "JSON nested too deeply")


def test_convert_errors_read_like_decode_errors() -> None:
    with pytest.raises(msgspec.ValidationError) as caught:
        msgspec.convert({"x": "1"}, _Doc)
    assert read(caught.value) == Problem("wrong-type", "expected int, got str", "$.x")


@pytest.mark.parametrize(
    ("exc", "problem"),
    [
        (
            msgspec.ValidationError("A new wording - at `$.a[0]`"),
            Problem("invalid", "value does not match the schema", "$.a[0]"),
        ),
        (
            msgspec.ValidationError("A new wording"),
            Problem("invalid", "value does not match the schema"),
        ),
        (
            msgspec.DecodeError("Something else (byte 3)"),
            Problem("malformed", "malformed JSON at byte 3"),
        ),
        (msgspec.DecodeError("Something else"), Problem("malformed", "malformed JSON")),
        (ValueError("not msgspec at all"), Problem("invalid", "cannot decode the payload")),
    ],
)
def test_an_unknown_wording_gives_a_vaguer_message_never_msgspecs(
    exc: BaseException, problem: Problem
) -> None:
    assert read(exc, b"{}") == problem
