"""The fold: Assistants stream events in, final Thread, Run, Message and RunStep out.

Theory of operation
-------------------

Every message and run step the stream announces gets an :class:`_Entry`.
While deltas arrive, the entry holds a *tree*: the object as JSON builtins
(the ``created`` snapshot), into which each delta is merged by the rules of
:data:`MERGE`.  Strings that grow by concatenation are kept as a list of
fragments (:class:`_Fragments`), and lists merged by ``index`` as a dict from
index to item (:class:`_ByIndex`), so applying a delta costs the size of the
delta, never the size of what was folded so far.

A snapshot (a frozen msgspec Struct) is built from the tree only when someone
reads it, and kept until the next delta changes the entry: reading costs at
most the size of the snapshot, and a snapshot once handed out never changes.

When the server's own final object arrives (``completed``, ``incomplete``,
``failed``, ``cancelled``, ``expired``), it replaces the fold, and the
difference between the two delta-carried fields (``content`` of a message,
``step_details`` of a step) is recorded in :attr:`Accumulator.drift`.

What may follow what is declared in the ``*_NEXT`` tables.  Anything they do
not allow, and every other protocol violation, is a :class:`Violation`: kept
in :attr:`Accumulator.warnings`, or raised as :class:`~streamkit.FoldError`
when the accumulator is strict.

The common face
---------------

The Assistants stream on :class:`~streamkit.Fold`, read from the fold's own
trees when asked (feeding a delta costs nothing more for it):

``result``
    the run: the latest run object of the stream (``None`` before one);
    the messages and run steps stay on their own properties;
``outcome``
    the run's status (``completed``, ``requires_action``, ``failed``,
    ``incomplete``, ``cancelled``, ``expired``); else ``errored`` after an
    ``error`` event; else ``truncated``.  Each is a class of its own
    (:class:`Completed`, :class:`RequiresAction`, ...) that subclasses
    :class:`streamkit.Outcome`: ``reason`` is ``incomplete_details.reason``
    or ``last_error.code``, ``error`` the ``last_error`` or the ``error``
    event's payload, each ``None`` where there is none;
``text``
    the text values of the messages, in creation order, then content part
    order; ``refusal`` is always ``""`` (no refusal channel);
``tool_calls``
    the ``function`` calls of the ``tool_calls`` run steps, in step then
    call order: ``arguments`` as streamed, ``index`` the call's index in
    its step;
``usage``
    the run's ``usage``: ``prompt_tokens``, ``completion_tokens``,
    ``total_tokens``, the cached and reasoning tokens of its details where
    it has them; ``raw`` is the run's usage object.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, get_args

import attrs
import msgspec
from msgspec import UNSET

from streamkit._errors import FoldError
from streamkit.dialects._builders import (
    ByIndex as _ByIndex,
    Fragments as _Fragments,
    materialize as _materialize,
)
from streamkit.dialects._drift import MISSING, diff
from streamkit.dialects._face import (
    Drift,
    Outcome as CommonOutcome,
    ToolCall as CommonToolCall,
    Usage as CommonUsage,
    Violation,
)
from streamkit.dialects._fold import FoldBase
from streamkit.dialects._msgspec_errors import read as _read_problem
from streamkit.dialects._unknowns import UNKNOWN_TAG
from streamkit.dialects._violations import MAX_WARNINGS

from ._schema import (
    AssistantStreamEvent,
    CodeInterpreterDelta,
    CodeInterpreterLogsDelta,
    CompletionTokensDetails,
    Done,
    ErrorEvent,
    ErrorObject,
    FunctionCallDelta,
    FunctionToolCall,
    IncompleteDetails,
    LastError,
    Message,
    MessageDelta,
    PromptTokenDetails,
    RefusalDeltaBlock,
    RequiredActionFunctionToolCall,
    Run,
    RunStep,
    TextContentBlock,
    TextDelta,
    TextDeltaBlock,
    Thread,
    ThreadCreated,
    ThreadMessageDelta,
    ThreadRunStepDelta,
    ToolCallsStepDetails,
    ToolCallsStepDetailsDelta,
    Unknown,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = (
    "Accumulator",
    "Cancelled",
    "Completed",
    "Drift",
    "Errored",
    "Expired",
    "Failed",
    "Incomplete",
    "Outcome",
    "RequiresAction",
    "Truncated",
    "Violation",
)

MAX_INDEX: Final = 10_000
"""The largest ``index`` a delta may carry; a larger one is a violation, not an allocation."""

# -- merge rules --------------------------------------------------------------------

CONCAT: Final = "concat"
BY_INDEX: Final = "by_index"

MERGE: Final[dict[tuple[type, str], str]] = {
    (TextDelta, "value"): CONCAT,
    (TextDelta, "annotations"): BY_INDEX,
    (RefusalDeltaBlock, "refusal"): CONCAT,
    (MessageDelta, "content"): BY_INDEX,
    (CodeInterpreterDelta, "input"): CONCAT,
    (CodeInterpreterDelta, "outputs"): BY_INDEX,
    (CodeInterpreterLogsDelta, "logs"): CONCAT,
    (FunctionCallDelta, "arguments"): CONCAT,
    (ToolCallsStepDetailsDelta, "tool_calls"): BY_INDEX,
}
"""How a delta field is merged into what was folded before it.

