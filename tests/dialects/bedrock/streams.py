"""Building Bedrock streams (binary event stream bodies) for tests, and driving boto3 over bytes."""

from __future__ import annotations

import base64
import json
from typing import Any

import streamkit
from streamkit.dialects import bedrock

PADDING = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def dumps(value: Any) -> bytes:
    """Compact JSON with sorted keys, as the service writes its payloads."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def message(name: str, payload: Any, *, exception: bool = False) -> bytes:
    """One event stream message as the service sends it (payload: JSON builtins or bytes)."""
    naming = ":exception-type" if exception else ":event-type"
    headers = {
        naming: name,
        ":content-type": "application/json",
        ":message-type": "exception" if exception else "event",
    }
    data = payload if isinstance(payload, bytes) else dumps(payload)
    return streamkit.encode_message(headers, data)


class Stream:
    """A stream being written: each method adds one message and returns self."""

    def __init__(self, *, pad: bool = True) -> None:
        self.messages: list[bytes] = []
        self.pad = pad
        self._n = 0

    def _padded(self, payload: dict[str, Any]) -> dict[str, Any]:
        if not self.pad:
            return payload
        self._n += 1
        return payload | {"p": PADDING[: (self._n * 7) % len(PADDING) + 1]}

    def add(self, name: str, payload: dict[str, Any]) -> Stream:
        self.messages.append(message(name, self._padded(payload)))
        return self

    # ConverseStream
    def start(self, role: str = "assistant") -> Stream:
        return self.add("messageStart", {"role": role})

    def block(self, index: int, start: dict[str, Any]) -> Stream:
        return self.add("contentBlockStart", {"contentBlockIndex": index, "start": start})

    def tool(self, index: int, name: str, tool_id: str, **more: Any) -> Stream:
        return self.block(index, {"toolUse": {"name": name, "toolUseId": tool_id, **more}})

    def delta(self, index: int, delta: dict[str, Any]) -> Stream:
        return self.add("contentBlockDelta", {"contentBlockIndex": index, "delta": delta})

    def text(self, index: int, text: str) -> Stream:
        return self.delta(index, {"text": text})

    def reasoning(self, index: int, **fields: Any) -> Stream:
        return self.delta(index, {"reasoningContent": fields})

    def json(self, index: int, piece: str) -> Stream:
        return self.delta(index, {"toolUse": {"input": piece}})

    def stop(self, index: int) -> Stream:
        return self.add("contentBlockStop", {"contentBlockIndex": index})

    def end(self, reason: str = "end_turn", **more: Any) -> Stream:
        return self.add("messageStop", {"stopReason": reason, **more})

    def metadata(self, usage: dict[str, Any] | None = None, **more: Any) -> Stream:
        usage = (
            {"inputTokens": 12, "outputTokens": 5, "totalTokens": 17} if usage is None else usage
        )
        return self.add("metadata", {"metrics": {"latencyMs": 321}, "usage": usage, **more})

    def exception(self, name: str, text: str = "Too many requests", **more: Any) -> Stream:
        self.messages.append(message(name, {"message": text, **more}, exception=True))
        return self

    # InvokeModelWithResponseStream
    def chunk(self, payload: Any) -> Stream:
        raw = payload if isinstance(payload, bytes) else dumps(payload)
        return self.add("chunk", {"bytes": base64.b64encode(raw).decode()})

    def body(self) -> bytes:
        return b"".join(self.messages)

    def typed(self) -> list[Any]:
        return list(streamkit.iter_events([self.body()], dialect="bedrock"))

    def fold(self, *, strict: bool = False) -> bedrock.Accumulator:
        return fold(self.typed(), strict=strict)


def fold(events: Any, *, strict: bool = False) -> bedrock.Accumulator:
    acc = bedrock.Accumulator(strict=strict)
    for event in events:
        acc.feed(event)
    return acc


def text_stream(*pieces: str, reason: str = "end_turn") -> Stream:
    """A whole ConverseStream answer of one text block made of *pieces*."""
    stream = Stream().start()
    for piece in pieces:
        stream.text(0, piece)
    return stream.stop(0).end(reason).metadata()


def tool_stream(*pieces: str, name: str = "get_weather", tool_id: str = "tooluse_1") -> Stream:
    """Text, then one tool call whose input JSON streams in *pieces*; stopReason tool_use."""
    stream = Stream().start().text(0, "Let me check.").stop(0).tool(1, name, tool_id)
    for piece in pieces:
        stream.json(1, piece)
    return stream.stop(1).end("tool_use").metadata()


# -- Anthropic Messages events inside chunks ------------------------------------------------


def anthropic_message(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "msg_bdrk_01TestTestTestTestTestTest",
        "type": "message",
        "role": "assistant",
        "model": "claude-3-5-sonnet-20240620",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 1},
    }
    return base | fields


def anthropic_events(*texts: str, stop_reason: str = "end_turn") -> list[dict[str, Any]]:
    """The Anthropic events of a one-text-block answer, with Bedrock's metrics on the last."""
    events: list[dict[str, Any]] = [
        {"type": "message_start", "message": anthropic_message()},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    ]
    events += [
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": t}}
        for t in texts
    ]
    events += [
        {"type": "content_block_stop", "index": 0},
        {
            "type": "message_delta",
            "delta": {"stop_reason": stop_reason, "stop_sequence": None},
            "usage": {"output_tokens": 7},
        },
        {"type": "message_stop", "amazon-bedrock-invocationMetrics": METRICS},
    ]
    return events


METRICS: dict[str, Any] = {
    "inputTokenCount": 10,
    "outputTokenCount": 7,
    "invocationLatency": 812,
    "firstByteLatency": 301,
}


def invoke(*payloads: Any) -> Stream:
    """An InvokeModel stream of *payloads* (each one chunk's JSON, or raw bytes)."""
    stream = Stream()
    for payload in payloads:
        stream.chunk(payload)
    return stream


# -- boto3 over bytes ---------------------------------------------------------------------


class _Raw:
    """The raw HTTP body botocore reads an event stream from."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks

    def stream(self, *args: Any, **kwargs: Any) -> Any:
        return iter(self.chunks)

    def read(self, *args: Any, **kwargs: Any) -> bytes:
        return b"".join(self.chunks)

    def close(self) -> None:
        pass


def boto3_client(chunks: list[bytes]) -> Any:
    """A ``bedrock-runtime`` client whose every request is answered with *chunks*."""
    import boto3
    from botocore.awsrequest import AWSResponse

    client = boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="not-a-secret",
    )

    def send(request: Any, **kwargs: Any) -> Any:
        headers = {"content-type": "application/vnd.amazon.eventstream"}
        return AWSResponse(request.url, 200, headers, _Raw(chunks))

    client.meta.events.register("before-send.bedrock-runtime.*", send)
    return client


def boto3_converse_events(chunks: list[bytes]) -> list[dict[str, Any]]:
    """What ``client.converse_stream(...)["stream"]`` yields for *chunks*."""
    client = boto3_client(chunks)
    response = client.converse_stream(
        modelId="anthropic.claude-3-haiku-20240307-v1:0",
        messages=[{"role": "user", "content": [{"text": "Hello"}]}],
    )
    return list(response["stream"])


def boto3_invoke_events(chunks: list[bytes]) -> list[dict[str, Any]]:
    """What ``client.invoke_model_with_response_stream(...)["body"]`` yields for *chunks*."""
    client = boto3_client(chunks)
    response = client.invoke_model_with_response_stream(modelId="some.model-v1:0", body=b"{}")
    return list(response["body"])
