"""The fold: Responses stream events in, the final :class:`Response` out.

Theory of operation
-------------------

The lifecycle events (``response.created``, ``queued``, ``in_progress``)
carry the whole response without its output; the latest one is the *base*
of the result.  Every output item announced by ``response.output_item.added``
gets an :class:`_Item`, keyed by its ``output_index``.  While events arrive
for it, the item holds a *tree*: the item as JSON builtins, into which each
event is merged by the rules of :data:`MERGE`.  Strings that grow by
concatenation (text, refusals, arguments, reasoning summaries, code, custom
tool input) are kept as a list of fragments (:class:`_Fragments`), and the
lists addressed by an index (``content`` by ``content_index``, ``summary`` by
``summary_index``, ``annotations`` by ``annotation_index``) as a dict from
index to item (:class:`_ByIndex`), so applying an event costs the size of the
event, never the size of what was folded so far.

:attr:`Accumulator.result` is built only when read: the base with the item
snapshots as ``output``.  Each item's snapshot (a frozen msgspec Struct) is
kept until an event changes that item, so reading costs at most the size of
what changed, and a result once handed out never changes.

The ``*.done`` events carry the full value of what the deltas built (the
text of a part, a call's arguments, a whole part, a whole item): each is
compared with the fold by streamkit's one drift rule
(:mod:`streamkit.dialects._drift`: absent, ``null``, ``""``, ``[]`` and
``{}`` are alike, ``1`` is ``1.0``), each difference recorded in
:attr:`Accumulator.drift`, and the server's value replaces the fold.  At
``response.completed``, ``response.incomplete`` or ``response.failed`` the
final response replaces the whole fold the same way.  When it leaves out
``output``, the folded items are kept as its output; when it sends
``"output": []`` after items were streamed (some servers speaking this API
do), they are kept too, and that is an ``"empty-final-output"`` violation
rather than the loss of every item.  For a whole item only
the fields events build (:data:`DELTA_FIELDS`: a message's content, a call's
arguments...) are compared: a status, an ``encrypted_content`` or a call's
results arrive whole with the final item and are no drift.

``sequence_number`` must grow by one from event to event (streams from
before it existed have none, which is fine; the number of an event this
dialect keeps raw is read from its payload, so it makes no gap).  A gap, a
step back, an event for an output item never announced, a delta after its
item is done, an event after the response ended, and every other protocol
violation is a :class:`~streamkit.Violation` (``index``: the
``output_index`` of the item concerned, where there is one): kept in
:attr:`Accumulator.warnings`, or raised as :class:`~streamkit.FoldError`
when the accumulator is strict.  The kinds are listed in :data:`VIOLATIONS`.

The common face (``outcome``, ``text``, ``refusal``, ``tool_calls``,
``usage``; the mapping is in :class:`Accumulator`'s docstring) is computed
when read, from the item snapshots and trees: folding an event costs nothing
more for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import attrs
import msgspec
from msgspec import UNSET

from streamkit.dialects._builders import (
    ByIndex as _ByIndex,
    Fragments as _Fragments,
    materialize as _materialize,
)
from streamkit.dialects._drift import MISSING, diff
from streamkit.dialects._face import Drift, Outcome, ToolCall, Usage as CommonUsage, Violation
from streamkit.dialects._fold import FoldBase
from streamkit.dialects._unknowns import UNKNOWN_TAG
from streamkit.dialects._violations import MAX_WARNINGS

from ._schema import (
    CustomToolCall,
    ErrorEvent,
    FoldedResponse,
    FunctionCall,
    IncompleteDetails,
    InputTokensDetails,
    OutputItem,
    OutputMessage,
    OutputRefusal,
    OutputText,
    OutputTokensDetails,
    Response,
    ResponseCodeInterpreterCallCodeDelta,
    ResponseCodeInterpreterCallCodeDone,
    ResponseCodeInterpreterCallCompleted,
    ResponseCodeInterpreterCallInProgress,
    ResponseCodeInterpreterCallInterpreting,
    ResponseCompleted,
    ResponseContentPartAdded,
    ResponseContentPartDone,
    ResponseCreated,
    ResponseCustomToolCallInputDelta,
    ResponseCustomToolCallInputDone,
    ResponseError,
    ResponseFailed,
    ResponseFileSearchCallCompleted,
    ResponseFileSearchCallInProgress,
    ResponseFileSearchCallSearching,
    ResponseFunctionCallArgumentsDelta,
    ResponseFunctionCallArgumentsDone,
    ResponseImageGenerationCallCompleted,
    ResponseImageGenerationCallGenerating,
    ResponseImageGenerationCallInProgress,
    ResponseImageGenerationCallPartialImage,
    ResponseIncomplete,
    ResponseInProgress,
    ResponseMcpCallArgumentsDelta,
    ResponseMcpCallArgumentsDone,
    ResponseMcpCallCompleted,
    ResponseMcpCallFailed,
    ResponseMcpCallInProgress,
    ResponseMcpListToolsCompleted,
    ResponseMcpListToolsFailed,
    ResponseMcpListToolsInProgress,
    ResponseOutputItemAdded,
    ResponseOutputItemDone,
    ResponseOutputTextAnnotationAdded,
    ResponseOutputTextDelta,
    ResponseOutputTextDone,
    ResponseQueued,
    ResponseReasoningSummaryPartAdded,
    ResponseReasoningSummaryPartDone,
    ResponseReasoningSummaryTextDelta,
    ResponseReasoningSummaryTextDone,
    ResponseReasoningTextDelta,
    ResponseReasoningTextDone,
    ResponseRefusalDelta,
    ResponseRefusalDone,
    ResponseWebSearchCallCompleted,
    ResponseWebSearchCallInProgress,
    ResponseWebSearchCallSearching,
    Unknown,
    Usage,
)

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ("Accumulator", "Drift", "Rule", "Violation")

MAX_INDEX: Final = 10_000
"""The largest index an event may carry; a larger one is a violation, not an allocation."""

# -- merge rules --------------------------------------------------------------------

CONCAT: Final = "concat"
DONE: Final = "done"
PART: Final = "part"
PART_DONE: Final = "part_done"
ANNOTATION: Final = "annotation"
STATUS: Final = "status"


@attrs.frozen
class Rule:
    """How one kind of event is merged into the output item at its ``output_index``.

    ``kind`` is the merge (below); ``items`` the item types the event may
    address; ``parts`` the list of the item it addresses (``"content"``,
    ``"summary"``) and ``index`` the event field holding the position in it,
    or ``None`` when the event addresses the item itself; ``part`` the part
    type it addresses (and creates, when a delta comes for a part never
    announced); ``field`` the field of the item or part it changes, and
    ``value`` the event field holding the value.

    - ``CONCAT``: append the value to the string so far;
    - ``DONE``: the full value: compare with the fold (drift), then replace it;
    - ``PART`` / ``PART_DONE``: put the whole part at the index (comparing first
      for ``PART_DONE``);
    - ``ANNOTATION``: put the annotation at ``annotation_index`` of the part's
      ``annotations``;
    - ``STATUS``: set the item's ``status`` to ``value`` (when the item has one).
    """

    kind: str
    items: tuple[str, ...]
    parts: str | None = None
    index: str | None = None
    part: str | None = None
    field: str | None = None
    value: str | None = None


_MESSAGE: Final = ("message",)
_REASONING: Final = ("reasoning",)


def _text(kind: str, items: tuple[str, ...], parts: str, index: str, part: str) -> Rule:
    return Rule(kind, items, parts, index, part, "text" if part != "refusal" else "refusal")


def _status(cls: Any) -> str:
    """The status a progress event names: ``in_progress`` for ``response.mcp_call.in_progress``."""
    name: str = cls.type
    return name.rpartition(".")[2]


MERGE: Final[dict[type, Rule]] = {
    # deltas
    ResponseOutputTextDelta: attrs.evolve(
        _text(CONCAT, _MESSAGE, "content", "content_index", "output_text"), value="delta"
    ),
    ResponseRefusalDelta: attrs.evolve(
        _text(CONCAT, _MESSAGE, "content", "content_index", "refusal"), value="delta"
    ),
    ResponseReasoningTextDelta: attrs.evolve(
        _text(CONCAT, _REASONING, "content", "content_index", "reasoning_text"), value="delta"
    ),
    ResponseReasoningSummaryTextDelta: attrs.evolve(
        _text(CONCAT, _REASONING, "summary", "summary_index", "summary_text"), value="delta"
    ),
    ResponseFunctionCallArgumentsDelta: Rule(
        CONCAT, ("function_call",), field="arguments", value="delta"
    ),
    ResponseCustomToolCallInputDelta: Rule(
        CONCAT, ("custom_tool_call",), field="input", value="delta"
    ),
    ResponseMcpCallArgumentsDelta: Rule(CONCAT, ("mcp_call",), field="arguments", value="delta"),
    ResponseCodeInterpreterCallCodeDelta: Rule(
        CONCAT, ("code_interpreter_call",), field="code", value="delta"
    ),
    # parts and annotations
    ResponseContentPartAdded: Rule(PART, ("message", "reasoning"), "content", "content_index"),
    ResponseReasoningSummaryPartAdded: Rule(PART, _REASONING, "summary", "summary_index"),
    ResponseOutputTextAnnotationAdded: Rule(
        ANNOTATION, _MESSAGE, "content", "content_index", "output_text", "annotations"
    ),
    # full values
    ResponseOutputTextDone: attrs.evolve(
        _text(DONE, _MESSAGE, "content", "content_index", "output_text"), value="text"
    ),
    ResponseRefusalDone: attrs.evolve(
        _text(DONE, _MESSAGE, "content", "content_index", "refusal"), value="refusal"
    ),
    ResponseReasoningTextDone: attrs.evolve(
        _text(DONE, _REASONING, "content", "content_index", "reasoning_text"), value="text"
    ),
    ResponseReasoningSummaryTextDone: attrs.evolve(
        _text(DONE, _REASONING, "summary", "summary_index", "summary_text"), value="text"
    ),
    ResponseFunctionCallArgumentsDone: Rule(
        DONE, ("function_call",), field="arguments", value="arguments"
    ),
    ResponseCustomToolCallInputDone: Rule(
        DONE, ("custom_tool_call",), field="input", value="input"
    ),
    ResponseMcpCallArgumentsDone: Rule(DONE, ("mcp_call",), field="arguments", value="arguments"),
    ResponseCodeInterpreterCallCodeDone: Rule(
        DONE, ("code_interpreter_call",), field="code", value="code"
    ),
    ResponseContentPartDone: Rule(PART_DONE, ("message", "reasoning"), "content", "content_index"),
    ResponseReasoningSummaryPartDone: Rule(PART_DONE, _REASONING, "summary", "summary_index"),
    # progress of hosted tool calls
    **{
        cls: Rule(STATUS, (item,), field="status", value=_status(cls))
        for item, classes in {
            "file_search_call": (
                ResponseFileSearchCallInProgress,
                ResponseFileSearchCallSearching,
                ResponseFileSearchCallCompleted,
            ),
            "web_search_call": (
                ResponseWebSearchCallInProgress,
                ResponseWebSearchCallSearching,
                ResponseWebSearchCallCompleted,
            ),
            "code_interpreter_call": (
                ResponseCodeInterpreterCallInProgress,
                ResponseCodeInterpreterCallInterpreting,
                ResponseCodeInterpreterCallCompleted,
            ),
            "mcp_call": (
                ResponseMcpCallInProgress,
                ResponseMcpCallCompleted,
                ResponseMcpCallFailed,
            ),
            "mcp_list_tools": (
                ResponseMcpListToolsInProgress,
                ResponseMcpListToolsCompleted,
                ResponseMcpListToolsFailed,
            ),
            "image_generation_call": (
                ResponseImageGenerationCallInProgress,
                ResponseImageGenerationCallGenerating,
                ResponseImageGenerationCallCompleted,
            ),
        }.items()
        for cls in classes
    },
}
"""How each event that changes an output item is merged into it (see :class:`Rule`).

