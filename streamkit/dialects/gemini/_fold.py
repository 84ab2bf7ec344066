"""The fold: Gemini chunks in, one :class:`GenerateContentResponse` out.

Theory of operation
-------------------

Every chunk of a ``streamGenerateContent`` stream is a whole
``GenerateContentResponse``: for some candidates (by ``index``, absent for
0) the parts that are new, and metadata as it stands.  The accumulator keeps
one entry per candidate index.  An entry holds its parts in order; text is
merged as it streams, everything else is kept as it came:

- a text part joins the text part before it when both are thoughts or both
  are not, and at most one of them carries a ``thoughtSignature`` (the
  joined part keeps it; a second signature starts a new part, so no
  signature is lost).  Its text is a :class:`~streamkit.dialects._builders.Fragments`,
  so a piece costs the size of the piece, never of the text before it;
- a ``functionCall`` part is a part of its own, always: parallel calls stay
  apart, and each arrives whole (its ``args`` an object);
- ``executableCode``, ``codeExecutionResult``, ``inlineData``, ``fileData``,
  ``functionResponse``, Gemini 3's ``toolCall`` / ``toolResponse`` and parts
  of unknown kinds are parts of their own too.

Of a candidate's metadata, ``finishReason``, ``finishMessage``,
``safetyRatings``, ``tokenCount``, ``avgLogprobs`` and the content's ``role``
are the last value sent; ``citationMetadata`` citations are appended;
``groundingMetadata`` and ``urlContextMetadata`` are merged key by key, the
later value of a key winning (servers send ``{}`` on early chunks and the
whole object on the last); ``logprobsResult`` lists are appended.  Of the
response, ``usageMetadata`` (with its token details), ``promptFeedback``,
``modelVersion`` and ``createTime`` are the last sent, ``responseId`` the
first.

:attr:`Accumulator.result` is built only when read, and kept until the next
chunk changes something; only the candidates that changed are built again.
A result once returned never changes.

How the stream ended (:attr:`Accumulator.outcome`), by the first row that
applies:

=====================================================  ===================  ====================
the stream                                             ``kind``             ``reason``
=====================================================  ===================  ====================
sent an error object (``{"error": {...}}``)            ``errored``          ``None``
``promptFeedback.blockReason``                         ``incomplete``       the block reason
candidate 0 has no ``finishReason``                    ``truncated``        ``None``
``STOP`` and a ``functionCall`` part in candidate 0    ``requires_action``  ``"STOP"``
``STOP``                                               ``completed``        ``"STOP"``
``MALFORMED_FUNCTION_CALL``, ``UNEXPECTED_TOOL_CALL``,  ``failed``           the finish reason
``TOO_MANY_TOOL_CALLS``, ``MISSING_THOUGHT_SIGNATURE``,
``MALFORMED_RESPONSE``
any other reason (``MAX_TOKENS``, ``SAFETY``,           ``incomplete``       the finish reason
``RECITATION``, ``LANGUAGE``, ``BLOCKLIST``,
``PROHIBITED_CONTENT``, ``SPII``, ``IMAGE_SAFETY``,
``OTHER``, a reason new to this table...)
=====================================================  ===================  ====================

``failed`` is for the reasons that say the generation itself went wrong (the
model wrote a call that cannot be parsed or names no declared tool, the
server's tool loop gave up, the request lacked a signature): the output is no
answer cut short, and retrying or fixing the request is the remedy; its
``error`` is the ``finishMessage``.  A reason sent as a number
(``enum-encoding=int``) is named by the Gemini API's numbering, or by Vertex
AI's when the stream carries ``createTime`` (which only Vertex AI sends); a
number neither names is kept as its digits.

Protocol violations are :class:`~streamkit.Violation`\\ s, kept in
``warnings`` or raised as :class:`~streamkit.FoldError` when the fold is
strict.  Their ``kind``:

``"invalid-event"``, ``"dialect-mismatch"``
    as in every dialect;
``"other-response"``
    a chunk whose ``responseId`` differs from the first one's (not folded);
``"index-out-of-range"``
    a candidate ``index`` below 0 or above :data:`MAX_INDEX` (not folded);
``"after-finish"``
    parts for a candidate after its ``finishReason`` (folded all the same).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import msgspec
from msgspec import UNSET, UnsetType

from streamkit.dialects._builders import Fragments
from streamkit.dialects._face import Outcome, ToolCall as CommonToolCall, Usage
from streamkit.dialects._fold import FoldBase
from streamkit.dialects._violations import MAX_WARNINGS

from ._schema import (
    Candidate,
    Citation,
    CitationMetadata,
    Content,
    ErrorEvent,
    ErrorObject,
    GenerateContentResponse,
    GenerateContentResponseEvent,
    Part,
    PromptFeedback,
    SafetyRating,
    UsageMetadata,
)

if TYPE_CHECKING:
    from ._schema import Enum

__all__ = (
    "BLOCK_REASONS",
    "FINISH_REASONS",
    "MAX_INDEX",
    "OUTCOME_OF",
    "VERTEX_FINISH_REASONS",
    "Accumulator",
)

MAX_INDEX: Final = 10_000
"""The largest candidate ``index`` folded; a larger one is a violation."""

FINISH_REASONS: Final[dict[int, str]] = {
    0: "FINISH_REASON_UNSPECIFIED",
    1: "STOP",
    2: "MAX_TOKENS",
    3: "SAFETY",
    4: "RECITATION",
    5: "OTHER",
    6: "LANGUAGE",
    7: "BLOCKLIST",
    8: "PROHIBITED_CONTENT",
    9: "SPII",
    10: "MALFORMED_FUNCTION_CALL",
    11: "IMAGE_SAFETY",
    12: "UNEXPECTED_TOOL_CALL",
}
"""The Gemini API's numbers of its finish reasons (``google.ai.generativelanguage.v1beta``)."""

