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
with a non-empty ``id`` (Azure's first chunk has ``id: ""``);
``service_tier``, ``system_fingerprint``, ``usage`` and ``moderation`` are
the last non-null value sent (``null`` where only ``null`` was sent, absent
where nothing was).

Protocol violations are :class:`Violation`\\ s, kept in
:attr:`Accumulator.warnings`, or raised as :class:`~streamkit.FoldError` when
the accumulator is strict.  Their ``kind``:

``"invalid-event"``
    an event that could not be decoded (``on_error="yield"``): its delta is lost;
``"after-done"``
    a chunk, an error or a second ``[DONE]`` after ``[DONE]`` (folded all the same);
``"other-id"``
    a chunk whose non-empty ``id`` differs from the completion's (not folded);
``"index-out-of-range"``
    a choice or tool call ``index`` below 0 or above :data:`MAX_INDEX` (that
    part is not folded: an index is a key, not an allocation);
``"index-gap"``
    the first part of a tool call whose ``index`` comes before the first part
    of the tool call below it (folded in place all the same).  Choices may
    start in any order: with ``n`` > 1 nothing promises one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from msgspec import UNSET, Struct, UnsetType

from streamkit.dialects._builders import (
    ByIndex as _ByIndex,
    Fragments as _Fragments,
    materialize as _materialize,
)
from streamkit.dialects._face import Outcome, ToolCall as CommonToolCall, Usage
from streamkit.dialects._fold import FoldBase
from streamkit.dialects._violations import MAX_WARNINGS

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
a function's ``arguments``, a custom tool's ``input``, audio ``data`` and
``transcript``); ``APPEND`` extends a list (annotations, logprobs tokens);
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

    __slots__ = ("built", "finish_reason", "index", "logprobs", "message", "text")

    def __init__(self, index: int) -> None:
        self.index = index
        self.message: dict[str, Any] = {}
        #: The fragments of ``content``, once there are some: the fast path.
        self.text: _Fragments | None = None
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

        An error payload makes it ``"errored"``.  Otherwise, once every choice
        has a ``finish_reason`` (or ``[DONE]`` arrived), the least finished
        choice decides: ``length`` or ``content_filter`` is ``"incomplete"``,
        ``tool_calls`` or ``function_call`` is ``"requires_action"``, any other
        reason (``stop``, and the words other servers use) is ``"completed"``.
        ``[DONE]`` before a choice finished is ``"completed"`` with reason
        ``None`` (and an ``"unfinished-choice"`` violation); neither is
        ``"truncated"``.
        """
        if self._errors:
            return Outcome(kind="errored", error=self._errors[-1])
        reasons = [entry.finish_reason for entry in self._choices.values()]
        if not self.done and (not reasons or None in reasons):
            return _TRUNCATED
        best: tuple[int, str | None] = (0, None)
        for reason in reasons:
            rank = _RANKS.get(reason, 1) if reason is not None else 1
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
        kind = type(event)
        if kind is ChatCompletionChunkEvent:
            if self.done:
                self._name = "message"
                self._violate("after-done", "a chunk after [DONE]", self._id or None)
            self._on_chunk(event.data)
        elif kind is ErrorEvent:
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

    def _on_chunk(self, chunk: ChatCompletionChunk) -> None:
        chunk_id = chunk.id
        if chunk_id != self._id or not self._started:
            if not self._started:
                self._started = True
            elif not chunk_id:
                pass  # Azure's content filter chunks: no id, no completion of their own
            elif self._id:
                self._name = "message"
                self._violate("other-id", f"a chunk of {chunk_id} in {self._id}", self._id)
                return
            if chunk_id or not self._id:
                self._id, self._created, self._model = chunk_id, chunk.created, chunk.model
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
                    and delta.role is UNSET
                    and delta.refusal is UNSET
                    and delta.tool_calls is UNSET
                    and delta.function_call is UNSET
                    and delta.audio is UNSET
                    and delta.annotations is UNSET
                ):
                    # The fast path: one more piece of content, and nothing else.
                    text.append(content)
                    if len(text) >= text.limit:
                        text.compact()
                elif delta is not _NO_DELTA:
                    self._merge(entry.message, delta, entry)
                    text = entry.message.get("content")
                    entry.text = text if type(text) is _Fragments else None
                logprobs = choice.logprobs
                if logprobs is not None:
                    if logprobs is not UNSET:
                        tree = entry.logprobs
                        if type(tree) is not dict:
                            tree = entry.logprobs = {}
                        self._merge(tree, logprobs, entry)
                elif entry.logprobs is UNSET:
                    entry.logprobs = None
                finish_reason = choice.finish_reason
                if finish_reason is not None and finish_reason is not UNSET:
                    entry.finish_reason = finish_reason
        # The last non-null value wins; null stands only where nothing else was sent.
        value: Any = chunk.usage
        if value is not None:
            if value is not UNSET:
                self._usage = value
        elif self._usage is UNSET:
            self._usage = None
        value = chunk.system_fingerprint
        if value is not None:
            if value is not UNSET:
                self._system_fingerprint = value
        elif self._system_fingerprint is UNSET:
            self._system_fingerprint = None
        value = chunk.service_tier
        if value is not None:
            if value is not UNSET:
                self._service_tier = value
        elif self._service_tier is UNSET:
            self._service_tier = None
        value = chunk.moderation
        if value is not None:
            if value is not UNSET:
                self._moderation = value
        elif self._moderation is UNSET:
            self._moderation = None
        value = chunk.prompt_filter_results
        if value:
            if type(self._prompt_filter_results) is list:
                self._prompt_filter_results.extend(value)
            else:
                self._prompt_filter_results = list(value)

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

    def _merge_calls(
        self, node: dict[str, Any], name: str, calls: list[ToolCallDelta], entry: _Choice
    ) -> None:
        items = node.get(name)
        if type(items) is not _ByIndex:
            items = node[name] = _ByIndex()
        for call in calls:
            index = call.index
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
    for name in ("content", "refusal"):
        value = tree.get(name, UNSET)
        fields[name] = value.text() if type(value) is _Fragments else value
    annotations = tree.get("annotations", UNSET)
    fields["annotations"] = list(annotations) if type(annotations) is list else annotations
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
