"""Faults a served stream can be given: from ``--fault`` flags or an ``X-Streamkit-Fault`` header.

A fault spec is one or more faults separated by commas, each a name, an
optional ``=value`` and optional ``;param=value`` parameters::

    cut=40%                 the body ends cleanly after 40 % of its bytes
    cut=1200                ... after 1,200 bytes;  cut=event:5  before event 5
    drop                    the connection breaks in the middle of an event (half-way)
    drop=event:5            ... inside event 5;  drop=40%, drop=1200 as for cut
    stall=5s                nothing comes for 5 s, half-way through the body
    stall=5s;at=0           ... before the first byte;  at= takes a place as cut does
    error=overloaded        the dialect's own error event half-way, then the end
    error=rate_limit;at=event:3
    status=429;retry-after=2   an error status, the provider's error JSON, any
                               other parameter sent as a response header

A place (``cut=``, ``drop=``, ``at=``) is a byte offset, a percentage of the
body's bytes, or ``event:N`` (the N-th event of the body, from 0).  This
module parses specs into :class:`FaultSpec` and places them on one recorded
body (:func:`plan`); it knows the dialects only as names in the table of
error payloads below.
"""

from __future__ import annotations

import itertools
import math
import re
from typing import TYPE_CHECKING, Any, Final

import attrs
import msgspec

from ..recording import Fault
from ..recording._cassette import _event_offsets

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ("ERROR_KINDS", "FaultError", "FaultSpec", "Plan", "parse", "plan")

FAULT_HEADER: Final = "x-streamkit-fault"


class FaultError(ValueError):
    """A fault spec that does not parse: the message says which part and why."""


#: Error kinds ``error=`` and ``status=`` know: (HTTP status, OpenAI type, Anthropic type, message).
ERROR_KINDS: Final = {
    "overloaded": (529, "server_error", "overloaded_error", "Overloaded"),
    "rate_limit": (429, "rate_limit_exceeded", "rate_limit_error", "Rate limit reached"),
    "server_error": (500, "server_error", "api_error", "The server had an error"),
    "invalid_request": (400, "invalid_request_error", "invalid_request_error", "Invalid request"),
    "authentication": (401, "invalid_api_key", "authentication_error", "Invalid API key"),
    "timeout": (504, "timeout", "timeout_error", "Request timed out"),
}
_STATUS_KINDS: Final = {status: kind for kind, (status, *_) in reversed(ERROR_KINDS.items())}

_PLACE = re.compile(r"^(?:(?P<percent>\d+(?:\.\d+)?)%|event:(?P<event>\d+)|(?P<bytes>\d+))$")
_SECONDS = re.compile(r"^(?P<value>\d+(?:\.\d+)?)(?P<unit>ms|s)?$")


@attrs.frozen
class Place:
    """Where in a body: a byte offset, a fraction of its bytes, or an event number."""

    offset: int | None = None
    fraction: float | None = None
    event: int | None = None

    def resolve(self, body: bytes, offsets: list[int]) -> int:
        """The byte offset in *body* (whose event offsets are *offsets*)."""
        if self.offset is not None:
            return min(self.offset, len(body))
        if self.fraction is not None:
            return min(len(body), math.floor(len(body) * self.fraction))
        assert self.event is not None
        return offsets[self.event] if self.event < len(offsets) else len(body)

    def __str__(self) -> str:
        if self.offset is not None:
            return str(self.offset)
        if self.fraction is not None:
            return f"{self.fraction * 100:g}%"
        return f"event:{self.event}"


HALF: Final = Place(fraction=0.5)


