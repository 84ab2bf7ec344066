"""Forward a model's stream to a front end, from the typed events of any dialect.

Two protocols, each from sync events (a generator of bytes) or async ones
(an :class:`EventStream`, an async iterable of bytes):

- :func:`sse` / :func:`asse`: streamkit's own small SSE protocol
  (``docs/emit.md``): ``text``, ``refusal``, ``reasoning``, ``tool_call`` and
  ``tool_arguments`` events as the deltas arrive, then one ``outcome``
  event (how the stream ended, the tool calls, the usage); every event has
  an ``id:`` (its number from 0), so a client that reconnects with
  ``Last-Event-ID`` gets the rest (``last_event_id=``);
- :func:`vercel_ui` / :func:`avercel_ui`: the Vercel AI SDK's UI message
  stream protocol (v1), which the SDK's ``useChat`` reads: send it with
  :data:`VERCEL_UI_HEADERS` and a Next.js front end talks to a Python
  backend unchanged.

Both read the events through the common face only — ``streamkit.deltas``
for the content and ``streamkit.Accumulator`` for the tool calls and the
outcome — so they know no dialect by name.  ``keepalive=SECONDS`` on the
async twins sends an SSE comment whenever no event was sent for that long;
see :class:`EventStream` for how (a task reads the source, inside
``async with``).  :class:`streamkit.asgi.EventStreamResponse` sends one to
an ASGI client, keep-alives and disconnects handled.
"""

from __future__ import annotations

import collections
import math
from typing import TYPE_CHECKING, Any, Final

import anyio
import msgspec

from ._deltas import _Reader
from ._errors import StreamError
from .dialects._auto import Accumulator
from .dialects._face import Delta, ToolCall
from .dialects._unknowns import to_wire

if TYPE_CHECKING:
    from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
    from types import TracebackType

    from .dialects._face import Outcome

__all__ = (
    "HEADERS",
    "KEEPALIVE",
    "VERCEL_UI_HEADERS",
    "VERSION",
    "EventStream",
    "asse",
    "avercel_ui",
    "sse",
    "vercel_ui",
)

VERSION: Final = 1
"""The version of streamkit's own protocol (``docs/emit.md``), sent in its ``start`` event."""

HEADERS: Final = {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "x-accel-buffering": "no",
}
"""The response headers of a stream of streamkit's protocol."""

VERCEL_UI_HEADERS: Final = {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    "x-vercel-ai-ui-message-stream": "v1",
    "x-accel-buffering": "no",
}
"""The response headers of a UI message stream (the AI SDK checks the ``x-vercel-…`` one)."""

KEEPALIVE: Final = b": keep-alive\n\n"
"""The comment sent on idle: every SSE reader skips it."""

_encode = msgspec.json.Encoder().encode


def _plain(value: Any) -> Any:
    """A dialect's object (an error, a usage) as JSON-ready builtins."""
    try:
        return msgspec.to_builtins(to_wire(value), str_keys=True)
    except (TypeError, ValueError):  # pragma: no cover - every dialect object converts
        return str(value)


# -- the common part: what the events carry, in order --------------------------------------


