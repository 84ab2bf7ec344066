"""The hook API and the text iterators."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import streamkit
from streamkit import assistants

from ...helpers import REAL

TEXT_RUN = REAL / "assistants" / "openai-dotnet_text-run_2025-09-16a.sse"
CODE_RUN = REAL / "assistants" / "openllmetry_code-interpreter-v2_2026-03-31a.sse"
FILE_SEARCH = REAL / "assistants" / "openai-dotnet_file-search-citation_2025-09-16a.sse"


def events_of(path: Any, size: int = 97) -> list[Any]:
    body = path.read_bytes()
    return list(streamkit.iter_events(body[i : i + size] for i in range(0, len(body), size)))


class Recorder(assistants.EventHandler):
    """Logs every hook call as (hook, summary)."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[str, Any]] = []

    def on_event(self, event: Any) -> None:
        self.log.append(("event", event.event))

    def on_message_created(self, message: assistants.Message) -> None:
        self.log.append(("message_created", message.id))

    def on_message_delta(self, delta: Any, snapshot: assistants.Message | None) -> None:
        assert snapshot is not None
        self.log.append(("message_delta", snapshot.id))

    def on_message_done(self, message: assistants.Message) -> None:
        self.log.append(("message_done", message.status))

    def on_text_created(self, text: assistants.Text | None) -> None:
        self.log.append(("text_created", None if text is None else text.value))

    def on_text_delta(self, delta: assistants.TextDelta, snapshot: assistants.Text | None) -> None:
        assert snapshot is not None
        self.log.append(("text_delta", (delta.value, snapshot.value)))

    def on_text_done(self, text: assistants.Text) -> None:
        self.log.append(("text_done", text.value))

    def on_run_step_created(self, run_step: assistants.RunStep) -> None:
        self.log.append(("step_created", run_step.type))

    def on_run_step_done(self, run_step: assistants.RunStep) -> None:
        self.log.append(("step_done", run_step.status))

    def on_tool_call_created(self, tool_call: Any) -> None:
        self.log.append(("tool_call_created", type(tool_call).__name__))

    def on_tool_call_delta(self, delta: Any, snapshot: Any) -> None:
        self.log.append(("tool_call_delta", type(snapshot).__name__))

    def on_tool_call_done(self, tool_call: Any) -> None:
        self.log.append(("tool_call_done", type(tool_call).__name__))

    def on_end(self) -> None:
        self.log.append(("end", None))


def test_text_hooks_carry_the_growing_snapshot() -> None:
    """Each text delta comes with the text so far; text_done gives the final text."""
    handler = Recorder()
    handler.consume(events_of(TEXT_RUN))
    final = next(iter(handler.accumulator.messages.values()))
    [part] = final.content
    assert isinstance(part, assistants.TextContentBlock)
    deltas = [args for hook, args in handler.log if hook == "text_delta"]
    assert deltas
    so_far = ""
    for piece, snapshot in deltas:
        so_far += piece
        assert snapshot == so_far
    assert so_far == part.text.value
    hooks = [hook for hook, _ in handler.log]
    assert hooks.count("text_created") == 1
    assert hooks.index("message_created") < hooks.index("text_created") < hooks.index("text_done")
    assert ("text_done", part.text.value) in handler.log
    assert ("message_done", "completed") in handler.log
    assert hooks[-1] == "end"
    assert hooks.count("event") == len(events_of(TEXT_RUN))


def test_tool_call_hooks() -> None:
    """A code-interpreter step announces its tool call once, then deltas, then done."""
    handler = Recorder()
    handler.consume(events_of(CODE_RUN))
    hooks = [entry for entry in handler.log if entry[0].startswith("tool_call")]
    assert hooks[0] == ("tool_call_created", "CodeInterpreterToolCall")
    assert ("tool_call_done", "CodeInterpreterToolCall") in hooks
    assert sum(1 for hook, _ in hooks if hook == "tool_call_created") == 1
    assert all(
        kind == "CodeInterpreterToolCall" for hook, kind in hooks if hook == "tool_call_delta"
    )


def test_snapshots_are_built_only_for_overridden_hooks() -> None:
    """A handler that overrides no snapshot hook never asks the fold for a snapshot."""

    class Quiet(assistants.EventHandler):
        def __init__(self) -> None:
            super().__init__()
            self.asked = 0
            original = self.accumulator.message

            def counting(id: str) -> assistants.Message | None:
                self.asked += 1
                return original(id)

            self.accumulator.message = counting  # type: ignore[method-assign]

    quiet = Quiet()
    quiet.consume(events_of(TEXT_RUN))
    assert quiet.asked == 0
    assert quiet.accumulator.outcome.kind == "completed"


def test_exceptions_reach_on_exception_and_are_raised_again() -> None:
    seen: list[BaseException] = []

    class Handler(assistants.EventHandler):
        def on_exception(self, exception: Exception) -> None:
            seen.append(exception)

    def broken() -> Any:
        yield from events_of(TEXT_RUN)[:3]
        raise ConnectionError("reset")

    handler = Handler()
    with pytest.raises(ConnectionError, match="reset"):
        handler.consume(broken())
    assert len(seen) == 1
    assert isinstance(seen[0], ConnectionError)
    assert handler.accumulator.run is not None


def test_text_deltas_yield_the_text_as_it_streams() -> None:
    events = events_of(FILE_SEARCH)
    acc = assistants.Accumulator()
    for event in events:
        acc.feed(event)
    [message] = acc.messages.values()
    [part] = message.content
    assert isinstance(part, assistants.TextContentBlock)
    assert "".join(assistants.text_deltas(events)) == part.text.value


@pytest.mark.anyio
async def test_async_handler_and_text_deltas() -> None:
    """The async forms give the same hooks and text as the sync ones."""
    log: list[str] = []

    class Handler(assistants.AsyncEventHandler):
        async def on_text_delta(self, delta: Any, snapshot: assistants.Text | None) -> None:
            assert snapshot is not None
            log.append(delta.value)

        async def on_end(self) -> None:
            log.append("<end>")

    async def chunks() -> Any:
        body = TEXT_RUN.read_bytes()
        for i in range(0, len(body), 512):
            yield body[i : i + 512]

    await Handler().consume(streamkit.aiter_events(chunks()))
    texts = [text async for text in assistants.atext_deltas(streamkit.aiter_events(chunks()))]
    assert log[-1] == "<end>"
    assert log[:-1] == texts
    assert "".join(texts) == "".join(assistants.text_deltas(events_of(TEXT_RUN)))


@pytest.mark.anyio
async def test_async_handler_timeout_hook() -> None:
    called: list[str] = []

    class Handler(assistants.AsyncEventHandler):
        async def on_timeout(self) -> None:
            called.append("timeout")

    async def stalls() -> Any:
        yield TEXT_RUN.read_bytes()[:400]
        await anyio.sleep_forever()
        yield b""  # pragma: no cover

    with pytest.raises(streamkit.StreamStalled):
        await Handler().consume(streamkit.aiter_events(stalls(), idle_timeout=0.05))
    assert called == ["timeout"]
