"""The decoder of the Bedrock dialect: one event stream message in, one typed event out.

The stream glue hands over each message's name (its ``:event-type``, or
``:exception-type`` for an exception) and payload.  ConverseStream names
tell the event (``messageStart``, ``contentBlockDelta``...): one typed
msgspec decode, straight from the buffer.  An exception's payload decodes to
its exception event.

An InvokeModelWithResponseStream ``chunk`` carries the model's own JSON in
its ``bytes`` field, base64 in the event's JSON.  The decoder reads that
envelope (msgspec decodes the base64), then the model's JSON:

* an Anthropic Messages event (its ``type`` names one) is decoded by the
  ``anthropic`` dialect, looked up in the registry at run time (dialects
  never import each other), into an :class:`AnthropicChunk`;
* any other JSON object is kept as builtins in a :class:`Chunk`;
* bytes that are no JSON object (InvokeAgent's answer text) make a
  :class:`TextChunk`.

Bedrock adds ``"amazon-bedrock-invocationMetrics"`` to a stream's last
chunk; it is typed on the chunk as ``invocation_metrics`` (for an Anthropic
chunk it is read from the bytes with a second, small decode, only when the
bytes hold the key).

A ``start`` or ``delta`` with no member this dialect knows is decoded again,
slowly, to keep that member raw in ``unknown``.  Any other name is an
:class:`UnknownEvent`; a payload that is not what its name says is a
:class:`~streamkit.DecodeError` with the JSON path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import msgspec
from msgspec import UNSET, UnsetType

from streamkit._errors import DecodeError
from streamkit.dialects import _registry
from streamkit.dialects._msgspec_errors import JSON_ERRORS
from streamkit.dialects._unknowns import error as _error

from ._schema import (
    AnthropicChunk,
    BedrockStreamEvent,
    Chunk,
    ContentBlockDelta,
    ContentBlockDeltaEvent,
    ContentBlockStart,
    ContentBlockStartEvent,
    ContentBlockStopEvent,
    InternalServerException,
    InvocationMetrics,
    MessageStartEvent,
    MessageStopEvent,
    MetadataEvent,
    ModelStreamErrorException,
    ModelTimeoutException,
    ServiceUnavailableException,
    TextChunk,
    ThrottlingException,
    Trace,
    UnknownEvent,
    ValidationException,
)

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = (
    "CONVERSE_EVENTS",
    "EVENT_NAMES",
    "EXCEPTIONS",
    "METRICS_KEY",
    "decode_event",
    "looks_like_bedrock",
)

Buffer = bytes | bytearray | memoryview

CONVERSE_EVENTS: Final[dict[str, type]] = {
    cls.event: cls
    for cls in (
        MessageStartEvent,
        ContentBlockStartEvent,
        ContentBlockDeltaEvent,
        ContentBlockStopEvent,
        MessageStopEvent,
        MetadataEvent,
    )
}
"""The ConverseStream events, by name."""

EXCEPTIONS: Final[dict[str, type]] = {
    cls.event: cls
    for cls in (
        InternalServerException,
        ModelStreamErrorException,
        ValidationException,
        ThrottlingException,
        ServiceUnavailableException,
        ModelTimeoutException,
    )
}
"""The exception events of both APIs, by ``:exception-type``."""

EVENT_NAMES: Final = frozenset({*CONVERSE_EVENTS, *EXCEPTIONS, "chunk", "trace"})
"""Every event name the dialect decodes (any other is an :class:`UnknownEvent`)."""

METRICS_KEY: Final = "amazon-bedrock-invocationMetrics"
"""The key Bedrock adds to the JSON of a model's last chunk."""

_METRICS_BYTES: Final = METRICS_KEY.encode()

# -- the table --------------------------------------------------------------------------

_DECODERS: dict[str, Callable[[Buffer], Any]] = {
    name: msgspec.json.Decoder(cls).decode
    for name, cls in {**CONVERSE_EVENTS, **EXCEPTIONS}.items()
}
_decode_delta = msgspec.json.Decoder(ContentBlockDeltaEvent).decode
_NO_DELTA: Final = ContentBlockDelta()
_NO_START: Final = ContentBlockStart()


class _Envelope(msgspec.Struct, frozen=True):
    body: bytes = msgspec.field(name="bytes")
    p: str | UnsetType = UNSET


class _Metrics(msgspec.Struct, frozen=True):
    metrics: InvocationMetrics | UnsetType = msgspec.field(default=UNSET, name=METRICS_KEY)


class _Type(msgspec.Struct):
    type: Any = None


_decode_envelope = msgspec.json.Decoder(_Envelope).decode
_decode_metrics = msgspec.json.Decoder(_Metrics).decode
_decode_type = msgspec.json.Decoder(_Type).decode
_decode_any = msgspec.json.Decoder().decode
_TYPE_PREFIX: Final = b'{"type":"'