``CONCAT`` appends a string to the string so far; ``BY_INDEX`` merges each
item of a list into the item with the same ``index`` (a logical key, not a
position: items may arrive in any order, with gaps, or in several fragments).
A field not listed here is merged recursively when it is an object and
replaced otherwise: identifiers, names, types and counts (``id``,
``function.name``, ``type``, ``usage``) are never concatenated or summed.
"""


# -- lifecycles ---------------------------------------------------------------------

_RUN_TERMINAL: Final = frozenset({"completed", "incomplete", "failed", "cancelled", "expired"})
_RUN_PAUSED: Final = frozenset({"requires_action", *_RUN_TERMINAL})
_RUN_ACTIVE: Final = frozenset({"in_progress", "requires_action", "cancelling", *_RUN_TERMINAL})

RUN_NEXT: Final[dict[str | None, frozenset[str]]] = {
    None: frozenset({"created"}),
    "created": frozenset({"queued", *_RUN_ACTIVE}),
    "queued": frozenset({"queued", *_RUN_ACTIVE}),
    "in_progress": _RUN_ACTIVE,
    # A continuation stream (after tool outputs are submitted) queues the run again.
    "requires_action": frozenset({"queued", *_RUN_ACTIVE}),
    "cancelling": frozenset({"cancelling", *_RUN_TERMINAL}),
    **dict.fromkeys(_RUN_TERMINAL, frozenset()),
}
"""For each run state (the last run event seen), the run events that may follow."""

_STEP_TERMINAL: Final = frozenset({"completed", "failed", "cancelled", "expired"})
STEP_NEXT: Final[dict[str | None, frozenset[str]]] = {
    None: frozenset({"created"}),
    "created": frozenset({"in_progress", "delta", *_STEP_TERMINAL}),
    "in_progress": frozenset({"delta", *_STEP_TERMINAL}),
    "delta": frozenset({"delta", *_STEP_TERMINAL}),
    **dict.fromkeys(_STEP_TERMINAL, frozenset()),
}
"""For each run step state, the step events that may follow."""

_MESSAGE_TERMINAL: Final = frozenset({"completed", "incomplete"})
MESSAGE_NEXT: Final[dict[str | None, frozenset[str]]] = {
    None: frozenset({"created"}),
    "created": frozenset({"in_progress", "delta", *_MESSAGE_TERMINAL}),
    "in_progress": frozenset({"delta", *_MESSAGE_TERMINAL}),
    "delta": frozenset({"delta", *_MESSAGE_TERMINAL}),
    **dict.fromkeys(_MESSAGE_TERMINAL, frozenset()),
}
"""For each message state, the message events that may follow."""

_DELTA_STATES: Final = frozenset({"created", "in_progress", "delta"})


# -- what the fold reports ---------------------------------------------------------
#
# Each ending is a ``streamkit.Outcome`` (``kind``, ``reason``, ``error``) that
# says more: the run, and what a caller needs for that ending.  ``kind`` is the
# class's own; ``reason`` and ``error`` follow from the run where it says them
# (``incomplete_details.reason``, ``last_error``), and are ``None`` otherwise.


@attrs.frozen(kw_only=True)
class Completed(CommonOutcome):
    """The run completed."""

    kind: Literal["completed"] = attrs.field(default="completed", init=False)
    reason: None = attrs.field(default=None, init=False)
    error: None = attrs.field(default=None, init=False)
    run: Run


@attrs.frozen(kw_only=True)
class RequiresAction(CommonOutcome):
    """The run stopped to wait for tool outputs: ``tool_calls`` are the calls to answer."""

    kind: Literal["requires_action"] = attrs.field(default="requires_action", init=False)
    reason: None = attrs.field(default=None, init=False)
    error: None = attrs.field(default=None, init=False)
    run: Run
    tool_calls: tuple[RequiredActionFunctionToolCall, ...] = ()


@attrs.frozen(kw_only=True)
class Failed(CommonOutcome):
    """The run failed; ``last_error`` says why, when the server said.

    ``error`` is that ``last_error``, ``reason`` its ``code``.
    """

    kind: Literal["failed"] = attrs.field(default="failed", init=False)
    reason: str | None = attrs.field(default=None, init=False)
    error: LastError | None = attrs.field(default=None, init=False)
    run: Run
    last_error: LastError | None = None

    def __attrs_post_init__(self) -> None:
        error = self.last_error
        if error is not None:
            object.__setattr__(self, "error", error)
            object.__setattr__(self, "reason", error.code)


@attrs.frozen(kw_only=True)
class Incomplete(CommonOutcome):
    """The run ended incomplete; ``reason`` is its ``incomplete_details.reason``."""

    kind: Literal["incomplete"] = attrs.field(default="incomplete", init=False)
    reason: str | None = attrs.field(default=None, init=False)
    error: None = attrs.field(default=None, init=False)
    run: Run

    def __attrs_post_init__(self) -> None:
        details = self.run.incomplete_details
        if type(details) is IncompleteDetails:
            object.__setattr__(self, "reason", details.reason)


@attrs.frozen(kw_only=True)
class Cancelled(CommonOutcome):
    """The run was cancelled."""

    kind: Literal["cancelled"] = attrs.field(default="cancelled", init=False)
    reason: None = attrs.field(default=None, init=False)
    error: None = attrs.field(default=None, init=False)
    run: Run


@attrs.frozen(kw_only=True)
class Expired(CommonOutcome):
    """The run expired."""

    kind: Literal["expired"] = attrs.field(default="expired", init=False)
    reason: None = attrs.field(default=None, init=False)
    error: None = attrs.field(default=None, init=False)
    run: Run


@attrs.frozen(kw_only=True)
class Errored(CommonOutcome):
    """The stream carried an ``error`` event before the run ended; ``error`` is the last one."""

    kind: Literal["errored"] = attrs.field(default="errored", init=False)
    reason: None = attrs.field(default=None, init=False)
    error: ErrorObject
    run: Run | None = None


@attrs.frozen(kw_only=True)
class Truncated(CommonOutcome):
    """The bytes stopped before the run ended or ``done`` arrived; the snapshots are partial."""

    kind: Literal["truncated"] = attrs.field(default="truncated", init=False)
    reason: None = attrs.field(default=None, init=False)
    error: None = attrs.field(default=None, init=False)
    run: Run | None = None


Outcome: TypeAlias = (
    Completed | RequiresAction | Failed | Incomplete | Cancelled | Expired | Errored | Truncated
)
"""Every ending the Assistants fold reports: each a :class:`streamkit.Outcome` that says more."""


# -- the accumulator ---------------------------------------------------------------


class _Entry:
    """One message or run step: its lifecycle state and its fold."""

    __slots__ = ("deltas", "final", "id", "snapshot", "state", "texts", "tree", "type")

    def __init__(self, obj: Message | RunStep, state: str) -> None:
        self.id = obj.id
        self.type: type[Message] | type[RunStep] = type(obj)
        self.state: str | None = state
        self.snapshot: Message | RunStep | None = obj  # None: the tree changed since
        self.tree: dict[str, Any] | None = None  # built on the first delta
        self.final = False
        self.deltas = 0
        # Fragments of each text content part by index: the fast path for text.
        self.texts: dict[int, _Fragments] = {}

    def grow(self) -> dict[str, Any]:
        """The tree to merge a delta into."""
        tree = self.tree
        if tree is None:
            assert self.snapshot is not None
            tree = self.tree = msgspec.to_builtins(self.snapshot)
        self.snapshot = None
        self.deltas += 1
        return tree


class Accumulator(FoldBase):
    """Folds Assistants stream events into the final objects.

    Feed it every typed event of one run, in order, with :meth:`feed`: the
    events of one stream, or of several (a run that stops at
    ``requires_action`` goes on in the stream that follows submitting the
    tool outputs).  Read :attr:`thread`, :attr:`run`, :attr:`messages` and
    :attr:`run_steps` at any time; each snapshot is a frozen msgspec Struct
    that never changes once returned (a later read returns a new one).

    Deltas are applied to the message or step whose ``id`` they carry.
    Protocol violations are recorded in :attr:`warnings` (the first
    ``max_warnings``; later ones are only counted, in :attr:`warnings_dropped`);
    with ``strict=True`` they raise :class:`~streamkit.FoldError` instead.

    The common face (:class:`~streamkit.Fold`): :attr:`result` is the run,
    :attr:`text` the text of the messages, :attr:`tool_calls` the function
    calls of the run steps, :attr:`usage` the run's token usage.
    """

    dialect = "assistants"

    def __init__(self, *, strict: bool = False, max_warnings: int = MAX_WARNINGS) -> None:
        super().__init__(strict=strict, max_warnings=max_warnings)
        #: The thread, once ``thread.created`` arrived.
        self.thread: Thread | None = None
        #: The latest run snapshot.
        self.run: Run | None = None
        self._run_state: str | None = None
        self._messages: dict[str, _Entry] = {}
        self._steps: dict[str, _Entry] = {}

    # -- reading ---------------------------------------------------------------------

    @property
    def messages(self) -> dict[str, Message]:
        """Every message by id, in creation order: folded, or final once the server sent it."""
        return {key: self._snapshot(entry) for key, entry in self._messages.items()}  # type: ignore[misc]

    @property
    def run_steps(self) -> dict[str, RunStep]:
        """Every run step by id, in creation order: folded, or final once the server sent it."""
        return {key: self._snapshot(entry) for key, entry in self._steps.items()}  # type: ignore[misc]

    def message(self, id: str) -> Message | None:
        """One message snapshot, or None for an id not seen."""
        entry = self._messages.get(id)
        return None if entry is None else self._snapshot(entry)  # type: ignore[return-value]

    def run_step(self, id: str) -> RunStep | None:
        """One run step snapshot, or None for an id not seen."""
        entry = self._steps.get(id)
        return None if entry is None else self._snapshot(entry)  # type: ignore[return-value]

    @property
    def errors(self) -> list[ErrorObject]:
        """The payloads of the ``error`` events received."""
        return list(self._errors)

    @property
    def result(self) -> Run | None:
        """The run: the latest run object of the stream (``None`` before one arrived).

        The messages and run steps are not part of it: read :attr:`messages`
        and :attr:`run_steps`.
        """
        return self.run

    @property
    def outcome(self) -> Outcome:
        """How the stream ended, or would have if it stopped now.

        The run's status decides (``completed``, ``requires_action``,
        ``failed``, ``incomplete``, ``cancelled``, ``expired``: the status of
        the run object, which says more than the event's name); an ``error``
        event before the run ended is ``errored``; anything else is
        ``truncated``.
        """
        run = self.run
        state = self._run_state
        if run is not None and run.status in _RUN_TERMINAL:
            state = run.status  # the object says more than the event's name
        if state in _RUN_TERMINAL and run is not None:
            if state == "completed":
                return Completed(run=run)
            if state == "failed":
                return Failed(run=run, last_error=run.last_error)
            if state == "incomplete":
                return Incomplete(run=run)
            if state == "cancelled":
                return Cancelled(run=run)
            return Expired(run=run)
        if self._errors:
            return Errored(error=self._errors[-1], run=run)
        if state == "requires_action" and run is not None:
            action = run.required_action
            calls = () if action is None else tuple(action.submit_tool_outputs.tool_calls)
            return RequiresAction(run=run, tool_calls=calls)
        return Truncated(run=run)

    @property
    def text(self) -> str:
        """The text of the messages so far: in creation order, then content part order."""
        pieces: list[str] = []
        for entry in self._messages.values():
            if entry.tree is None:
                _final_text(entry.snapshot, pieces)  # type: ignore[arg-type]
            else:
                _folded_text(entry.tree, pieces)
        return "".join(pieces)

    @property
    def refusal(self) -> str:
        """Always ``""``: the Assistants stream has no refusal channel of its own."""
        return ""

    @property
    def tool_calls(self) -> list[CommonToolCall]:
        """The function calls of the ``tool_calls`` run steps so far, in step then call order.

        ``arguments`` are the JSON text as streamed; ``index`` the call's
        index in its step.  Code interpreter and file search calls are not
        function calls: read them in :attr:`run_steps`.
        """
        calls: list[CommonToolCall] = []
        for entry in self._steps.values():
            if entry.tree is None:
                _final_calls(entry.snapshot, calls)  # type: ignore[arg-type]
            else:
                _folded_calls(entry.tree, calls)
        return calls

    @property
    def usage(self) -> CommonUsage:
        """The run's token usage, as a ``streamkit.Usage`` (every count ``None`` before it)."""
        run = self.run
        usage = None if run is None else run.usage
        if usage is None:
            return _NO_USAGE
        prompt = usage.prompt_token_details
        completion = usage.completion_tokens_details
        return CommonUsage(
            input_tokens=usage.prompt_tokens,
            output_tokens=usage.completion_tokens,
            total_tokens=usage.total_tokens,
            cached_input_tokens=(
                prompt.cached_tokens if type(prompt) is PromptTokenDetails else None
            ),
            reasoning_tokens=(
                completion.reasoning_tokens if type(completion) is CompletionTokensDetails else None
            ),
            raw=usage,
        )

    def _snapshot(self, entry: _Entry) -> Message | RunStep:
        snapshot = entry.snapshot
        if snapshot is None:
            assert entry.tree is not None
            try:
                snapshot = msgspec.convert(_materialize(entry.tree), entry.type)
            except msgspec.ValidationError as exc:
                # A delta left a part without a required field (say, a tool call
                # without its id yet): keep it visible as an Unknown part.
                snapshot = self._patch(entry, exc)
            entry.snapshot = snapshot
        return snapshot

    def _patch(self, entry: _Entry, exc: msgspec.ValidationError) -> Message | RunStep:
        tree = _materialize(entry.tree)
        for _ in range(MAX_INDEX):
            parent, key = _parent_of_part(tree, _read_problem(exc).path)
            if parent is None:
                break
            parent[key] = {"type": UNKNOWN_TAG, "data": parent[key]}
            try:
                return msgspec.convert(tree, entry.type)
            except msgspec.ValidationError as again:
                exc = again
        problem = _read_problem(exc)
        message = f"cannot build a snapshot of {entry.id}: {problem.message} at {problem.path}"
        raise FoldError(message, event=self._name)

    # -- feeding ---------------------------------------------------------------------

    def feed(self, event: Any) -> None:
        """Fold one typed event (unknown events are ignored; an invalid one is a violation)."""
        self._ordinal += 1
        handler = _HANDLERS.get(type(event))
        if handler is None:
            self._unhandled(event)
            return
        self._name = event.event
        if self.done:
            if self._run_state == "requires_action":
                self.done = False  # the continuation after tool outputs were submitted
            else:
                self._violate("after-done", f"{event.event} after done")
        handler(self, event)

    def _on_thread(self, event: ThreadCreated) -> None:
        self.thread = event.data

    def _on_run(self, event: Any) -> None:
        run: Run = event.data
        state = event.event.rpartition(".")[2]
        current = self.run
        if current is not None and current.id != run.id:
            if state == "created":
                self._violate("second-run", f"a second run {run.id} after {current.id}", run.id)
            else:
                self._violate("other-run", f"an event of run {run.id} in run {current.id}", run.id)
            self._run_state = None
        elif state not in RUN_NEXT.get(self._run_state, frozenset()):
            was = self._run_state or "unseen"
            self._violate("transition", f"run {run.id}: {state} after {was}", run.id)
        self.run = run
        self._run_state = state

    def _on_message(self, event: Any) -> None:
        self._on_object(event, self._messages, MESSAGE_NEXT, "content")

    def _on_step(self, event: Any) -> None:
        step: RunStep = event.data
        if self.run is not None and step.run_id != self.run.id:
            self._violate("other-run", f"step {step.id} of run {step.run_id}", step.id)
        self._on_object(event, self._steps, STEP_NEXT, "step_details")

    def _on_object(
        self,
        event: Any,
        entries: dict[str, _Entry],
        table: dict[str | None, frozenset[str]],
        field: str,
    ) -> None:
        """A full message or step object: created, in progress, or final."""
        obj: Message | RunStep = event.data
        state = event.event.rpartition(".")[2]
        entry = entries.get(obj.id)
        if entry is None:
            if state != "created":
                self._violate("unknown-id", f"{state} for {obj.id}, never created", obj.id)
            entries[obj.id] = entry = _Entry(obj, state)
        elif state not in table[entry.state]:
            self._violate("transition", f"{obj.id}: {state} after {entry.state}", obj.id)
        if not table[state] and state != "created":  # a terminal state: the final object
            if entry.tree is not None and not entry.final:
                folded = entry.tree.get(field, MISSING)
                for path, missing in _gaps(folded, f"$.{field}"):
                    self._violate("index-gap", f"{obj.id}: no index {missing} at {path}", obj.id)
                final = msgspec.to_builtins(getattr(obj, field))
                diff(obj.id, f"$.{field}", folded, final, self._drift)
            entry.final = True
        elif entry.tree is not None:
            # A new snapshot of an object being folded: take its other fields,
            # keep what the deltas built.
            tree = msgspec.to_builtins(obj)
            assert entry.tree is not None
            tree[field] = entry.tree[field]
            entry.tree = tree
            entry.snapshot = None
            entry.state = state
            return
        entry.state = state
        entry.tree = None
        entry.texts.clear()
        entry.snapshot = obj

    def _delta_entry(self, entries: dict[str, _Entry], id: str) -> _Entry | None:
        entry = entries.get(id)
        if entry is None:
            self._violate("unknown-id", f"delta for {id}, never created", id)
            return None
        if entry.state not in _DELTA_STATES:
            self._violate("transition", f"{id}: delta after {entry.state}", id)
            return None
        entry.state = "delta"
        return entry

    def _on_message_delta(self, event: ThreadMessageDelta) -> None:
        data = event.data
        entry = self._delta_entry(self._messages, data.id)
        if entry is None:
            return
        content = data.delta.content
        if content is not UNSET and len(content) == 1:
            # The fast path: one more piece of text for a part already started.
            block = content[0]
            if type(block) is TextDeltaBlock:
                text = block.text
                if text is not UNSET and text.annotations is UNSET:
                    fragments = entry.texts.get(block.index)
                    value = text.value
                    if fragments is not None and value is not UNSET:
                        fragments.append(value)
                        if len(fragments) >= fragments.limit:
                            fragments.compact()
                        entry.snapshot = None
                        entry.deltas += 1
                        return
        tree = entry.grow()
        self._merge(tree, data.delta, "$", entry)
        parts = tree.get("content")
        if type(parts) is _ByIndex:
            for index, part in parts.items():
                if type(part) is dict and part.get("type") == "text":
                    value = part.get("text", {}).get("value")
                    if type(value) is _Fragments:
                        entry.texts[index] = value

    def _on_step_delta(self, event: ThreadRunStepDelta) -> None:
        data = event.data
        entry = self._delta_entry(self._steps, data.id)
        if entry is None:
            return
        self._merge(entry.grow(), data.delta, "$", entry)

    def _on_error(self, event: ErrorEvent) -> None:
        self._errors.append(event.data)

    def _on_done(self, event: Done) -> None:
        if self.run is not None and self._run_state not in _RUN_PAUSED:
            self._violate("early-done", f"done while run {self.run.id} is {self._run_state}")
        self.done = True

    # -- merging ---------------------------------------------------------------------

    def _merge(self, node: dict[str, Any], delta: msgspec.Struct, path: str, entry: _Entry) -> None:
        """Merge the fields *delta* carries into *node*, by the rules of :data:`MERGE`."""
        cls = type(delta)
        tag = cls.__struct_config__.tag
        if tag is not None:
            node["type"] = tag
        for name in delta.__struct_fields__:
            value = getattr(delta, name)
            if value is UNSET or name == "index":
                continue
            rule = MERGE.get((cls, name))
            if rule is CONCAT:
                current = node.get(name)
                if value is None:  # null adds nothing to the string so far
                    node[name] = current
                elif type(current) is _Fragments:
                    current.add(value)
                else:
                    node[name] = _Fragments([current, value] if current else [value])
            elif rule is BY_INDEX:
                self._merge_items(node, name, value, f"{path}.{name}", entry)
            elif type(value) is Unknown:
                # An object of a type this version does not know: kept whole, latest wins.
                node[name] = {"type": UNKNOWN_TAG, "data": value.data}
            elif isinstance(value, msgspec.Struct):
                child = node.get(name)
                if type(child) is not dict:
                    child = node[name] = {}
                self._merge(child, value, f"{path}.{name}", entry)
            elif type(value) is dict and type(node.get(name)) is dict:
                node[name] = {**node[name], **value}
            else:
                node[name] = value

    def _merge_items(
        self, node: dict[str, Any], name: str, parts: list[Any], path: str, entry: _Entry
    ) -> None:
        items = node.get(name)
        if type(items) is not _ByIndex:
            items = node[name] = _ByIndex(enumerate(items or ()))
        for part in parts:
            unknown = type(part) is Unknown
            index = part.data.get("index") if unknown else part.index
            if type(index) is not int or not 0 <= index <= MAX_INDEX:
                self._violate(
                    "index-out-of-range", f"{entry.id}: index {index!r} at {path}", entry.id
                )
                continue
            item = items.get(index)
            if item is None:
                item = items[index] = {}
            if unknown:
                # A part of a type this version does not know: kept whole, latest wins,
                # less the delta's ``index`` (the final object's parts have none).
                data = {key: value for key, value in part.data.items() if key != "index"}
                items[index] = {"type": UNKNOWN_TAG, "data": data}
            else:
                self._merge(item, part, f"{path}[{index}]", entry)


