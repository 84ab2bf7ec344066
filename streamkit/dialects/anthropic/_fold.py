"""The fold: Anthropic Messages stream events in, the final :class:`Message` out.

Theory of operation
-------------------

``message_start`` gives the message with no content.  Each
``content_block_start`` opens a block at its ``index`` (an :class:`_Block`
holding the typed start block), each ``content_block_delta`` is merged into
the block at its index by the rules of :data:`MERGE`, and
``content_block_stop`` closes it.  ``message_delta`` sets the top-level
fields it carries (``stop_reason``, ``stop_sequence``, ``stop_details``,
``container``, ``context_management``) and the usage totals; ``message_stop``
ends the message.

Strings that grow by concatenation are kept as a list of fragments
(:class:`_Fragments`), citations as a list appended to, and the
``partial_json`` fragments of a tool call likewise, parsed **once**, at the
block's ``content_block_stop``: applying a delta costs the size of the delta,
never the size of what was folded so far.

:attr:`Accumulator.result` is built only when read, from the start message
and each block's own snapshot (``msgspec.structs.replace`` of the start block
with the fields the deltas built).  Snapshots are cached until the next event
changes them, so reading costs at most the size of what changed, and a
:class:`Message` once returned never changes: later events build a new one.

The common face
---------------

Read from the fold's own state when asked, never kept up to date per delta:

``outcome``
    an ``error`` event makes it ``"errored"`` (``error`` the last
    :class:`ErrorObject`).  Otherwise, until ``message_stop`` arrives it is
    ``"truncated"``, even when a ``message_delta`` already gave the stop
    reason.  Then the ``stop_reason`` decides, and is kept as ``reason``:
    ``end_turn``, ``stop_sequence`` and ``refusal`` are ``"completed"``;
    ``tool_use`` is ``"requires_action"``; ``max_tokens``, ``pause_turn``
    and ``model_context_window_exceeded`` are ``"incomplete"``; a reason
    this dialect does not know yet is ``"completed"`` (and no reason at all,
    a ``message_stop`` without ``message_delta``, ``"completed"`` with
    ``reason`` ``None``).  :attr:`~Accumulator.done` is true once
    ``message_stop`` arrived.
``text``
    the text of the ``text`` blocks, in block order, as far as it came.
``refusal``
    always ``""``: the API has no refusal channel.  A refusal is a
    ``stop_reason`` of ``"refusal"`` with whatever text came before it.
``tool_calls``
    the ``tool_use`` blocks (the client's tools; not ``server_tool_use``
    nor ``mcp_tool_use``, which the server runs itself): ``id``, ``name``,
    ``index`` the block index, and ``arguments`` the ``partial_json`` text
    exactly as it streamed (as far as it came), or, for a block that
    streamed none, the JSON of the start block's ``input`` (``"{}"``).
``usage``
    ``input_tokens`` and ``output_tokens`` of the message, as
    ``message_delta`` updated them; ``total_tokens`` their sum (the API
    sends no total); ``cached_input_tokens`` the ``cache_read_input_tokens``
    (which, as the API counts, are not part of ``input_tokens``, and so not
    of the total either); ``reasoning_tokens`` ``None`` (not reported);
    ``raw`` the message's :class:`Usage`.

Violations
----------

Protocol violations are :class:`~streamkit.Violation`\\ s, kept in
:attr:`Accumulator.warnings`, or raised as :class:`~streamkit.FoldError` when
the accumulator is strict.  Their ``object_id`` is the message's ``id`` once
``message_start`` gave it, their ``index`` the block concerned, if any.
Their ``kind``:

``"no-message-start"``
    a content or ``message_delta`` event before ``message_start`` (folded
    all the same; reported once);
``"second-message-start"``
    another ``message_start``: the fold starts over with the new message
    (whose ``id`` the violation names);
``"index-out-of-range"``
    a block ``index`` below 0 or above :data:`MAX_INDEX` (the event is
    ignored);
``"index-order"``
    a block started at an index other than the next one;
``"duplicate-block-start"``
    a second start of an index (the new block replaces the old);
``"unknown-index"``
    a delta or stop for an index never started (ignored);
``"after-block-stop"``
    a delta or a second stop after the block's ``content_block_stop``
    (ignored);
``"delta-type"``
    a delta that does not apply to the block's type (``text_delta`` to a
    ``tool_use`` block; ignored);
``"invalid-input-json"``
    a tool call's concatenated ``partial_json`` is not a JSON object at
    ``content_block_stop`` (see :data:`MERGE`);
``"block-not-stopped"``
    ``message_stop`` while a block is still open;
``"after-message-stop"``
    an event other than ``ping`` after ``message_stop`` (folded all the
    same);
``"invalid-event"``
    an event that could not be decoded (``on_error="yield"``): whatever it
    carried is lost;
``"dialect-mismatch"``
    the stream's first events are another dialect's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import msgspec
from msgspec import UNSET

from streamkit.dialects._builders import Fragments as _Fragments
from streamkit.dialects._face import Outcome, OutcomeKind, ToolCall, Usage as CommonUsage
from streamkit.dialects._fold import FoldBase
from streamkit.dialects._msgspec_errors import read as read_problem
from streamkit.dialects._violations import MAX_WARNINGS

from ._schema import (
    CitationsDelta,
    CompactionBlock,
    CompactionDelta,
    ContentBlock,
    ContentBlockDelta,
    ContentBlockStart,
    ContentBlockStop,
    ErrorEvent,
    ErrorObject,
    InputJSONDelta,
    MCPToolUseBlock,
    Message,
    MessageDelta,
    MessageStart,
    MessageStop,
    Ping,
    ServerToolUseBlock,
    SignatureDelta,
    TextBlock,
    TextDelta,
    ThinkingBlock,
    ThinkingDelta,
    ToolUseBlock,
    Unknown,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ("MAX_INDEX", "MERGE", "OUTCOMES", "Accumulator")

MAX_INDEX: Final = 10_000
"""The largest block ``index`` an event may carry: a larger one is a violation, not a block."""

# -- merge rules --------------------------------------------------------------------

CONCAT: Final = "concat"
REPLACE: Final = "replace"
APPEND: Final = "append"
JSON: Final = "json"

MERGE: Final[dict[type, tuple[tuple[str, str, str], ...]]] = {
    TextDelta: (("text", "text", CONCAT),),
    ThinkingDelta: (("thinking", "thinking", CONCAT),),
    SignatureDelta: (("signature", "signature", REPLACE),),
    CitationsDelta: (("citation", "citations", APPEND),),
    InputJSONDelta: (("partial_json", "input", JSON),),
    CompactionDelta: (
        ("content", "content", REPLACE),
        ("encrypted_content", "encrypted_content", REPLACE),
    ),
}
"""How each delta is merged into its block: ``(delta field, block field, rule)``.

