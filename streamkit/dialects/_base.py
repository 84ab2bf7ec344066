"""What a dialect is, and the registry that finds one by name.

A dialect is the typed vocabulary of one streaming API: how to turn one SSE
event (its name and data bytes) into a typed event, how to represent a name
it does not know or a payload it cannot read, and how to fold its events into
the final objects.  The layers above (stream glue, recording, CLI) know
dialects only through :class:`Dialect` and :func:`get`.

Dialect packages are imported on first use, so ``import streamkit`` stays
cheap and a dialect's schema is built only when a stream needs it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Final, Generic, Literal, Protocol, TypeVar

import attrs
import msgspec

from streamkit._errors import DecodeError

__all__ = (
    "MAX_WARNINGS",
    "Accumulator",
    "Dialect",
    "Drift",
    "DriftKind",
    "InvalidEvent",
    "UnknownEvent",
    "Violation",
    "Violations",
    "get",
    "lost",
    "names",
    "register",
)


class UnknownEvent(msgspec.Struct, frozen=True):
    """An event whose name the dialect does not know, with its raw payload.  Never an error."""

    event: str
    data: bytes


class InvalidEvent(msgspec.Struct, frozen=True):
    """An event whose payload could not be decoded, kept under ``on_error="yield"``.

    ``error`` is the :class:`~streamkit.DecodeError` saying what and where.
    It holds an exception, so encoding it with msgspec needs an ``enc_hook``.
    """

    event: str
    data: bytes
    error: DecodeError


def lost(event: InvalidEvent) -> str:
    """What a fold says of an :class:`InvalidEvent` it was fed: a delta it cannot apply."""
    error = event.error
    return f"an event that could not be decoded was lost ({error.message} at {error.path})"


# Records a fold keeps one of per finding: no weak-reference slot (8 bytes each).
@attrs.frozen(weakref_slot=False)
class Violation:
    """A protocol violation a fold met and went past (or raised, when strict).

    ``kind`` names the rule broken (each dialect documents its kinds),
    ``ordinal`` is the 0-based index of the event in what the accumulator was
    fed, ``event`` its name, ``object_id`` the object it concerned, if any.
    """

    kind: str
    message: str
    ordinal: int
    event: str
    object_id: str | None = None


MAX_WARNINGS: Final = 1_000
"""How many violations an accumulator keeps unless told otherwise."""


_V = TypeVar("_V")


class Violations(Generic[_V]):
    """The violations a fold met: the first ``limit`` kept, the others only counted.

    A hostile stream can break a rule with every event it sends; keeping a
    bounded number makes the fold's memory independent of how many it breaks,
    while the first ones, which usually name the cause, stay readable.
    """

    __slots__ = ("dropped", "kept", "limit")

    def __init__(self, limit: int) -> None:
        if limit < 0:
            raise ValueError(f"max_warnings must be >= 0, got {limit}")
        self.kept: list[_V] = []
        self.dropped = 0
        self.limit = limit

    def add(self, violation: _V) -> None:
        if len(self.kept) < self.limit:
            self.kept.append(violation)
        else:
            self.dropped += 1


DriftKind = Literal["only_in_final", "only_in_fold", "conflict"]


@attrs.frozen(weakref_slot=False)
class Drift:
    """One difference between what the deltas built and the server's final object.

    ``path`` is a JSON path inside the object; ``kind`` says whether the value
    is ``"only_in_final"`` (no delta sent it), ``"only_in_fold"`` (the final
    object lacks it), or a ``"conflict"``.
    """

    object_id: str
    path: str
    folded: Any
    final: Any
    kind: DriftKind


class Accumulator(Protocol):
    """Folds a dialect's events into final objects, one event at a time."""

    def feed(self, event: Any, /) -> None: ...


@attrs.frozen
class Dialect:
    """One streaming API's vocabulary.

    ``decode(name, data)`` returns the typed event for an SSE event, an
    "unknown event" for a name it does not know, and raises
    :class:`~streamkit.DecodeError` for a payload it cannot read.
    ``invalid(name, data, error)`` wraps such a payload for the ``"yield"``
    error policy.  ``accumulator()`` makes a fresh fold.  ``is_keepalive(event)``
    tells events that only show the connection is alive (they do not reset an
    idle timeout).  ``detect(name, data)`` says whether the first event of a
    stream looks like this dialect, for ``dialect="auto"``.
    """

    name: str
    decode: Callable[[str, bytes | memoryview], Any]
    invalid: Callable[[str, bytes, DecodeError], Any]
    accumulator: Callable[[], Accumulator]
    is_keepalive: Callable[[Any], bool] = attrs.field(default=lambda event: False)
    detect: Callable[[str, bytes | memoryview], bool] = attrs.field(
        default=lambda name, data: False
    )


# name -> module that defines DIALECT; replaced by the Dialect once imported.
_REGISTRY: dict[str, str | Dialect] = {
    "assistants": "streamkit.dialects.assistants",
    "chat": "streamkit.dialects.chat",
    "responses": "streamkit.dialects.responses",
    "anthropic": "streamkit.dialects.anthropic",
}


def register(dialect: Dialect) -> None:
    """Make *dialect* available by its name (replacing one of the same name)."""
    _REGISTRY[dialect.name] = dialect


def names() -> tuple[str, ...]:
    """The names of every registered dialect."""
    return tuple(_REGISTRY)


def get(name: str | Dialect) -> Dialect:
    """The dialect called *name* (a :class:`Dialect` is returned as is).

    Raises :class:`ValueError` naming the known dialects for an unknown name.
    """
    if isinstance(name, Dialect):
        return name
    entry = _REGISTRY.get(name)
    if entry is None:
        known = ", ".join(sorted(_REGISTRY))
        raise ValueError(f"unknown dialect {name!r} (known: {known})")
    if isinstance(entry, str):
        dialect = importlib.import_module(entry).DIALECT
        if not isinstance(dialect, Dialect):  # pragma: no cover - a broken registry entry
            raise TypeError(f"{entry}.DIALECT is not a Dialect")
        _REGISTRY[name] = entry = dialect
    return entry
