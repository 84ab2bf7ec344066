"""The fold: the lines of a stream in, one :class:`ChatResponse` or :class:`GenerateResponse` out.

Theory of operation
-------------------

Ollama builds the response it returns with ``"stream": false`` from the very
lines it would have streamed: it joins their text (``message.content`` and
``message.thinking``, or ``response`` and ``thinking``), appends their tool
calls and log probabilities, and takes everything else from the last line,
the one with ``done: true`` (``done_reason``, the durations, the counts,
``context``).  The accumulator does the same: each line's text goes into a
:class:`~streamkit.dialects._builders.Fragments` (a line costs the size of
its piece, never of what was folded before), its tool calls and log
probabilities are appended to lists, and the line itself is kept as the
last one until the ``done`` line comes.  Which endpoint the stream is from
is said by its first line (``message``: ``/api/chat``; ``response``:
``/api/generate``), and with it the shape of :attr:`Accumulator.result`.

The result is built only when read, and kept until the next line changes
something; a result once returned never changes (a frozen Struct holding
fresh lists).

How a stream ended (:attr:`Accumulator.outcome`):

========================================  =====================  ===============
the stream                                ``kind``               ``reason``
========================================  =====================  ===============
an ``{"error": ...}`` line                ``errored``            ``None``
no ``done: true`` line                    ``truncated``          ``None``
``done_reason: "length"``                 ``incomplete``         ``"length"``
tool calls in the message                 ``requires_action``    ``done_reason``
any other ``done_reason``                 ``completed``          ``done_reason``
(``stop``, ``load``, ``unload``, none)
========================================  =====================  ===============

The rows are tried in that order: an answer cut by the token limit is
``incomplete`` even when it made tool calls, as in the chat dialect.

Protocol violations are :class:`~streamkit.Violation`\\ s, kept in
:attr:`Accumulator.warnings`, or raised as :class:`~streamkit.FoldError` when
the accumulator is strict.  Their ``kind``:

``"invalid-event"``
    a line that could not be decoded (``on_error="yield"``): its text is lost;
``"dialect-mismatch"``
    an unknown line that another dialect claims, before any known one;
``"after-done"``
    a line after the ``done: true`` line: its text, tool calls and log
    probabilities are folded all the same, the rest of it is not taken;
``"other-endpoint"``
    an ``/api/generate`` line in an ``/api/chat`` stream, or the reverse:
    folded all the same, into the first line's shape.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import msgspec
from msgspec import UNSET

from streamkit.dialects._builders import Fragments
from streamkit.dialects._face import Outcome, ToolCall as CommonToolCall, Usage
from streamkit.dialects._fold import FoldBase
from streamkit.dialects._violations import MAX_WARNINGS

from ._schema import (
    ChatChunk,
    ChatChunkEvent,
    ChatResponse,
    ErrorEvent,
    ErrorObject,
    GenerateChunk,
    GenerateChunkEvent,
    GenerateResponse,
    Logprob,
    Message,
    Metrics,
    ToolCall,
)

if TYPE_CHECKING:
    from typing import Literal

    Endpoint = Literal["chat", "generate"]

__all__ = ("Accumulator", "arguments_json")

_encode_json = msgspec.json.Encoder().encode
_METRICS: Final = tuple(Metrics.__struct_fields__)


def arguments_json(call: ToolCall) -> str:
    """A tool call's arguments as JSON text: the object encoded compactly, a string as sent."""
    arguments = call.function.arguments
    if type(arguments) is str:
        return arguments
    return _encode_json(arguments).decode()