class _Reading:
    """Turns typed events into content pieces, keeping the fold the outcome is read from.

    ``feed(event)`` returns ``(kind, key, text)`` triples: the answer text
    (``"text"``, keyed by its index), ``"refusal"``, ``"reasoning"``, and
    ``"tool_arguments"`` keyed by the tool call's :attr:`ToolCall.index`, each
    first named by a ``("tool_call", key, "")`` triple once its call is known.
    """

    def __init__(self) -> None:
        self.fold = Accumulator()
        self._read = _Reader()
        self._calls: dict[int, ToolCall] = {}  # tool calls announced, by index
        self._theirs: set[int] = set()  # indexes of tools the server runs (no call of ours)

    def feed(self, event: Any) -> list[tuple[str, int, str]]:
        self.fold.feed(event)
        deltas = self._read(event)
        if not deltas:
            return []
        dialect = self._read.dialect
        assert dialect is not None  # an event with deltas has a dialect
        is_answer = dialect.is_answer
        out: list[tuple[str, int, str]] = []
        for delta in deltas:
            kind = delta.kind
            if kind == "text":
                if is_answer(delta):
                    out.append(("text", delta.index, delta.text))
            elif kind == "tool_arguments":
                if delta.call is not None and not is_answer(Delta("text", delta.index, "")):
                    continue  # another choice's tool call (chat with n > 1)
                key = delta.call if delta.call is not None else delta.index
                if key not in self._calls:
                    if key in self._theirs or self._announce(key) is None:
                        continue  # a tool the server runs itself: not a call to answer
                    out.append(("tool_call", key, ""))
                out.append(("tool_arguments", key, delta.text))
            else:
                out.append((kind, delta.index, delta.text))
        return out

    def _announce(self, key: int) -> ToolCall | None:
        """The fold's tool call at *key*, now announced; ``None`` for a server-side tool.

        The fold has folded the event whose arguments are being read, so a
        call it does not list is not one the client must answer (a web search,
        code the service runs): its input is no ``tool_arguments`` of ours.
        """
        call = next((c for c in self.fold.tool_calls if c.index == key), None)
        if call is None:
            self._theirs.add(key)
            return None
        self._calls[key] = call
        return call

    def call(self, key: int) -> ToolCall:
        """The tool call at *key*, as announced (its id and name)."""
        return self._calls[key]

    def unannounced(self) -> list[ToolCall]:
        """The fold's tool calls no delta announced (their arguments came whole, or not at all)."""
        out = []
        for call in self.fold.tool_calls:
            if call.index not in self._calls:
                self._calls[call.index] = call
                out.append(call)
        return out

    def final_calls(self) -> list[ToolCall]:
        """The fold's tool calls, as they ended."""
        return self.fold.tool_calls


def _call_id(call: ToolCall) -> str:
    return call.id if call.id else f"call_{call.index}"


def _error_text(error: Any) -> str:
    plain = _plain(error)
    if isinstance(plain, dict):
        inner = plain.get("error")
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])
        if isinstance(plain.get("message"), str):
            return str(plain["message"])
    return plain if isinstance(plain, str) else _encode(plain).decode()


def _failure(exc: BaseException) -> str:
    what = "bad input" if isinstance(exc, StreamError) else "an error"
    return f"the stream failed with {what}: {type(exc).__name__}"


# -- streamkit's own protocol ---------------------------------------------------------------


class _Streamkit:
    """Writes streamkit's protocol (``docs/emit.md``): one SSE event per piece, numbered."""

    def __init__(self, last_event_id: str | int | None) -> None:
        self.reading = _Reading()
        self.number = -1
        self.skip = _last_id(last_event_id)
        self.started = False

    def _event(self, name: str, data: dict[str, Any]) -> bytes:
        self.number += 1
        if self.number <= self.skip:
            return b""
        return b"event: %s\nid: %d\ndata: %s\n\n" % (name.encode(), self.number, _encode(data))

    def feed(self, event: Any) -> bytes:
        out = []
        if not self.started:
            self.started = True
            out.append(self._event("start", {"version": VERSION}))
        for kind, key, text in self.reading.feed(event):
            if kind == "tool_call":
                call = self.reading.call(key)
                out.append(self._event("tool_call", _call_head(call)))
            else:
                out.append(self._event(kind, {"index": key, "text": text}))
        return b"".join(out)

    def finish(self, failure: BaseException | None = None) -> bytes:
        out = []
        if not self.started:
            self.started = True
            out.append(self._event("start", {"version": VERSION}))
        for call in self.reading.unannounced():
            out.append(self._event("tool_call", _call_head(call)))
            if call.arguments:
                data = {"index": call.index, "text": call.arguments}
                out.append(self._event("tool_arguments", data))
        fold = self.reading.fold
        outcome = fold.outcome
        document: dict[str, Any] = {
            "kind": outcome.kind,
            "reason": outcome.reason,
            "error": None if outcome.error is None else _plain(outcome.error),
            "text": fold.text,
            "tool_calls": [
                {**_call_head(call), "arguments": call.arguments}
                for call in self.reading.final_calls()
            ],
            "usage": _usage(fold),
            "dialect": fold.dialect,
        }
        if failure is not None:
            document["failure"] = _failure(failure)
        out.append(self._event("outcome", document))
        return b"".join(out)


def _call_head(call: ToolCall) -> dict[str, Any]:
    return {"index": call.index, "id": call.id, "name": call.name}


def _usage(fold: Accumulator) -> dict[str, int | None]:
    usage = fold.usage
    return {
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "total_tokens": usage.total_tokens,
        "cached_input_tokens": usage.cached_input_tokens,
        "reasoning_tokens": usage.reasoning_tokens,
    }


