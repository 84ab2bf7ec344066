"""The event-name → decoder table of the Anthropic Messages dialect.

:func:`decode_event` is the hot loop: one dict lookup and one typed msgspec
decode straight from the caller's buffer (the event's ``type`` is its own
tag, so the decoded Struct is the event; there is nothing to wrap).  Only when
that decode meets a ``type`` no union member claims (a content block, delta,
citation or search result of a newer API version) does the slow path run: it
decodes the payload to builtins, walks that tree once along the schema
swapping every object of unknown ``type`` for ``{"type": "streamkit.unknown",
"data": <the object>}`` (an :class:`Unknown`), and converts the result.  One
walk, not one retry per unknown object, keeps the cost linear in the payload
size.

The API names every event (``event: message_start``); a body whose events
carry no name (the SSE default ``message``, as some proxies forward it) is
decoded by the ``type`` inside the payload instead, at the cost of a second
small parse.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias, get_args

import msgspec

from streamkit._errors import DecodeError, excerpt

from ._schema import MessageStreamEvent, UnknownEvent

__all__ = ("EVENT_NAMES", "decode_event", "looks_like_anthropic")

_MAX_UNKNOWNS = 10_000
"""How many objects of unknown ``type`` one payload may hold before it is a :class:`DecodeError`."""

_UNKNOWN_TAG = "streamkit.unknown"
_UNNAMED = "message"
"""The SSE event name of an event that has no ``event:`` field."""


def _build() -> dict[str, tuple[msgspec.json.Decoder[Any], type]]:
    table: dict[str, tuple[msgspec.json.Decoder[Any], type]] = {}
    for cls in get_args(MessageStreamEvent):
        table[cls.event] = (msgspec.json.Decoder(cls), cls)
    return table


_TABLE = _build()

EVENT_NAMES: frozenset[str] = frozenset(_TABLE)
"""Every event name the dialect decodes (each equals the payload's ``type``)."""


class _Type(msgspec.Struct):
    type: str = ""


_TYPE_OF = msgspec.json.Decoder(_Type).decode


def decode_event(
    name: str, data: bytes | bytearray | memoryview
) -> MessageStreamEvent | UnknownEvent:
    """Decode the payload of the SSE event *name* into its typed event.

    *data* is decoded in place (a ``memoryview`` is not copied).  An unknown
    *name* gives an :class:`UnknownEvent`; unknown ``type`` values inside the
    payload become :class:`Unknown` parts.  Raises :class:`DecodeError` for
    malformed JSON or UTF-8 and for missing or ill-typed fields (with the
    JSON path of the offending value and an excerpt of the payload).
    """
    entry = _TABLE.get(name)
    if entry is None:
        if name == _UNNAMED:
            return _decode_unnamed(data)
        return UnknownEvent(name, bytes(data))
    decoder, cls = entry
    try:
        event: MessageStreamEvent = decoder.decode(data)
    except msgspec.ValidationError as exc:
        return _decode_with_unknowns(name, cls, data, exc)  # type: ignore[no-any-return]
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise _error(name, data, exc) from None
    return event


def _decode_unnamed(data: bytes | bytearray | memoryview) -> MessageStreamEvent | UnknownEvent:
    """An event without an ``event:`` name: dispatched on the ``type`` in its payload."""
    try:
        kind = _TYPE_OF(data).type
    except msgspec.ValidationError:  # JSON, but not an object with a string type
        kind = ""
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise _error(_UNNAMED, data, exc) from None
    if kind not in _TABLE:
        return UnknownEvent(_UNNAMED, bytes(data))
    return decode_event(kind, data)


def looks_like_anthropic(name: str, data: bytes | bytearray | memoryview) -> bool:
    """Whether the first event of a stream is one of this dialect's (for ``dialect="auto"``).

    ``error`` alone is not enough (other APIs send it too), and an unnamed
    event counts only when its payload's ``type`` is one of the names.
    """
    if name == _UNNAMED:
        try:
            name = _TYPE_OF(data).type
        except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, RecursionError):
            return False
    return name in EVENT_NAMES and name != "error"


def _decode_with_unknowns(
    name: str, cls: type, data: bytes | bytearray | memoryview, exc: msgspec.ValidationError
) -> Any:
    if not _is_unknown_tag(exc):
        raise _error(name, data, exc) from None
    try:
        tree = msgspec.json.decode(data)
    except (
        msgspec.DecodeError,
        UnicodeDecodeError,
        RecursionError,
    ) as json_exc:  # pragma: no cover
        raise _error(name, data, json_exc) from None
    mark = _MARKERS.get(name)
    if mark is None:
        mark = _MARKERS[name] = _compile(msgspec.inspect.type_info(cls)) or _keep
    try:
        tree = mark(tree, [0])
    except _TooManyUnknowns:
        message = f"more than {_MAX_UNKNOWNS} objects of unknown type"
        raise DecodeError(message, path="$", event=name, excerpt=excerpt(data)) from None
    try:
        return msgspec.convert(tree, type=cls)
    except (msgspec.ValidationError, RecursionError) as again:
        raise _error(name, data, again) from None


def _is_unknown_tag(exc: msgspec.ValidationError) -> bool:
    message, path = _split(exc)
    return message.startswith("Invalid value ") and path.endswith(".type")


def _split(exc: Exception) -> tuple[str, str]:
    message, sep, path = str(exc).rpartition(" - at `")
    if not sep or not path.endswith("`"):
        return str(exc), "$"
    return message, path[:-1]


class _TooManyUnknowns(Exception):
    pass


_Marker: TypeAlias = Callable[[Any, list[int]], Any]
"""Walks a decoded JSON tree along its schema, replacing objects of unknown ``type`` in place.

The ``list[int]`` counts the replacements, so the walk can stop at the cap.
"""

_MARKERS: dict[str, _Marker] = {}


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
        if count[0] > _MAX_UNKNOWNS:
            raise _TooManyUnknowns
        return {tag_field: _UNKNOWN_TAG, "data": node}

    return mark_tagged


def _error(name: str, data: bytes | bytearray | memoryview, exc: BaseException) -> DecodeError:
    if isinstance(exc, msgspec.ValidationError):
        message, path = _split(exc)
    elif isinstance(exc, UnicodeDecodeError):
        message, path = f"invalid UTF-8 ({exc.reason})", "$"
    elif isinstance(exc, RecursionError):
        message, path = "JSON nested too deeply", "$"
    else:
        message, path = str(exc), "$"
    return DecodeError(message, path=path, event=name, excerpt=excerpt(data))