@attrs.frozen
class FaultSpec:
    """The faults asked for one response; ``None`` fields ask for nothing."""

    cut: Place | None = None
    drop: Place | None = None
    stall: tuple[Place, float] | None = None
    error: tuple[str, Place] | None = None
    status: tuple[int, tuple[tuple[str, str], ...]] | None = None
    text: str = ""

    def __bool__(self) -> bool:
        return bool(self.cut or self.drop or self.stall or self.error or self.status)

    def merge(self, other: FaultSpec) -> FaultSpec:
        """*other*'s faults over these (a request header over the command line's)."""
        if not other:
            return self
        if not self:
            return other
        fields = {
            name: getattr(other, name) if getattr(other, name) is not None else getattr(self, name)
            for name in ("cut", "drop", "stall", "error", "status")
        }
        return FaultSpec(**fields, text=f"{self.text}, {other.text}")


def _place(text: str, what: str) -> Place:
    match = _PLACE.match(text.strip())
    if match is None:
        raise FaultError(f"{what}: {text!r} is not a place (a byte offset, N% or event:N)")
    if match["percent"] is not None:
        percent = float(match["percent"])
        if percent > 100:
            raise FaultError(f"{what}: {text!r} is past 100%")
        return Place(fraction=percent / 100)
    if match["event"] is not None:
        return Place(event=int(match["event"]))
    return Place(offset=int(match["bytes"]))


def _seconds(text: str, what: str) -> float:
    match = _SECONDS.match(text.strip())
    if match is None:
        raise FaultError(f"{what}: {text!r} is not a duration (5, 5s, 250ms)")
    value = float(match["value"])
    return value / 1000 if match["unit"] == "ms" else value


def _one(text: str, fields: dict[str, object]) -> None:
    head, *rest = (part.strip() for part in text.split(";"))
    name, has_value, value = (s.strip() for s in head.partition("="))
    params: dict[str, str] = {}
    for part in rest:
        key, sep, param = (s.strip() for s in part.partition("="))
        if not key or not sep:
            raise FaultError(f"{text!r}: a parameter must be name=value, not {part!r}")
        params[key.lower()] = param
    name = name.lower()
    if name in fields and fields[name] is not None:
        raise FaultError(f"{text!r}: {name} is given twice")
    where = params.pop("at", None)
    if name == "cut":
        if not has_value:
            raise FaultError(f"{text!r}: cut needs a place (cut=40%)")
        fields["cut"] = _place(value, text)
    elif name == "drop":
        fields["drop"] = _place(value, text) if has_value else HALF
    elif name == "stall":
        if not has_value:
            raise FaultError(f"{text!r}: stall needs a duration (stall=5s)")
        fields["stall"] = (_place(where, text) if where else HALF, _seconds(value, text))
        where = None
    elif name == "error":
        kind = value.lower() if has_value else "server_error"
        if kind not in ERROR_KINDS:
            known = ", ".join(ERROR_KINDS)
            raise FaultError(f"{text!r}: unknown error kind {kind!r} (known: {known})")
        fields["error"] = (kind, _place(where, text) if where else HALF)
        where = None
    elif name == "status":
        if not (has_value and value.isdigit() and 400 <= int(value) <= 599):
            raise FaultError(f"{text!r}: status needs an error status, 400 to 599 (status=429)")
        fields["status"] = (int(value), tuple(params.items()))
        params = {}
    else:
        raise FaultError(f"unknown fault {name!r} (known: cut, drop, stall, error, status)")
    if where is not None or params:
        extra = ", ".join(["at", *params] if where is not None else params)
        raise FaultError(f"{text!r}: {name} takes no parameter {extra}")


def parse(specs: str | Iterable[str]) -> FaultSpec:
    """The faults of one or more specs (``"cut=40%"``, ``"stall=2s;at=0, drop"``)."""
    texts = [specs] if isinstance(specs, str) else list(specs)
    parts = [part.strip() for text in texts for part in text.split(",") if part.strip()]
    fields: dict[str, object] = {}
    for part in parts:
        _one(part, fields)
    return FaultSpec(**fields, text=", ".join(parts))  # type: ignore[arg-type]


# -- placing faults on a body ------------------------------------------------------------


@attrs.frozen
class Plan:
    """A spec placed on one body: a :class:`~streamkit.recording.Fault` and a stall."""

    fault: Fault | None
    stall: tuple[int, float] | None  # (byte offset, seconds)


