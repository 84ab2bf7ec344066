"""Building Anthropic Messages streams for tests, and running the anthropic SDK over bytes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import streamkit
from streamkit.dialects import anthropic as sk_anthropic

if TYPE_CHECKING:
    from collections.abc import Iterable

MSG = "msg_01TestTestTestTestTestTest"
MODEL = "claude-sonnet-4-5-20250929"


def message(**fields: Any) -> dict[str, Any]:
    """A ``message_start`` message as the API sends it (no content, stop_reason null)."""
    base: dict[str, Any] = {
        "id": MSG,
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {
            "input_tokens": 12,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": 1,
            "service_tier": "standard",
        },
    }
    return base | fields


class Stream:
    """A stream being written: each method adds one event (a JSON payload) and returns self."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def add(self, payload: dict[str, Any], name: str | None = None) -> Stream:
        self.events.append((name or payload["type"], payload))
        return self

    def start(self, **fields: Any) -> Stream:
        return self.add({"type": "message_start", "message": message(**fields)})

    def block(self, index: int, block: dict[str, Any]) -> Stream:
        return self.add({"type": "content_block_start", "index": index, "content_block": block})

    def delta(self, index: int, delta: dict[str, Any]) -> Stream:
        return self.add({"type": "content_block_delta", "index": index, "delta": delta})

    def text(self, index: int, text: str) -> Stream:
        return self.delta(index, {"type": "text_delta", "text": text})

    def thinking(self, index: int, text: str) -> Stream:
        return self.delta(index, {"type": "thinking_delta", "thinking": text})

    def json(self, index: int, partial: str) -> Stream:
        return self.delta(index, {"type": "input_json_delta", "partial_json": partial})

    def stop(self, index: int) -> Stream:
        return self.add({"type": "content_block_stop", "index": index})

    def message_delta(
        self, stop_reason: str | None = "end_turn", usage: dict[str, Any] | None = None, **more: Any
    ) -> Stream:
        payload: dict[str, Any] = {
            "type": "message_delta",
            "delta": {"stop_reason": stop_reason, "stop_sequence": None},
            "usage": {"output_tokens": 5} if usage is None else usage,
        }
        return self.add(payload | more)

    def end(self) -> Stream:
        return self.add({"type": "message_stop"})

    def ping(self) -> Stream:
        return self.add({"type": "ping"})

    def body(self) -> bytes:
        return sse(self.events)

    def typed(self) -> list[Any]:
        return list(streamkit.iter_events([self.body()], dialect="anthropic"))

    def fold(self, *, strict: bool = False) -> sk_anthropic.Accumulator:
        return fold(self.typed(), strict=strict)


def sse(events: Iterable[tuple[str, Any]]) -> bytes:
    """``event: name`` / ``data: payload`` blocks, payloads as compact JSON (or text)."""
    out = []
    for name, payload in events:
        data = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))
        out.append(f"event: {name}\ndata: {data}\n\n")
    return "".join(out).encode()


def fold(events: Iterable[Any], *, strict: bool = False) -> sk_anthropic.Accumulator:
    acc = sk_anthropic.Accumulator(strict=strict)
    for event in events:
        acc.feed(event)
    return acc


def text_stream(*pieces: str) -> Stream:
    """A whole one-text-block answer made of *pieces*."""
    stream = Stream().start().block(0, {"type": "text", "text": ""})
    for piece in pieces:
        stream.text(0, piece)
    return stream.stop(0).message_delta().end()


# -- the anthropic SDK over bytes ---------------------------------------------------


def sdk_http() -> Any:
    """The HTTP client module the installed anthropic SDK is built on (httpx or httpx2)."""
    from anthropic import _base_client

    return getattr(_base_client, "httpx2", None) or _base_client.httpx


def sdk_client(chunks: list[bytes]) -> Any:
    """An ``anthropic.Anthropic`` whose every request is answered with *chunks* as SSE."""
    import anthropic as anthropic_sdk

    http = sdk_http()

    class Body(http.SyncByteStream):  # type: ignore[misc,name-defined]
        def __iter__(self) -> Any:
            return iter(chunks)

    def respond(request: Any) -> Any:
        return http.Response(200, headers={"content-type": "text/event-stream"}, stream=Body())

    return anthropic_sdk.Anthropic(
        api_key="sk-ant-test",
        base_url="http://anthropic.invalid",
        http_client=http.Client(transport=http.MockTransport(respond)),
        max_retries=0,
    )


REQUEST: dict[str, Any] = {
    "model": MODEL,
    "max_tokens": 1024,
    "messages": [{"role": "user", "content": "Hello"}],
}


def sdk_final(chunks: list[bytes], *, beta: bool = False) -> Any:
    """The SDK's ``get_final_message()`` for a stream of *chunks* (``client.beta`` when *beta*)."""
    client = sdk_client(chunks)
    messages = client.beta.messages if beta else client.messages
    with messages.stream(**REQUEST) as stream:
        return stream.get_final_message()