``CONCAT`` appends the string to the block's string so far (``text``,
``thinking``).  ``REPLACE`` sets the block field to the delta's value: a
``signature`` is sent whole, in one ``signature_delta`` just before the
block stops (the API documents it so, and the SDK's own fold assigns it);
``compaction_delta`` likewise carries the whole summary.  A ``REPLACE``
field the delta leaves out keeps its value.  ``APPEND`` adds the delta's one
``citation`` to the block's list (``null`` or absent at the start means
empty).  ``JSON`` concatenates the ``partial_json`` fragments and parses them
once, when the block stops, into the block's ``input``: fragments are not
JSON on their own.  Nothing empty is parsed (a tool called without
arguments keeps the start block's ``input``, ``{}``); text that is not a JSON
object is an ``"invalid-input-json"`` violation, and then ``input`` keeps
the start block's value and the text is kept for
:meth:`Accumulator.raw_input`.

A delta of a ``type`` this dialect does not know (:class:`Unknown`) is not
merged anywhere: it is kept raw on its event, and the fold goes past it.
"""

ACCEPTS: Final[dict[type, frozenset[type]]] = {
    TextDelta: frozenset({TextBlock}),
    CitationsDelta: frozenset({TextBlock}),
    ThinkingDelta: frozenset({ThinkingBlock}),
    SignatureDelta: frozenset({ThinkingBlock}),
    InputJSONDelta: frozenset({ToolUseBlock, ServerToolUseBlock, MCPToolUseBlock}),
    CompactionDelta: frozenset({CompactionBlock}),
}
"""The block types each delta applies to; another is a ``"delta-type"`` violation.

A block of a type this dialect does not know (:class:`Unknown`) takes any
known delta whose block field it has (``citations_delta`` always): its raw
``data`` is merged into by the same rules, so a new block type that streams
text the old way still folds.
"""

# -- the accumulator ---------------------------------------------------------------


class _Block:
    """One content block: the start block, what the deltas built, and its snapshot."""

    __slots__ = (
        "citations",
        "fast",
        "fields",
        "json",
        "raw",
        "snapshot",
        "start",
        "stopped",
        "strings",
        "text",
    )

    def __init__(self, start: ContentBlock) -> None:
        self.start = start
        self.snapshot: ContentBlock | None = start  # None: changed since built
        self.stopped = False
        #: The fragments of the block's ``text`` or ``thinking``, and the delta
        #: type that adds to them: the fast path.
        self.text: _Fragments | None = None
        self.fast: type | None = None
        #: Every string being concatenated, by block field.
        self.strings: dict[str, _Fragments] = {}
        #: Fields replaced by deltas, by block field.
        self.fields: dict[str, Any] = {}
        self.citations: list[Any] | None = None
        #: The ``partial_json`` fragments as streamed (kept after the stop: a
        #: tool call's ``arguments`` on the common face).
        self.json: _Fragments | None = None
        #: The ``partial_json`` text that did not parse (``None`` when it did).
        self.raw: str | None = None

    def build(self) -> ContentBlock:
        snapshot = self.snapshot
        if snapshot is None:
            changes: dict[str, Any] = {
                name: fragments.text() for name, fragments in self.strings.items()
            }
            changes.update(self.fields)
            if self.citations is not None:
                changes["citations"] = list(self.citations)
            start = self.start
            if type(start) is Unknown:
                if "citations" in changes:
                    changes["citations"] = [_raw(c) for c in changes["citations"]]
                snapshot = Unknown(data={**start.data, **changes})
            else:
                snapshot = msgspec.structs.replace(start, **changes)
            self.snapshot = snapshot
        return snapshot


def _raw(value: Any) -> Any:
    """A typed value as the JSON the API sent (an :class:`Unknown` as its raw data)."""
    if type(value) is Unknown:
        return value.data
    return msgspec.to_builtins(value)


def _field_of(block: ContentBlock, name: str) -> Any:
    if type(block) is Unknown:
        return block.data.get(name, UNSET)
    return getattr(block, name, UNSET)


class Accumulator(FoldBase):
    """Folds Anthropic Messages stream events into the final :class:`Message`.

    Feed it every typed event of one stream, in order, with :meth:`feed`
    (unknown events are passed over; an invalid one is a violation).  Read
    :attr:`result` at any time: the message so far, a frozen msgspec Struct
    that never changes once returned (a later read returns a new one),
    ``None`` before ``message_start``.  ``msgspec.to_builtins(acc.result)``
    of a finished stream is the JSON the non-streaming API returns for the
    same message.

    Protocol violations are recorded in :attr:`warnings` (the first
    ``max_warnings``; later ones are only counted, in :attr:`warnings_dropped`);
    with ``strict=True`` they raise :class:`~streamkit.FoldError` instead.  The
    payloads of ``error`` events are in :attr:`errors`.  The common face
    (:class:`~streamkit.Fold`: :attr:`outcome`, :attr:`text`,
    :attr:`tool_calls`, :attr:`usage`) reads the fold as the module
    documentation says.
    """

    dialect = "anthropic"

    def __init__(self, *, strict: bool = False, max_warnings: int = MAX_WARNINGS) -> None:
        super().__init__(strict=strict, max_warnings=max_warnings)
        self._message: Message | None = None
        self._blocks: dict[int, _Block] = {}
        self._ordered = True  # blocks were started in index order
        self._last = -1  # the largest index started
        self._top: dict[str, Any] = {}
        self._usage: dict[str, Any] = {}
        self._result: Message | None = None
        self._orphans_reported = False

    # -- reading ---------------------------------------------------------------------

    @property
    def result(self) -> Message | None:
        """The message so far (``None`` before ``message_start``)."""
        result = self._result
        if result is None:
            message = self._message
            if message is None:
                return None
            content = [block.build() for block in self._in_order()]
            changes = dict(self._top)
            if self._usage:
                changes["usage"] = msgspec.structs.replace(message.usage, **self._usage)
            result = self._result = msgspec.structs.replace(message, content=content, **changes)
        return result

    @property
    def outcome(self) -> Outcome:
        """How the stream ended, or would if it stopped now (see the module documentation)."""
        if self._errors:
            return Outcome(kind="errored", error=self._errors[-1])
        if not self.done:
            return _TRUNCATED
        reason = self._top.get("stop_reason")
        if reason is None:
            return _COMPLETED
        return Outcome(kind=OUTCOMES.get(reason, "completed"), reason=reason)

    @property
    def text(self) -> str:
        """The text of the ``text`` blocks so far, in block order."""
        pieces = []
        for block in self._in_order():
            start = block.start
            if type(start) is TextBlock:
                fragments = block.strings.get("text")
                pieces.append(start.text if fragments is None else fragments.text())
        return "".join(pieces)

    @property
    def refusal(self) -> str:
        """Always ``""``: a refusal is a ``stop_reason`` (see :attr:`outcome`), not a channel."""
        return ""

    @property
    def tool_calls(self) -> list[ToolCall]:
        """The ``tool_use`` blocks so far, ``arguments`` the ``partial_json`` as streamed."""
        calls = []
        for index, block in self._indexed():
            start = block.start
            if type(start) is ToolUseBlock:
                fragments = block.json
                arguments = "" if fragments is None else fragments.text()
                if not arguments:
                    arguments = _encode_json(start.input).decode()
                calls.append(
                    ToolCall(id=start.id, name=start.name, arguments=arguments, index=index)
                )
        return calls

    @property
    def usage(self) -> CommonUsage:
        """The message's token counts as a ``streamkit.Usage`` (``raw``: the message's usage)."""
        message = self._message
        if message is None:
            return _NO_USAGE
        raw = message.usage
        if self._usage:
            raw = msgspec.structs.replace(raw, **self._usage)
        cached = raw.cache_read_input_tokens
        return CommonUsage(
            input_tokens=raw.input_tokens,
            output_tokens=raw.output_tokens,
            total_tokens=raw.input_tokens + raw.output_tokens,
            cached_input_tokens=cached if type(cached) is int else None,
            raw=raw,
        )

    @property
    def errors(self) -> list[ErrorObject]:
        """The payloads of the ``error`` events received."""
        return list(self._errors)

    def raw_input(self, index: int) -> str | None:
        """The concatenated ``partial_json`` of block *index* while it is not parsed.

        That is, while the block is still streaming, or after it stopped with
        text that is not a JSON object (an ``"invalid-input-json"``
        violation).  ``None`` once the input parsed, and for a block that got
        no ``input_json_delta``.
        """
        block = self._blocks.get(index)
        if block is None:
            return None
        if block.raw is not None:
            return block.raw
        return None if block.json is None or block.stopped else block.json.text()

    def _in_order(self) -> Iterable[_Block]:
        blocks = self._blocks
        if self._ordered:
            return blocks.values()
        return [blocks[index] for index in sorted(blocks)]

    def _indexed(self) -> Iterable[tuple[int, _Block]]:
        blocks = self._blocks
        if self._ordered:
            return blocks.items()
        return sorted(blocks.items())

    # -- feeding ---------------------------------------------------------------------

    def feed(self, event: Any) -> None:
        """Fold one typed event (unknown events are passed over; an invalid one is a violation)."""
        self._ordinal += 1
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            handler(self, event)
        else:
            self._unhandled(event)

    def _violate(
        self, kind: str, message: str, object_id: str | None = None, index: int | None = None
    ) -> None:
        if object_id is None and self._message is not None:
            object_id = self._message.id
        super()._violate(kind, message, object_id, index)

    def _check(self, name: str) -> None:
        """The checks every content and message event shares."""
        self._name = name
        if self.done:
            self._violate("after-message-stop", f"{name} after message_stop")
        elif self._message is None and not self._orphans_reported:
            self._orphans_reported = True
            self._violate("no-message-start", f"{name} before message_start")

    def _index(self, index: int) -> bool:
        if 0 <= index <= MAX_INDEX:
            return True
        message = f"block index {index} out of range 0..{MAX_INDEX}"
        self._violate("index-out-of-range", message, index=index)
        return False

    def _on_message_start(self, event: MessageStart) -> None:
        self._name = event.event
        if self.done:
            self._violate("after-message-stop", "message_start after message_stop")
        if self._message is not None:
            self._violate(
                "second-message-start",
                f"a second message {event.message.id} after {self._message.id}",
                event.message.id,
            )
            self._blocks = {}
            self._ordered = True
            self._last = -1
            self._top = {}
            self._usage = {}
            self.done = False
        self._message = event.message
        if event.message.content:
            # Not sent by the API; if a server does, keep its blocks as started.
            for index, block in enumerate(event.message.content):
                self._blocks[index] = _Block(block)
                self._blocks[index].stopped = True  # sent whole
            self._last = len(self._blocks) - 1
            self._message = msgspec.structs.replace(event.message, content=[])
        self._result = None

    def _on_block_start(self, event: ContentBlockStart) -> None:
        self._check(event.event)
        index = event.index
        if not self._index(index):
            return
        blocks = self._blocks
        if index in blocks:
            self._violate("duplicate-block-start", f"block {index} started again", index=index)
            del blocks[index]
            self._ordered = False
        elif index != len(blocks):
            self._violate(
                "index-order", f"block {index} started after {len(blocks)} blocks", index=index
            )
        if index < self._last:
            self._ordered = False
        self._last = max(self._last, index)
        blocks[index] = _Block(event.content_block)
        self._result = None

    def _on_block_delta(self, event: ContentBlockDelta) -> None:
        block = self._blocks.get(event.index)
        if block is None or block.stopped or self.done or self._message is None:
            if not self._block_for(event.event, event.index):
                return
            block = self._blocks[event.index]
        delta: Any = event.delta
        fragments = block.text
        kind = type(delta)
        if kind is block.fast and fragments is not None:
            # The fast path: more text (or thinking) for a block already being built.
            fragments.append(delta.text if kind is TextDelta else delta.thinking)
            if len(fragments) >= fragments.limit:
                fragments.compact()
        else:
            self._name = event.event
            if not self._merge(block, delta, event.index):
                return
        block.snapshot = None
        self._result = None

    def _block_for(self, name: str, index: int) -> bool:
        """Whether a delta or stop for block *index* may go on (reporting why not)."""
        self._check(name)
        if not self._index(index):
            return False
        block = self._blocks.get(index)
        if block is None:
            self._violate("unknown-index", f"{name} for block {index}, never started", index=index)
            return False
        if block.stopped:
            self._violate(
                "after-block-stop", f"{name} for block {index} after its stop", index=index
            )
            return False
        return True

    def _merge(self, block: _Block, delta: Any, index: int) -> bool:
        """Merge *delta* into *block* by :data:`MERGE`; whether anything changed."""
        kind = type(delta)
        rules = MERGE.get(kind)
        if rules is None:
            return False  # a delta type this dialect does not know
        start = block.start
        unknown = isinstance(start, Unknown)
        if isinstance(start, Unknown):
            target = rules[0][1]
            if rules[0][2] != APPEND and target not in start.data:
                self._violate(
                    "delta-type", f"{delta.type} for a {start.kind} block {index}", index=index
                )
                return False
        elif type(start) not in ACCEPTS[kind]:
            self._violate(
                "delta-type", f"{delta.type} for a {start.type} block {index}", index=index
            )
            return False
        for source, target, rule in rules:
            value = getattr(delta, source)
            if value is UNSET:
                continue
            if rule == CONCAT:
                fragments = block.strings.get(target)
                if fragments is None:
                    initial = _field_of(start, target)
                    fragments = _Fragments([initial] if type(initial) is str and initial else [])
                    block.strings[target] = fragments
                    if not unknown:
                        block.text = fragments
                        block.fast = kind
                fragments.add(value)
            elif rule == REPLACE:
                block.fields[target] = value
            elif rule == APPEND:
                if block.citations is None:
                    initial = _field_of(start, target)
                    block.citations = list(initial) if type(initial) is list else []
                block.citations.append(value)
            else:  # JSON
                if block.json is None:
                    block.json = _Fragments([])
                block.json.add(value)
        return True

    def _on_block_stop(self, event: ContentBlockStop) -> None:
        index = event.index
        block = self._blocks.get(index)
        if block is None or block.stopped or self.done or self._message is None:
            if not self._block_for(event.event, index):
                return
            block = self._blocks[index]
        block.stopped = True
        block.text = block.fast = None
        fragments = block.json
        if fragments is not None:
            self._name = event.event
            self._parse_input(block, fragments.text(), index)
            block.snapshot = None
            self._result = None

    def _parse_input(self, block: _Block, text: str, index: int) -> None:
        if not text:
            return  # no arguments: the start block's input stands
        try:
            value = msgspec.json.decode(text)
        except (msgspec.DecodeError, RecursionError) as exc:
            problem = read_problem(exc).message
        else:
            if type(value) is dict or type(block.start) is Unknown:
                block.fields["input"] = value
                return
            problem = f"a JSON {type(value).__name__}, not an object"
        block.raw = text
        shown = text if len(text) <= 80 else text[:77] + "..."
        self._violate(
            "invalid-input-json", f"block {index} input is {problem}: {shown!r}", index=index
        )

    def _on_message_delta(self, event: MessageDelta) -> None:
        self._check(event.event)
        body = event.delta
        top = self._top
        for name in body.__struct_fields__:
            value = getattr(body, name)
            if value is not UNSET:
                top[name] = value
        if event.context_management is not UNSET:
            top["context_management"] = event.context_management
        usage = event.usage
        if usage is not UNSET:
            # Cumulative totals: a count replaces the one before (never summed);
            # null or absent means "no update", the message_start value stands.
            for name in usage.__struct_fields__:
                value = getattr(usage, name)
                if value is not UNSET and value is not None:
                    self._usage[name] = value
        self._result = None

    def _on_message_stop(self, event: MessageStop) -> None:
        self._check(event.event)
        open_blocks = [index for index, block in self._blocks.items() if not block.stopped]
        if open_blocks and not self.done:
            self._violate("block-not-stopped", f"message_stop with block(s) {open_blocks} open")
        self.done = True

    def _on_error(self, event: ErrorEvent) -> None:
        self._errors.append(event.error)

    def _on_ping(self, event: Ping) -> None:
        pass  # a keep-alive: allowed anywhere, even after message_stop


OUTCOMES: Final[dict[str, OutcomeKind]] = {
    "end_turn": "completed",
    "stop_sequence": "completed",
    "refusal": "completed",
    "tool_use": "requires_action",
    "max_tokens": "incomplete",
    "pause_turn": "incomplete",
    "model_context_window_exceeded": "incomplete",
}
"""The outcome kind of each ``stop_reason`` (a reason not listed here is ``"completed"``)."""

_TRUNCATED: Final = Outcome(kind="truncated")
_COMPLETED: Final = Outcome(kind="completed")
_NO_USAGE: Final = CommonUsage()
_encode_json = msgspec.json.Encoder().encode


_HANDLERS: dict[type, Any] = {
    MessageStart: Accumulator._on_message_start,
    ContentBlockStart: Accumulator._on_block_start,
    ContentBlockDelta: Accumulator._on_block_delta,
    ContentBlockStop: Accumulator._on_block_stop,
    MessageDelta: Accumulator._on_message_delta,
    MessageStop: Accumulator._on_message_stop,
    ErrorEvent: Accumulator._on_error,
    Ping: Accumulator._on_ping,
}
