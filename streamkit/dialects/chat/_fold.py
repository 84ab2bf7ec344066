"""The fold: Chat Completions chunks in, one :class:`ChatCompletion` out.

Theory of operation
-------------------

The chunks of one completion share its ``id``, ``created`` and ``model``;
each carries, for some of the ``choices`` (by ``index``), a ``delta`` of the
choice's message, maybe ``logprobs`` and a ``finish_reason``.  The
accumulator keeps one entry per choice index.  An entry holds its message as
a *tree*: JSON builtins into which every delta is merged by the rules of
:data:`MERGE`.  Strings that grow by concatenation are kept as lists of
fragments (:class:`_Fragments`) and lists merged by ``index`` as dicts from
index to item (:class:`_ByIndex`), so a delta costs the size of the delta,
never the size of what was folded before it.  The commonest delta, one more
piece of ``content`` and nothing else, goes straight to the content's
fragments.

:attr:`Accumulator.result` is built only when read, and kept until the next
chunk changes something; only the choices that changed are built again.  A
result once returned never changes (it is a frozen Struct holding fresh
lists): a later read returns a new one.

The completion's ``id``, ``created`` and ``model`` are the first chunk's
with a non-empty ``id`` (Azure's first chunk has ``id: ""``), ``""`` and
``0`` where the chunks never said; ``service_tier``, ``system_fingerprint``,
``usage`` and ``moderation`` are the last non-null value sent (``null``
where only ``null`` was sent, absent where nothing was).  A usage object
with a count of ``null`` keeps the count an earlier one gave; Groq's
``x_groq.usage`` stands for the usage of a chunk that has none of its own.

OpenAI-compatible servers
-------------------------

Compatible servers bend OpenAI's schema in known ways; the fold accepts
each of them.  What they add is kept: reasoning under the name each server
streams it by (``reasoning_content``, ``reasoning``, ``reasoning_details``,
and Mistral's ``thinking`` content parts) on the choice's message, joined
in :attr:`Accumulator.reasoning` for choice 0.  An ``error`` object inside
a chunk (OpenRouter) is an error, as ``data: {"error": ...}`` and ``event:
error`` are: the outcome is ``"errored"``.  A stream that ends without
``[DONE]`` is ``"completed"`` once every choice has finished (the fold
cannot see the end of the bytes: :attr:`~Accumulator.done` stays false).
A finish reason OpenAI does not use (Together's ``"eos"``) counts as
``"stop"``.  None of these is a violation; the bends below are.

Protocol violations are :class:`Violation`\\ s, kept in
:attr:`Accumulator.warnings`, or raised as :class:`~streamkit.FoldError` when
the accumulator is strict.  Their ``kind``:

``"invalid-event"``
    an event that could not be decoded (``on_error="yield"``): its delta is lost;
``"after-done"``
    a chunk, an error or a second ``[DONE]`` after ``[DONE]`` (folded all the same);
``"other-id"``
    a chunk whose non-empty ``id`` differs from the completion's: folded
    into the completion all the same (one stream is one completion; Groq's
    compound models send a new ``id`` with every chunk); recorded once, at
    the first such chunk;
``"index-out-of-range"``
    a choice or tool call ``index`` below 0 or above :data:`MAX_INDEX` (that
    part is not folded: an index is a key, not an allocation);
``"index-gap"``
    the first part of a tool call whose ``index`` comes before the first part
    of the tool call below it (folded in place all the same).  Choices may
    start in any order: with ``n`` > 1 nothing promises one;
``"unfinished-choice"``
    ``[DONE]`` before a choice had a ``finish_reason``.

The bends of compatible servers, each recorded once per stream, at the
first chunk that shows it (that chunk is folded all the same):

``"missing-field"``
    a chunk without ``id``, or the chunk the completion takes its header
    from without ``created`` or ``model``;
``"object-type"``
    the first chunk's ``object`` is neither ``"chat.completion.chunk"`` nor
    Azure's ``""`` (some servers send ``"chat.completion"``);
``"null-choices"``
    ``choices: null``, read as no choices (a chunk that leaves ``choices``
    out is no violation: OpenAI's audio stream does);
``"message-not-delta"``
    a choice carrying a whole ``message`` and no ``delta``: folded as its
    delta;
``"null-usage-count"``
    a usage object whose ``prompt_tokens``, ``completion_tokens`` or
    ``total_tokens`` is ``null`` or absent;
``"tool-call-without-index"``
    a tool call part without ``index``: it is merged into the tool call
    with its ``id``, or starts the next one for a new ``id``, or, without
    an ``id`` (or with ``""``), is placed by its position in the chunk's
    ``tool_calls``;
``"content-parts"``
    ``content`` as a list of typed parts (Mistral): the ``text`` parts are
    the content, the ``thinking`` parts reasoning.

And one recorded each time, since what it carried is lost:

``"unknown-content-part"``
    a part of a ``content`` list that is neither a ``text`` part nor a
    ``thinking`` part (not folded).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from msgspec import UNSET, Struct, UnsetType
from msgspec.structs import replace as _replace

from streamkit.dialects._builders import (
    ByIndex as _ByIndex,
    Fragments as _Fragments,
    materialize as _materialize,
)
from streamkit.dialects._face import Outcome, ToolCall as CommonToolCall, Usage
from streamkit.dialects._fold import FoldBase
from streamkit.dialects._violations import MAX_WARNINGS

from ._face import reasoning_of as _reasoning_of
from ._schema import (
    _NO_DELTA,
    UNKNOWN_FIELDS,
    AudioDelta,
    ChatCompletion,
    ChatCompletionAudio,
    ChatCompletionChunkEvent,
    ChatCompletionMessage,
    Choice,
    ChoiceDelta,
    ChoiceLogprobs,
    CompletionUsage,
    Custom,
    CustomDelta,
    CustomToolCall,
    Done,
    ErrorEvent,
    ErrorObject,
    Function,
    FunctionCall,
    FunctionCallDelta,
    FunctionToolCall,
    ToolCall,
    ToolCallDelta,
    Unknown,
)

if TYPE_CHECKING:
    from ._schema import ChatCompletionChunk

__all__ = ("MAX_INDEX", "MERGE", "Accumulator")

MAX_INDEX: Final = 10_000
"""The largest choice or tool call ``index`` folded; a larger one is a violation."""

# -- merge rules --------------------------------------------------------------------

CONCAT: Final = "concat"
APPEND: Final = "append"
BY_INDEX: Final = "by_index"
RAW: Final = "raw"

MERGE: Final[dict[tuple[type, str], str]] = {
    (ChoiceDelta, "content"): CONCAT,
    (ChoiceDelta, "refusal"): CONCAT,
    (ChoiceDelta, "tool_calls"): BY_INDEX,
    (ChoiceDelta, "annotations"): APPEND,
    (ChoiceDelta, "reasoning_content"): CONCAT,
    (ChoiceDelta, "reasoning"): CONCAT,
    (ChoiceDelta, "reasoning_details"): APPEND,
    (FunctionCallDelta, "arguments"): CONCAT,
    (CustomDelta, "input"): CONCAT,
    (AudioDelta, "data"): CONCAT,
    (AudioDelta, "transcript"): CONCAT,
    (ToolCallDelta, "unknown"): RAW,
    (ChoiceLogprobs, "content"): APPEND,
    (ChoiceLogprobs, "refusal"): APPEND,
}
"""How a delta field is merged into what was folded before it.

