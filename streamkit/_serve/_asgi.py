"""The few ASGI moves the servers share: read a request, answer JSON, notice a client leaving."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import anyio
import anyio.lowlevel
import msgspec

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable, MutableMapping

    Scope = MutableMapping[str, Any]
    Message = MutableMapping[str, Any]
    Receive = Callable[[], Awaitable[Message]]
    Send = Callable[[Message], Awaitable[None]]

__all__ = ("MAX_BODY", "BodyTooLarge", "Disconnected", "json_response", "read_body", "until_gone")

MAX_BODY: Final = 64 * 1024 * 1024
"""The largest request body read (bytes)."""

#: Headers that belong to one connection, never passed on (RFC 9110, 7.6.1), and those
#: the server computes itself.
HOP_BY_HOP: Final = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


class BodyTooLarge(Exception):
    """A request body over :data:`MAX_BODY`."""


class Disconnected(Exception):
    """The client went away before the request body was read."""


async def read_body(receive: Receive, limit: int = MAX_BODY) -> bytes:
    """The whole request body."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Disconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        parts.append(chunk)
        if not message.get("more_body", False):
            return b"".join(parts)


def header_items(scope: Scope) -> list[tuple[str, str]]:
    """The request's headers as ``(name, value)`` strings (names lower-case, as ASGI gives them)."""
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers", ())]


def raw_headers(items: Iterable[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in items]


async def json_response(
    send: Send, status: int, value: Any, headers: Iterable[tuple[str, str]] = ()
) -> int:
    """Answer with *value* as JSON; returns the body's size."""
    body = value if isinstance(value, bytes) else msgspec.json.encode(value)
    items = [("content-type", "application/json"), ("content-length", str(len(body))), *headers]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers(items)})
    await send({"type": "http.response.body", "body": body, "more_body": False})
    return len(body)


async def until_gone(receive: Receive, gone: Callable[[], None]) -> None:
    """Wait for the client to disconnect, then call *gone* (run it as a task beside a response)."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            gone()
            return
        await anyio.lowlevel.checkpoint()
