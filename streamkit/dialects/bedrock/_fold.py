"""The fold: a Bedrock runtime stream in, the final response out.

Theory of operation
-------------------

One accumulator reads both APIs; the first event it folds says which
(:attr:`Accumulator.api`):

``"converse"``: ConverseStream.
    ``messageStart`` gives the role.  Each content block is kept at its
    ``contentBlockIndex`` (an :class:`_Block`): a ``contentBlockStart``
    opens a tool use, tool result or image block; a text or reasoning block
    opens with its first delta.  Deltas are merged by the rules of
    :data:`MERGE`; ``contentBlockStop`` closes the block (a tool use's input
    JSON is parsed then, once).  ``messageStop`` gives the stop reason and
    ends the message; ``metadata`` (after it) gives usage, metrics, trace,
    performance configuration and service tier.  :attr:`Accumulator.result`
    is a :class:`ConverseResponse`, Converse's non-streaming shape.

``"invoke"``: InvokeModelWithResponseStream.
    The chunks' family (:attr:`Accumulator.family`) is the first chunk's.
    Anthropic chunks are folded by the ``anthropic`` dialect's own fold
    (made through the registry at run time: dialects never import each
    other), and the result is its Anthropic ``Message``.  Amazon Nova
    chunks are ConverseStream events wrapped by name, folded by the Converse
    rules into a :class:`ConverseResponse`.  Other families are read
    best-effort (:mod:`._models`): the result is the model's own
    non-streaming JSON, as builtins.

``"agent"``: an InvokeAgent stream (``trace`` events and text chunks).
    Only the answer text is folded; the result is ``{"text": ...}``.

Text grows in :class:`~streamkit.dialects._builders.Fragments`, so a delta
costs its own size; the commonest event, one more piece of an open text
block's text, takes a short path.  The result is built when read, block by
block, and kept until an event changes it; a result once returned never
changes.

The common face
---------------

``outcome`` of a ConverseStream (and a Nova invoke stream), by its
``stopReason``:

==================================================  ===================
``stopReason``                                      ``outcome.kind``
==================================================  ===================
``end_turn``, ``stop_sequence``                     ``completed``
``tool_use``                                        ``requires_action``
``max_tokens``, ``model_context_window_exceeded``   ``incomplete``
``guardrail_intervened``, ``content_filtered``      ``incomplete``
``malformed_model_output``, ``malformed_tool_use``  ``failed``
any other                                           ``completed``
==================================================  ===================

``reason`` is the ``stopReason``.  An exception event (the stream ends with
it) makes it ``errored``: ``error`` is the exception event, ``reason`` its
name (``"throttlingException"``...).  No ``messageStop``: ``truncated``.
An Anthropic invoke stream ends as the anthropic dialect says
(``stop_reason`` after ``message_stop``; an ``error`` event: ``errored``),
another family at the chunk that gives its stop reason or Bedrock's
invocation metrics (:data:`STOP_REASONS` maps the families' words).  An
agent stream has no end the fold can see: ``truncated``.

``text`` joins the text blocks (citation blocks included) in index order;
reasoning is not text.  ``tool_calls`` are the ``toolUse`` blocks the
caller must run (not the service's own, ``type: "server_tool_use"``),
``arguments`` the input JSON as streamed.  ``usage`` reads
``metadata.usage`` (``cached_input_tokens``: ``cacheReadInputTokens``), an
Anthropic message's usage, or Bedrock's invocation metrics (``raw``:
whichever it read).

Violations
----------

Kept in :attr:`Accumulator.warnings` (raised as
:class:`~streamkit.FoldError` when strict).  Their ``kind``:

``"no-message-start"``
    a content, stop or metadata event before ``messageStart`` (folded; once);
``"second-message-start"``
    another ``messageStart``: the fold starts over;
``"index-out-of-range"``
    a ``contentBlockIndex`` below 0 or above :data:`MAX_INDEX` (ignored);
``"duplicate-block-start"``
    a ``contentBlockStart`` for a block already begun (it replaces it);
``"no-block-start"``
    a tool use, tool result or image delta for a block never started (folded
    into one with an empty id and name);
``"delta-type"``
    a delta that does not fit its block (text for a tool use; ignored);
``"after-block-stop"``
    a delta or stop after the block's stop (ignored);
``"unknown-index"``
    a stop for a block that never began (ignored);
``"invalid-input-json"``
    a tool use's input is not JSON when its block stops (``input`` stays
    ``{}``; the text is in :meth:`Accumulator.raw_input`);
``"block-not-stopped"``
    ``messageStop`` while a block is open;
``"after-message-stop"``
    a content or stop event after ``messageStop`` (folded all the same);
``"mixed-apis"``
    an event of the other API (a ``chunk`` in a ConverseStream...; ignored),
    or a chunk of another model family than the stream's first (ignored);
``"invalid-chunk"``
    a Nova chunk that is no ConverseStream event (ignored);
``"invalid-event"``, ``"dialect-mismatch"``
    as in every dialect.

An Anthropic invoke stream's own violations are the anthropic fold's,
reported here too (with this fold's ordinals).
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING, Any, Final

import attrs
import msgspec
from msgspec import UNSET, UnsetType

from streamkit._errors import FoldError
from streamkit.dialects import _registry
from streamkit.dialects._builders import Fragments, materialize
from streamkit.dialects._face import Outcome, OutcomeKind, ToolCall, Usage, Violation
from streamkit.dialects._fold import FoldBase
from streamkit.dialects._msgspec_errors import read as read_problem
from streamkit.dialects._violations import MAX_WARNINGS

from ._decode import CONVERSE_EVENTS
from ._models import ModelFold, family_of
from ._schema import (
    AnthropicChunk,
    BedrockException,
    Chunk,
    Citation,
    CitationGeneratedContent,
    CitationsContentBlock,
    CitationsDelta,
    ContentBlock,
    ContentBlockDelta,
    ContentBlockDeltaEvent,
    ContentBlockStartEvent,
    ContentBlockStopEvent,
    ConverseOutput,
    ConverseResponse,
    ErrorBlock,
    ImageBlock,
    ImageSource,
    InternalServerException,
    InvocationMetrics,
    Message,
    MessageStartEvent,
    MessageStopEvent,
    MetadataEvent,
    ModelStreamErrorException,
    ModelTimeoutException,
    ReasoningContentBlock,
    ReasoningTextBlock,
    S3Location,
    ServiceUnavailableException,
    TextChunk,
    ThrottlingException,
    TokenUsage,
    ToolResultBlock,
    ToolResultContentBlock,
    ToolUseBlock,
    Trace,
    ValidationException,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ("MAX_INDEX", "MERGE", "STOP_REASONS", "Accumulator")

MAX_INDEX: Final = 10_000
"""The largest ``contentBlockIndex`` folded; a larger one is a violation, not a block."""

# Block kinds.
TEXT: Final = "text"
REASONING: Final = "reasoning"
TOOL_USE: Final = "tool_use"
TOOL_RESULT: Final = "tool_result"
IMAGE: Final = "image"
UNKNOWN: Final = "unknown"

MERGE: Final[dict[str, tuple[str, str]]] = {
    "text": (TEXT, "concatenated to the block's text"),
    "citation": (TEXT, "appended to the block's citations: the block becomes citationsContent"),
    "reasoning_content.text": (REASONING, "concatenated to the reasoning text"),
    "reasoning_content.signature": (REASONING, "concatenated to the signature"),
    "reasoning_content.redacted_content": (REASONING, "bytes concatenated"),
    "tool_use.input": (TOOL_USE, "concatenated; parsed once, at contentBlockStop"),
    "tool_result": (TOOL_RESULT, "text pieces concatenated into one item; json items appended"),
    "image.source": (IMAGE, "inline bytes concatenated; an S3 location replaces"),
    "image.error": (IMAGE, "replaces"),
}
"""How each member of a ``contentBlockDelta`` is merged: ``member: (block kind, rule)``.