def _last_id(value: str | int | None) -> int:
    """The number of the last event a resuming client has (``-1``: none)."""
    if value is None or value == "":
        return -1
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"last_event_id must be an event id of this protocol, not {value!r}"
        ) from None
    if number < -1:
        raise ValueError(f"last_event_id must be >= 0, not {value!r}")
    return number


# -- the Vercel AI SDK's UI message stream -----------------------------------------------------

_FINISH: Final = {
    "completed": "stop",
    "requires_action": "tool-calls",
    "incomplete": "length",
    "failed": "error",
    "errored": "error",
    "cancelled": "other",
    "expired": "other",
    "truncated": "error",
}
_LENGTH_REASONS: Final = frozenset({"length", "max_tokens", "max_output_tokens", "model_length"})
_FILTER_REASONS: Final = frozenset({"content_filter", "refusal", "safety"})


def _finish_reason(outcome: Outcome, calls: int) -> str:
    reason = (outcome.reason or "").lower()
    if outcome.kind in ("completed", "incomplete"):
        if reason in _LENGTH_REASONS:
            return "length"
        if reason in _FILTER_REASONS:
            return "content-filter"
        if reason in ("tool_calls", "tool_use", "function_call") or (calls and not reason):
            return "tool-calls"
        if outcome.kind == "incomplete":
            return "length" if "token" in reason else "other"
    return _FINISH[outcome.kind]


class _Vercel:
    """Writes the UI message stream protocol: parts started, streamed and ended by id."""

    def __init__(self) -> None:
        self.reading = _Reading()
        self.started = False
        self.open: tuple[str, int] | None = None  # (kind, index) of the text/reasoning part open
        self.part = ""  # its id
        self.parts: dict[tuple[str, int], int] = {}  # how many parts each (kind, index) had
        self.pending: dict[int, ToolCall] = {}  # tool calls whose input is still streaming

    @staticmethod
    def _chunk(value: dict[str, Any]) -> bytes:
        return b"data: " + _encode(value) + b"\n\n"

    def _start(self, out: list[bytes]) -> None:
        if not self.started:
            self.started = True
            out.append(self._chunk({"type": "start"}))
            out.append(self._chunk({"type": "start-step"}))

    def _close(self, out: list[bytes]) -> None:
        if self.open is not None:
            kind = "text" if self.open[0] in ("text", "refusal") else "reasoning"
            out.append(self._chunk({"type": f"{kind}-end", "id": self.part}))
            self.open = None

    def feed(self, event: Any) -> bytes:
        out: list[bytes] = []
        self._start(out)
        for kind, key, text in self.reading.feed(event):
            if kind == "tool_call":
                self._close(out)
                self._settle(out)
                call = self.reading.call(key)
                self.pending[key] = call
                out.append(self._tool_start(call))
            elif kind == "tool_arguments":
                call = self.reading.call(key)
                delta = {
                    "type": "tool-input-delta",
                    "toolCallId": _call_id(call),
                    "inputTextDelta": text,
                }
                out.append(self._chunk(delta))
            else:
                if self.open != (kind, key):
                    self._close(out)
                    self._settle(out)
                    self.open = (kind, key)
                    count = self.parts.get((kind, key), 0)
                    self.parts[(kind, key)] = count + 1
                    self.part = f"{kind}-{key}" + (f"-{count + 1}" if count else "")
                    part = "text" if kind in ("text", "refusal") else "reasoning"
                    out.append(self._chunk({"type": f"{part}-start", "id": self.part}))
                part = "text" if kind in ("text", "refusal") else "reasoning"
                out.append(self._chunk({"type": f"{part}-delta", "id": self.part, "delta": text}))
        return b"".join(out)

    def _tool_start(self, call: ToolCall) -> bytes:
        return self._chunk(
            {"type": "tool-input-start", "toolCallId": _call_id(call), "toolName": call.name}
        )

    def _settle(self, out: list[bytes], *, final: bool = False) -> None:
        """Say the input of every tool call still streaming is available (once it parses)."""
        if not self.pending:
            return
        calls = {c.index: c for c in self.reading.final_calls()}
        for key in list(self.pending):
            call = calls.get(key, self.pending[key])
            try:
                value = msgspec.json.decode(call.arguments) if call.arguments else {}
            except msgspec.DecodeError:
                if not final:
                    continue  # not whole yet: said at the end
                out.append(
                    self._chunk(
                        {
                            "type": "tool-input-error",
                            "toolCallId": _call_id(call),
                            "toolName": call.name,
                            "input": call.arguments,
                            "errorText": "the tool call's arguments are not valid JSON",
                        }
                    )
                )
            else:
                out.append(
                    self._chunk(
                        {
                            "type": "tool-input-available",
                            "toolCallId": _call_id(call),
                            "toolName": call.name,
                            "input": value,
                        }
                    )
                )
            del self.pending[key]

    def finish(self, failure: BaseException | None = None) -> bytes:
        out: list[bytes] = []
        self._start(out)
        self._close(out)
        for call in self.reading.unannounced():
            self.pending[call.index] = call
            out.append(self._tool_start(call))
        self._settle(out, final=True)
        fold = self.reading.fold
        outcome = fold.outcome
        if failure is not None:
            out.append(self._chunk({"type": "error", "errorText": _failure(failure)}))
        elif outcome.kind in ("failed", "errored"):
            text = _error_text(outcome.error) if outcome.error is not None else outcome.kind
            out.append(self._chunk({"type": "error", "errorText": text}))
        elif outcome.kind == "truncated":
            out.append(self._chunk({"type": "error", "errorText": "the stream ended early"}))
        out.append(self._chunk({"type": "finish-step"}))
        reason = "error" if failure is not None else _finish_reason(outcome, len(fold.tool_calls))
        out.append(self._chunk({"type": "finish", "finishReason": reason}))
        out.append(b"data: [DONE]\n\n")
        return b"".join(out)