def plan(spec: FaultSpec, body: bytes, dialect: str | None) -> Plan:
    """Where *spec*'s faults fall in *body*, in the terms of the replay's :class:`Fault`."""
    needs_events = any(
        p is not None and p.event is not None
        for p in (
            spec.cut,
            spec.drop,
            spec.stall[0] if spec.stall else None,
            spec.error[1] if spec.error else None,
        )
    )
    offsets = _event_offsets(body) if needs_events or spec.drop or spec.error else []
    fields: dict[str, object] = {}
    if spec.cut is not None:
        fields["cut_at"] = spec.cut.resolve(body, offsets)
    if spec.drop is not None:
        at = spec.drop.resolve(body, offsets)
        fields["drop_at"] = _inside_event(at, offsets, len(body))
    if spec.error is not None:
        kind, place = spec.error
        event = _event_at(place.resolve(body, offsets), offsets)
        # The error event goes in just before event `event`, and the body ends after it.
        fields["inject"] = {event: error_event(kind, dialect)}
        fields["cut_event"] = event
    fault = Fault(**fields) if fields else None  # type: ignore[arg-type]
    return Plan(fault, _stall(spec, body, offsets))


def _stall(spec: FaultSpec, body: bytes, offsets: list[int]) -> tuple[int, float] | None:
    if spec.stall is None:
        return None
    place, seconds = spec.stall
    return place.resolve(body, offsets), seconds


def _event_at(at: int, offsets: list[int]) -> int:
    """The number of the first event starting at or after byte *at* (past the last: their count)."""
    for number, offset in enumerate(offsets):
        if offset >= at:
            return number
    return len(offsets)


def _inside_event(at: int, offsets: list[int], total: int) -> int:
    """A byte inside the event at or after *at*: half-way through it, so the cut is mid-event."""
    bounds = [*offsets, total]
    for start, end in itertools.pairwise(bounds):
        if end > at and end - start > 1:
            return max(at, start) + max(1, (end - max(at, start)) // 2)
    return min(at, max(total - 1, 0))


# -- error payloads, per dialect ---------------------------------------------------------

_encode = msgspec.json.encode


def error_event(kind: str, dialect: str | None) -> bytes:
    """The SSE bytes of the error event *dialect*'s server sends mid-stream for *kind*."""
    _, openai_type, anthropic_type, message = ERROR_KINDS[kind]
    message = f"{message} (streamkit fault)"
    data: dict[str, Any]
    if dialect == "anthropic":
        data = {"type": "error", "error": {"type": anthropic_type, "message": message}}
        return b"event: error\ndata: " + _encode(data) + b"\n\n"
    if dialect == "responses":
        data = {"type": "error", "code": openai_type, "message": message, "param": None}
        return b"event: error\ndata: " + _encode(data) + b"\n\n"
    if dialect == "assistants":
        data = {"code": openai_type, "message": message}
        return b"event: error\ndata: " + _encode(data) + b"\n\n"
    if dialect in ("ollama", "gemini-ndjson"):
        return _encode({"error": message}) + b"\n"
    error = {"message": message, "type": openai_type, "param": None, "code": openai_type}
    return b"data: " + _encode({"error": error}) + b"\n\n"


def error_body(status: int, dialect: str | None) -> bytes:
    """The JSON body of an HTTP error *status* as *dialect*'s API sends it."""
    kind = _STATUS_KINDS.get(status, "server_error" if status >= 500 else "invalid_request")
    _, openai_type, anthropic_type, message = ERROR_KINDS[kind]
    message = f"{message} (streamkit fault: status {status})"
    if dialect == "anthropic":
        return _encode({"type": "error", "error": {"type": anthropic_type, "message": message}})
    if dialect == "gemini":
        return _encode({"error": {"code": status, "message": message, "status": kind.upper()}})
    if dialect == "ollama":
        return _encode({"error": message})
    return _encode(
        {"error": {"message": message, "type": openai_type, "param": None, "code": openai_type}}
    )