A delta opens the block it belongs to when no ``contentBlockStart`` did
(text, citation and reasoning deltas always do), of the kind given here.  A
delta of a member this dialect does not know (kept raw in ``unknown``) is
merged into a block it opened itself (strings concatenated, lists extended,
objects merged, anything else replaced) and ignored by a block of a known
kind.
"""

STOP_REASONS: Final[dict[str, OutcomeKind]] = {
    # ConverseStream (and Nova)
    "end_turn": "completed",
    "stop_sequence": "completed",
    "tool_use": "requires_action",
    "max_tokens": "incomplete",
    "model_context_window_exceeded": "incomplete",
    "guardrail_intervened": "incomplete",
    "content_filtered": "incomplete",
    "malformed_model_output": "failed",
    "malformed_tool_use": "failed",
    # Anthropic Messages
    "refusal": "completed",
    "pause_turn": "incomplete",
    # the other families (matched lower-cased)
    "stop": "completed",
    "complete": "completed",
    "finish": "completed",
    "length": "incomplete",
    "content_filter": "incomplete",
    "tool_calls": "requires_action",
    "error": "failed",
    "error_toxic": "failed",
    "error_limit": "failed",
    "user_cancel": "cancelled",
}
"""The outcome of each stop reason (any other is ``"completed"``).

