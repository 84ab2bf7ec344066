"""What every dialect's decoder shares: the base Structs, ``Unknown``, the slow path, its errors.

Every dialect's schema builds on :class:`Object` and :class:`Tagged`, and
puts :class:`Unknown` in each of its tagged unions.

A dialect decodes a payload straight into its msgspec types.  Only when that
meets a ``type`` no member of a tagged union claims does :func:`convert`
run: it decodes the payload to builtins, walks the tree once along the
schema swapping every object of unknown ``type`` for ``{"type":
"streamkit.unknown", "data": <the object>}`` (an :class:`Unknown`),
and converts the result.  One walk, not one retry per unknown object, keeps
the cost linear in the payload.

:func:`error` turns what msgspec (or the UTF-8 decoder) raised into a
:class:`~streamkit.DecodeError` naming the event, the JSON path and an
excerpt, in streamkit's words (:mod:`._msgspec_errors` reads msgspec's).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeAlias

import msgspec

from streamkit._errors import DecodeError, excerpt

from . import _msgspec_errors
from ._msgspec_errors import JSON_ERRORS

__all__ = (
    "MAX_UNKNOWNS",
    "UNKNOWN_TAG",
    "Object",
    "Tagged",
    "Unknown",
    "convert",
    "error",
    "is_unknown_tag",
    "to_wire",
)

MAX_UNKNOWNS = 10_000
"""How many objects of unknown ``type`` one payload may hold before it is a :class:`DecodeError`."""

UNKNOWN_TAG = "streamkit.unknown"
"""The tag :class:`Unknown` stands under in every tagged union."""


class Object(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """Base of every API object of every dialect.

    ``gc=False``: the garbage collector does not track these Structs (msgspec's
    option, inherited).  They hold JSON values, which never refer back to the
    Struct holding them, so they cannot be part of a reference cycle; and a
    backend folding thousands of streams at once spends less of its time in
    the collector (the 10,000-stream load benchmark: about a third less).

    msgspec does not inherit ``kw_only`` and mypy does not inherit ``frozen`` past a
    class that passes options, so every subclass repeats both.
    """


class Tagged(Object, frozen=True, tag_field="type"):
    """Base of the members of tagged unions, told apart by their ``type``."""


class Unknown(Tagged, frozen=True, kw_only=True, tag=UNKNOWN_TAG):
    """A union member of a ``type`` the dialect does not know, kept as received (or as folded)."""

    type: ClassVar[str] = UNKNOWN_TAG
    data: dict[str, Any]

    @property
    def kind(self) -> str:
        """The ``type`` the API sent ("" when it sent none)."""
        kind = self.data.get("type")
        return kind if isinstance(kind, str) else ""


Buffer: TypeAlias = bytes | bytearray | memoryview


def convert(name: str, data: Buffer, exc: msgspec.ValidationError, type_: Any) -> Any:
    """Decode *data* as *type_* with unknown tagged objects kept, after the fast decode failed.

    *exc* is what the fast decode raised; anything but an unknown tag is a
    :class:`DecodeError` at once.
    """
    if not is_unknown_tag(exc):
        raise error(name, data, exc) from None
    try:
        tree = msgspec.json.decode(data)
    except JSON_ERRORS as json_exc:  # pragma: no cover - the fast decode read it as JSON
        raise error(name, data, json_exc) from None
    mark = _MARKERS.get(type_)
    if mark is None:
        mark = _MARKERS[type_] = _compile(msgspec.inspect.type_info(type_)) or _keep
    try:
        tree = mark(tree, [0])
    except _TooManyUnknowns:
        message = f"more than {MAX_UNKNOWNS} objects of unknown type"
        raise DecodeError(message, path="$", event=name, excerpt=excerpt(data)) from None
    try:
        return msgspec.convert(tree, type=type_)
    except (msgspec.ValidationError, RecursionError) as again:
        raise error(name, data, again) from None


def is_unknown_tag(exc: msgspec.ValidationError) -> bool:
    """Whether msgspec refused a ``type`` value that no union member claims."""
    return _msgspec_errors.read(exc).kind == "unknown-tag"


def error(name: str, data: Buffer, exc: BaseException) -> DecodeError:
    """The :class:`DecodeError` for *exc*, raised while decoding event *name*, in our words."""
    problem = _msgspec_errors.read(exc, data)
    return DecodeError(problem.message, path=problem.path, event=name, excerpt=excerpt(data))


def to_wire(value: Any) -> Any:
    """*value* (a Struct of a dialect, or builtins) as the JSON builtins the API sent.

    The inverse of the slow path: every :class:`Unknown` is replaced by the
    object it keeps, so that encoding the result and decoding it again gives
    an equal value.
    """
    return _unwrap(msgspec.to_builtins(value))


def _unwrap(node: Any) -> Any:
    kind = type(node)
    if kind is dict:
        if node.get("type") == UNKNOWN_TAG and "data" in node:
            return _unwrap(node["data"])
        return {key: _unwrap(item) for key, item in node.items()}
    if kind is list:
        return [_unwrap(item) for item in node]
    return node


class _TooManyUnknowns(Exception):
    pass


_Marker: TypeAlias = Callable[[Any, list[int]], Any]
"""Walks a decoded JSON tree along its schema, replacing objects of unknown ``type`` in place.

