"""What a dialect is, and the registry that finds one by name, by event or by first frame.

A dialect is the typed vocabulary of one streaming API: how to turn one
frame of its wire format (an SSE event's name and data bytes) into a typed
event, how to write such an event back as bytes, what content each event
carries, which lane of a timeline it belongs in, and how to fold its events
into the final object.  The layers above (stream glue, recording,
integrations, CLI) know dialects only through :class:`Dialect` and this
module: adding a dialect adds its package and one entry in :data:`_MODULES`
(and in the typing overloads at the bottom, which give ``iter_events(...,
dialect="chat")`` its element type).

Dialect packages are imported on first use, so ``import streamkit`` stays
cheap and a dialect's schema is built only when a stream needs it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Generator, Iterable, Sequence
from typing import (
    TYPE_CHECKING,
    Any,
    Generic,
    Literal,
    Protocol,
    TypeAlias,
    TypeVar,
    overload,
    runtime_checkable,
)

import attrs

from ._events import InvalidEvent, UnknownEvent
from ._face import Delta, EventKind, Fold

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, AsyncIterable

    from streamkit._sse import Buffer

    from .anthropic import MessageStreamEvent as _AnthropicEvent
    from .assistants import AssistantStreamEvent as _AssistantsEvent
    from .bedrock import BedrockStreamEvent as _BedrockEvent
    from .chat import ChatStreamEvent as _ChatEvent
    from .gemini import GeminiStreamEvent as _GeminiEvent
    from .ollama import OllamaStreamEvent as _OllamaEvent
    from .responses import ResponseStreamEvent as _ResponsesEvent

__all__ = (
    "AnyEvent",
    "Dialect",
    "DialectName",
    "ErrorPolicy",
    "Transcript",
    "choose",
    "claimant",
    "dialect_of",
    "get",
    "loaded",
    "names",
    "register",
)

_E = TypeVar("_E")

Framing = Literal["sse", "eventstream", "ndjson", "jsonarray"]
ErrorPolicy = Literal["raise", "skip", "yield"]


def _no_deltas(event: object) -> Sequence[Delta]:
    return ()


def _never(event: object) -> bool:
    return False


def _claims_nothing(name: str, data: bytes | memoryview) -> bool:
    return False


def _is_text(delta: Delta) -> bool:
    return delta.kind == "text"


@runtime_checkable
class Transcript(Protocol):
    """A sans-IO renderer of a dialect's events as the chat transcript its user saw.

    ``feed(event)`` returns the text the event adds (``""`` when it adds
    none), ``close()`` the text that ends the transcript (how the stream
    ended), so that the caller prints the text as it streamed.
    """

    def feed(self, event: Any, /) -> str: ...

    def close(self) -> str: ...


def _default_transcript() -> Transcript:
    from ._transcript import DefaultTranscript  # it reads the registry: imported when used

    return DefaultTranscript()


@attrs.frozen
class Dialect(Generic[_E]):
    """One streaming API's vocabulary, as the layers above know it.

    - ``decode(name, data)`` returns the typed event for a frame, an
      :class:`UnknownEvent` for a name it does not know, and raises
      :class:`~streamkit.DecodeError` for a payload it cannot read;
    - ``accumulator(strict=False, max_warnings=...)`` makes a fresh fold (a
      :class:`~streamkit.Fold`);
    - ``events`` are the classes ``decode`` returns (besides the shared
      unknown and invalid events);
    - ``encode(event)`` writes a typed event back as the bytes of its
      framing, such that decoding them gives an equal event;
    - ``deltas(event)`` is the content an event carries
      (:class:`~streamkit.Delta`\\ s), ``kind(event)`` the lane it belongs in;
      where what an event carries depends on the events before it (which
      tool call a piece belongs to), ``delta_reader()`` makes a reader of one
      stream's events that keeps that state, used instead of ``deltas``;
      ``is_answer(delta)`` tells the deltas whose text, joined, is the fold's
      ``text`` (every ``"text"`` delta, unless the dialect says less: chat
      keeps choice 0's);
    - ``is_keepalive(event)`` tells events that only show the connection is
      alive (they do not reset an idle timeout);
    - ``transcript()`` makes a sans-IO renderer of the dialect's events as
      the chat its user saw (a :class:`~streamkit.dialects.Transcript`:
      ``feed(event) -> str``, ``close() -> str``), what ``streamkit replay
      --text`` prints; by default one read through the common face alone;
    - ``detect(name, data)`` says whether the first frame of a stream looks
      like this dialect, for ``dialect="auto"``;
    - ``framing`` names the wire format: ``"sse"``, ``"eventstream"``,
      ``"ndjson"`` or ``"jsonarray"``; or, for an API that sends the same
      payloads in several, a tuple of them, the first being the one
      ``encode`` writes (Gemini: ``("sse", "jsonarray")``).  The stream glue
      then tells which one a body is in from its first bytes.
      :attr:`framings` is always the tuple.
    """

    name: str
    decode: Callable[[str, bytes | memoryview], _E | UnknownEvent]
    accumulator: Callable[..., Fold[Any]]
    events: tuple[type, ...]
    encode: Callable[[Any], bytes]
    kind: Callable[[Any], EventKind]
    deltas: Callable[[Any], Sequence[Delta]] = _no_deltas
    delta_reader: Callable[[], Callable[[Any], Sequence[Delta]]] | None = None
    is_answer: Callable[[Delta], bool] = _is_text
    is_keepalive: Callable[[Any], bool] = _never
    transcript: Callable[[], Transcript] = _default_transcript
    detect: Callable[[str, bytes | memoryview], bool] = _claims_nothing
    framing: Framing | tuple[Framing, ...] = "sse"

    @property
    def framings(self) -> tuple[Framing, ...]:
        """Every framing the dialect reads, the one ``encode`` writes first."""
        framing = self.framing
        return framing if isinstance(framing, tuple) else (framing,)


# name -> module that defines DIALECT; replaced by the Dialect once imported.
_MODULES: dict[str, str | Dialect[Any]] = {
    "chat": "streamkit.dialects.chat",
    "responses": "streamkit.dialects.responses",
    "anthropic": "streamkit.dialects.anthropic",
    "assistants": "streamkit.dialects.assistants",
    "ollama": "streamkit.dialects.ollama",
    "bedrock": "streamkit.dialects.bedrock",
    "gemini": "streamkit.dialects.gemini",
}
# Event class -> its dialect, for the dialects imported so far.
_BY_TYPE: dict[type, Dialect[Any]] = {}


def register(dialect: Dialect[Any]) -> None:
    """Make *dialect* available by its name (replacing one of the same name)."""
    _MODULES[dialect.name] = dialect
    _index(dialect)


def names() -> tuple[str, ...]:
    """The names of every registered dialect."""
    return tuple(_MODULES)


def get(name: str | Dialect[_E]) -> Dialect[Any]:
    """The dialect called *name* (a :class:`Dialect` is returned as is).

    Raises :class:`ValueError` naming the known dialects for an unknown name.
    """
    if isinstance(name, Dialect):
        return name
    entry = _MODULES.get(name)
    if entry is None:
        known = ", ".join(_MODULES)
        raise ValueError(f"unknown dialect {name!r} (known: {known}, or auto)")
    if isinstance(entry, str):
        dialect = importlib.import_module(entry).DIALECT
        if not isinstance(dialect, Dialect):  # pragma: no cover - a broken registry entry
            raise TypeError(f"{entry}.DIALECT is not a Dialect")
        _MODULES[name] = entry = dialect
        _index(dialect)
    return entry


def choose(name: str | Dialect[Any]) -> Dialect[Any] | Literal["auto"]:
    """``"auto"``, or the dialect *name* names: for callers holding a name only at run time."""
    return "auto" if name == "auto" else get(name)


def loaded() -> list[Dialect[Any]]:
    """Every registered dialect, imported."""
    return [get(name) for name in _MODULES]


def _index(dialect: Dialect[Any]) -> None:
    for cls in dialect.events:
        _BY_TYPE[cls] = dialect


def dialect_of(event: object) -> Dialect[Any] | None:
    """The dialect whose typed event *event* is (``None`` for unknown and invalid events)."""
    cls = type(event)
    dialect = _BY_TYPE.get(cls)
    if dialect is None and cls is not UnknownEvent and cls is not InvalidEvent:
        loaded()
        dialect = _BY_TYPE.get(cls)
    return dialect


def claimant(
    name: str, data: bytes | memoryview, *, framing: Framing = "sse", besides: str | None = None
) -> Dialect[Any] | None:
    """The first registered dialect (other than *besides*) that claims a stream's first frame."""
    for dialect in loaded():
        if dialect.name != besides and framing in dialect.framings and dialect.detect(name, data):
            return dialect
    return None


# -- typing: the element type of iter_events(..., dialect=NAME) ----------------------

DialectName: TypeAlias = Literal[
    "auto", "chat", "responses", "anthropic", "assistants", "gemini", "ollama", "bedrock"
]
"""Every dialect name the type checker knows, and ``"auto"``."""

_Shared: TypeAlias = "UnknownEvent | InvalidEvent"
AnyEvent: TypeAlias = (
    "_ChatEvent | _ResponsesEvent | _AnthropicEvent | _AssistantsEvent"
    " | _GeminiEvent | _OllamaEvent | _BedrockEvent | _Shared"
)
"""The typed event of any dialect, or an unknown or invalid one."""


class IterEvents(Protocol):
    """The type of :func:`streamkit.iter_events`: its result follows the dialect named."""

    @overload
    def __call__(
        self,
        chunks: Iterable[Buffer],
        dialect: Literal["auto"] = ...,
        *,
        on_error: ErrorPolicy = ...,
        max_event_size: int = ...,
    ) -> Generator[AnyEvent, None, None]: ...
    @overload
    def __call__(
        self,
        chunks: Iterable[Buffer],
        dialect: Literal["chat"],
        *,
        on_error: ErrorPolicy = ...,
        max_event_size: int = ...,
    ) -> Generator[_ChatEvent | _Shared, None, None]: ...
    @overload
    def __call__(
        self,
        chunks: Iterable[Buffer],
        dialect: Literal["responses"],
        *,
        on_error: ErrorPolicy = ...,
        max_event_size: int = ...,
    ) -> Generator[_ResponsesEvent | _Shared, None, None]: ...
    @overload
    def __call__(
        self,
        chunks: Iterable[Buffer],
        dialect: Literal["anthropic"],
        *,
        on_error: ErrorPolicy = ...,
        max_event_size: int = ...,
    ) -> Generator[_AnthropicEvent | _Shared, None, None]: ...
    @overload
    def __call__(
        self,
        chunks: Iterable[Buffer],
        dialect: Literal["assistants"],
        *,
        on_error: ErrorPolicy = ...,
        max_event_size: int = ...,
    ) -> Generator[_AssistantsEvent | _Shared, None, None]: ...
    @overload
    def __call__(
        self,
        chunks: Iterable[Buffer],
        dialect: Literal["gemini"],
        *,
        on_error: ErrorPolicy = ...,
        max_event_size: int = ...,
    ) -> Generator[_GeminiEvent | _Shared, None, None]: ...
    @overload
    def __call__(
        self,
        chunks: Iterable[Buffer],
        dialect: Literal["ollama"],
        *,
        on_error: ErrorPolicy = ...,
        max_event_size: int = ...,
    ) -> Generator[_OllamaEvent | _Shared, None, None]: ...
    @overload
    def __call__(
        self,
        chunks: Iterable[Buffer],
        dialect: Literal["bedrock"],
        *,
        on_error: ErrorPolicy = ...,
        max_event_size: int = ...,
    ) -> Generator[_BedrockEvent | _Shared, None, None]: ...
    @overload
    def __call__(
        self,
        chunks: Iterable[Buffer],
        dialect: Dialect[_E],
        *,
        on_error: ErrorPolicy = ...,
        max_event_size: int = ...,
    ) -> Generator[_E | _Shared, None, None]: ...


class AIterEvents(Protocol):
    """The type of :func:`streamkit.aiter_events`: its result follows the dialect named."""

    @overload
    def __call__(
        self,
        chunks: AsyncIterable[Buffer],
        dialect: Literal["auto"] = ...,
        *,
        on_error: ErrorPolicy = ...,
        idle_timeout: float | None = ...,
        max_event_size: int = ...,
    ) -> AsyncGenerator[AnyEvent, None]: ...
    @overload
    def __call__(
        self,
        chunks: AsyncIterable[Buffer],
        dialect: Literal["chat"],
        *,
        on_error: ErrorPolicy = ...,
        idle_timeout: float | None = ...,
        max_event_size: int = ...,
    ) -> AsyncGenerator[_ChatEvent | _Shared, None]: ...
    @overload
    def __call__(
        self,
        chunks: AsyncIterable[Buffer],
        dialect: Literal["responses"],
        *,
        on_error: ErrorPolicy = ...,
        idle_timeout: float | None = ...,
        max_event_size: int = ...,
    ) -> AsyncGenerator[_ResponsesEvent | _Shared, None]: ...
    @overload
    def __call__(
        self,
        chunks: AsyncIterable[Buffer],
        dialect: Literal["anthropic"],
        *,
        on_error: ErrorPolicy = ...,
        idle_timeout: float | None = ...,
        max_event_size: int = ...,
    ) -> AsyncGenerator[_AnthropicEvent | _Shared, None]: ...
    @overload
    def __call__(
        self,
        chunks: AsyncIterable[Buffer],
        dialect: Literal["assistants"],
        *,
        on_error: ErrorPolicy = ...,
        idle_timeout: float | None = ...,
        max_event_size: int = ...,
    ) -> AsyncGenerator[_AssistantsEvent | _Shared, None]: ...
    @overload
    def __call__(
        self,
        chunks: AsyncIterable[Buffer],
        dialect: Literal["gemini"],
        *,
        on_error: ErrorPolicy = ...,
        idle_timeout: float | None = ...,
        max_event_size: int = ...,
    ) -> AsyncGenerator[_GeminiEvent | _Shared, None]: ...
    @overload
    def __call__(
        self,
        chunks: AsyncIterable[Buffer],
        dialect: Literal["ollama"],
        *,
        on_error: ErrorPolicy = ...,
        idle_timeout: float | None = ...,
        max_event_size: int = ...,
    ) -> AsyncGenerator[_OllamaEvent | _Shared, None]: ...
    @overload
    def __call__(
        self,
        chunks: AsyncIterable[Buffer],
        dialect: Literal["bedrock"],
        *,
        on_error: ErrorPolicy = ...,
        idle_timeout: float | None = ...,
        max_event_size: int = ...,
    ) -> AsyncGenerator[_BedrockEvent | _Shared, None]: ...
    @overload
    def __call__(
        self,
        chunks: AsyncIterable[Buffer],
        dialect: Dialect[_E],
        *,
        on_error: ErrorPolicy = ...,
        idle_timeout: float | None = ...,
        max_event_size: int = ...,
    ) -> AsyncGenerator[_E | _Shared, None]: ...