class Accumulator(FoldBase):
    """Folds the lines of an ``/api/chat`` or ``/api/generate`` stream into the response.

    Feed it every typed event of the stream, in order, with :meth:`feed`.
    Read :attr:`result` at any time: a :class:`ChatResponse` or a
    :class:`GenerateResponse` (by the stream's first line), as the endpoint
    returns it with ``"stream": false``.  :attr:`text` is the answer so far,
    :attr:`reasoning` the thinking so far, :attr:`tool_calls` the calls made,
    :attr:`usage` and :attr:`metrics` the last line's counts and durations.
    Protocol violations are recorded in :attr:`warnings` (the first
    ``max_warnings``; later ones are only counted, in
    :attr:`warnings_dropped`); with ``strict=True`` they raise
    :class:`~streamkit.FoldError` instead.
    """

    dialect = "ollama"

    def __init__(self, *, strict: bool = False, max_warnings: int = MAX_WARNINGS) -> None:
        super().__init__(strict=strict, max_warnings=max_warnings)
        self._endpoint: Endpoint | None = None
        #: The last line folded; once done, the done line.
        self._last: ChatChunk | GenerateChunk | None = None
        self._text = Fragments([])
        self._thinking: Fragments | None = None
        self._calls: list[ToolCall] = []
        self._logprobs: list[Logprob] = []
        self._result: ChatResponse | GenerateResponse | None = None

    # -- reading ---------------------------------------------------------------------

    @property
    def endpoint(self) -> Endpoint | None:
        """``"chat"`` or ``"generate"``: the endpoint the stream's first line came from."""
        return self._endpoint

    @property
    def result(self) -> ChatResponse | GenerateResponse | None:
        """The response folded so far (None before the first line); never changes once read."""
        result = self._result
        if result is None and self._last is not None:
            result = self._result = self._build(self._last)
        return result

    @property
    def outcome(self) -> Outcome:
        """How the stream ended: see the table in this module's docstring."""
        if self._errors:
            return Outcome(kind="errored", error=self._errors[-1])
        last = self._last
        if not self.done or last is None:
            return _TRUNCATED
        sent = last.done_reason
        reason = sent if type(sent) is str else None
        if reason == "length":
            return Outcome(kind="incomplete", reason=reason)
        if self._calls:
            return Outcome(kind="requires_action", reason=reason)
        return Outcome(kind="completed", reason=reason)

    @property
    def text(self) -> str:
        """The answer so far: every ``message.content`` (or ``response``), joined."""
        return self._text.text()

    @property
    def refusal(self) -> str:
        """Always ``""``: Ollama has no refusal apart from the answer."""
        return ""

    @property
    def reasoning(self) -> str:
        """The thinking so far: every ``message.thinking`` (or ``thinking``), joined."""
        thinking = self._thinking
        return "" if thinking is None else thinking.text()

    @property
    def tool_calls(self) -> list[CommonToolCall]:
        """The tool calls so far, in order: name, the arguments as JSON text, the id if sent."""
        return [
            CommonToolCall(
                id=call.id if type(call.id) is str else None,
                name=call.function.name,
                arguments=arguments_json(call),
                index=index,
            )
            for index, call in enumerate(self._calls)
        ]

    @property
    def metrics(self) -> Metrics | None:
        """The durations and counts of the last line (the done line's), or None if it had none."""
        last = self._last
        if last is None:
            return None
        values = {name: getattr(last, name) for name in _METRICS}
        if all(value is UNSET for value in values.values()):
            return None
        return Metrics(**values)

    @property
    def usage(self) -> Usage:
        """``prompt_eval_count`` as input, ``eval_count`` as output, their sum as the total."""
        metrics = self.metrics
        if metrics is None:
            return _NO_USAGE
        prompt = metrics.prompt_eval_count
        output = metrics.eval_count
        input_tokens = prompt if type(prompt) is int else None
        output_tokens = output if type(output) is int else None
        total = None
        if input_tokens is not None and output_tokens is not None:
            total = input_tokens + output_tokens
        return Usage(
            input_tokens=input_tokens, output_tokens=output_tokens, total_tokens=total, raw=metrics
        )

    @property
    def errors(self) -> list[ErrorObject]:
        """The errors the server sent in the stream, in order."""
        return list(self._errors)

    # -- feeding ---------------------------------------------------------------------

    def feed(self, event: Any) -> None:
        """Fold one typed event (an unknown line is ignored; an invalid one is a violation)."""
        self._ordinal += 1
        kind = type(event)
        if kind is ChatChunkEvent:
            chunk = event.data
            if self._endpoint != "chat":
                self._start("chat")
            message = chunk.message
            if message:
                content = message.content
                if content:
                    text = self._text
                    text.append(content)
                    if len(text) >= text.limit:
                        text.compact()
                thinking = message.thinking
                if thinking:
                    self._think(thinking)
                calls = message.tool_calls
                if calls:
                    self._calls += calls
        elif kind is GenerateChunkEvent:
            chunk = event.data
            if self._endpoint != "generate":
                self._start("generate")
            content = chunk.response
            if content:
                text = self._text
                text.append(content)
                if len(text) >= text.limit:
                    text.compact()
            thinking = chunk.thinking
            if thinking:
                self._think(thinking)
            calls = chunk.tool_calls
            if calls:
                self._calls += calls
        elif kind is ErrorEvent:
            self._name = "message"
            if self.done:
                self._violate("after-done", "an error line after the done line")
            self._errors.append(event.data)
            return
        else:
            self._unhandled(event)
            return
        logprobs = chunk.logprobs
        if logprobs:
            self._logprobs += logprobs
        self._result = None
        if self.done:
            self._name = "message"
            self._violate("after-done", "a line after the done line")
        else:
            self._last = chunk
            if chunk.done is True:
                self.done = True

    def _start(self, endpoint: Endpoint) -> None:
        if self._endpoint is None:
            self._endpoint = endpoint
        else:
            self._name = "message"
            message = f"an /api/{endpoint} line in an /api/{self._endpoint} stream"
            self._violate("other-endpoint", message)

    def _think(self, piece: str) -> None:
        thinking = self._thinking
        if thinking is None:
            self._thinking = Fragments([piece])
        else:
            thinking.add(piece)

    # -- building the result ---------------------------------------------------------

    def _build(self, last: ChatChunk | GenerateChunk) -> ChatResponse | GenerateResponse:
        fields: dict[str, Any] = {
            name: getattr(last, name)
            for name in ("model", "remote_model", "remote_host", "created_at", "debug_info")
        }
        reason = last.done_reason
        fields["done"] = last.done is True
        fields["done_reason"] = UNSET if reason is None else reason
        fields["logprobs"] = list(self._logprobs) if self._logprobs else UNSET
        for name in _METRICS:
            fields[name] = getattr(last, name)
        thinking = self._thinking
        reasoning = UNSET if thinking is None else thinking.text()
        calls = list(self._calls) if self._calls else UNSET
        if self._endpoint == "generate":
            if type(last) is GenerateChunk:
                context = last.context
                fields["context"] = UNSET if context is None else context
                image = last.image
                fields["image"] = UNSET if image is None else image
                fields["completed"] = last.completed
                fields["total"] = last.total
            return GenerateResponse(
                response=self._text.text(), thinking=reasoning, tool_calls=calls, **fields
            )
        role = "assistant"
        images: Any = UNSET
        message = getattr(last, "message", None)
        if message:
            if type(message.role) is str:
                role = message.role
            images = message.images
        fields["message"] = Message(
            role=role,
            content=self._text.text(),
            thinking=reasoning,
            tool_calls=calls,
            images=images,
        )
        return ChatResponse(**fields)


_TRUNCATED: Final = Outcome(kind="truncated")
_NO_USAGE: Final = Usage()