``CONCAT`` appends a string to the string so far (``content``, ``refusal``,
``reasoning_content``, ``reasoning``, a function's ``arguments``, a custom
tool's ``input``, audio ``data`` and ``transcript``; a ``content`` that is
a list of parts is split into text and thinking, see the module's
docstring); ``APPEND`` extends a list (annotations, ``reasoning_details``,
logprobs tokens);
``BY_INDEX`` merges each item of a list into the item with the same
``index`` (tool calls); ``RAW`` merges the raw JSON of a tool call of an
unknown kind key by key (strings concatenated, lists extended, objects
merged, anything else replaced, as openai-python merges every delta).

A field not listed is merged recursively when it is an object and replaced
otherwise: ``role``, ``id``, ``type``, a function's ``name``, audio ``id``
and ``expires_at`` are never concatenated or summed.  Under every rule a
``null`` never erases what was folded: it only stands where nothing was.
"""


def _merge_raw(node: dict[str, Any], delta: dict[str, Any]) -> None:
    """Merge raw JSON *delta* into *node* the way openai-python merges deltas (see RAW)."""
    for key, value in delta.items():
        current = node.get(key)
        if value is None:
            node.setdefault(key, None)
        elif type(value) is str and key not in ("id", "type"):
            if type(current) is _Fragments:
                current.add(value)
            else:
                node[key] = _Fragments([value])
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


# -- the accumulator ---------------------------------------------------------------


class _Choice:
    """One choice being folded: its message tree, logprobs, finish reason, last build."""

    __slots__ = ("built", "finish_reason", "index", "logprobs", "message", "reasoning", "text")

    def __init__(self, index: int) -> None:
        self.index = index
        self.message: dict[str, Any] = {}
        #: The fragments of ``content``, once there are some: the fast path.
        self.text: _Fragments | None = None
        #: The reasoning the deltas carried, as ``deltas()`` surfaces it.
        self.reasoning: _Fragments | None = None
        self.logprobs: dict[str, Any] | UnsetType | None = UNSET
        self.finish_reason: str | None = None
        self.built: Choice | None = None  # None: changed since the last build


class Accumulator(FoldBase):
    """Folds the events of a Chat Completions stream into one :class:`ChatCompletion`.

    Feed it every typed event of the stream, in order, with :meth:`feed`
    (events it has no use for, such as :class:`~streamkit.dialects.chat.UnknownEvent`,
    are ignored).  Read :attr:`result` at any time: the completion so far.
    Protocol violations are recorded in :attr:`warnings` (the first
    ``max_warnings``; later ones are only counted, in :attr:`warnings_dropped`);
    with ``strict=True`` they raise :class:`~streamkit.FoldError` instead.

    The common face (:class:`~streamkit.Fold`) reads choice 0: its content
    is :attr:`text`, its refusal :attr:`refusal`, its tool calls
    :attr:`tool_calls`; :attr:`outcome` considers every choice.
    :attr:`reasoning` is choice 0's reasoning, whichever way a compatible
    server streamed it.
    """

    dialect = "chat"

    def __init__(self, *, strict: bool = False, max_warnings: int = MAX_WARNINGS) -> None:
        super().__init__(strict=strict, max_warnings=max_warnings)
        self._started = False
        self._id = ""
        self._created = 0
        self._model = ""
        self._service_tier: str | UnsetType | None = UNSET
        self._system_fingerprint: str | UnsetType | None = UNSET
        self._usage: CompletionUsage | UnsetType | None = UNSET
        self._moderation: dict[str, Any] | UnsetType | None = UNSET
        self._prompt_filter_results: list[dict[str, Any]] | UnsetType = UNSET
        self._choices: dict[int, _Choice] = {}
        self._result: ChatCompletion | None = None
        self._bent: set[str] = set()  # the kinds of once-per-stream violations recorded

    # -- reading ---------------------------------------------------------------------

    @property
    def result(self) -> ChatCompletion | None:
        """The completion folded so far (None before the first chunk); never changes once read."""
        result = self._result
        if result is None and self._started:
            choices = []
            for index in sorted(self._choices):
                entry = self._choices[index]
                built = entry.built
                if built is None:
                    built = entry.built = _build_choice(entry)
                choices.append(built)
            usage = self._usage
            result = self._result = ChatCompletion(
                id=self._id,
                created=self._created,
                model=self._model,
                choices=choices,
                usage=usage,
                service_tier=self._service_tier,
                system_fingerprint=self._system_fingerprint,
                moderation=self._moderation,
                prompt_filter_results=(
                    UNSET
                    if type(self._prompt_filter_results) is UnsetType
                    else list(self._prompt_filter_results)
                ),
            )
        return result

    @property
    def outcome(self) -> Outcome:
        """How the stream ended (see the outcome table in the README).

        An error the server sent (an error payload, ``event: error``, or an
        ``error`` inside a chunk) makes it ``"errored"``.  Otherwise, once
        every choice has a ``finish_reason`` (whether ``[DONE]`` follows or
        not: some servers never send it) or ``[DONE]`` arrived, the least
        finished choice decides: ``length`` or ``content_filter`` is ``"incomplete"``,
        ``tool_calls`` or ``function_call`` is ``"requires_action"``, and so is a
        choice that holds tool calls whatever its reason (OpenAI-compatible
        servers such as Gemini's and Ollama's end tool calls with ``stop``);
        any other reason (``stop``, and the words other servers use) is
        ``"completed"``.
        ``[DONE]`` before a choice finished is ``"completed"`` with reason
        ``None`` (and an ``"unfinished-choice"`` violation); neither is
        ``"truncated"``.
        """
        if self._errors:
            return Outcome(kind="errored", error=self._errors[-1])
        entries = self._choices.values()
        if not self.done and (not entries or any(e.finish_reason is None for e in entries)):
            return _TRUNCATED
        best: tuple[int, str | None] = (0, None)
        for entry in entries:
            reason = entry.finish_reason
            rank = _RANKS.get(reason, 1) if reason is not None else 1
            if rank == 1 and (
                entry.message.get("tool_calls") or entry.message.get("function_call")
            ):
                rank = 2  # calls to answer, whatever word the server ended with
            if rank > best[0] or (rank == best[0] and best[1] is None):
                best = (rank, reason)
        rank, reason = best
        return Outcome(kind=_KIND_OF_RANK[max(rank, 1)], reason=reason)

    @property
    def text(self) -> str:
        """Choice 0's content so far (its audio transcript, for an audio answer without content)."""
        entry = self._choices.get(0)
        if entry is None:
            return ""
        content = entry.message.get("content")
        if type(content) is _Fragments:
            return content.text()
        audio = entry.message.get("audio")
        if type(audio) is dict:
            transcript = audio.get("transcript")
            if type(transcript) is _Fragments:
                return transcript.text()
        return ""

    @property
    def refusal(self) -> str:
        """Choice 0's refusal so far."""
        entry = self._choices.get(0)
        refusal = None if entry is None else entry.message.get("refusal")
        return refusal.text() if type(refusal) is _Fragments else ""

    @property
    def reasoning(self) -> str:
        """Choice 0's reasoning so far: the joined ``"reasoning"`` deltas of choice 0.

        A delta's reasoning is its ``reasoning_content``, else its
        ``reasoning``, else the text of its ``reasoning_details`` (a server
        that sends two of them sends the same text twice), and the text of
        Mistral's ``thinking`` parts.
        """
        entry = self._choices.get(0)
        reasoning = None if entry is None else entry.reasoning
        return "" if reasoning is None else reasoning.text()

    @property
    def tool_calls(self) -> list[CommonToolCall]:
        """Choice 0's tool calls so far (and a legacy ``function_call``), arguments as streamed."""
        entry = self._choices.get(0)
        if entry is None:
            return []
        calls: list[CommonToolCall] = []
        legacy = entry.message.get("function_call")
        if type(legacy) is dict:
            calls.append(_common_call(None, legacy, 0))
        items = entry.message.get("tool_calls")
        if type(items) is _ByIndex:
            for index in sorted(items):
                call = items[index]
                body = call.get("function")
                if type(body) is not dict:
                    body = call.get("custom")
                    if type(body) is dict:
                        body = {"name": body.get("name"), "arguments": body.get("input")}
                call_id = call.get("id")
                calls.append(
                    _common_call(call_id if type(call_id) is str else None, body or {}, index)
                )
        return calls

    @property
    def usage(self) -> Usage:
        """The token usage the stream reported (the usage chunk's), as a ``streamkit.Usage``."""
        usage = self._usage
        if type(usage) is not CompletionUsage:
            return _NO_USAGE
        prompt = usage.prompt_tokens_details
        completion = usage.completion_tokens_details
        return Usage(
            input_tokens=usage.prompt_tokens,
            output_tokens=usage.completion_tokens,
            total_tokens=usage.total_tokens,
            cached_input_tokens=_count(prompt, "cached_tokens"),
            reasoning_tokens=_count(completion, "reasoning_tokens"),
            raw=usage,
        )

    @property
    def errors(self) -> list[ErrorObject]:
        """The errors the server sent in the stream, in order."""
        return list(self._errors)

    # -- feeding ---------------------------------------------------------------------

    def feed(self, event: Any) -> None:
        """Fold one typed event (unknown events are ignored; an invalid one is a violation)."""
        self._ordinal += 1
        if type(event) is not ChatCompletionChunkEvent:
            self._feed_other(event)
            return
        # A chunk: the hot path, inlined here (a call costs what a content delta costs).
        if self.done:
            self._name = "message"
            self._violate("after-done", "a chunk after [DONE]", self._id or None)
        chunk: ChatCompletionChunk = event.data
        unset: Final = UNSET  # a local: read a score of times per chunk
        if chunk.id != self._id or not self._started:
            self._identify(chunk)
        error = chunk.error
        if error is not unset and error is not None:  # OpenRouter's, inside a chunk
            self._errors.append(ErrorObject(message=error) if type(error) is str else error)
        self._result = None
        choices = chunk.choices
        if choices:
            entries = self._choices
            for choice in choices:
                entry = entries.get(choice.index)
                if entry is None:
                    entry = self._new_choice(choice.index)
                    if entry is None:
                        continue
                entry.built = None
                delta = choice.delta
                content = delta.content
                text = entry.text
                if (
                    text is not None
                    and type(content) is str
                    and delta.role is unset
                    and delta.refusal is unset
                    and delta.tool_calls is unset
                    and delta.function_call is unset
                    and delta.audio is unset
                    and delta.annotations is unset
                    and delta.reasoning_content is unset
                    and delta.reasoning is unset
                    and delta.reasoning_details is unset
                ):
                    # The fast path: one more piece of content, and nothing else.
                    text.append(content)
                    if len(text) >= text.limit:
                        text.compact()
                elif delta is not _NO_DELTA:
                    self._fold_delta(entry, delta)
                elif choice.message is not unset:
                    self._once("message-not-delta", f"choice {entry.index}: a message, no delta")
                    self._fold_delta(entry, choice.message)
                logprobs = choice.logprobs
                if logprobs is not None:
                    if logprobs is not unset:
                        tree = entry.logprobs
                        if type(tree) is not dict:
                            tree = entry.logprobs = {}
                        self._merge(tree, logprobs, entry)
                elif entry.logprobs is unset:
                    entry.logprobs = None
                finish_reason = choice.finish_reason
                if finish_reason is not None and finish_reason is not unset:
                    entry.finish_reason = finish_reason
        elif choices is None:
            self._once("null-choices", "a chunk with choices: null")
        # The last non-null value wins; null stands only where nothing else was sent.
        value: Any = chunk.usage
        if value is not None:
            if value is not unset:
                self._on_usage(value)
            else:
                groq = chunk.x_groq  # Groq's place for the usage of the stream
                if groq and groq.usage:
                    self._on_usage(groq.usage)
        elif self._usage is unset:
            self._usage = None
        value = chunk.system_fingerprint
        if value is not None:
            if value is not unset:
                self._system_fingerprint = value
        elif self._system_fingerprint is unset:
            self._system_fingerprint = None
        value = chunk.service_tier
        if value is not None:
            if value is not unset:
                self._service_tier = value
        elif self._service_tier is unset:
            self._service_tier = None
        value = chunk.moderation
        if value is not None:
            if value is not unset:
                self._moderation = value
        elif self._moderation is unset:
            self._moderation = None
        value = chunk.prompt_filter_results
        if value:
            if type(self._prompt_filter_results) is list:
                self._prompt_filter_results.extend(value)
            else:
                self._prompt_filter_results = list(value)

    def _feed_other(self, event: Any) -> None:
        """An event that is not a chunk: an error, ``[DONE]``, or one the fold has no rule for."""
        kind = type(event)
        if kind is ErrorEvent:
            self._name = event.event
            if self.done:
                self._violate("after-done", "an error after [DONE]", self._id or None)
            self._errors.append(event.data)
        elif kind is Done:
            self._name = "message"
            if self.done:
                self._violate("after-done", "a second [DONE]", self._id or None)
            else:
                for index in sorted(self._choices):
                    if self._choices[index].finish_reason is None:
                        message = f"[DONE] before choice {index} finished"
                        self._violate("unfinished-choice", message, self._id or None, index)
            self.done = True
        else:
            self._unhandled(event)

    def _identify(self, chunk: ChatCompletionChunk) -> None:
        """A chunk that starts the completion or does not carry its ``id`` (not the hot path).

        The completion takes its header from the first chunk, then from the
        first with a non-empty ``id``; a chunk without ``id`` or with ``""``
        (Azure's content filter chunks) joins the completion so far, and so
        does, with a violation, a chunk of another ``id``.
        """
        chunk_id = chunk.id
        if not self._started:
            self._started = True
            kind = chunk.object
            if kind and kind != "chat.completion.chunk":
                self._once("object-type", f"a chunk whose object is {kind!r}")
        elif not chunk_id:  # no id, or "" (Azure's content filter chunks): one of ours
            if chunk_id is UNSET:
                self._once("missing-field", "a chunk without id")
            return
        elif self._id:
            message = f"a chunk of {chunk_id} in {self._id} (folded into {self._id})"
            self._once("other-id", message)
            return
        created, model = chunk.created, chunk.model
        if chunk_id is UNSET or created is UNSET or model is UNSET:
            fields = (("id", chunk_id), ("created", created), ("model", model))
            missing = " or ".join(name for name, value in fields if value is UNSET)
            self._once("missing-field", f"a chunk without {missing}")
        self._id = "" if chunk_id is UNSET else chunk_id
        self._created = 0 if created is UNSET else created
        self._model = "" if model is UNSET else model

    def _once(self, kind: str, message: str, index: int | None = None) -> None:
        """A bend of the schema: recorded the first time it shows in the stream."""
        if kind not in self._bent:
            self._bent.add(kind)
            self._name = "message"
            self._violate(kind, message, self._id or None, index)

    def _on_usage(self, usage: CompletionUsage) -> None:
        if (
            usage.prompt_tokens is None
            or usage.completion_tokens is None
            or usage.total_tokens is None
        ):
            self._once("null-usage-count", "a usage object with a count of null")
            previous = self._usage
            if type(previous) is CompletionUsage:  # a null count does not erase a count
                known = {
                    name: getattr(previous, name)
                    for name in ("prompt_tokens", "completion_tokens", "total_tokens")
                    if getattr(usage, name) is None
                }
                usage = _replace(usage, **known)
        self._usage = usage

    def _fold_delta(self, entry: _Choice, delta: ChoiceDelta) -> None:
        """Merge a delta that is more than one piece of content (the fast path's rest)."""
        self._merge(entry.message, delta, entry)
        text = entry.message.get("content")
        entry.text = text if type(text) is _Fragments else None
        if (
            delta.reasoning_content is not UNSET
            or delta.reasoning is not UNSET
            or delta.reasoning_details is not UNSET
        ):
            piece = _reasoning_of(delta)
            if piece:
                _add_reasoning(entry, piece)

    def _new_choice(self, index: int) -> _Choice | None:
        if not 0 <= index <= MAX_INDEX:
            self._name = "message"
            self._violate("index-out-of-range", f"choice index {index}", self._id or None)
            return None
        entry = self._choices[index] = _Choice(index)
        return entry

    # -- merging ---------------------------------------------------------------------

    def _merge(self, node: dict[str, Any], delta: Struct, entry: _Choice) -> None:
        """Merge the fields *delta* carries into *node*, by the rules of :data:`MERGE`."""
        cls = type(delta)
        for name in delta.__struct_fields__:
            value = getattr(delta, name)
            if value is UNSET:
                continue
            if value is None:  # null never erases what was folded
                node.setdefault(name, None)
                continue
            rule = MERGE.get((cls, name))
            if rule is None:
                if isinstance(value, Struct):
                    child = node.get(name)
                    if type(child) is not dict:
                        child = node[name] = {}
                    self._merge(child, value, entry)
                elif cls is not ToolCallDelta or name != "index":  # an index is the key
                    node[name] = value
            elif rule is CONCAT:
                if type(value) is list:  # a content of typed parts (Mistral)
                    self._merge_parts(node, value, entry)
                    continue
                current = node.get(name)
                if type(current) is _Fragments:
                    current.add(value)
                else:
                    node[name] = _Fragments([value])
            elif rule is APPEND:
                current = node.get(name)
                if type(current) is list:
                    current.extend(value)
                else:
                    node[name] = list(value)
            elif rule is BY_INDEX:
                self._merge_calls(node, name, value, entry)
            else:  # RAW
                extra = node.get(UNKNOWN_FIELDS)
                if type(extra) is not dict:
                    extra = node[UNKNOWN_FIELDS] = {}
                _merge_raw(extra, value)

    def _merge_parts(self, node: dict[str, Any], parts: list[Any], entry: _Choice) -> None:
        """Mistral's ``content`` parts: text to the content, thinking to ``thinking``."""
        self._once(
            "content-parts", f"choice {entry.index}: content as a list of parts", entry.index
        )
        for part in parts:
            kind = part.get("type")
            if kind == "text":
                text = part.get("text")
                if type(text) is str:
                    content = node.get("content")
                    if type(content) is _Fragments:
                        content.add(text)
                    else:
                        node["content"] = _Fragments([text])
                    continue
            elif kind == "thinking":
                thinking = part.get("thinking")
                if type(thinking) is str:
                    thinking = [{"type": "text", "text": thinking}]
                if type(thinking) is list:
                    self._merge_thinking(node, thinking, entry)
                    continue
            self._name = "message"
            self._violate(
                "unknown-content-part",
                f"choice {entry.index}: a content part of type {kind!r} (not folded)",
                self._id or None,
                entry.index,
            )

    def _merge_thinking(self, node: dict[str, Any], items: list[Any], entry: _Choice) -> None:
        """The parts of a thinking part, adjacent text parts joined into one."""
        tree = node.get("thinking")
        if type(tree) is not list:
            tree = node["thinking"] = []
        for item in items:
            text = item.get("text") if type(item) is dict else None
            if type(text) is str and item.get("type") == "text":
                if text:
                    _add_reasoning(entry, text)
                if len(item) == 2:  # nothing but its text: joined to the text before it
                    last = tree[-1] if tree else None
                    joined = last.get("text") if type(last) is dict else None
                    if type(joined) is _Fragments:
                        joined.add(text)
                    else:
                        tree.append({"type": "text", "text": _Fragments([text])})
                    continue
            tree.append(item)  # kept as sent

    def _merge_calls(
        self, node: dict[str, Any], name: str, calls: list[ToolCallDelta], entry: _Choice
    ) -> None:
        items = node.get(name)
        if type(items) is not _ByIndex:
            items = node[name] = _ByIndex()
        for position, call in enumerate(calls):
            index = call.index
            if index is UNSET:
                index = self._place(items, call, position, entry)
            if not 0 <= index <= MAX_INDEX:
                self._name = "message"
                self._violate(
                    "index-out-of-range",
                    f"choice {entry.index}: tool call index {index}",
                    self._id or None,
                    entry.index,
                )
                continue
            item = items.get(index)
            if item is None:
                if index > 0 and index - 1 not in items:
                    self._name = "message"
                    self._violate(
                        "index-gap",
                        f"choice {entry.index}: tool call {index} before tool call {index - 1}",
                        self._id or None,
                        entry.index,
                    )
                item = items[index] = {}
            self._merge(item, call, entry)

    def _place(self, items: _ByIndex, call: ToolCallDelta, position: int, entry: _Choice) -> int:
        """The index of a tool call part sent without one: by its ``id``, else its position."""
        message = f"choice {entry.index}: a tool call part without index"
        self._once("tool-call-without-index", message, entry.index)
        call_id = call.id
        if type(call_id) is str and call_id:
            for index, item in items.items():
                if item.get("id") == call_id:
                    return index
            return max(items) + 1 if items else 0
        return position