_NO_USAGE: Final = CommonUsage()


def _final_text(message: Message, out: list[str]) -> None:
    """Append the text values of a message object's content to *out*."""
    out.extend(part.text.value for part in message.content if type(part) is TextContentBlock)


def _folded_text(tree: dict[str, Any], out: list[str]) -> None:
    """Append the text values of a message being folded to *out*, in content part order."""
    parts = tree.get("content")
    if type(parts) is _ByIndex:
        parts = [parts[index] for index in sorted(parts)]
    for part in parts or ():
        if type(part) is dict and part.get("type") == "text":
            text = part.get("text")
            value = text.get("value") if type(text) is dict else None
            if type(value) is _Fragments:
                out.append(value.text())
            elif type(value) is str:
                out.append(value)


def _final_calls(step: RunStep, out: list[CommonToolCall]) -> None:
    """Append the function calls of a run step object to *out*."""
    details = step.step_details
    if type(details) is ToolCallsStepDetails:
        for index, call in enumerate(details.tool_calls):
            if type(call) is FunctionToolCall:
                function = call.function
                out.append(
                    CommonToolCall(
                        id=call.id, name=function.name, arguments=function.arguments, index=index
                    )
                )


def _folded_calls(tree: dict[str, Any], out: list[CommonToolCall]) -> None:
    """Append the function calls of a run step being folded to *out*, in index order."""
    details = tree.get("step_details")
    if type(details) is not dict or details.get("type") != "tool_calls":
        return
    items = details.get("tool_calls")
    pairs = (
        [(index, items[index]) for index in sorted(items)]
        if type(items) is _ByIndex
        else list(enumerate(items or ()))
    )
    for index, call in pairs:
        if type(call) is dict and call.get("type") == "function":
            function = call.get("function")
            if type(function) is not dict:
                function = {}
            call_id = call.get("id")
            name = _materialize(function.get("name"))
            arguments = _materialize(function.get("arguments"))
            out.append(
                CommonToolCall(
                    id=call_id if type(call_id) is str else None,
                    name=name if type(name) is str else "",
                    arguments=arguments if type(arguments) is str else "",
                    index=index,
                )
            )