Identifiers, names, types and ids are never concatenated: only the fields
named here change, and only as declared.  Events not listed here change no
item: lifecycle events replace the base response, ``output_item.added`` /
``done`` add or replace a whole item, ``error`` is collected, and
``image_generation_call.partial_image`` (a preview) is only checked.
"""

DELTA_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "message": ("content",),
    "reasoning": ("summary", "content"),
    "function_call": ("arguments",),
    "custom_tool_call": ("input",),
    "mcp_call": ("arguments",),
    "code_interpreter_call": ("code",),
}
"""The fields of each item type that events build, compared with the final item for drift.

Other fields (``status``, ``encrypted_content``, a call's ``outputs`` or
``results``...) arrive whole with the final item and are never drift.
"""

_NEW_PART: Final[dict[str, dict[str, Any]]] = {
    "output_text": {"type": "output_text", "text": "", "annotations": []},
    "refusal": {"type": "refusal", "refusal": ""},
    "reasoning_text": {"type": "reasoning_text", "text": ""},
    "summary_text": {"type": "summary_text", "text": ""},
}
"""The part a delta creates when it comes for a part never announced (a violation)."""

# -- lifecycle ----------------------------------------------------------------------

_TERMINAL: Final = frozenset({"completed", "incomplete", "failed"})
RESPONSE_NEXT: Final[dict[str | None, frozenset[str]]] = {
    None: frozenset({"created"}),
    "created": frozenset({"queued", "in_progress", *_TERMINAL}),
    "queued": frozenset({"queued", "in_progress", *_TERMINAL}),
    "in_progress": frozenset({"in_progress", *_TERMINAL}),
    **dict.fromkeys(_TERMINAL, frozenset()),
}
"""For each response state (the last lifecycle event seen), the lifecycle events that may follow."""


def _folded(response: Response, state: str | None, output: list[OutputItem]) -> FoldedResponse:
    """*response* with *output*, and where the server sent no status, the lifecycle state's."""
    fields = msgspec.structs.asdict(response)
    fields["output"] = output
    if response.status is UNSET:
        fields["status"] = "in_progress" if state in (None, "created") else state
    return FoldedResponse(**fields)


