"""The Anthropic Messages stream as the chat transcript its user saw (``replay --text``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from streamkit.dialects._transcript import (
    Writer,
    call_text as _call_text,
    detail as _detail,
    error_text as _error_text,
    int_or_none as _int,
    json_text as _json,
    kind_of as _kind,
    one_line as _one_line,
    str_or_none as _str,
)

__all__ = ("AnthropicTranscript",)

#: Blocks of calls the server runs itself: shown as one-line notes once their input is complete.
_SERVER_CALLS = frozenset({"server_tool_use", "mcp_tool_use"})


@dataclass
class _Block:
    """A content block of an Anthropic message: its kind, label, and input so far."""

    kind: str | None
    label: str = ""
    name: str | None = None
    input: object = None  # the input of content_block_start
    json: list[str] = field(default_factory=list)  # the input_json_delta fragments
    server: str | None = None


@dataclass
class _Message:
    """What an :class:`AnthropicTranscript` knows of the message being streamed."""

    blocks: dict[int, _Block] = field(default_factory=dict)
    stop_reason: str | None = None
    stop_detail: str | None = None
    errors: list[str] = field(default_factory=list)
    stopped: bool = False  # message_stop arrived


class AnthropicTranscript(Writer):
    """Renders Anthropic Messages events as a chat transcript, incrementally.

    Text is written under ``[assistant]`` (text blocks that follow one
    another, as a cited answer's do, make one section), thinking under
    ``[thinking]``; a ``tool_use`` block gets ``[tool_use NAME]`` followed by
    its streamed partial JSON.  Calls the server runs (``server_tool_use``,
    ``mcp_tool_use``) get a one-line note once their input is complete, e.g.
    ``[server_tool_use: web_search({"query": "…"})]``, and so do the blocks
    holding their results (``[web_search_tool_result: 5 result(s)]``) and
    redacted thinking.  An ``error`` event gets ``[error: TYPE: MESSAGE]``.

    The stop reason ends the transcript: ``[stop: end_turn]``, ``[stop:
    tool_use]``, ``[stop: stop_sequence: SEQUENCE]``; a stream that ends
    without one ends with ``[message errored: …]`` after an error, else
    ``[message truncated: …]``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.state = _Message()

    def show(self, name: str, event: Any) -> None:
        state = self.state
        index = _int(getattr(event, "index", None))
        if index is None:
            index = -1
        if name == "content_block_start":
            self._block_start(index, getattr(event, "content_block", None))
        elif name == "content_block_delta":
            self._block_delta(index, getattr(event, "delta", None))
        elif name == "content_block_stop":
            self._block_stop(index)
        elif name == "message_start":
            self.state = _Message()
            self.section = None  # a new message's blocks count from 0 again
        elif name == "message_delta":
            delta = getattr(event, "delta", None)
            reason = _str(getattr(delta, "stop_reason", None))
            if reason:
                state.stop_reason = reason
                details = getattr(delta, "stop_details", None)
                state.stop_detail = (
                    _str(getattr(delta, "stop_sequence", None))
                    or _str(getattr(details, "explanation", None))
                    or _str(getattr(details, "category", None))
                )
        elif name == "message_stop":
            if not state.stopped:
                state.stopped = True
                self.line(self.status())
        elif name == "error":
            message = _error_text(getattr(event, "error", None))
            state.errors.append(message)
            self.line(f"[error: {message}]")

    def _block_start(self, index: int, content: Any) -> None:
        kind = _kind(content)
        block = self.state.blocks[index] = _Block(kind, input=getattr(content, "input", None))
        block.name = _str(getattr(content, "name", None))
        if kind == "text":
            self._text(_str(getattr(content, "text", None)))
        elif kind == "thinking":
            thinking = _str(getattr(content, "thinking", None))
            if thinking:
                self.enter(("thinking", index), "thinking")
                self.write(thinking)
        elif kind == "tool_use":
            block.label = f"tool_use {block.name}" if block.name else "tool_use"
            self.enter(("tool", index), block.label)
        elif kind in _SERVER_CALLS:
            block.server = _str(getattr(content, "server_name", None))
        elif kind == "web_search_tool_result":
            results = getattr(content, "content", None)
            if isinstance(results, list):
                self.line(f"[{kind}: {len(results)} result(s)]")
            else:
                code = _str(getattr(results, "error_code", None))
                self.line(f"[{kind} failed: {code}]" if code else f"[{kind} failed]")
        elif kind == "mcp_tool_result" and getattr(content, "is_error", None) is True:
            self.line(f"[{kind} failed]")
        elif kind == "container_upload":
            file_id = _str(getattr(content, "file_id", None))
            self.line(f"[{kind}: {file_id}]" if file_id else f"[{kind}]")
        elif kind is not None:
            self.line(f"[{kind}]")

    def _block_delta(self, index: int, delta: Any) -> None:
        kind = _kind(delta)
        if kind == "text_delta":
            self._text(_str(getattr(delta, "text", None)))
        elif kind == "thinking_delta":
            thinking = _str(getattr(delta, "thinking", None))
            if thinking:
                self.enter(("thinking", index), "thinking")
                self.write(thinking)
        elif kind == "input_json_delta":
            fragment = _str(getattr(delta, "partial_json", None))
            if not fragment:
                return
            block = self.state.blocks.setdefault(index, _Block("tool_use", label="tool_use"))
            block.json.append(fragment)
            if block.kind not in _SERVER_CALLS:
                self.enter(("tool", index), block.label or "tool_use")
                self.write(fragment)

    def _block_stop(self, index: int) -> None:
        block = self.state.blocks.get(index)
        if block is None:
            return
        streamed = "".join(block.json)
        if block.kind == "tool_use" and not streamed:
            self.enter(("tool", index), block.label)
            self.write(_json(block.input if isinstance(block.input, dict) else {}))
        elif block.kind in _SERVER_CALLS:
            arguments = streamed or _json(block.input if isinstance(block.input, dict) else {})
            call = _call_text(block.name, _one_line(arguments))
            detail = " ".join(p for p in (block.server, call) if p)
            self.line(f"[{block.kind}: {detail}]" if detail else f"[{block.kind}]")

    def _text(self, text: str | None) -> None:
        if text:
            self.enter("text", "assistant")
            self.write(text)

    def status(self) -> str:
        state = self.state
        if state.stop_reason:
            return f"[stop: {_detail(state.stop_reason, state.stop_detail)}]"
        if state.errors:
            return f"[message errored: {state.errors[-1]}]"
        if state.stopped:
            return "[stop: none]"
        return "[message truncated: the stream ended before the message did]"

    def finish(self) -> None:
        self.end(self.status())
