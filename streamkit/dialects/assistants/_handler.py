"""Callbacks for chat backends: the hooks of an Assistants event handler, sync and async.

:class:`EventHandler` and :class:`AsyncEventHandler` fold every event into
an :class:`~streamkit.assistants.Accumulator` and call the hook for what it
changed, with the delta and the up-to-date snapshot.  The two differ only in
how hooks are called: :func:`_plan` decides which hooks an event triggers,
once, for both.

A snapshot costs the size of the object it shows, so hooks are given one
only when the subclass overrides them: a handler that overrides just
``on_text_delta`` pays for a text snapshot per text delta, and one that
overrides nothing pays nothing beyond the fold.

:func:`text_deltas` and :func:`atext_deltas` yield just the text as it
streams, for when the snapshots are not wanted at all (what
``streamkit.text_deltas`` yields for an Assistants stream).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from msgspec import UNSET

from streamkit._errors import StreamStalled

from ._face import deltas
from ._fold import Accumulator
from ._schema import (
    CodeInterpreterToolCall,
    FileSearchToolCall,
    FunctionToolCall,
    ImageFile,
    ImageFileContentBlock,
    Message,
    MessageDelta,
    RunStep,
    RunStepDelta,
    Text,
    TextContentBlock,
    TextDelta,
    TextDeltaBlock,
    ThreadMessageCompleted,
    ThreadMessageCreated,
    ThreadMessageDelta,
    ThreadMessageIncomplete,
    ThreadRunStepCancelled,
    ThreadRunStepCompleted,
    ThreadRunStepCreated,
    ThreadRunStepDelta,
    ThreadRunStepExpired,
    ThreadRunStepFailed,
    ToolCallDelta,
    ToolCallsStepDetails,
    ToolCallsStepDetailsDelta,
    Unknown,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator

__all__ = ("AsyncEventHandler", "EventHandler", "atext_deltas", "text_deltas")

ToolCall = CodeInterpreterToolCall | FileSearchToolCall | FunctionToolCall

_STEP_DONE = (
    ThreadRunStepCompleted,
    ThreadRunStepFailed,
    ThreadRunStepCancelled,
    ThreadRunStepExpired,
)
_MESSAGE_DONE = (ThreadMessageCompleted, ThreadMessageIncomplete)

# Hooks whose arguments include a snapshot: built only for the hooks a subclass overrides.
_SNAPSHOT_HOOKS = (
    "on_message_delta",
    "on_text_created",
    "on_text_delta",
    "on_run_step_delta",
    "on_tool_call_created",
    "on_tool_call_delta",
)


class _Hooks:
    """The hooks, and what both handler kinds share."""

    def __init__(self, *, strict: bool = False) -> None:
        #: The fold behind the hooks: read its snapshots, outcome and warnings at any time.
        self.accumulator = Accumulator(strict=strict)
        base = AsyncEventHandler if isinstance(self, AsyncEventHandler) else EventHandler
        self._wanted = frozenset(
            name for name in _SNAPSHOT_HOOKS if getattr(type(self), name) is not getattr(base, name)
        )
        # Which content parts and tool calls have been announced, by object id.
        self._seen: dict[str, set[int]] = {}

    def _plan(self, event: Any) -> list[tuple[str, tuple[Any, ...]]]:
        """Fold *event*; return the hooks it triggers, in order, with their arguments."""
        acc = self.accumulator
        acc.feed(event)
        calls: list[tuple[str, tuple[Any, ...]]] = [("on_event", (event,))]
        kind = type(event)
        if kind is ThreadMessageDelta:
            self._plan_message_delta(event.data.id, event.data.delta, calls)
        elif kind is ThreadRunStepDelta:
            self._plan_step_delta(event.data.id, event.data.delta, calls)
        elif kind is ThreadMessageCreated:
            calls.append(("on_message_created", (event.data,)))
        elif kind in _MESSAGE_DONE:
            message: Message = event.data
            for part in message.content:
                if type(part) is TextContentBlock:
                    calls.append(("on_text_done", (part.text,)))
                elif type(part) is ImageFileContentBlock:
                    calls.append(("on_image_file_done", (part.image_file,)))
            calls.append(("on_message_done", (message,)))
        elif kind is ThreadRunStepCreated:
            calls.append(("on_run_step_created", (event.data,)))
        elif kind in _STEP_DONE:
            step: RunStep = event.data
            if type(step.step_details) is ToolCallsStepDetails:
                calls.extend(
                    ("on_tool_call_done", (call,)) for call in step.step_details.tool_calls
                )
            calls.append(("on_run_step_done", (step,)))
        return calls

    def _plan_message_delta(
        self, id: str, delta: MessageDelta, calls: list[tuple[str, tuple[Any, ...]]]
    ) -> None:
        wanted = self._wanted
        snapshot = self.accumulator.message(id) if wanted else None
        calls.append(("on_message_delta", (delta, snapshot)))
        if delta.content is UNSET:
            return
        seen = self._seen.setdefault(id, set())
        for part in delta.content:
            if type(part) is not TextDeltaBlock or part.text is UNSET:
                continue
            text = _text_at(snapshot, part.index)
            if part.index not in seen:
                seen.add(part.index)
                calls.append(("on_text_created", (text,)))
            calls.append(("on_text_delta", (part.text, text)))

    def _plan_step_delta(
        self, id: str, delta: RunStepDelta, calls: list[tuple[str, tuple[Any, ...]]]
    ) -> None:
        snapshot = self.accumulator.run_step(id) if self._wanted else None
        calls.append(("on_run_step_delta", (delta, snapshot)))
        details = delta.step_details
        if type(details) is not ToolCallsStepDetailsDelta or details.tool_calls is UNSET:
            return
        seen = self._seen.setdefault(id, set())
        for call in details.tool_calls:
            index: int = call.data.get("index", -1) if isinstance(call, Unknown) else call.index
            tool_call = _tool_call_at(snapshot, index)
            if index not in seen:
                seen.add(index)
                calls.append(("on_tool_call_created", (tool_call,)))
            calls.append(("on_tool_call_delta", (call, tool_call)))


def _text_at(message: Message | None, index: int) -> Text | None:
    """The text of the content part at logical *index* of a message snapshot."""
    if message is None:
        return None
    # The snapshot lists parts in index order; indexes are dense in every real stream.
    if 0 <= index < len(message.content):
        part = message.content[index]
        if type(part) is TextContentBlock:
            return part.text
    return None


def _tool_call_at(step: RunStep | None, index: int) -> ToolCall | None:
    if step is None or type(step.step_details) is not ToolCallsStepDetails:
        return None
    calls = step.step_details.tool_calls
    if 0 <= index < len(calls):
        call = calls[index]
        if isinstance(call, (CodeInterpreterToolCall, FileSearchToolCall, FunctionToolCall)):
            return call
    return None


class EventHandler(_Hooks):
    """Hooks called as an Assistants stream is folded.  Subclass and override what you need.

    Feed events with :meth:`feed`, or a whole stream with :meth:`consume`
    (``handler.consume(streamkit.iter_events(chunks))``).  Each ``*_delta``
    hook gets the delta and the up-to-date snapshot of what it changed
    (``None`` when the fold could not build one); ``*_done`` hooks get the
    server's final object.
    """

    def feed(self, event: Any) -> None:
        """Fold one event and call the hooks it triggers."""
        for name, args in self._plan(event):
            getattr(self, name)(*args)

    def consume(self, events: Iterable[Any]) -> None:
        """Feed every event of *events*, then call :meth:`on_end`.

        An exception from the stream (or a hook) is passed to
        :meth:`on_exception` (or :meth:`on_timeout` for a stalled stream)
        and then raised again.
        """
        try:
            for event in events:
                self.feed(event)
        except StreamStalled:
            self.on_timeout()
            raise
        except Exception as exc:
            self.on_exception(exc)
            raise
        self.on_end()

    def on_event(self, event: Any) -> None:
        """Every event, before the more specific hooks."""

    def on_run_step_created(self, run_step: RunStep) -> None:
        """A run step was created."""

    def on_run_step_delta(self, delta: RunStepDelta, snapshot: RunStep | None) -> None:
        """A run step changed."""

    def on_run_step_done(self, run_step: RunStep) -> None:
        """A run step ended (completed, failed, cancelled or expired)."""

    def on_tool_call_created(self, tool_call: ToolCall | None) -> None:
        """A tool call started."""

    def on_tool_call_delta(self, delta: ToolCallDelta, snapshot: ToolCall | None) -> None:
        """A tool call changed."""

    def on_tool_call_done(self, tool_call: Any) -> None:
        """A tool call ended, with its run step."""

    def on_message_created(self, message: Message) -> None:
        """A message was created."""

    def on_message_delta(self, delta: MessageDelta, snapshot: Message | None) -> None:
        """A message changed."""

    def on_message_done(self, message: Message) -> None:
        """A message ended (completed or incomplete)."""

    def on_text_created(self, text: Text | None) -> None:
        """A text content part started."""

    def on_text_delta(self, delta: TextDelta, snapshot: Text | None) -> None:
        """More text arrived."""

    def on_text_done(self, text: Text) -> None:
        """A text content part ended, with its message."""

    def on_image_file_done(self, image_file: ImageFile) -> None:
        """An image file content part ended, with its message."""

    def on_end(self) -> None:
        """The stream ended."""

    def on_exception(self, exception: Exception) -> None:
        """The stream (or a hook) raised *exception*; it is raised again after this."""

    def on_timeout(self) -> None:
        """The stream stalled (:class:`~streamkit.StreamStalled`); it is raised again after this."""


class AsyncEventHandler(_Hooks):
    """:class:`EventHandler` with ``async`` hooks, fed from an async stream."""

    async def feed(self, event: Any) -> None:
        """Fold one event and await the hooks it triggers."""
        for name, args in self._plan(event):
            await getattr(self, name)(*args)

    async def consume(self, events: AsyncIterable[Any]) -> None:
        """Feed every event of *events*, then await :meth:`on_end`.

        Exceptions are handled as by :meth:`EventHandler.consume`.
        """
        try:
            async for event in events:
                await self.feed(event)
        except StreamStalled:
            await self.on_timeout()
            raise
        except Exception as exc:
            await self.on_exception(exc)
            raise
        await self.on_end()

    async def on_event(self, event: Any) -> None:
        """Every event, before the more specific hooks."""

    async def on_run_step_created(self, run_step: RunStep) -> None:
        """A run step was created."""

    async def on_run_step_delta(self, delta: RunStepDelta, snapshot: RunStep | None) -> None:
        """A run step changed."""

    async def on_run_step_done(self, run_step: RunStep) -> None:
        """A run step ended (completed, failed, cancelled or expired)."""

    async def on_tool_call_created(self, tool_call: ToolCall | None) -> None:
        """A tool call started."""

    async def on_tool_call_delta(self, delta: ToolCallDelta, snapshot: ToolCall | None) -> None:
        """A tool call changed."""

    async def on_tool_call_done(self, tool_call: Any) -> None:
        """A tool call ended, with its run step."""

    async def on_message_created(self, message: Message) -> None:
        """A message was created."""

    async def on_message_delta(self, delta: MessageDelta, snapshot: Message | None) -> None:
        """A message changed."""

    async def on_message_done(self, message: Message) -> None:
        """A message ended (completed or incomplete)."""

    async def on_text_created(self, text: Text | None) -> None:
        """A text content part started."""

    async def on_text_delta(self, delta: TextDelta, snapshot: Text | None) -> None:
        """More text arrived."""

    async def on_text_done(self, text: Text) -> None:
        """A text content part ended, with its message."""

    async def on_image_file_done(self, image_file: ImageFile) -> None:
        """An image file content part ended, with its message."""

    async def on_end(self) -> None:
        """The stream ended."""

    async def on_exception(self, exception: Exception) -> None:
        """The stream (or a hook) raised *exception*; it is raised again after this."""

    async def on_timeout(self) -> None:
        """The stream stalled; it is raised again after this."""


def _text_of(event: Any) -> Iterator[str]:
    """The text of a message delta: its ``"text"`` deltas on the common face."""
    if type(event) is ThreadMessageDelta:
        for delta in deltas(event):
            yield delta.text


def text_deltas(events: Iterable[Any]) -> Iterator[str]:
    """Just the text of each message delta, as it streams: ``text_deltas(iter_events(chunks))``.

    For the events of an Assistants stream, the same as ``streamkit.text_deltas``.
    """
    for event in events:
        yield from _text_of(event)


async def atext_deltas(events: AsyncIterable[Any]) -> AsyncIterator[str]:
    """Just the text of each message delta of an async stream: ``atext_deltas(aiter_events(…))``."""
    async for event in events:
        for text in _text_of(event):
            yield text
