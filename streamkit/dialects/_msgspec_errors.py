"""Everything streamkit reads of msgspec's errors, in one place.

msgspec reports a failed decode as an exception whose only structure is its
text: ``Expected `int`, got `str` - at `$.choices[0].index```.  streamkit
needs three things from it: what kind of failure it was, the JSON path, and
for a tagged union the ``type`` value nobody claimed.  :func:`read` takes
them out of the text, and every message a :class:`~streamkit.DecodeError`
shows is written here in streamkit's own words, so that it reads the same
whichever msgspec release is installed.  The shapes read here are those of
every supported msgspec release (0.19 to the newest): the suite's
``tests/dialects/test_msgspec_errors.py`` checks each of them against the
installed one, and CI runs it at both ends of the range.

A text this module does not recognise still gives a :class:`Problem` (kind
``"invalid"``, a generic message, path ``"$"``): a new msgspec wording can
make a message vaguer, never wrong, and never lets msgspec's text through.
"""

from __future__ import annotations

import re
from typing import Final, Literal

import attrs
import msgspec

__all__ = ("JSON_ERRORS", "Problem", "ProblemKind", "read")

JSON_ERRORS: Final = (msgspec.DecodeError, UnicodeDecodeError, RecursionError)
"""What decoding malformed JSON, bad UTF-8 or absurd nesting raises (besides validation)."""

ProblemKind = Literal[
    "empty",
    "invalid-utf8",
    "truncated",
    "malformed",
    "too-deep",
    "wrong-type",
    "missing-field",
    "unknown-tag",
    "invalid-value",
    "out-of-range",
    "invalid",
]


@attrs.frozen
class Problem:
    """What went wrong in a decode: its ``kind``, streamkit's ``message``, and the JSON ``path``.

    ``value`` is the offending value msgspec quoted, where it quoted one (the
    unclaimed ``type`` of an ``"unknown-tag"``).
    """

    kind: ProblemKind
    message: str
    path: str = "$"
    value: str | None = None


_AT = re.compile(r" - at `(\$[^`]*)`\Z")
_EXPECTED = re.compile(r"Expected `([^`]+)`, got `([^`]+)`")
_MISSING = re.compile(r"Object missing required field `([^`]+)`")
_INVALID = re.compile(r"Invalid (enum )?value (.+)\Z")
_BYTE = re.compile(r"\(byte (\d+)\)")


def read(exc: BaseException, data: bytes | bytearray | memoryview | None = None) -> Problem:
    """The :class:`Problem` that *exc*, raised while decoding *data*, stands for.

    *data* (when given) lets an empty payload be called one, instead of
    "truncated JSON".
    """
    if data is not None and not bytes(data).strip():
        return Problem("empty", "empty payload")
    if isinstance(exc, UnicodeDecodeError):
        return Problem("invalid-utf8", "invalid UTF-8")
    if isinstance(exc, RecursionError):
        return Problem("too-deep", "JSON nested too deeply")
    text = str(exc)
    if isinstance(exc, msgspec.ValidationError):
        return _validation(text)
    if isinstance(exc, msgspec.DecodeError):
        return _malformed(text)
    return Problem("invalid", "cannot decode the payload")


def _malformed(text: str) -> Problem:
    lowered = text.lower()
    if "utf-8" in lowered:
        return Problem("invalid-utf8", "invalid UTF-8")
    if "truncated" in lowered:
        return Problem("truncated", "truncated JSON")
    if "depth" in lowered or "deeply" in lowered:
        return Problem("too-deep", "JSON nested too deeply")
    byte = _BYTE.search(text)
    where = f" at byte {byte.group(1)}" if byte else ""
    if "trailing" in lowered:
        return Problem("malformed", f"malformed JSON: data after the value{where}")
    return Problem("malformed", f"malformed JSON{where}")


def _validation(text: str) -> Problem:
    path = "$"
    at = _AT.search(text)
    if at is not None:
        path = at.group(1)
        text = text[: at.start()]
    if (match := _EXPECTED.match(text)) is not None:
        return Problem("wrong-type", f"expected {match[1]}, got {match[2]}", path)
    if (match := _MISSING.match(text)) is not None:
        return Problem("missing-field", f"missing required field {match[1]!r}", path)
    if (match := _INVALID.match(text)) is not None:
        value = match[2]
        if len(value) > 1 and value[0] == value[-1] == "'":
            value = value[1:-1]
        if match[1] is None and path.endswith(".type"):
            return Problem("unknown-tag", f"unknown type {value!r}", path, value)
        return Problem("invalid-value", f"invalid value {value!r}", path, value)
    if text.startswith("Number out of range"):
        return Problem("out-of-range", "number out of range", path)
    return Problem("invalid", "value does not match the schema", path)