_TRUNCATED: Final = Outcome(kind="truncated")
_NO_USAGE: Final = Usage()
_RANKS: Final[dict[str | None, int]] = {
    "stop": 1,
    "tool_calls": 2,
    "function_call": 2,
    "length": 3,
    "content_filter": 3,
}
"""How unfinished a finish reason leaves a choice (an unknown reason counts as ``stop``)."""
_KIND_OF_RANK: Final[dict[int, Any]] = {1: "completed", 2: "requires_action", 3: "incomplete"}


def _add_reasoning(entry: _Choice, piece: str) -> None:
    reasoning = entry.reasoning
    if reasoning is None:
        entry.reasoning = _Fragments([piece])
    else:
        reasoning.add(piece)


def _count(details: Any, name: str) -> int | None:
    """A count from a token details object, ``None`` where the stream did not say."""
    if details is None or details is UNSET:
        return None
    value = getattr(details, name, None)
    return value if type(value) is int else None


def _common_call(call_id: str | None, body: dict[str, Any], index: int) -> CommonToolCall:
    """A :class:`~streamkit.ToolCall` of a folded call's ``{"name", "arguments"}`` tree."""
    name = _materialize(body.get("name"))
    arguments = _materialize(body.get("arguments"))
    return CommonToolCall(
        id=call_id,
        name=name if type(name) is str else "",
        arguments=arguments if type(arguments) is str else "",
        index=index,
    )