ConverseStream's own reasons, Anthropic's, and the words the other families
use (Llama ``stop``/``length``, Mistral ``stop``/``length``, Cohere
``COMPLETE``/``MAX_TOKENS``/``ERROR``..., Titan ``FINISH``/``LENGTH``/
``CONTENT_FILTERED``), matched lower-cased.
"""

_CONVERSE: Final = "converse"
_INVOKE: Final = "invoke"
_AGENT: Final = "agent"
_TRUNCATED: Final = Outcome(kind="truncated")
_NO_USAGE: Final = Usage()
_SERVER_TOOL: Final = "server_tool_use"
_encode_json = msgspec.json.Encoder().encode


class _Block:
    """One content block: its kind, its start, what the deltas built, its last build."""

    __slots__ = (
        "built",
        "citations",
        "error",
        "image",
        "input",
        "json",
        "kind",
        "raw",
        "raw_input",
        "redacted",
        "results",
        "s3",
        "signature",
        "start",
        "stopped",
        "text",
    )

    def __init__(self, kind: str, start: Any = None) -> None:
        self.kind = kind
        self.start = start  # the ToolUseBlockStart, ToolResultBlockStart or ImageBlockStart
        self.stopped = False
        self.text: Fragments | None = None  # text, or reasoning text
        self.signature: Fragments | None = None
        self.redacted: list[bytes] | None = None
        self.citations: list[Citation] | None = None
        self.json: Fragments | None = None  # a tool use's input, as streamed
        self.input: Any = UNSET  # ... parsed at the stop
        self.raw_input: str | None = None  # ... that did not parse
        self.results: list[Any] | None = None  # tool result items: Fragments or {"json": v}
        self.image: list[bytes] | None = None
        self.s3: S3Location | UnsetType = UNSET
        self.error: ErrorBlock | UnsetType = UNSET
        self.raw: dict[str, Any] | None = None  # a block of a kind this dialect does not know
        self.built: ContentBlock | None = None  # None: changed since built

    def build(self) -> ContentBlock:
        built = self.built
        if built is None:
            built = self.built = _BUILD[self.kind](self)
        return built


def _build_text(block: _Block) -> ContentBlock:
    text = "" if block.text is None else block.text.text()
    if block.citations is None:
        return ContentBlock(text=text)
    content = [CitationGeneratedContent(text=text)]
    return ContentBlock(
        citations_content=CitationsContentBlock(citations=list(block.citations), content=content)
    )


def _build_reasoning(block: _Block) -> ContentBlock:
    redacted: bytes | UnsetType = UNSET
    if block.redacted is not None:
        redacted = b"".join(block.redacted)
    reasoning: ReasoningTextBlock | UnsetType = UNSET
    if block.text is not None or block.signature is not None or block.redacted is None:
        reasoning = ReasoningTextBlock(
            text="" if block.text is None else block.text.text(),
            signature=UNSET if block.signature is None else block.signature.text(),
        )
    return ContentBlock(
        reasoning_content=ReasoningContentBlock(reasoning_text=reasoning, redacted_content=redacted)
    )


def _build_tool_use(block: _Block) -> ContentBlock:
    start = block.start
    return ContentBlock(
        tool_use=ToolUseBlock(
            input={} if block.input is UNSET else block.input,
            name="" if start is None else start.name,
            tool_use_id="" if start is None else start.tool_use_id,
            type=UNSET if start is None else start.type,
        )
    )


def _build_tool_result(block: _Block) -> ContentBlock:
    start = block.start
    content = []
    for item in block.results or ():
        if type(item) is Fragments:
            content.append(ToolResultContentBlock(text=item.text()))
        else:
            content.append(ToolResultContentBlock(json=item["json"]))
    return ContentBlock(
        tool_result=ToolResultBlock(
            content=content,
            status=UNSET if start is None else start.status,
            tool_use_id="" if start is None else start.tool_use_id,
            type=UNSET if start is None else start.type,
        )
    )


def _build_image(block: _Block) -> ContentBlock:
    start = block.start
    source: ImageSource | UnsetType = UNSET
    if block.image is not None:
        source = ImageSource(bytes_=b"".join(block.image))
    elif block.s3 is not UNSET:
        source = ImageSource(s3_location=block.s3)
    image_format = "" if start is None else start.format
    return ContentBlock(image=ImageBlock(format=image_format, source=source, error=block.error))


def _build_unknown(block: _Block) -> ContentBlock:
    return ContentBlock(unknown=materialize(block.raw or {}))


_BUILD: Final[dict[str, Callable[[_Block], ContentBlock]]] = {
    TEXT: _build_text,
    REASONING: _build_reasoning,
    TOOL_USE: _build_tool_use,
    TOOL_RESULT: _build_tool_result,
    IMAGE: _build_image,
    UNKNOWN: _build_unknown,
}


def _merge_raw(node: dict[str, Any], delta: dict[str, Any]) -> None:
    """Merge the raw JSON of a delta of an unknown member into its block's (see MERGE)."""
    for key, value in delta.items():
        current = node.get(key)
        if type(value) is str:
            if type(current) is Fragments:
                current.add(value)
            else:
                node[key] = Fragments([value])
        elif type(value) is list:
            if type(current) is list:
                current.extend(value)
            else:
                node[key] = list(value)
        elif type(value) is dict:
            if type(current) is not dict:
                current = node[key] = {}
            _merge_raw(current, value)
        else:
            node[key] = value


def _citation(delta: CitationsDelta) -> Citation:
    return Citation(
        location=delta.location,
        source=delta.source,
        source_content=delta.source_content,
        title=delta.title,
    )


# The ConverseStream event a Nova chunk's one key names, as a converter of its object.
_NOVA: Final[dict[str, type]] = dict(CONVERSE_EVENTS)