VERTEX_FINISH_REASONS: Final[dict[int, str]] = {
    0: "FINISH_REASON_UNSPECIFIED",
    1: "STOP",
    2: "MAX_TOKENS",
    3: "SAFETY",
    4: "RECITATION",
    5: "OTHER",
    6: "BLOCKLIST",
    7: "PROHIBITED_CONTENT",
    8: "SPII",
    9: "MALFORMED_FUNCTION_CALL",
    10: "MODEL_ARMOR",
}
"""Vertex AI's numbers of its finish reasons (``google.cloud.aiplatform.v1``): from 6 on they
differ from the Gemini API's."""

BLOCK_REASONS: Final[dict[int, str]] = {
    0: "BLOCK_REASON_UNSPECIFIED",
    1: "SAFETY",
    2: "OTHER",
    3: "BLOCKLIST",
    4: "PROHIBITED_CONTENT",
}
"""The numbers of the prompt block reasons (the same in both APIs as far as they go)."""

OUTCOME_OF: Final[dict[str, Any]] = {
    "STOP": "completed",
    "MALFORMED_FUNCTION_CALL": "failed",
    "UNEXPECTED_TOOL_CALL": "failed",
    "TOO_MANY_TOOL_CALLS": "failed",
    "MISSING_THOUGHT_SIGNATURE": "failed",
    "MALFORMED_RESPONSE": "failed",
}
"""The outcome kind of a finish reason; every reason not listed is ``"incomplete"``."""


# -- the accumulator ---------------------------------------------------------------


class _Text:
    """A text part being folded: its fragments, whether a thought, its signature, its first part."""

    __slots__ = ("first", "signature", "text", "thought")

    def __init__(self, part: Part, thought: bool) -> None:
        self.first = part
        self.thought = thought
        text = part.text
        self.text = Fragments([text] if type(text) is str and text else [])
        signature = part.thought_signature
        self.signature: str | UnsetType = signature

    def build(self) -> Part:
        first = self.first
        text = self.text.text()
        if first.text == text and first.thought_signature == self.signature:
            return first
        return msgspec.structs.replace(first, text=text, thought_signature=self.signature)


class _Candidate:
    """One candidate being folded: its parts, its metadata, its last build."""

    __slots__ = (
        "avg_logprobs",
        "built",
        "calls",
        "citations",
        "continuation_token",
        "finish_message",
        "finish_reason",
        "grounding",
        "index",
        "last",
        "logprobs",
        "parts",
        "role",
        "safety_ratings",
        "sources",
        "token_count",
        "url_context",
    )

    def __init__(self, index: int) -> None:
        self.index = index
        #: The parts so far: a :class:`_Text` for each text part, else the part as it came.
        self.parts: list[_Text | Part] = []
        self.last: _Text | None = None  # the last part, when it is text
        self.calls = 0  # functionCall parts so far
        self.role: str | UnsetType = UNSET
        self.finish_reason: Enum | UnsetType = UNSET
        self.finish_message: str | UnsetType = UNSET
        self.safety_ratings: list[SafetyRating] | UnsetType = UNSET
        self.sources: list[Citation] | UnsetType = UNSET  # citationSources
        self.citations: list[Citation] | UnsetType = UNSET
        self.token_count: int | UnsetType = UNSET
        self.grounding: dict[str, Any] | UnsetType = UNSET
        self.url_context: dict[str, Any] | UnsetType = UNSET
        self.avg_logprobs: float | UnsetType = UNSET
        self.logprobs: dict[str, Any] | UnsetType = UNSET
        self.continuation_token: str | UnsetType = UNSET
        self.built: Candidate | None = None  # None: changed since the last build