# -- building the result ------------------------------------------------------------


def _build_choice(entry: _Choice) -> Choice:
    logprobs = entry.logprobs
    return Choice(
        index=entry.index,
        message=_build_message(entry.message),
        logprobs=_build_logprobs(logprobs) if isinstance(logprobs, dict) else logprobs,
        finish_reason=entry.finish_reason,
    )


def _build_logprobs(tree: dict[str, Any]) -> ChoiceLogprobs:
    content = tree.get("content")
    refusal = tree.get("refusal", UNSET)
    return ChoiceLogprobs(
        content=list(content) if type(content) is list else None,
        refusal=list(refusal) if type(refusal) is list else refusal,
    )


def _build_message(tree: dict[str, Any]) -> ChatCompletionMessage:
    role = tree.get("role")
    fields: dict[str, Any] = {"role": role if type(role) is str else "assistant"}
    for name in ("content", "refusal", "reasoning_content", "reasoning"):
        value = tree.get(name, UNSET)
        fields[name] = value.text() if type(value) is _Fragments else value
    for name in ("annotations", "reasoning_details"):
        value = tree.get(name, UNSET)
        fields[name] = list(value) if type(value) is list else value
    thinking = tree.get("thinking", UNSET)
    if type(thinking) is list:
        fields["thinking"] = _materialize(thinking)
    audio = tree.get("audio", UNSET)
    if type(audio) is dict:
        audio = _build_audio(_materialize(audio))
    fields["audio"] = audio
    call = tree.get("function_call", UNSET)
    if type(call) is dict:
        call = _build_function_call(_materialize(call))
    fields["function_call"] = call
    calls = tree.get("tool_calls", UNSET)
    if type(calls) is _ByIndex:
        calls = [_build_tool_call(_materialize(calls[index])) for index in sorted(calls)]
    fields["tool_calls"] = calls
    return ChatCompletionMessage(**fields)