VIOLATIONS: Final = frozenset(
    {
        "sequence-gap",  # sequence_number skipped some: events were lost
        "sequence-order",  # sequence_number not above the last: reordered or repeated
        "transition",  # a lifecycle event out of order (in_progress first, created twice)
        "other-response",  # a lifecycle event of another response id
        "after-end",  # an event after response.completed / incomplete / failed
        "empty-final-output",  # the final response's output is [] after items streamed
        "unknown-output-index",  # an event for an output_index never added
        "duplicate-output-index",  # output_item.added twice for one output_index
        "after-item-done",  # an event for an item after its output_item.done
        "item-id-mismatch",  # the event's item_id is not the id of the item at its index
        "item-type-mismatch",  # the event does not apply to the item's type
        "unknown-part",  # a delta or done for a part never added (a delta creates it)
        "duplicate-part",  # a part added twice at one index
        "part-type-mismatch",  # a text delta for a refusal part, or the like
        "index-gap",  # an output, content, summary or annotation index skipping one
        "index-out-of-range",  # an index below 0 or above MAX_INDEX
        "invalid-event",  # an event that could not be decoded (on_error="yield"): lost
        "dialect-mismatch",  # unknown events first, of a stream another dialect claims
    }
)
"""Every :attr:`Violation.kind` the fold reports."""


