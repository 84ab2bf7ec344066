"""Send an event stream to an ASGI client: :class:`EventStreamResponse`, for Starlette and FastAPI.

::

    from streamkit import asgi, emit

    @app.post("/chat")
    async def chat(request):
        events = streamkit.aiter_events(upstream.aiter_bytes())
        return asgi.EventStreamResponse(emit.avercel_ui(events))

The response sends the stream's bytes as they come, a keep-alive comment
whenever nothing was sent for ``keepalive`` seconds, and stops as soon as
the client disconnects, closing the stream and so its source (the events,
and the upstream response they are read from).  It is a plain ASGI
application; where Starlette is installed it is also a Starlette
``Response`` (FastAPI passes such a return value through as it is).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import anyio

from .emit import HEADERS, EventStream, _Handoff

if TYPE_CHECKING:
    from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Mapping

    Scope = Mapping[str, Any]
    Message = dict[str, Any]
    Receive = Callable[[], Awaitable[Message]]
    Send = Callable[[Message], Awaitable[None]]

    _Base = object
else:
    try:  # a Starlette Response where Starlette is, so that FastAPI returns it untouched
        from starlette.responses import Response as _Base
    except ImportError:
        _Base = object

__all__ = ("DEFAULT_KEEPALIVE", "EventStreamResponse")

DEFAULT_KEEPALIVE: Final = 15.0
"""Seconds of silence after which a keep-alive comment is sent (proxies drop idle streams)."""


class EventStreamResponse(_Base):
    """An ASGI response that sends an event stream: keep-alives on idle, stopped by a disconnect.

    *content* is what :func:`streamkit.emit.asse` or
    :func:`~streamkit.emit.avercel_ui` returns (its protocol's headers are
    sent), or any async iterable of SSE bytes.  *headers* add to (or
    replace) those; *keepalive* is seconds of silence before a comment is
    sent (``None``: never).  When the client disconnects the stream is
    closed at once, and with it its source.  ``disconnected`` says, after
    the response, whether that is how it ended.
    """

    media_type = "text/event-stream"

    def __init__(
        self,
        content: EventStream | AsyncIterable[bytes],
        *,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        keepalive: float | None = DEFAULT_KEEPALIVE,
        background: Any = None,
    ) -> None:
        merged = dict(content.headers if isinstance(content, EventStream) else HEADERS)
        for name, value in (headers or {}).items():
            merged = {k: v for k, v in merged.items() if k.lower() != name.lower()}
            merged[name] = value
        if keepalive is not None and not keepalive > 0:
            raise ValueError(f"keepalive must be a positive number of seconds, not {keepalive!r}")
        self.content = content
        self.status_code = status_code
        self.keepalive = keepalive
        self.background = background
        self.raw_headers = [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in merged.items()
        ]
        self.disconnected = False

    def _body(self) -> AsyncIterator[bytes]:
        content = self.content
        if isinstance(content, EventStream):
            return content.body()
        return aiter(content)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        body = self._body()
        failure: Exception | None = None
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(self._watch, receive, group.cancel_scope)
                chunks: AsyncIterator[bytes] = body
                if self.keepalive is not None:
                    handoff = _Handoff()
                    group.start_soon(handoff.pump, body)
                    chunks = handoff.paced(self.keepalive)
                try:
                    async for chunk in chunks:
                        await send({"type": "http.response.body", "body": chunk, "more_body": True})
                except Exception as exc:  # raised below, not wrapped in the group's exception group
                    failure = exc
                finally:
                    await chunks.aclose()  # type: ignore[attr-defined]
                group.cancel_scope.cancel()
        finally:
            aclose = getattr(body, "aclose", None)
            if aclose is not None:
                with anyio.move_on_after(5, shield=True):
                    await aclose()
        if failure is not None:
            raise failure  # the server breaks the connection: the client sees the stream fail
        if not self.disconnected:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        if self.background is not None:
            await self.background()

    async def _watch(self, receive: Receive, scope: anyio.CancelScope) -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.disconnected = True
                scope.cancel()
                return