class Accumulator(FoldBase):
    """Folds the events of a Bedrock runtime stream into its final response.

    Feed it every typed event of one stream, in order, with :meth:`feed`
    (unknown events are passed over; an invalid one is a violation).  Read
    :attr:`result` at any time: a :class:`ConverseResponse` for a
    ConverseStream (or an Amazon Nova invoke stream), the Anthropic
    ``Message`` for an Anthropic invoke stream, the model's own JSON for
    another family; ``None`` before anything was folded.

    Protocol violations are recorded in :attr:`warnings` (the first
    ``max_warnings``; later ones only counted, in :attr:`warnings_dropped`);
    with ``strict=True`` they raise :class:`~streamkit.FoldError` instead.
    The exception events the service sent are in :attr:`errors`.  The common
    face (:class:`~streamkit.Fold`) reads as the module documentation says.
    """

    dialect = "bedrock"

    def __init__(self, *, strict: bool = False, max_warnings: int = MAX_WARNINGS) -> None:
        super().__init__(strict=strict, max_warnings=max_warnings)
        self._max_warnings = max_warnings
        self._api: str | None = None
        self._family: str | None = None
        # ConverseStream (and Nova)
        self._started = False  # a messageStart arrived
        self._folded = False  # any ConverseStream event was folded
        self._orphans_reported = False
        self._role = "assistant"
        self._blocks: dict[int, _Block] = {}
        #: The open text block of a ConverseStream, its index and its text: a text
        #: delta for it takes the short path (and leaves its build to be redone).
        self._fast_index: int | None = None
        self._fast_block: _Block | None = None
        self._fast: Fragments = Fragments([])
        self._ordered = True  # blocks began in index order
        self._last = -1
        self._stop: MessageStopEvent | None = None
        self._metadata: MetadataEvent | None = None
        self._result: Any = None
        # InvokeModel
        self._inner: Any = None  # the anthropic dialect's fold
        self._inner_skipped: list[int] = []  # ordinals of events not fed to it, once it exists
        self._inner_start = 0  # the ordinal of the first event fed to it
        self._tool_json: dict[int, Fragments] = {}  # Anthropic input_json_delta text, by index
        self._model: ModelFold | None = None
        self._metrics: InvocationMetrics | UnsetType = UNSET
        # InvokeAgent
        self._answer: Fragments | None = None

    # -- reading ---------------------------------------------------------------------

    @property
    def api(self) -> str | None:
        """``"converse"``, ``"invoke"`` or ``"agent"``: the API of the events folded."""
        return self._api

    @property
    def family(self) -> str | None:
        """An invoke stream's model family (``"anthropic"``, ``"nova"``, ``"llama"``, ...)."""
        return self._family

    @property
    def inner(self) -> Any:
        """The anthropic dialect's fold, of an Anthropic invoke stream (else ``None``)."""
        return self._inner

    @property
    def invocation_metrics(self) -> InvocationMetrics | None:
        """Bedrock's invocation metrics, from an invoke stream's last chunk."""
        metrics = self._metrics
        return None if metrics is UNSET else metrics

    @property
    def metadata(self) -> MetadataEvent | None:
        """The ConverseStream's ``metadata`` event (the last, if several)."""
        return self._metadata

    @property
    def result(self) -> Any:
        """The response so far (see the class documentation); never changes once returned."""
        api = self._api
        if api is None:
            return None
        if self._inner is not None:
            return self._inner.result
        model = self._model
        if model is not None:
            return model.result()
        if api == _AGENT:
            answer = self._answer
            return {"text": "" if answer is None else answer.text()}
        if not self._folded:
            return None
        result = self._result
        if result is None:
            result = self._result = self._build()
        return result

    def raw_input(self, index: int) -> str | None:
        """The input JSON streamed for the tool use block *index* while it is not parsed.

        That is, while the block is open, or after it stopped with text that
        is not JSON (an ``"invalid-input-json"`` violation); else ``None``.
        """
        block = self._blocks.get(index)
        if block is None or block.kind != TOOL_USE:
            return None
        if block.raw_input is not None:
            return block.raw_input
        return None if block.json is None or block.stopped else block.json.text()

    @property
    def outcome(self) -> Outcome:
        """How the stream ended, or would if it stopped now (see the module documentation)."""
        errors = self._errors
        if errors:
            error = errors[-1]
            reason = error.event if isinstance(error, BedrockException) else error.type
            return Outcome(kind="errored", reason=reason, error=error)
        inner = self._inner
        if inner is not None:
            if not inner.done:
                return _TRUNCATED
            return _outcome(getattr(inner.result, "stop_reason", None))
        model = self._model
        if model is not None:
            if not self.done:
                return _TRUNCATED
            return _outcome(model.stop)
        stop = self._stop
        if stop is None or self._api == _AGENT:
            return _TRUNCATED
        return _outcome(stop.stop_reason)

    @property
    def text(self) -> str:
        """The answer so far: the text blocks joined, in index order."""
        if self._inner is not None:
            result = self._inner.result
            if result is None:
                return ""
            return "".join(block.text for block in result.content if block.type == "text")
        if self._model is not None:
            return self._model.text.text()
        if self._answer is not None:
            return self._answer.text()
        return "".join(
            [
                block.text.text()
                for block in self._in_order()
                if block.kind == TEXT and block.text is not None
            ]
        )

    @property
    def refusal(self) -> str:
        """Always ``""``: Bedrock has no refusal channel (a guardrail is a stop reason)."""
        return ""

    @property
    def tool_calls(self) -> list[ToolCall]:
        """The caller's tool calls so far, ``arguments`` the input JSON as streamed."""
        calls = []
        inner = self._inner
        if inner is not None:
            result = inner.result
            for index, block in enumerate(() if result is None else result.content):
                if block.type != "tool_use":
                    continue
                fragments = self._tool_json.get(index)
                arguments = "" if fragments is None else fragments.text()
                if not arguments:
                    arguments = _encode_json(block.input).decode()
                call = ToolCall(id=block.id, name=block.name, arguments=arguments, index=index)
                calls.append(call)
            return calls
        for index, block in self._indexed():
            if block.kind != TOOL_USE:
                continue
            start = block.start
            if start is not None and start.type == _SERVER_TOOL:
                continue
            arguments = "" if block.json is None else block.json.text()
            calls.append(
                ToolCall(
                    id=None if start is None else start.tool_use_id,
                    name="" if start is None else start.name,
                    arguments=arguments,
                    index=index,
                )
            )
        return calls

    @property
    def usage(self) -> Usage:
        """The token counts the stream reported, as a ``streamkit.Usage``."""
        inner = self._inner
        if inner is not None:
            result = inner.result
            if result is None:
                return _NO_USAGE
            raw = result.usage
            cached = raw.cache_read_input_tokens
            return Usage(
                input_tokens=raw.input_tokens,
                output_tokens=raw.output_tokens,
                total_tokens=raw.input_tokens + raw.output_tokens,
                cached_input_tokens=cached if type(cached) is int else None,
                raw=raw,
            )
        metadata = self._metadata
        if metadata is not None and metadata.usage is not UNSET:
            return _token_usage(metadata.usage)
        metrics = self._metrics
        if metrics is not UNSET:
            return _metrics_usage(metrics)
        model = self._model
        if model is None:
            return _NO_USAGE
        return _counts_usage(model.input_tokens, model.output_tokens, None)

    @property
    def warnings(self) -> list[Violation]:
        """Protocol violations met so far (an Anthropic invoke stream's fold's included)."""
        own = list(self._warnings.kept)
        inner = self._inner
        if inner is None:
            return own
        own += [
            Violation(w.kind, w.message, self._outer(w.ordinal), "chunk", index=w.index)
            for w in inner.warnings
        ]
        own.sort(key=lambda v: v.ordinal)
        return own[: self._max_warnings]

    @property
    def warnings_dropped(self) -> int:
        """How many violations came after the first ``max_warnings``: counted, not kept."""
        inner = self._inner
        if inner is None:
            return self._warnings.dropped
        total = len(self._warnings.kept) + self._warnings.dropped
        total += len(inner.warnings) + inner.warnings_dropped
        return max(0, int(total) - self._max_warnings)

    def _outer(self, ordinal: int) -> int:
        """This fold's ordinal of the inner fold's event *ordinal* (it was fed fewer events)."""
        skipped = self._inner_skipped
        outer = self._inner_start + ordinal
        while True:  # each round counts the skipped events up to the guess: it only grows
            guess = self._inner_start + ordinal + bisect_right(skipped, outer)
            if guess == outer:
                return outer
            outer = guess

    def _in_order(self) -> Iterable[_Block]:
        blocks = self._blocks
        if self._ordered:
            return blocks.values()
        return [blocks[index] for index in sorted(blocks)]

    def _indexed(self) -> Iterable[tuple[int, _Block]]:
        blocks = self._blocks
        if self._ordered:
            return blocks.items()
        return [(index, blocks[index]) for index in sorted(blocks)]

    def _build(self) -> ConverseResponse:
        if self._fast_block is not None:
            self._fast_block.built = None  # the short path does not say when it changed
        content = [block.build() for block in self._in_order()]
        stop = self._stop
        metadata = self._metadata
        fields: dict[str, Any] = {}
        if metadata is not None:
            fields = {
                "metrics": metadata.metrics,
                "performance_config": metadata.performance_config,
                "service_tier": metadata.service_tier,
                "trace": metadata.trace,
                "usage": metadata.usage,
            }
        return ConverseResponse(
            output=ConverseOutput(message=Message(content=content, role=self._role)),
            stop_reason=UNSET if stop is None else stop.stop_reason,
            additional_model_response_fields=(
                UNSET if stop is None else stop.additional_model_response_fields
            ),
            **fields,
        )

    # -- feeding ---------------------------------------------------------------------

    def feed(self, event: Any) -> None:
        """Fold one typed event (unknown events are passed over; an invalid one is a violation)."""
        self._ordinal += 1
        if type(event) is ContentBlockDeltaEvent and event.content_block_index == self._fast_index:
            text = event.delta.text
            if type(text) is str:
                # The short path: one more piece of the open text block's text.
                fragments = self._fast
                fragments.append(text)
                if len(fragments) >= fragments.limit:
                    fragments.compact()
                self._result = None
                return
        handler = _HANDLERS.get(type(event))
        if handler is None:
            if self._inner is not None:
                self._inner_skipped.append(self._ordinal)
            self._unhandled(event)
        else:
            handler(self, event)

    def _claim(self, api: str, name: str) -> bool:
        """Whether an event of *api* may be folded (the first event's API is the stream's)."""
        if self._api == api:
            return True
        if self._api is None:
            self._api = api
            return True
        self._name = name
        self._violate("mixed-apis", f"a {api} event ({name}) in a {self._api} stream")
        if self._inner is not None:
            self._inner_skipped.append(self._ordinal)
        return False

    # ConverseStream ------------------------------------------------------------------

    def _on_converse(self, event: Any) -> None:
        if self._claim(_CONVERSE, event.event):
            _CONVERSE_HANDLERS[type(event)](self, event)

    def _check(self, name: str) -> None:
        """The checks every content, stop and metadata event shares."""
        self._name = name
        self._folded = True
        self._result = None
        if self.done and name != "metadata":
            self._violate("after-message-stop", f"{name} after messageStop")
        elif not self._started and not self._orphans_reported:
            self._orphans_reported = True
            self._violate("no-message-start", f"{name} before messageStart")

    def _index(self, index: int) -> bool:
        if 0 <= index <= MAX_INDEX:
            return True
        self._violate("index-out-of-range", f"block index {index} out of range 0..{MAX_INDEX}")
        return False

    def _on_message_start(self, event: MessageStartEvent) -> None:
        self._name = event.event
        if self._started:
            self._violate("second-message-start", "a second messageStart: starting over")
            self._slow()
            self._blocks = {}
            self._ordered = True
            self._last = -1
            self._stop = None
            self._metadata = None
            self.done = False
        self._started = self._folded = True
        self._role = event.role
        self._result = None

    def _open(self, index: int, kind: str, start: Any = None) -> _Block:
        block = self._blocks[index] = _Block(kind, start)
        if index < self._last:
            self._ordered = False
        self._last = max(self._last, index)
        if self._fast_index == index:
            self._slow()
        if kind == TEXT and self._api == _CONVERSE:
            block.text = self._fast = Fragments([])
            self._fast_index = index
            self._fast_block = block
        return block

    def _slow(self) -> None:
        """No text block takes the short path any more (it stopped, or the message did)."""
        block = self._fast_block
        if block is not None:
            block.built = None  # the short path left it to be rebuilt
        self._fast_index = self._fast_block = None

    def _on_block_start(self, event: ContentBlockStartEvent) -> None:
        self._check(event.event)
        index = event.content_block_index
        if not self._index(index):
            return
        if index in self._blocks:
            self._violate("duplicate-block-start", f"block {index} started again", index=index)
            if index == self._fast_index:
                self._slow()
            del self._blocks[index]
            self._ordered = False
        start = event.start
        if start.tool_use is not UNSET:
            self._open(index, TOOL_USE, start.tool_use)
        elif start.tool_result is not UNSET:
            self._open(index, TOOL_RESULT, start.tool_result)
        elif start.image is not UNSET:
            self._open(index, IMAGE, start.image)
        else:
            block = self._open(index, UNKNOWN)
            block.raw = {}
            if start.unknown is not UNSET:
                _merge_raw(block.raw, start.unknown)

    def _on_delta(self, event: ContentBlockDeltaEvent) -> None:
        """A delta the short path did not take."""
        if not self._claim(_CONVERSE, event.event):
            return
        self._fold_delta(event)

    def _fold_delta(self, event: ContentBlockDeltaEvent) -> None:
        self._check(event.event)
        index = event.content_block_index
        if not self._index(index):
            return
        delta = event.delta
        block = self._blocks.get(index)
        if block is None:
            kind = _kind_of(delta)
            if kind in (TOOL_USE, TOOL_RESULT, IMAGE):
                message = f"a {kind} delta for block {index}, never started"
                self._violate("no-block-start", message, index=index)
            block = self._open(index, kind)
            if kind == UNKNOWN:
                block.raw = {}
        elif block.stopped:
            self._violate(
                "after-block-stop", f"a delta for block {index} after its stop", index=index
            )
            return
        if self._merge(block, delta, index):
            block.built = None

    def _merge(self, block: _Block, delta: ContentBlockDelta, index: int) -> bool:
        """Merge *delta* into *block* by the rules of :data:`MERGE`; whether it fit."""
        kind = block.kind
        text = delta.text
        if text is not UNSET:
            if kind != TEXT:
                return self._misfit("text", kind, index)
            fragments = block.text
            if fragments is None:
                fragments = block.text = Fragments([])
            fragments.add(text)
        elif delta.citation is not UNSET:
            if kind != TEXT:
                return self._misfit("citation", kind, index)
            if block.citations is None:
                block.citations = []
            block.citations.append(_citation(delta.citation))
        elif delta.reasoning_content is not UNSET:
            if kind != REASONING:
                return self._misfit("reasoningContent", kind, index)
            reasoning = delta.reasoning_content
            if reasoning.text is not UNSET:
                if block.text is None:
                    block.text = Fragments([])
                block.text.add(reasoning.text)
            if reasoning.signature is not UNSET:
                if block.signature is None:
                    block.signature = Fragments([])
                block.signature.add(reasoning.signature)
            if reasoning.redacted_content is not UNSET:
                if block.redacted is None:
                    block.redacted = []
                block.redacted.append(reasoning.redacted_content)
        elif delta.tool_use is not UNSET:
            if kind != TOOL_USE:
                return self._misfit("toolUse", kind, index)
            if block.json is None:
                block.json = Fragments([])
            block.json.add(delta.tool_use.input)
        elif delta.tool_result is not UNSET:
            if kind != TOOL_RESULT:
                return self._misfit("toolResult", kind, index)
            results = block.results
            if results is None:
                results = block.results = []
            for item in delta.tool_result:
                if item.text is not UNSET:
                    if results and type(results[-1]) is Fragments:
                        results[-1].add(item.text)
                    else:
                        results.append(Fragments([item.text]))
                elif item.json is not UNSET:
                    results.append({"json": item.json})
        elif delta.image is not UNSET:
            if kind != IMAGE:
                return self._misfit("image", kind, index)
            image = delta.image
            if image.source is not UNSET:
                if image.source.bytes_ is not UNSET:
                    if block.image is None:
                        block.image = []
                    block.image.append(image.source.bytes_)
                if image.source.s3_location is not UNSET:
                    block.s3 = image.source.s3_location
            if image.error is not UNSET:
                block.error = image.error
        elif delta.unknown is not UNSET and kind == UNKNOWN and block.raw is not None:
            _merge_raw(block.raw, delta.unknown)
        else:
            return False  # a member this dialect does not know, for a block it knows
        return True

    def _misfit(self, member: str, kind: str, index: int) -> bool:
        self._violate("delta-type", f"a {member} delta for the {kind} block {index}", index=index)
        return False

    def _on_block_stop(self, event: ContentBlockStopEvent) -> None:
        self._check(event.event)
        index = event.content_block_index
        if not self._index(index):
            return
        block = self._blocks.get(index)
        if block is None:
            self._violate("unknown-index", f"a stop for block {index}, never begun", index=index)
            return
        if block.stopped:
            self._violate("after-block-stop", f"a second stop for block {index}", index=index)
            return
        block.stopped = True
        if index == self._fast_index:
            self._slow()
        if block.kind == TOOL_USE:
            self._parse_input(block, index)
            block.built = None

    def _parse_input(self, block: _Block, index: int) -> None:
        text = "" if block.json is None else block.json.text()
        if not text:
            return  # no input streamed: {}
        try:
            block.input = msgspec.json.decode(text)
        except (msgspec.DecodeError, RecursionError) as exc:
            block.raw_input = text
            shown = text if len(text) <= 80 else text[:77] + "..."
            problem = read_problem(exc).message
            self._violate(
                "invalid-input-json", f"block {index} input is {problem}: {shown!r}", index=index
            )

    def _on_message_stop(self, event: MessageStopEvent) -> None:
        self._check(event.event)
        if not self.done:
            open_blocks = [index for index, block in self._blocks.items() if not block.stopped]
            if open_blocks:
                self._violate("block-not-stopped", f"messageStop with block(s) {open_blocks} open")
        self._slow()
        self._stop = event
        self.done = True

    def _on_metadata(self, event: MetadataEvent) -> None:
        self._check(event.event)
        self._metadata = event

    def _on_exception(self, event: BedrockException) -> None:
        self._name = event.event
        if self._inner is not None:
            self._inner_skipped.append(self._ordinal)
        self._errors.append(event)
        self.done = True

    # InvokeModel ----------------------------------------------------------------------

    def _chunk_family(self, family: str, name: str) -> bool:
        """Whether a chunk of *family* may be folded (the first chunk's family is the stream's)."""
        if not self._claim(_INVOKE, name):
            return False
        if self._family == family:
            return True
        if self._family is None:
            self._family = family
            return True
        self._name = name
        self._violate("mixed-apis", f"a {family} chunk in a {self._family} stream")
        if self._inner is not None:
            self._inner_skipped.append(self._ordinal)
        return False

    def _on_anthropic_chunk(self, event: AnthropicChunk) -> None:
        if not self._chunk_family("anthropic", "chunk"):
            return
        inner = self._inner
        if inner is None:
            inner = self._inner = _registry.get("anthropic").accumulator(
                strict=self.strict, max_warnings=self._max_warnings
            )
            self._inner_start = self._ordinal
        payload = event.payload
        name = payload.event
        if name == "content_block_delta":
            delta = payload.delta
            if delta.type == "input_json_delta":
                fragments = self._tool_json.get(payload.index)
                if fragments is None:
                    fragments = self._tool_json[payload.index] = Fragments([])
                fragments.add(delta.partial_json)
        elif name == "error":
            self._errors.append(payload.error)
        if event.invocation_metrics is not UNSET:
            self._metrics = event.invocation_metrics
        try:
            inner.feed(payload)
        except FoldError as exc:
            raise FoldError(exc.message, ordinal=self._ordinal, event="chunk") from None
        if inner.done:
            self.done = True

    def _on_chunk(self, event: Chunk) -> None:
        payload = event.payload
        family = family_of(payload)
        if not self._chunk_family(family, "chunk"):
            return
        if event.invocation_metrics is not UNSET:
            self._metrics = event.invocation_metrics
        if family == "nova":
            self._fold_nova(payload)
            return
        model = self._model
        if model is None:
            model = self._model = ModelFold(family)
        model.feed(payload)
        if model.finished or self._metrics is not UNSET:
            self.done = True

    def _fold_nova(self, payload: dict[str, Any]) -> None:
        for key, value in payload.items():
            cls = _NOVA.get(key)
            if cls is None:
                continue
            try:
                event: Any = msgspec.convert(value, cls)
            except msgspec.ValidationError as exc:
                self._name = "chunk"
                problem = read_problem(exc)
                self._violate("invalid-chunk", f"a Nova {key} chunk: {problem.message}")
                return
            if cls is ContentBlockDeltaEvent:
                self._fold_delta(event)
            else:
                _CONVERSE_HANDLERS[cls](self, event)
            return

    # InvokeAgent ----------------------------------------------------------------------

    def _on_text_chunk(self, event: TextChunk) -> None:
        if not self._claim(_AGENT, "chunk"):
            return
        answer = self._answer
        if answer is None:
            answer = self._answer = Fragments([])
        answer.add(event.text)

    def _on_trace(self, event: Trace) -> None:
        self._claim(_AGENT, "trace")