# -- strings and lists being built ----------------------------------------------------


class _Sequence(msgspec.Struct):
    sequence_number: int | None = None


_SEQUENCE_DECODER: Final = msgspec.json.Decoder(_Sequence)


# -- the accumulator ---------------------------------------------------------------------


class _Item:
    """One output item: its fold (a tree) or its snapshot, and whether it is done."""

    __slots__ = ("done", "id", "index", "key", "snapshot", "tree", "type")

    def __init__(self, index: int, item: OutputItem, *, done: bool = False) -> None:
        self.index = index
        self.adopt(item, done=done)

    def adopt(self, item: OutputItem, *, done: bool) -> None:
        """Take *item* as the item's state (the server's object: no tree)."""
        if type(item) is Unknown:
            kind, item_id, call_id = item.kind, item.data.get("id"), item.data.get("call_id")
            self.type = UNKNOWN_TAG
        else:
            item_id, call_id = getattr(item, "id", UNSET), getattr(item, "call_id", UNSET)
            self.type = kind = item.type
        self.id: str | None = item_id if isinstance(item_id, str) else None
        #: What names the item in violations and drift: its id, else its call id.
        self.key: str = self.id or (call_id if isinstance(call_id, str) else f"{kind}@{self.index}")
        self.snapshot: OutputItem | None = item
        self.tree: dict[str, Any] | None = None
        self.done = done

    def grow(self) -> dict[str, Any]:
        """The tree to merge an event into (the snapshot is dropped: it will be rebuilt)."""
        tree = self.tree
        if tree is None:
            tree = self.tree = msgspec.to_builtins(self.snapshot)
        self.snapshot = None
        return tree

    def current(self) -> OutputItem:
        """The item's snapshot, built from the tree when an event changed it."""
        snapshot = self.snapshot
        if snapshot is None:
            tree = _materialize(self.tree)
            try:
                snapshot = msgspec.convert(tree, OutputItem)
            except msgspec.ValidationError:
                # Cannot happen with trees built from valid objects by the rules
                # above; should it anyway, the item stays visible, raw.
                snapshot = Unknown(data=tree)
            self.snapshot = snapshot
        return snapshot

    def builtins(self) -> dict[str, Any]:
        """The item as JSON builtins, for comparing (the tree itself when there is one)."""
        if self.tree is not None:
            return self.tree
        tree: dict[str, Any] = msgspec.to_builtins(self.snapshot)
        return tree