# -- sync -------------------------------------------------------------------------------------


def _run(writer: _Streamkit | _Vercel, events: Iterable[Any]) -> Iterator[bytes]:
    try:
        for event in events:
            data = writer.feed(event)
            if data:
                yield data
    except Exception as exc:
        yield writer.finish(exc)
        raise
    yield writer.finish()


def sse(events: Iterable[Any], *, last_event_id: str | int | None = None) -> Iterator[bytes]:
    """Typed events of any dialect as streamkit's SSE protocol (``docs/emit.md``), in bytes.

    One SSE event per content delta, then an ``outcome`` event.  With
    *last_event_id* (a resuming client's ``Last-Event-ID``), the events up
    to that one are left out.  An exception from *events* is reported in
    the ``outcome`` event (``"failure"``) and raised again.
    """
    return _run(_Streamkit(last_event_id), events)


def vercel_ui(events: Iterable[Any]) -> Iterator[bytes]:
    """Typed events of any dialect as the AI SDK's UI message stream (bytes).

    Send it with :data:`VERCEL_UI_HEADERS`.

    Text and reasoning become parts (started, streamed, ended), tool calls
    ``tool-input-start`` / ``-delta`` / ``-available`` (the input parsed
    from the JSON arguments), and the outcome an ``error`` part when the
    stream failed, then ``finish`` (with its ``finishReason``) and
    ``[DONE]``.  A refusal is sent as a text part of its own.
    """
    return _run(_Vercel(), events)


# -- async ------------------------------------------------------------------------------------


