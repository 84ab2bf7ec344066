"""streamkit.asgi.EventStreamResponse: an event stream to an ASGI client, as a server calls it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anyio
import pytest

from streamkit import asgi, emit
from streamkit.recording import Replayer

from .helpers import REPO

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

CHAT = REPO / "recordings" / "chat" / "text-usage.ndjson"


class Client:
    """The server's side of one request: what the app sent, and a disconnect on demand."""

    def __init__(self, leave_after: int | None = None) -> None:
        self.messages: list[dict[str, Any]] = []
        self.leave_after = leave_after
        self.left = anyio.Event()

    async def receive(self) -> dict[str, Any]:
        if self.leave_after is None:
            await anyio.sleep_forever()
        await self.left.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        self.messages.append(message)
        bodies = [m for m in self.messages if m["type"] == "http.response.body"]
        if self.leave_after is not None and len(bodies) >= self.leave_after:
            self.left.set()

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.messages[1:])

    @property
    def headers(self) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.messages[0]["headers"]}


async def events(
    pause: float = 0.0, at: int = -1, closed: list[bool] | None = None
) -> AsyncIterator[Any]:
    try:
        for i, event in enumerate(Replayer.open(CHAT).iter_events()):
            if i == at:
                await anyio.sleep(pause)
            yield event
    finally:
        if closed is not None:
            closed.append(True)


SCOPE = {"type": "http", "method": "POST", "path": "/chat", "headers": []}


@pytest.mark.anyio
async def test_it_sends_the_stream_with_its_protocols_headers() -> None:
    client = Client()
    response = asgi.EventStreamResponse(emit.avercel_ui(events()), headers={"x-trace": "1"})
    await response(SCOPE, client.receive, client.send)
    assert client.messages[0]["status"] == 200
    assert client.headers["x-vercel-ai-ui-message-stream"] == "v1"
    assert client.headers["x-trace"] == "1"
    assert client.body == b"".join(emit.vercel_ui(Replayer.open(CHAT).iter_events()))
    assert client.messages[-1] == {"type": "http.response.body", "body": b"", "more_body": False}
    assert not response.disconnected


@pytest.mark.anyio
async def test_it_sends_keepalives_while_the_source_is_silent() -> None:
    client = Client()
    response = asgi.EventStreamResponse(emit.asse(events(0.35, 2)), keepalive=0.1)
    await response(SCOPE, client.receive, client.send)
    bodies = [m["body"] for m in client.messages[1:]]
    assert 2 <= bodies.count(emit.KEEPALIVE) <= 4
    assert client.body.replace(emit.KEEPALIVE, b"") == b"".join(
        emit.sse(Replayer.open(CHAT).iter_events())
    )


@pytest.mark.anyio
@pytest.mark.parametrize("keepalive", [None, 5.0])
async def test_a_client_that_leaves_closes_the_stream_and_its_source(
    keepalive: float | None,
) -> None:
    closed: list[bool] = []
    client = Client(leave_after=3)
    response = asgi.EventStreamResponse(emit.asse(events(30, 5, closed)), keepalive=keepalive)
    with anyio.fail_after(5):  # the source would sleep 30 s: the disconnect ends it at once
        await response(SCOPE, client.receive, client.send)
    assert response.disconnected
    assert closed == [True]
    assert client.messages[-1].get("more_body", True)  # no end of body after a disconnect


def test_it_is_a_starlette_response_where_starlette_is() -> None:
    starlette = pytest.importorskip("starlette.responses")
    response = asgi.EventStreamResponse(emit.asse(events()))
    assert isinstance(response, starlette.Response)
    assert response.headers["content-type"].startswith("text/event-stream")


def test_it_streams_from_a_starlette_app() -> None:
    pytest.importorskip("starlette")
    pytest.importorskip("httpx")
    from starlette.applications import Starlette
    from starlette.routing import Route
    from starlette.testclient import TestClient

    async def chat(request: Any) -> asgi.EventStreamResponse:
        return asgi.EventStreamResponse(emit.asse(events()))

    app = Starlette(routes=[Route("/chat", chat, methods=["POST"])])
    with TestClient(app) as client:
        answer = client.post("/chat")
    assert answer.status_code == 200
    assert answer.content == b"".join(emit.sse(Replayer.open(CHAT).iter_events()))