class Accumulator(FoldBase):
    """Folds the events of a Gemini stream (either form) into one :class:`GenerateContentResponse`.

    Feed it every typed event of the stream, in order, with :meth:`feed`.
    Read :attr:`result` at any time: the response so far, shaped like the
    non-streaming ``generateContent`` response.  Protocol violations are
    recorded in :attr:`warnings` (the first ``max_warnings``; later ones are
    only counted, in :attr:`warnings_dropped`); with ``strict=True`` they
    raise :class:`~streamkit.FoldError` instead.

    The common face (:class:`~streamkit.Fold`) reads candidate 0: its text
    parts that are not thoughts are :attr:`text`, its thoughts
    :attr:`reasoning`, its ``functionCall`` parts :attr:`tool_calls`; the
    outcome table is in this module's docstring.  ``done`` is true once
    every candidate has a ``finishReason``, or the prompt was blocked.
    """

    dialect = "gemini"

    def __init__(self, *, strict: bool = False, max_warnings: int = MAX_WARNINGS) -> None:
        super().__init__(strict=strict, max_warnings=max_warnings)
        self._started = False
        self._response_id: str | UnsetType = UNSET
        self._model_version: str | UnsetType = UNSET
        self._create_time: str | UnsetType = UNSET
        self._model_status: dict[str, Any] | UnsetType = UNSET
        self._usage: UsageMetadata | UnsetType = UNSET
        self._prompt_feedback: PromptFeedback | UnsetType = UNSET
        self._candidates: dict[int, _Candidate] = {}
        self._unfinished = 0  # candidates without a finishReason
        self._result: GenerateContentResponse | None = None

    # -- reading ---------------------------------------------------------------------

    @property
    def result(self) -> GenerateContentResponse | None:
        """The response folded so far (None before the first chunk); never changes once read."""
        result = self._result
        if result is None and self._started:
            candidates = []
            for index in sorted(self._candidates):
                entry = self._candidates[index]
                built = entry.built
                if built is None:
                    built = entry.built = _build_candidate(entry)
                candidates.append(built)
            result = self._result = GenerateContentResponse(
                candidates=candidates if candidates else UNSET,
                prompt_feedback=self._prompt_feedback,
                usage_metadata=self._usage,
                model_version=self._model_version,
                response_id=self._response_id,
                create_time=self._create_time,
                model_status=self._model_status,
            )
        return result

    @property
    def outcome(self) -> Outcome:
        """How the stream ended: see the table in this module's docstring."""
        if self._errors:
            return Outcome(kind="errored", error=self._errors[-1])
        feedback = self._prompt_feedback
        if feedback is not UNSET:
            reason = feedback.block_reason
            if reason is not UNSET:
                return Outcome(kind="incomplete", reason=_name(reason, BLOCK_REASONS))
        entry = self._candidates.get(0)
        if entry is None or entry.finish_reason is UNSET:
            return _TRUNCATED
        table = FINISH_REASONS if self._create_time is UNSET else VERTEX_FINISH_REASONS
        reason = _name(entry.finish_reason, table)
        kind = OUTCOME_OF.get(reason, "incomplete")
        if kind == "completed" and entry.calls:
            kind = "requires_action"
        if kind == "failed":
            message = entry.finish_message
            return Outcome(kind=kind, reason=reason, error=None if message is UNSET else message)
        return Outcome(kind=kind, reason=reason)

    @property
    def text(self) -> str:
        """Candidate 0's text so far: its text parts that are not thoughts, joined."""
        return self._joined(thought=False)

    @property
    def reasoning(self) -> str:
        """Candidate 0's thoughts so far: its thought parts' text, joined."""
        return self._joined(thought=True)

    @property
    def refusal(self) -> str:
        """Always ``""``: Gemini has no refusal of its own (a block is a finish reason)."""
        return ""

    @property
    def tool_calls(self) -> list[CommonToolCall]:
        """Candidate 0's ``functionCall`` parts so far, arguments the JSON of their ``args``.

        ``index`` is the call's position among the candidate's function calls;
        ``id`` is the one Gemini 3 gives, else ``None``.
        """
        entry = self._candidates.get(0)
        if entry is None or not entry.calls:
            return []
        calls: list[CommonToolCall] = []
        for part in entry.parts:
            if type(part) is Part:
                call = part.function_call
                if call is not UNSET:
                    calls.append(
                        CommonToolCall(
                            id=call.id if type(call.id) is str else None,
                            name=call.name if type(call.name) is str else "",
                            arguments=arguments_of(call.args),
                            index=len(calls),
                        )
                    )
        return calls

    @property
    def usage(self) -> Usage:
        """The last ``usageMetadata``, as a ``streamkit.Usage``.

        ``output_tokens`` counts the thoughts too (``candidatesTokenCount`` +
        ``thoughtsTokenCount``, as they are billed), of which
        ``reasoning_tokens`` are the thoughts; ``input_tokens`` is
        ``promptTokenCount`` (server-side tool results,
        ``toolUsePromptTokenCount``, are only in ``total_tokens`` and ``raw``).
        The API leaves out a count that is zero (proto3 JSON), so once a
        ``usageMetadata`` arrived the input, output and total counts are
        numbers, 0 where left out; ``cached_input_tokens`` and
        ``reasoning_tokens`` stay ``None`` unless sent (no cache, no thinking).
        """
        usage = self._usage
        if usage is UNSET:
            return _NO_USAGE
        thoughts = _count(usage.thoughts_token_count)
        return Usage(
            input_tokens=_count(usage.prompt_token_count) or 0,
            output_tokens=(_count(usage.candidates_token_count) or 0) + (thoughts or 0),
            total_tokens=_count(usage.total_token_count) or 0,
            cached_input_tokens=_count(usage.cached_content_token_count),
            reasoning_tokens=thoughts,
            raw=usage,
        )

    @property
    def errors(self) -> list[ErrorObject]:
        """The errors the server sent in the stream, in order."""
        return list(self._errors)

    def _joined(self, *, thought: bool) -> str:
        entry = self._candidates.get(0)
        if entry is None:
            return ""
        texts = [p.text.text() for p in entry.parts if type(p) is _Text and p.thought is thought]
        return texts[0] if len(texts) == 1 else "".join(texts)

    # -- feeding ---------------------------------------------------------------------

    def feed(self, event: Any) -> None:
        """Fold one typed event (unknown events are ignored; an invalid one is a violation)."""
        self._ordinal += 1
        kind = type(event)
        if kind is GenerateContentResponseEvent:
            self._on_response(event.data)
        elif kind is ErrorEvent:
            self._name = "message"
            self._errors.append(event.data)
        else:
            self._unhandled(event)

    def _on_response(self, response: GenerateContentResponse) -> None:
        response_id = response.response_id
        if response_id is not UNSET and response_id != self._response_id:
            if self._response_id is UNSET:
                self._response_id = response_id
            else:
                self._name = "message"
                self._violate(
                    "other-response",
                    f"a chunk of {response_id} in {self._response_id}",
                    self._response_id,
                )
                return
        self._started = True
        self._result = None
        candidates = response.candidates
        if candidates:
            entries = self._candidates
            for candidate in candidates:
                index = candidate.index
                entry = entries.get(0 if index is UNSET else index)
                if entry is None:
                    entry = self._new_candidate(0 if index is UNSET else index)
                    if entry is None:
                        continue
                entry.built = None
                content = candidate.content
                if content is not UNSET:
                    parts = content.parts
                    if parts:
                        if entry.finish_reason is not UNSET:
                            self._name = "message"
                            message = f"parts for candidate {entry.index} after its finishReason"
                            self._violate("after-finish", message, _id(self), entry.index)
                        last = entry.last
                        for part in parts:
                            text = part.text
                            if text is not UNSET:
                                thought = part.thought is True
                                signature = part.thought_signature
                                if last is not None and last.thought is thought:
                                    if signature is UNSET:
                                        # The usual chunk: one more piece of text.
                                        if text:
                                            last.text.add(text)
                                        continue
                                    if last.signature is UNSET:
                                        if text:
                                            last.text.add(text)
                                        last.signature = signature
                                        continue
                                last = _Text(part, thought)
                                entry.parts.append(last)
                            else:
                                last = None
                                entry.parts.append(part)
                                if part.function_call is not UNSET:
                                    entry.calls += 1
                        entry.last = last
                    role = content.role
                    if role is not UNSET:
                        entry.role = role
                self._on_metadata(entry, candidate)
        value: Any = response.usage_metadata
        if value is not UNSET:
            self._usage = value
        value = response.model_version
        if value is not UNSET:
            self._model_version = value
        value = response.create_time
        if value is not UNSET:
            self._create_time = value
        value = response.model_status
        if value is not UNSET:
            self._model_status = value
        value = response.prompt_feedback
        if value is not UNSET:
            self._prompt_feedback = value
            if value.block_reason is not UNSET:
                self.done = True

    def _new_candidate(self, index: int) -> _Candidate | None:
        if not 0 <= index <= MAX_INDEX:
            self._name = "message"
            self._violate("index-out-of-range", f"candidate index {index}", _id(self))
            return None
        entry = self._candidates[index] = _Candidate(index)
        self._unfinished += 1
        self.done = False
        return entry

    def _on_metadata(self, entry: _Candidate, candidate: Candidate) -> None:
        value: Any = candidate.finish_reason
        if value is not UNSET:
            if entry.finish_reason is UNSET:
                self._unfinished -= 1
                if not self._unfinished:
                    self.done = True
            entry.finish_reason = value
        value = candidate.finish_message
        if value is not UNSET:
            entry.finish_message = value
        value = candidate.safety_ratings
        if value is not UNSET:
            entry.safety_ratings = value
        value = candidate.citation_metadata
        if value is not UNSET:
            if value.citation_sources:
                entry.sources = [*(entry.sources or ()), *value.citation_sources]
            if value.citations:
                entry.citations = [*(entry.citations or ()), *value.citations]
        value = candidate.token_count
        if value is not UNSET:
            entry.token_count = value
        value = candidate.grounding_metadata
        if value is not UNSET:
            entry.grounding = value if entry.grounding is UNSET else {**entry.grounding, **value}
        value = candidate.url_context_metadata
        if value is not UNSET:
            current = entry.url_context
            entry.url_context = value if current is UNSET else {**current, **value}
        value = candidate.avg_logprobs
        if value is not UNSET:
            entry.avg_logprobs = value
        value = candidate.logprobs_result
        if value is not UNSET:
            entry.logprobs = _merge_logprobs(entry.logprobs, value)
        value = candidate.continuation_token
        if value is not UNSET:
            entry.continuation_token = value