def _gaps(node: Any, path: str) -> Iterator[tuple[str, int]]:
    """Where a tree has an index-merged list with a hole: (path, first missing index)."""
    kind = type(node)
    if kind is _ByIndex:
        for expected, index in enumerate(sorted(node)):
            if index != expected:
                yield path, expected
                break
        for index, item in node.items():
            yield from _gaps(item, f"{path}[{index}]")
    elif kind is dict:
        for key, value in node.items():
            yield from _gaps(value, f"{path}.{key}")


def _parent_of_part(tree: Any, path: str) -> tuple[Any, Any]:
    """The container and key of the list item named by a msgspec error path, if any."""
    steps: list[Any] = []
    for token in path.removeprefix("$").replace("]", "").split("."):
        name, _, index = token.partition("[")
        if name:
            steps.append(name)
        if index:
            steps.extend(int(i) for i in index.split("["))
    # Walk to the deepest list item on the path: that part is what is broken.
    node, parent, key = tree, None, None
    for step in steps:
        if type(node) is list and type(step) is int and 0 <= step < len(node):
            parent, key = node, step
        elif type(node) is not dict or step not in node:
            break
        node = node[step]
    return parent, key


_HANDLERS: dict[type, Any] = {
    ThreadCreated: Accumulator._on_thread,
    ThreadMessageDelta: Accumulator._on_message_delta,
    ThreadRunStepDelta: Accumulator._on_step_delta,
    ErrorEvent: Accumulator._on_error,
    Done: Accumulator._on_done,
}


def _register_handlers() -> None:
    for cls in get_args(AssistantStreamEvent):
        name: str = cls.event
        if cls in _HANDLERS:
            continue
        if name.startswith("thread.run.step."):
            _HANDLERS[cls] = Accumulator._on_step
        elif name.startswith("thread.run."):
            _HANDLERS[cls] = Accumulator._on_run
        elif name.startswith("thread.message."):
            _HANDLERS[cls] = Accumulator._on_message


_register_handlers()