def _text(value: Any) -> str:
    return value if type(value) is str else ""


def _build_audio(audio: dict[str, Any]) -> ChatCompletionAudio:
    expires_at = audio.get("expires_at", UNSET)
    return ChatCompletionAudio(
        id=_text(audio.get("id")),
        data=_text(audio.get("data")),
        expires_at=expires_at if type(expires_at) is int or expires_at is None else UNSET,
        transcript=_text(audio.get("transcript")),
    )


def _build_function_call(call: dict[str, Any]) -> FunctionCall:
    return FunctionCall(name=_text(call.get("name")), arguments=_text(call.get("arguments")))


def _build_tool_call(call: dict[str, Any]) -> ToolCall:
    """A complete tool call of a known kind as its Struct; anything else as :class:`Unknown`.

    A call whose parts never said their ``type`` is a function call when
    it has a ``function`` (OpenAI always sends ``type``; some compatible
    servers do not).
    """
    extra = call.pop(UNKNOWN_FIELDS, None)
    if extra is not None:
        return Unknown(data={**call, **extra})
    kind = call.get("type")
    call_id = call.get("id")
    if type(call_id) is str:
        function = call.get("function")
        if (kind == "function" or (kind is None and "custom" not in call)) and type(
            function
        ) is dict:
            name = function.get("name")
            if type(name) is str:
                return FunctionToolCall(
                    id=call_id,
                    function=Function(name=name, arguments=_text(function.get("arguments"))),
                )
        custom = call.get("custom")
        if (kind == "custom" or (kind is None and function is None)) and type(custom) is dict:
            name = custom.get("name")
            if type(name) is str:
                return CustomToolCall(
                    id=call_id, custom=Custom(name=name, input=_text(custom.get("input")))
                )
    return Unknown(data=call)