class EventStream:
    """An async stream of protocol bytes: what :func:`asse` and :func:`avercel_ui` return.

    Iterate it (``async for chunk in stream``).  ``headers`` are the
    response headers its protocol wants.  With ``keepalive`` set, a comment
    (:data:`KEEPALIVE`) is sent whenever nothing was for that many seconds.
    Waiting on the source with a timeout would cancel the source (an async
    generator cannot be resumed after a cancelled wait), so a keep-alive
    needs a task that reads the source while the stream waits for it: that
    task lives in a task group entered by ``async with``::

        async with emit.asse(events, keepalive=15) as stream:
            async for chunk in stream:
                await send(chunk)

    Without ``keepalive`` no task is started and ``async with`` is optional.
    :class:`streamkit.asgi.EventStreamResponse` does all of this for an ASGI
    response.  Closing the stream (leaving ``async with``, ``aclose()``)
    closes the source.
    """

    def __init__(
        self,
        writer: _Streamkit | _Vercel,
        events: AsyncIterable[Any],
        headers: dict[str, str],
        keepalive: float | None,
    ) -> None:
        if keepalive is not None and not (math.isfinite(keepalive) and keepalive > 0):
            raise ValueError(f"keepalive must be a positive number of seconds, not {keepalive!r}")
        self.headers = dict(headers)
        self.keepalive = keepalive
        self._writer = writer
        self._events = events
        self._body: AsyncIterator[bytes] | None = None
        self._group: anyio.abc.TaskGroup | None = None
        self._used = False

    def body(self) -> AsyncIterator[bytes]:
        """The protocol bytes without keep-alives, for a sender that sends its own."""
        if self._used:
            raise RuntimeError("this event stream has been read already")
        self._used = True
        return _arun(self._writer, self._events)

    def __aiter__(self) -> AsyncIterator[bytes]:
        if self._body is not None:
            return self._body
        if self.keepalive is not None:
            raise RuntimeError(
                "an event stream with keepalive= is read inside `async with`: it needs a task"
                " to read its source while it waits"
            )
        self._body = self.body()
        return self._body

    async def __aenter__(self) -> EventStream:
        if self.keepalive is None:
            return self
        group = anyio.create_task_group()
        await group.__aenter__()
        self._group = group
        handoff = _Handoff()
        group.start_soon(handoff.pump, self.body())
        self._body = handoff.paced(self.keepalive)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        body, self._body = self._body, None
        group, self._group = self._group, None
        if group is not None:
            group.cancel_scope.cancel()  # the pump: it closes the source as it goes
        if body is not None:
            await body.aclose()  # type: ignore[attr-defined]
        if group is not None:
            # The pump is done or cancelled; an exception from the block goes on by itself
            # (handing it to the group would wrap it in an exception group).
            await group.__aexit__(None, None, None)
        return None

    async def aclose(self) -> None:
        """Close the stream and its source."""
        await self.__aexit__(None, None, None)


class _Handoff:
    """Chunks passed from the task that reads the source to the stream that sends them.

    One chunk at a time (the reader waits until it was taken), through
    events rather than a memory stream: a wait for the next chunk that a
    keep-alive timeout cancels must lose nothing, and an ``Event.wait``
    cancelled loses nothing.
    """

    def __init__(self) -> None:
        self.items: collections.deque[bytes] = collections.deque()
        self.ready = anyio.Event()
        self.taken = anyio.Event()
        self.done = False
        self.error: Exception | None = None

    async def pump(self, body: AsyncIterator[bytes]) -> None:
        try:
            async for chunk in body:
                self.items.append(chunk)
                self.ready.set()
                while self.items:
                    self.taken = anyio.Event()
                    await self.taken.wait()
        except Exception as exc:  # handed to the reader of the stream, raised there
            self.error = exc
        finally:
            self.done = True
            self.ready.set()
            with anyio.move_on_after(5, shield=True):
                await body.aclose()  # type: ignore[attr-defined]

    async def paced(self, keepalive: float) -> AsyncIterator[bytes]:
        """The chunks, and :data:`KEEPALIVE` whenever none came for *keepalive* seconds.

        Only the wait on an event is timed out; no scope is open across a ``yield``.
        """
        while True:
            if self.items:
                chunk = self.items.popleft()
                self.taken.set()
                yield chunk
                continue
            if self.done:
                if self.error is not None:
                    error, self.error = self.error, None
                    raise error
                return
            ready = self.ready = anyio.Event()
            with anyio.move_on_after(keepalive) as scope:
                await ready.wait()
            if scope.cancelled_caught and not self.items and not self.done:
                yield KEEPALIVE


async def _arun(writer: _Streamkit | _Vercel, events: AsyncIterable[Any]) -> AsyncIterator[bytes]:
    source = aiter(events)
    try:
        try:
            async for event in source:
                data = writer.feed(event)
                if data:
                    yield data
        except Exception as exc:
            yield writer.finish(exc)
            raise
        yield writer.finish()
    finally:
        aclose = getattr(source, "aclose", None)
        if aclose is not None:
            with anyio.move_on_after(5, shield=True):
                await aclose()


def asse(
    events: AsyncIterable[Any],
    *,
    last_event_id: str | int | None = None,
    keepalive: float | None = None,
) -> EventStream:
    """:func:`sse` for async events; *keepalive*: a comment on idle (see :class:`EventStream`)."""
    return EventStream(_Streamkit(last_event_id), events, HEADERS, keepalive)


def avercel_ui(events: AsyncIterable[Any], *, keepalive: float | None = None) -> EventStream:
    """:func:`vercel_ui` for async events; *keepalive* as for :func:`asse`."""
    return EventStream(_Vercel(), events, VERCEL_UI_HEADERS, keepalive)
