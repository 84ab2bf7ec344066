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
from streamkit.dialects._events import InvalidEvent
from streamkit.dialects._face import Drift, DriftKind, Violation
from streamkit.dialects._msgspec_errors import read as _read_problem
from streamkit.dialects._unknowns import UNKNOWN_TAG
from streamkit.dialects._violations import MAX_WARNINGS, Violations, lost

from ._schema import (
    AssistantStreamEvent,
    CodeInterpreterDelta,
    CodeInterpreterLogsDelta,
    Done,
    ErrorEvent,
    ErrorObject,
    FunctionCallDelta,
    LastError,
    Message,
    MessageDelta,
    RefusalDeltaBlock,
    RequiredActionFunctionToolCall,
    Run,
    RunStep,
    TextDelta,
    TextDeltaBlock,
    Thread,
    ThreadCreated,
    ThreadMessageDelta,
    ThreadRunStepDelta,
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


@attrs.frozen
class Completed:
    """The run completed."""

    run: Run
    kind: Literal["completed"] = "completed"


@attrs.frozen
class RequiresAction:
    """The run stopped to wait for tool outputs: ``tool_calls`` are the calls to answer."""

    run: Run
    tool_calls: tuple[RequiredActionFunctionToolCall, ...]
    kind: Literal["requires_action"] = "requires_action"


@attrs.frozen
class Failed:
    """The run failed; ``last_error`` says why (when the server said)."""

    run: Run
    last_error: LastError | None
    kind: Literal["failed"] = "failed"


@attrs.frozen
class Incomplete:
    """The run ended incomplete (``run.incomplete_details`` says why)."""

    run: Run
    kind: Literal["incomplete"] = "incomplete"


@attrs.frozen
class Cancelled:
    """The run was cancelled."""

    run: Run
    kind: Literal["cancelled"] = "cancelled"


@attrs.frozen
class Expired:
    """The run expired."""

    run: Run
    kind: Literal["expired"] = "expired"


@attrs.frozen
class Errored:
    """The stream carried an ``error`` event before the run ended."""

    error: ErrorObject
    run: Run | None
    kind: Literal["errored"] = "errored"


@attrs.frozen
class Truncated:
    """The bytes stopped before the run ended or ``done`` arrived; the snapshots are partial."""

    run: Run | None
    kind: Literal["truncated"] = "truncated"


Outcome: TypeAlias = (
    Completed | RequiresAction | Failed | Incomplete | Cancelled | Expired | Errored | Truncated
)


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


class Accumulator:
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
    """

    def __init__(self, *, strict: bool = False, max_warnings: int = MAX_WARNINGS) -> None:
        self.strict = strict
        #: The thread, once ``thread.created`` arrived.
        self.thread: Thread | None = None
        #: The latest run snapshot.
        self.run: Run | None = None
        self.done = False
        self._run_state: str | None = None
        self._messages: dict[str, _Entry] = {}
        self._steps: dict[str, _Entry] = {}
        self._drift: list[Drift] = []
        self._warnings: Violations[Violation] = Violations(max_warnings)
        self._errors: list[ErrorObject] = []
        self._ordinal = -1
        self._name = ""

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
    def drift(self) -> list[Drift]:
        """Differences between folded deltas and the server's final objects, in order found."""
        return list(self._drift)

    @property
    def warnings(self) -> list[Violation]:
        """Protocol violations met so far (always empty when strict)."""
        return list(self._warnings.kept)

    @property
    def warnings_dropped(self) -> int:
        """How many violations came after the first ``max_warnings``: counted, not kept."""
        return self._warnings.dropped

    @property
    def errors(self) -> list[ErrorObject]:
        """The payloads of the ``error`` events received."""
        return list(self._errors)

    @property
    def outcome(self) -> Outcome:
        """How the stream ended, or would have if it stopped now."""
        run = self.run
        state = self._run_state
        if run is not None and run.status in _RUN_TERMINAL:
            state = run.status  # the object says more than the event's name
        if state in _RUN_TERMINAL and run is not None:
            if state == "completed":
                return Completed(run)
            if state == "failed":
                return Failed(run, run.last_error)
            if state == "incomplete":
                return Incomplete(run)
            if state == "cancelled":
                return Cancelled(run)
            return Expired(run)
        if self._errors:
            return Errored(self._errors[-1], run)
        if state == "requires_action" and run is not None:
            action = run.required_action
            calls = () if action is None else tuple(action.submit_tool_outputs.tool_calls)
            return RequiresAction(run, calls)
        return Truncated(run)

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
            if type(event) is InvalidEvent:
                self._name = event.event
                self._violate("invalid-event", lost(event))
            return
        self._name = event.event
        if self.done:
            if self._run_state == "requires_action":
                self.done = False  # the continuation after tool outputs were submitted
            else:
                self._violate("after-done", f"{event.event} after done")
        handler(self, event)

    def _violate(self, kind: str, message: str, object_id: str | None = None) -> None:
        if self.strict:
            raise FoldError(message, ordinal=self._ordinal, event=self._name)
        self._warnings.add(Violation(kind, message, self._ordinal, self._name, object_id))

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
                folded = entry.tree.get(field, _MISSING)
                for path, missing in _gaps(folded, f"$.{field}"):
                    self._violate("index-gap", f"{obj.id}: no index {missing} at {path}", obj.id)
                final = msgspec.to_builtins(getattr(obj, field))
                _diff(obj.id, f"$.{field}", folded, final, self._drift)
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


_MISSING: Final = object()


def _diff(object_id: str, path: str, folded: Any, final: Any, out: list[Drift]) -> None:
    """Record in *out* how a folded tree differs from the final object's builtins.

    The tree is read where it lies: a string still in fragments is compared
    piece by piece, never joined, so the check costs no copy of the text.  A
    field the deltas never sent is no difference when the final object has
    it empty (``None``, ``[]``, ``{}``), as a list the API always sends is.
    """
    kind = type(folded)
    if kind is _Fragments:
        if type(final) is str and folded.equals(final):
            return
        folded = folded.text()
    elif kind is _ByIndex:
        folded = [folded[index] for index in sorted(folded)]
    if type(folded) is dict and type(final) is dict:
        for key in {**folded, **final}:
            _diff(
                object_id, f"{path}.{key}", folded.get(key, _MISSING), final.get(key, _MISSING), out
            )
    elif type(folded) is list and type(final) is list:
        for i in range(max(len(folded), len(final))):
            a = folded[i] if i < len(folded) else _MISSING
            b = final[i] if i < len(final) else _MISSING
            _diff(object_id, f"{path}[{i}]", a, b, out)
    elif folded is _MISSING and final in (None, [], {}):
        return
    else:
        folded = None if folded is _MISSING else _materialize(folded)
        final = None if final is _MISSING else final
        if folded == final:
            return
        if folded is None:
            drift: DriftKind = "only_in_final"
        elif final is None:
            drift = "only_in_fold"
        else:
            drift = "conflict"
        out.append(Drift(object_id, path, folded, final, drift))


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