class Accumulator(FoldBase):
    """Folds the events of one Responses stream into the final :class:`Response`.

    Feed it every typed event of the stream, in order, with :meth:`feed`.
    Read :attr:`result` at any time: the response so far (``None`` before
    ``response.created``), a frozen msgspec Struct that never changes once
    returned (a later read returns a new one when events changed it).  Once
    the final response has arrived it is the result, and :attr:`done` is true.

    Protocol violations are recorded in :attr:`warnings` (the first
    ``max_warnings``; later ones are only counted, in :attr:`warnings_dropped`);
    with ``strict=True`` they raise :class:`~streamkit.FoldError` instead.

    The common face (:class:`~streamkit.Fold`) reads every output item in
    output order:

    - :attr:`outcome`: ``response.completed`` is ``"completed"``, or
      ``"requires_action"`` when the final output holds a call the client
      must answer (a ``function_call`` or ``custom_tool_call``);
      ``response.incomplete`` is ``"incomplete"``, its reason
      ``incomplete_details.reason``; ``response.failed`` is ``"failed"``, its
      ``error`` the response's error object and its reason that error's
      ``code``; a response whose latest ``status`` is ``"cancelled"`` (a
      background response cancelled) is ``"cancelled"``, final or not.
      Without a final response, an ``error`` event makes it ``"errored"``
      (``error``: the latest :class:`ErrorEvent`), and nothing makes it
      ``"truncated"``.  The final response decides even after an ``error``
      event: it says more (a failed response names its code).
      :attr:`done` is true once ``response.completed``, ``incomplete`` or
      ``failed`` arrived.
    - :attr:`text`: every ``output_text`` part of every ``message`` item,
      joined; :attr:`refusal` the same of the ``refusal`` parts.  Both read
      the fold's trees, so they are right mid-stream; once a ``*.done``
      value or the final response replaced the fold, they read that.
    - :attr:`tool_calls`: the ``function_call`` items (``id`` their
      ``call_id``, ``arguments`` as streamed) and ``custom_tool_call`` items
      (``arguments`` their ``input``), ``index`` their ``output_index``.
      Hosted tools (MCP, code interpreter, web and file search) are the
      server's to run and are not listed.
    - :attr:`usage`: the ``usage`` of the latest response that carried one
      (``cached_input_tokens`` from ``input_tokens_details.cached_tokens``,
      ``reasoning_tokens`` from ``output_tokens_details.reasoning_tokens``;
      ``raw`` the :class:`~streamkit.dialects.responses.Usage`).
    """

    dialect = "responses"

    def __init__(self, *, strict: bool = False, max_warnings: int = MAX_WARNINGS) -> None:
        super().__init__(strict=strict, max_warnings=max_warnings)
        self._base: Response | None = None
        self._result: FoldedResponse | None = None
        self._state: str | None = None
        self._items: dict[int, _Item] = {}
        self._sequence: int | None = None
        self._usage: Usage | None = None

    # -- reading ---------------------------------------------------------------------

    @property
    def result(self) -> FoldedResponse | None:
        """The response so far: the last lifecycle response with the folded output items."""
        result = self._result
        if result is None:
            base = self._base
            if base is None:
                return None
            items = self._items
            output = [items[index].current() for index in sorted(items)]
            result = self._result = _folded(base, self._state, output)
        return result

    @property
    def errors(self) -> list[ErrorEvent]:
        """The ``error`` events received."""
        return list(self._errors)

    @property
    def sequence_number(self) -> int | None:
        """The highest ``sequence_number`` seen (``None`` before any): where to resume a stream."""
        return self._sequence

    @property
    def outcome(self) -> Outcome:
        """How the stream ended, or would have if it stopped now (see the class docstring)."""
        base = self._base
        if base is not None and base.status == "cancelled":
            return _CANCELLED
        if not self.done or base is None:
            if self._errors:
                return Outcome(kind="errored", error=self._errors[-1])
            return _TRUNCATED
        state = self._state
        if state == "incomplete":
            details = base.incomplete_details
            reason = details.reason if type(details) is IncompleteDetails else None
            return Outcome(kind="incomplete", reason=reason)
        if state == "failed":
            error = base.error
            if type(error) is ResponseError:
                return Outcome(kind="failed", reason=error.code, error=error)
            return Outcome(kind="failed")
        for item in base.output or ():
            if type(item) is FunctionCall or type(item) is CustomToolCall:
                return _REQUIRES_ACTION
        return _COMPLETED

    @property
    def text(self) -> str:
        """Every ``output_text`` part of every message so far, in output order, joined."""
        return "".join(self._parts(OutputText, "output_text"))

    @property
    def refusal(self) -> str:
        """Every ``refusal`` part of every message so far, in output order, joined."""
        return "".join(self._parts(OutputRefusal, "refusal"))

    @property
    def tool_calls(self) -> list[ToolCall]:
        """The function and custom tool calls so far, in output order, arguments as streamed."""
        calls = []
        for index, item, tree in self._output():
            kind = type(item)
            if kind is FunctionCall:
                calls.append(
                    ToolCall(id=item.call_id, name=item.name, arguments=item.arguments, index=index)
                )
            elif kind is CustomToolCall:
                calls.append(
                    ToolCall(id=item.call_id, name=item.name, arguments=item.input, index=index)
                )
            elif tree is not None:
                field = _CALL_INPUT.get(tree.get("type"))
                if field is not None:
                    calls.append(_tree_call(tree, field, index))
        return calls

    @property
    def usage(self) -> CommonUsage:
        """The token usage of the latest response that reported one, as a ``streamkit.Usage``."""
        usage = self._usage
        if usage is None:
            return _NO_USAGE
        given = usage.input_tokens_details
        spent = usage.output_tokens_details
        return CommonUsage(
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            total_tokens=usage.total_tokens,
            cached_input_tokens=given.cached_tokens if type(given) is InputTokensDetails else None,
            reasoning_tokens=spent.reasoning_tokens if type(spent) is OutputTokensDetails else None,
            raw=usage,
        )

    def _output(self) -> list[tuple[int, Any, dict[str, Any] | None]]:
        """The output so far, by ``output_index``: each item's snapshot, or its tree.

        The snapshot (a Struct) when it is current, else ``None`` beside the
        tree the events built; once the response ended, the final output.
        """
        if self.done:
            base = self._base
            output = base.output if base is not None else UNSET
            return [(i, item, None) for i, item in enumerate(output or ())]
        items = self._items
        out = []
        for index in sorted(items):
            item = items[index]
            snapshot = item.snapshot
            out.append((index, snapshot, None if snapshot is not None else item.tree))
        return out

    def _parts(self, cls: type, kind: str) -> list[str]:
        """The text of every part of type *kind* (as *cls* when built) of every message."""
        field = "text" if kind == "output_text" else kind
        texts: list[str] = []
        for _, item, tree in self._output():
            if type(item) is OutputMessage:
                texts += [getattr(part, field) for part in item.content if type(part) is cls]
            elif tree is not None and tree.get("type") == "message":
                parts = tree.get("content")
                if type(parts) is _ByIndex:
                    parts = [parts[index] for index in sorted(parts)]
                for part in parts if type(parts) is list else ():
                    if type(part) is dict and part.get("type") == kind:
                        value = part.get(field)
                        if type(value) is _Fragments:
                            texts.append(value.text())
                        elif type(value) is str:
                            texts.append(value)
        return texts

    # -- feeding ---------------------------------------------------------------------

    def feed(self, event: Any) -> None:
        """Fold one typed event (unknown events are only counted; an invalid one is a violation)."""
        self._ordinal += 1
        handler = _HANDLERS.get(type(event))
        if handler is None:
            self._unhandled(event)
            self._check_raw_sequence(event)
            return
        self._name = event.type
        sequence = event.sequence_number
        if sequence is not UNSET:
            self._check_sequence(sequence)
        if self.done:
            if type(event) is ErrorEvent:
                self._errors.append(event)
            self._violate("after-end", f"{event.type} after the response ended")
            return
        handler(self, event)

    def _check_sequence(self, sequence: int) -> None:
        last = self._sequence
        if last is None or sequence > last:
            self._sequence = sequence
        if last is None or sequence == last + 1:
            return
        if sequence > last:
            missing = sequence - last - 1
            self._violate(
                "sequence-gap", f"sequence_number {sequence} after {last}: {missing} missing"
            )
        else:
            self._violate("sequence-order", f"sequence_number {sequence} after {last}")

    def _check_raw_sequence(self, event: Any) -> None:
        """The sequence number of an unknown or invalid event, read from its raw payload."""
        data = getattr(event, "data", None)
        if not isinstance(data, bytes):
            return
        try:
            sequence = _SEQUENCE_DECODER.decode(data).sequence_number
        except msgspec.DecodeError:
            return
        if sequence is not None:
            self._name = event.event
            self._check_sequence(sequence)

    # -- the response --------------------------------------------------------------

    def _on_lifecycle(self, event: Any) -> None:
        response: Response = event.response
        state = event.type.rpartition(".")[2]
        base = self._base
        if base is not None and base.id != response.id:
            message = f"{event.type} of {response.id} in a stream of {base.id}"
            self._violate("other-response", message, response.id)
        if state not in RESPONSE_NEXT.get(self._state, frozenset()):
            was = self._state or "nothing"
            self._violate("transition", f"{response.id}: {state} after {was}", response.id)
        self._state = state
        usage = response.usage
        if type(usage) is Usage:
            self._usage = usage
        if state in _TERMINAL:
            self._finish(response)
        else:
            self._base = response
            self._result = None

    def _finish(self, final: Response) -> None:
        """The final response: compare its output with the fold, then make it the result."""
        self.done = True
        output = final.output
        items = self._items
        emptied = output == [] and bool(items)
        if output is UNSET or emptied:
            # The server left the output out (or sent it empty, as some proxies of the API
            # do after streaming every item): the folded items are the output.
            output = [items[index].current() for index in sorted(items)]
        else:
            for index in sorted(set(range(len(output))) | set(items)):
                item = items.get(index)
                if item is None:
                    built = msgspec.to_builtins(output[index])
                    self._drift.append(
                        Drift(final.id, f"$.output[{index}]", None, built, "only_in_final")
                    )
                elif index >= len(output):
                    built = msgspec.to_builtins(item.current())
                    self._drift.append(
                        Drift(final.id, f"$.output[{index}]", built, None, "only_in_fold")
                    )
                else:
                    self._diff_item(item, output[index])
        self._base = self._result = _folded(final, self._state, output)
        items.clear()  # the final response holds the output now
        if emptied:
            count = len(output)
            message = f"{final.id}: the final output is empty; the {count} folded items are kept"
            self._violate("empty-final-output", message, final.id)

    def _diff_item(self, item: _Item, final: OutputItem) -> None:
        """Record how the fields events built of *item* differ from the server's *final* item."""
        folded = item.builtins()
        wire: dict[str, Any] = msgspec.to_builtins(final)
        kind = folded.get("type")
        if kind != wire.get("type"):
            self._drift.append(Drift(item.key, "$.type", kind, wire.get("type"), "conflict"))
            return
        for name in DELTA_FIELDS.get(item.type, ()):
            diff(
                item.key,
                f"$.{name}",
                folded.get(name, MISSING),
                wire.get(name, MISSING),
                self._drift,
            )

    def _on_error(self, event: ErrorEvent) -> None:
        self._errors.append(event)

    # -- output items --------------------------------------------------------------

    def _index_ok(self, index: int, what: str, item: _Item | None = None) -> bool:
        if 0 <= index <= MAX_INDEX:
            return True
        if item is None:
            self._violate("index-out-of-range", f"{what} {index}")
        else:
            self._violate("index-out-of-range", f"{what} {index}", item.key, item.index)
        return False

    def _on_item_added(self, event: ResponseOutputItemAdded) -> None:
        index = event.output_index
        if not self._index_ok(index, "output_index"):
            return
        items = self._items
        item = _Item(index, event.item)
        if index in items:
            self._violate(
                "duplicate-output-index", f"output_index {index} added again", item.key, item.index
            )
        elif index and index - 1 not in items:
            self._violate(
                "index-gap", f"output_index {index} without {index - 1}", item.key, item.index
            )
        items[index] = item
        self._result = None

    def _on_item_done(self, event: ResponseOutputItemDone) -> None:
        index = event.output_index
        if not self._index_ok(index, "output_index"):
            return
        item = self._items.get(index)
        if item is None:
            item = self._items[index] = _Item(index, event.item, done=True)
            self._violate(
                "unknown-output-index",
                f"output_item.done for output_index {index}",
                item.key,
                item.index,
            )
        else:
            if item.done:
                self._violate("after-item-done", f"{item.key} done again", item.key, item.index)
            final = _Item(index, event.item)
            if final.id != item.id:
                message = f"output_index {index}: item {final.key} done, {item.key} added"
                self._violate("item-id-mismatch", message, item.key, item.index)
            self._diff_item(item, event.item)
            item.adopt(event.item, done=True)
        self._result = None

    def _target(self, event: Any, rule: Rule) -> _Item | None:
        """The item *event* addresses, or None (and a violation) when it cannot be changed."""
        index = event.output_index
        item = self._items.get(index)
        if item is None:
            message = f"{event.type} for output_index {index}"
            self._violate("unknown-output-index", message, event.item_id, index)
            return None
        if item.done:
            self._violate(
                "after-item-done", f"{event.type} after {item.key} was done", item.key, item.index
            )
            return None
        if event.item_id != item.id and item.id is not None:
            message = f"{event.type} for {event.item_id} at output_index {index}, of {item.key}"
            self._violate("item-id-mismatch", message, item.key, item.index)
        if item.type not in rule.items:
            message = f"{event.type} for {item.key}, a {item.type}"
            self._violate("item-type-mismatch", message, item.key, item.index)
            return None
        self._result = None
        return item

    def _part(
        self, item: _Item, rule: Rule, index: int, *, create: bool
    ) -> tuple[_ByIndex, dict[str, Any] | None] | None:
        """The parts list *rule* addresses in *item*, and its part at *index* (None: absent)."""
        assert rule.parts is not None
        if not self._index_ok(index, rule.index or "index", item):
            return None
        tree = item.grow()
        parts = tree.get(rule.parts)
        if type(parts) is not _ByIndex:
            parts = tree[rule.parts] = _ByIndex(enumerate(parts or ()))
        part = parts.get(index)
        if part is None and rule.part is not None and create:
            message = f"{self._name} for {item.key} {rule.index} {index}"
            self._violate("unknown-part", message, item.key, item.index)
            part = parts[index] = {**_NEW_PART[rule.part]}
        if part is not None and rule.part is not None and part.get("type") != rule.part:
            message = f"{self._name} for {item.key} {rule.index} {index}, a {part.get('type')}"
            self._violate("part-type-mismatch", message, item.key, item.index)
            return None
        return parts, part

    def _node(self, event: Any, rule: Rule, *, create: bool) -> tuple[_Item, Any] | None:
        """The item *event* addresses and the dict in it (the item's tree, or a part) to change."""
        item = self._target(event, rule)
        if item is None:
            return None
        if rule.parts is None:
            return item, item.grow()
        found = self._part(item, rule, getattr(event, rule.index or ""), create=create)
        if found is None:
            return None
        return item, found[1]

    def _on_text_delta(self, event: ResponseOutputTextDelta) -> None:
        """The hot path: one more piece of text for an ``output_text`` part being folded."""
        item = self._items.get(event.output_index)
        if (
            item is not None
            and item.tree is not None
            and not item.done
            and item.type == "message"
            and event.item_id == item.id
            and not event.logprobs
        ):
            parts = item.tree.get("content")
            if type(parts) is _ByIndex:
                part = parts.get(event.content_index)
                if part is not None:
                    text = part.get("text")
                    if type(text) is _Fragments and part.get("type") == "output_text":
                        text.append(event.delta)
                        if len(text) >= text.limit:
                            text.compact()
                        item.snapshot = None
                        self._result = None
                        return
        self._on_concat(event)

    def _on_concat(self, event: Any) -> None:
        rule = MERGE[type(event)]
        found = self._node(event, rule, create=True)
        if found is None:
            return
        _, node = found
        if node is None:
            return
        name = rule.field
        assert name is not None
        delta: str = getattr(event, rule.value or "")
        current = node.get(name)
        if type(current) is _Fragments:
            current.add(delta)
        elif type(current) is str and current:
            node[name] = _Fragments([current, delta])
        else:
            node[name] = _Fragments([delta])
        if type(event) is ResponseOutputTextDelta and event.logprobs:
            logprobs = node.get("logprobs")
            if type(logprobs) is not list:
                logprobs = node["logprobs"] = []
            logprobs += msgspec.to_builtins(event.logprobs)

    def _on_done(self, event: Any) -> None:
        rule = MERGE[type(event)]
        found = self._node(event, rule, create=False)
        if found is None:
            return
        item, node = found
        name = rule.field
        assert name is not None
        path = "$"
        folded = MISSING
        if rule.parts is not None:
            index = getattr(event, rule.index or "")
            path = f"$.{rule.parts}[{index}]"
            if node is None:
                message = f"{event.type} for {item.key} {rule.index} {index}"
                self._violate("unknown-part", message, item.key, item.index)
                assert rule.part is not None
                parts = item.grow()[rule.parts]
                node = parts[index] = {**_NEW_PART[rule.part]}
            else:
                folded = node.get(name, MISSING)
        else:
            folded = node.get(name, MISSING)
        value = getattr(event, rule.value or "")
        diff(item.key, f"{path}.{name}", folded, value, self._drift)
        node[name] = value
        if type(event) is ResponseOutputTextDone and event.logprobs is not UNSET:
            folded = node.get("logprobs", MISSING)
            final = msgspec.to_builtins(event.logprobs)
            diff(item.key, f"{path}.logprobs", folded, final, self._drift)
            node["logprobs"] = final

    def _on_part(self, event: Any) -> None:
        rule = MERGE[type(event)]
        item = self._target(event, rule)
        if item is None:
            return
        index: int = getattr(event, rule.index or "")
        found = self._part(item, rule, index, create=False)
        if found is None:
            return
        parts, current = found
        part = msgspec.to_builtins(event.part)
        path = f"$.{rule.parts}[{index}]"
        if rule.kind == PART:
            if current is not None:
                message = f"{item.key} {rule.index} {index} added again"
                self._violate("duplicate-part", message, item.key, item.index)
            elif index and index - 1 not in parts:
                message = f"{item.key} {rule.index} {index} without {index - 1}"
                self._violate("index-gap", message, item.key, item.index)
        elif current is None:
            message = f"{event.type} for {item.key} {rule.index} {index}"
            self._violate("unknown-part", message, item.key, item.index)
            diff(item.key, path, MISSING, part, self._drift)
        else:
            diff(item.key, path, current, part, self._drift)
        parts[index] = part

    def _on_annotation(self, event: ResponseOutputTextAnnotationAdded) -> None:
        rule = MERGE[ResponseOutputTextAnnotationAdded]
        found = self._node(event, rule, create=True)
        if found is None:
            return
        item, part = found
        index = event.annotation_index
        if part is None or event.annotation is None:
            return
        if not self._index_ok(index, "annotation_index", item):
            return
        annotations = part.get("annotations")
        if type(annotations) is not _ByIndex:
            annotations = part["annotations"] = _ByIndex(enumerate(annotations or ()))
        if index and index not in annotations and index - 1 not in annotations:
            message = f"{item.key} annotation_index {index} without {index - 1}"
            self._violate("index-gap", message, item.key, item.index)
        annotations[index] = msgspec.to_builtins(event.annotation)

    def _on_status(self, event: Any) -> None:
        rule = MERGE[type(event)]
        item = self._target(event, rule)
        if item is None:
            return
        current = item.snapshot
        if current is not None and getattr(current, "status", UNSET) is UNSET:
            return  # this item (an older API version) has no status to set
        tree = item.grow()
        if "status" in tree:
            tree["status"] = rule.value

    def _on_partial_image(self, event: ResponseImageGenerationCallPartialImage) -> None:
        self._target(event, Rule(STATUS, ("image_generation_call",)))


