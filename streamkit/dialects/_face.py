"""The common face: what every dialect's fold reports, in the same types.

Code written once — a chat backend, a logger, the command line — reads any
dialect's fold through these: how the stream ended (:class:`Outcome`), the
answer text, the tool calls (:class:`ToolCall`), the token counts
(:class:`Usage`), the protocol violations met (:class:`Violation`) and the
differences from the server's final objects (:class:`Drift`).  :class:`Fold`
is the protocol every dialect's ``Accumulator`` implements.  A
:class:`Delta` is one piece of content an event carries, as
``streamkit.deltas`` yields them.
"""

from __future__ import annotations

from typing import Any, Final, Literal, Protocol, TypeVar, runtime_checkable

import attrs

__all__ = (
    "DELTA_KINDS",
    "EVENT_KINDS",
    "OUTCOME_KINDS",
    "Delta",
    "DeltaKind",
    "Drift",
    "DriftKind",
    "EventKind",
    "Fold",
    "Outcome",
    "OutcomeKind",
    "ToolCall",
    "Usage",
    "Violation",
)

OutcomeKind = Literal[
    "completed",
    "requires_action",
    "incomplete",
    "failed",
    "errored",
    "cancelled",
    "expired",
    "truncated",
]
OUTCOME_KINDS: Final[tuple[OutcomeKind, ...]] = (
    "completed",
    "requires_action",
    "incomplete",
    "failed",
    "errored",
    "cancelled",
    "expired",
    "truncated",
)


@attrs.frozen(kw_only=True)
class Outcome:
    """How a stream ended, or would have if it stopped now.

    ``kind`` is one of :data:`OUTCOME_KINDS`; ``reason`` the provider's own
    word for it where it gave one (``"length"``, ``"max_tokens"``,
    ``"content_filter"``, ``"pause_turn"``...), else ``None``; ``error`` the
    error object or event that ended it (``"errored"``, ``"failed"``), else
    ``None``.  A dialect may return a subclass that says more (the
    Assistants dialect's ``Completed(run=...)``).
    """

    kind: OutcomeKind
    reason: str | None = None
    error: Any = None


@attrs.frozen(kw_only=True)
class Usage:
    """Token counts a stream reported, each ``None`` where it did not say.

    ``input_tokens`` and ``output_tokens`` as the provider counts them;
    ``total_tokens`` as it reported it (or their sum, where it reported
    both but no total); ``cached_input_tokens`` of the input read from a
    prompt cache; ``reasoning_tokens`` of the output spent on reasoning.
    ``raw`` is the dialect's own usage object, ``None`` when none arrived.
    """

    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None
    cached_input_tokens: int | None = None
    reasoning_tokens: int | None = None
    raw: Any = None


@attrs.frozen(kw_only=True)
class ToolCall:
    """A call of a function or tool the model made, in the order the stream gave them.

    ``id`` is the call's id (``None`` where the stream gave none), ``name``
    the function or tool, ``arguments`` the JSON text exactly as streamed
    (concatenated; an object's input is re-encoded as JSON where the dialect
    sends it parsed), and ``index`` the position the call streamed at: the
    tool call index of a chat choice, the output index of a Responses item,
    the content block index of an Anthropic ``tool_use`` block.
    """

    id: str | None
    name: str
    arguments: str
    index: int


DeltaKind = Literal["text", "refusal", "reasoning", "tool_arguments"]
DELTA_KINDS: Final[tuple[DeltaKind, ...]] = ("text", "refusal", "reasoning", "tool_arguments")


@attrs.frozen
class Delta:
    """One piece of content an event carries.

    ``kind`` is ``"text"`` (the visible answer), ``"refusal"``,
    ``"reasoning"`` (thinking, reasoning summaries) or ``"tool_arguments"``
    (a tool call's JSON, as it streams); ``index`` the choice, output item
    or content block it belongs to; ``text`` the piece.  ``call`` is, for
    ``"tool_arguments"`` where one ``index`` holds several calls (a chat
    choice, an Assistants run step), the tool call's own index; else ``None``.
    """

    kind: DeltaKind
    index: int
    text: str
    call: int | None = None


EventKind = Literal["lifecycle", "content", "tool", "reasoning", "keepalive", "error", "other"]
"""The lane an event belongs in: what it is about, for timelines and logs.

``"lifecycle"`` (a stream, message, item or run starts, changes state or
ends), ``"content"`` (answer text or refusal deltas), ``"tool"`` (tool call
deltas and tool progress), ``"reasoning"``, ``"keepalive"``, ``"error"``;
``"other"`` only for events of no dialect (unknown and invalid events).
"""
EVENT_KINDS: Final[tuple[EventKind, ...]] = (
    "lifecycle",
    "content",
    "tool",
    "reasoning",
    "keepalive",
    "error",
    "other",
)


# Records a fold keeps one of per finding: no weak-reference slot (8 bytes each).
@attrs.frozen(weakref_slot=False)
class Violation:
    """A protocol violation a fold met and went past (or raised, when strict).

    ``kind`` names the rule broken (each dialect documents its kinds; every
    dialect shares ``"invalid-event"`` and ``"dialect-mismatch"``),
    ``ordinal`` is the 0-based index of the event in what the accumulator was
    fed, ``event`` its name, ``object_id`` the object it concerned and
    ``index`` its position (a choice, output item or content block), where
    known.
    """

    kind: str
    message: str
    ordinal: int
    event: str
    object_id: str | None = None
    index: int | None = None


DriftKind = Literal["only_in_final", "only_in_fold", "conflict"]


@attrs.frozen(weakref_slot=False)
class Drift:
    """One difference between what the deltas built and the server's final object.

    ``path`` is a JSON path inside the object ``object_id``; ``kind`` says
    whether the value is ``"only_in_final"`` (no delta sent it), ``"only_in_fold"``
    (the final object lacks it), or a ``"conflict"``.  What counts as a
    difference is one rule for every dialect (see ``streamkit.dialects._drift``).
    """

    object_id: str
    path: str
    folded: Any
    final: Any
    kind: DriftKind


_R_co = TypeVar("_R_co", covariant=True)


@runtime_checkable
class Fold(Protocol[_R_co]):
    """The accumulator contract: every dialect's ``Accumulator`` folds its events this way.

    Feed it the typed events of one stream (or of a run's streams, in
    order) with :meth:`feed`; read at any time:

    - ``result``: the final object so far, shaped like the API's own
      non-streaming response (``None`` before anything arrived);
    - ``done``: a terminal event arrived;
    - ``outcome``: an :class:`Outcome`;
    - ``text`` and ``refusal``: the visible answer and refusal folded so far;
    - ``tool_calls``: a list of :class:`ToolCall`;
    - ``usage``: a :class:`Usage`;
    - ``warnings`` (the first ``max_warnings`` :class:`Violation`\\ s),
      ``warnings_dropped`` (how many more), ``errors`` (the error objects or
      events the server sent) and ``drift`` (a list of :class:`Drift`).
    """

    def feed(self, event: Any, /) -> None: ...

    @property
    def result(self) -> _R_co | None: ...

    @property
    def done(self) -> bool: ...

    @property
    def outcome(self) -> Outcome: ...

    @property
    def text(self) -> str: ...

    @property
    def refusal(self) -> str: ...

    @property
    def tool_calls(self) -> list[ToolCall]: ...

    @property
    def usage(self) -> Usage: ...

    @property
    def warnings(self) -> list[Violation]: ...

    @property
    def warnings_dropped(self) -> int: ...

    @property
    def errors(self) -> list[Any]: ...

    @property
    def drift(self) -> list[Drift]: ...