def decode_event(name: str, data: Buffer) -> BedrockStreamEvent | UnknownEvent:
    """Decode the payload of the event stream message *name* into its typed event.

    *data* is decoded in place (a ``memoryview`` is not copied).  Raises
    :class:`~streamkit.DecodeError` (with the JSON path and an excerpt) for
    a payload that is not what *name* says.
    """
    if name == "contentBlockDelta":  # the hot path: nine events in ten
        try:
            delta_event: ContentBlockDeltaEvent = _decode_delta(data)
        except (msgspec.ValidationError, *JSON_ERRORS) as exc:
            raise _error(name, data, exc) from None
        delta = delta_event.delta
        if delta.text is UNSET and delta == _NO_DELTA:
            return _kept(delta_event, "delta", data)  # type: ignore[no-any-return]
        return delta_event
    decode = _DECODERS.get(name)
    if decode is None:
        if name == "chunk":
            return _chunk(data)
        if name == "trace":
            return _trace(data)
        return UnknownEvent(name, bytes(data))
    try:
        event = decode(data)
    except (msgspec.ValidationError, *JSON_ERRORS) as exc:
        raise _error(name, data, exc) from None
    if type(event) is ContentBlockStartEvent and event.start == _NO_START:
        return _kept(event, "start", data)  # type: ignore[no-any-return]
    return event  # type: ignore[no-any-return]


def looks_like_bedrock(name: str, data: Buffer) -> bool:
    """Whether the first message of an event stream is a Bedrock runtime stream's.

    A ConverseStream event or exception name, a ``chunk`` whose payload has
    ``"bytes"``, or an InvokeAgent ``trace``.
    """
    if name in CONVERSE_EVENTS or name in EXCEPTIONS or name == "trace":
        return True
    return name == "chunk" and b'"bytes"' in bytes(data[:128])


def _kept(event: Any, field: str, data: Buffer) -> Any:
    """*event* again, the raw object of its *field* kept as the union's ``unknown`` member.

    The slow path of a ``delta`` or ``start`` none of whose members this
    dialect knows (a newer API's, or an empty one).
    """
    tree = _decode_any(data)  # the fast decode read it: it is a JSON object
    raw = tree.get(field) if type(tree) is dict else None
    if type(raw) is not dict:
        raw = {}
    union = type(getattr(event, field))(unknown=raw)
    return msgspec.structs.replace(event, **{field: union})


def _trace(data: Buffer) -> Trace:
    try:
        tree = _decode_any(data)
    except JSON_ERRORS as exc:
        raise _error("trace", data, exc) from None
    if type(tree) is not dict:
        raise DecodeError("a trace event's payload is not a JSON object", path="$", event="trace")
    return Trace(data=tree)


# -- chunks ----------------------------------------------------------------------------


def _chunk(data: Buffer) -> AnthropicChunk | Chunk | TextChunk:
    try:
        envelope = _decode_envelope(data)
    except (msgspec.ValidationError, *JSON_ERRORS) as exc:
        raise _error("chunk", data, exc) from None
    body = envelope.body
    if body.startswith(_TYPE_PREFIX):
        end = body.find(b'"', 9)
        kind = body[9:end].decode("utf-8", "replace") if end > 0 else ""
        event = _anthropic(kind, body, envelope)
        if event is not None:
            return event
    try:
        tree = _decode_any(body)
    except JSON_ERRORS:
        return TextChunk(body=body, p=envelope.p)
    if type(tree) is not dict:
        return TextChunk(body=body, p=envelope.p)
    tag = tree.get("type")
    if type(tag) is str and not body.startswith(_TYPE_PREFIX):
        event = _anthropic(tag, body, envelope)
        if event is not None:
            return event
    metrics: Any = tree.get(METRICS_KEY, UNSET)
    if metrics is not UNSET:
        try:
            metrics = msgspec.convert(metrics, InvocationMetrics)
        except msgspec.ValidationError as exc:
            raise _inner_error(body, exc, f"$.{METRICS_KEY}") from None
    return Chunk(body=body, p=envelope.p, payload=tree, invocation_metrics=metrics)


_anthropic_decode: Callable[[str, bytes], Any] | None = None


def _anthropic(kind: str, body: bytes, envelope: _Envelope) -> AnthropicChunk | None:
    """The chunk as an Anthropic Messages event, or ``None`` when *kind* names none."""
    global _anthropic_decode
    decode = _anthropic_decode
    if decode is None:
        decode = _registry.get("anthropic").decode
        _anthropic_decode = decode
    try:
        event = decode(kind, body)
    except DecodeError as exc:
        raise DecodeError(
            f"chunk bytes: {exc.message}",
            path=exc.path,
            event="chunk",
            excerpt=exc.excerpt,
        ) from None
    if type(event) is UnknownEvent:
        return None
    metrics: InvocationMetrics | UnsetType = UNSET
    if _METRICS_BYTES in body:
        try:
            metrics = _decode_metrics(body).metrics
        except msgspec.ValidationError as exc:
            raise _inner_error(body, exc, None) from None
    return AnthropicChunk(body=body, p=envelope.p, payload=event, invocation_metrics=metrics)


def _inner_error(body: bytes, exc: Exception, path: str | None) -> DecodeError:
    inner = _error("chunk", body, exc)
    return DecodeError(
        f"chunk bytes: {inner.message}",
        path=inner.path if path is None else path,
        event="chunk",
        excerpt=inner.excerpt,
    )