def _kind_of(delta: ContentBlockDelta) -> str:
    """The kind of block a delta opens when no ``contentBlockStart`` did."""
    if delta.text is not UNSET or delta.citation is not UNSET:
        return TEXT
    if delta.reasoning_content is not UNSET:
        return REASONING
    if delta.tool_use is not UNSET:
        return TOOL_USE
    if delta.tool_result is not UNSET:
        return TOOL_RESULT
    if delta.image is not UNSET:
        return IMAGE
    return UNKNOWN


def _outcome(reason: Any) -> Outcome:
    if type(reason) is not str:
        return Outcome(kind="completed")
    kind = STOP_REASONS.get(reason) or STOP_REASONS.get(reason.lower(), "completed")
    return Outcome(kind=kind, reason=reason)


def _count(value: int | UnsetType | None) -> int | None:
    return value if type(value) is int else None


def _token_usage(usage: TokenUsage) -> Usage:
    """ConverseStream's usage (a Nova invoke stream's lacks ``totalTokens``: their sum)."""
    cached = _count(usage.cache_read_input_tokens)
    if cached is None:
        cached = _count(usage.cache_read_input_token_count)
    total = _count(usage.total_tokens)
    return Usage(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        total_tokens=usage.input_tokens + usage.output_tokens if total is None else total,
        cached_input_tokens=cached,
        raw=usage,
    )