_TRUNCATED: Final = Outcome(kind="truncated")
_COMPLETED: Final = Outcome(kind="completed")
_REQUIRES_ACTION: Final = Outcome(kind="requires_action")
_CANCELLED: Final = Outcome(kind="cancelled")
_NO_USAGE: Final = CommonUsage()

_CALL_INPUT: Final[dict[Any, str]] = {"function_call": "arguments", "custom_tool_call": "input"}
"""The client-side calls (the face's ``tool_calls``) and the field holding each one's input."""


def _tree_call(tree: dict[str, Any], field: str, index: int) -> ToolCall:
    """The :class:`~streamkit.ToolCall` of a call item still being folded."""
    call_id, name, arguments = tree.get("call_id"), tree.get("name"), tree.get(field)
    if type(arguments) is _Fragments:
        arguments = arguments.text()
    return ToolCall(
        id=call_id if type(call_id) is str else None,
        name=name if type(name) is str else "",
        arguments=arguments if type(arguments) is str else "",
        index=index,
    )


_HANDLERS: dict[type, Callable[[Accumulator, Any], None]] = {
    ResponseCreated: Accumulator._on_lifecycle,
    ResponseQueued: Accumulator._on_lifecycle,
    ResponseInProgress: Accumulator._on_lifecycle,
    ResponseCompleted: Accumulator._on_lifecycle,
    ResponseIncomplete: Accumulator._on_lifecycle,
    ResponseFailed: Accumulator._on_lifecycle,
    ResponseOutputItemAdded: Accumulator._on_item_added,
    ResponseOutputItemDone: Accumulator._on_item_done,
    ResponseImageGenerationCallPartialImage: Accumulator._on_partial_image,
    ErrorEvent: Accumulator._on_error,
}

_BY_KIND: Final[dict[str, Callable[[Accumulator, Any], None]]] = {
    CONCAT: Accumulator._on_concat,
    DONE: Accumulator._on_done,
    PART: Accumulator._on_part,
    PART_DONE: Accumulator._on_part,
    ANNOTATION: Accumulator._on_annotation,
    STATUS: Accumulator._on_status,
}

for _cls, _rule in MERGE.items():
    _HANDLERS.setdefault(_cls, _BY_KIND[_rule.kind])
_HANDLERS[ResponseOutputTextDelta] = Accumulator._on_text_delta
del _cls, _rule