_TRUNCATED: Final = Outcome(kind="truncated")
_NO_USAGE: Final = Usage()
_encode_json = msgspec.json.Encoder().encode


def arguments_of(args: dict[str, Any] | UnsetType) -> str:
    """A function call's ``args`` as JSON text (``"{}"`` when the call sent none)."""
    if args is UNSET:
        return "{}"
    return _encode_json(args).decode()


def _name(value: Enum, table: dict[int, str]) -> str:
    """An enum value as its name: a name as it is, a number by *table* (else its digits)."""
    if type(value) is str:
        return value
    return table.get(value, str(value))  # type: ignore[arg-type]


def _count(value: int | UnsetType) -> int | None:
    return value if type(value) is int else None


def _id(acc: Accumulator) -> str | None:
    response_id = acc._response_id
    return None if response_id is UNSET else response_id


def _merge_logprobs(current: dict[str, Any] | UnsetType, new: dict[str, Any]) -> dict[str, Any]:
    """``logprobsResult`` of a chunk merged into the ones before: lists appended, else replaced."""
    if current is UNSET:
        return dict(new)
    merged = dict(current)
    for key, value in new.items():
        before = merged.get(key)
        if type(value) is list and type(before) is list:
            merged[key] = before + value
        else:
            merged[key] = value
    return merged


# -- building the result ------------------------------------------------------------


def _build_candidate(entry: _Candidate) -> Candidate:
    parts = [part.build() if isinstance(part, _Text) else part for part in entry.parts]
    content: Content | UnsetType = UNSET
    if parts or entry.role is not UNSET:
        content = Content(parts=parts if parts else UNSET, role=entry.role)
    citations: CitationMetadata | UnsetType = UNSET
    if entry.sources is not UNSET or entry.citations is not UNSET:
        citations = CitationMetadata(citation_sources=entry.sources, citations=entry.citations)
    return Candidate(
        content=content,
        finish_reason=entry.finish_reason,
        finish_message=entry.finish_message,
        index=entry.index,
        safety_ratings=entry.safety_ratings,
        citation_metadata=citations,
        token_count=entry.token_count,
        grounding_metadata=entry.grounding,
        url_context_metadata=entry.url_context,
        avg_logprobs=entry.avg_logprobs,
        logprobs_result=entry.logprobs,
        continuation_token=entry.continuation_token,
    )