def _metrics_usage(metrics: InvocationMetrics) -> Usage:
    """Bedrock's invocation metrics as usage."""
    usage = _counts_usage(
        _count(metrics.input_token_count), _count(metrics.output_token_count), metrics
    )
    cached = _count(metrics.cache_read_input_token_count)
    return usage if cached is None else attrs.evolve(usage, cached_input_tokens=cached)


def _counts_usage(input_tokens: int | None, output_tokens: int | None, raw: Any) -> Usage:
    if input_tokens is None and output_tokens is None:
        return _NO_USAGE if raw is None else Usage(raw=raw)
    total = None
    if input_tokens is not None and output_tokens is not None:
        total = input_tokens + output_tokens
    return Usage(
        input_tokens=input_tokens, output_tokens=output_tokens, total_tokens=total, raw=raw
    )


_CONVERSE_HANDLERS: Final[dict[type, Callable[[Accumulator, Any], None]]] = {
    MessageStartEvent: Accumulator._on_message_start,
    ContentBlockStartEvent: Accumulator._on_block_start,
    ContentBlockDeltaEvent: Accumulator._fold_delta,
    ContentBlockStopEvent: Accumulator._on_block_stop,
    MessageStopEvent: Accumulator._on_message_stop,
    MetadataEvent: Accumulator._on_metadata,
}

_HANDLERS: Final[dict[type, Callable[[Accumulator, Any], None]]] = {
    **dict.fromkeys(_CONVERSE_HANDLERS, Accumulator._on_converse),
    ContentBlockDeltaEvent: Accumulator._on_delta,
    **dict.fromkeys(
        (
            InternalServerException,
            ModelStreamErrorException,
            ValidationException,
            ThrottlingException,
            ServiceUnavailableException,
            ModelTimeoutException,
        ),
        Accumulator._on_exception,
    ),
    AnthropicChunk: Accumulator._on_anthropic_chunk,
    Chunk: Accumulator._on_chunk,
    TextChunk: Accumulator._on_text_chunk,
    Trace: Accumulator._on_trace,
}