The ``list[int]`` counts the replacements, so the walk can stop at the cap.
"""

_MARKERS: dict[Any, _Marker] = {}


def _keep(node: Any, count: list[int]) -> Any:
    return node


def _compile(info: msgspec.inspect.Type) -> _Marker | None:
    """A marker for values of the type *info*, or None when no tagged union lies below it."""
    if isinstance(info, msgspec.inspect.StructType):
        return _compile_struct(info)
    if isinstance(info, msgspec.inspect.ListType):
        return _compile_list(info)
    if isinstance(info, msgspec.inspect.UnionType):
        return _compile_union(info)
    return None


def _compile_struct(info: msgspec.inspect.StructType) -> _Marker | None:
    fields = [(f.encode_name, m) for f in info.fields if (m := _compile(f.type)) is not None]
    if not fields:
        return None

    def mark_struct(node: Any, count: list[int]) -> Any:
        if isinstance(node, dict):
            for key, mark in fields:
                if key in node:
                    node[key] = mark(node[key], count)
        return node

    return mark_struct


def _compile_list(info: msgspec.inspect.ListType) -> _Marker | None:
    mark_item = _compile(info.item_type)
    if mark_item is None:
        return None

    def mark_list(node: Any, count: list[int]) -> Any:
        if isinstance(node, list):
            for i, item in enumerate(node):
                node[i] = mark_item(item, count)
        return node

    return mark_list


def _compile_union(info: msgspec.inspect.UnionType) -> _Marker | None:
    structs = [t for t in info.types if isinstance(t, msgspec.inspect.StructType)]
    lists = [t for t in info.types if isinstance(t, msgspec.inspect.ListType)]
    mark_array = _compile(lists[0]) if lists else None
    tag_field = structs[0].tag_field if structs else None
    if tag_field is None:
        mark_object = _compile(structs[0]) if structs else None
        if mark_object is None and mark_array is None:
            return None

        def mark_either(node: Any, count: list[int]) -> Any:
            if isinstance(node, dict) and mark_object is not None:
                return mark_object(node, count)
            if isinstance(node, list) and mark_array is not None:
                return mark_array(node, count)
            return node

        return mark_either

    members = {t.tag: _compile_struct(t) for t in structs}

    def mark_tagged(node: Any, count: list[int]) -> Any:
        if not isinstance(node, dict):
            if isinstance(node, list) and mark_array is not None:
                return mark_array(node, count)
            return node
        tag = node.get(tag_field)
        if not isinstance(tag, str):
            return node
        if tag in members:
            mark = members[tag]
            return node if mark is None else mark(node, count)
        count[0] += 1
        if count[0] > MAX_UNKNOWNS:
            raise _TooManyUnknowns
        return {tag_field: UNKNOWN_TAG, "data": node}

    return mark_tagged
