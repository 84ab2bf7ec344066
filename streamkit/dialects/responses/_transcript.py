"""The Responses stream as the chat transcript its user saw (``streamkit replay --text``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec

from streamkit.dialects._transcript import (
    Writer,
    call_text as _call_text,
    detail as _detail,
    error_text as _error_text,
    int_or_none as _int,
    kind_of as _kind,
    list_or_empty as _list,
    one_line as _one_line,
    str_or_none as _str,
)

__all__ = ("ResponsesTranscript",)

_RESPONSE_ENDS = frozenset({"response.completed", "response.incomplete", "response.failed"})
_RESPONSE_STARTS = frozenset({"response.created", "response.queued", "response.in_progress"})

#: Response delta events that stream text into a section: the section's kind and label.
_RESPONSE_TEXT = {
    "response.output_text.delta": ("text", "assistant"),
    "response.refusal.delta": ("refusal", "refusal"),
    "response.reasoning_summary_text.delta": ("summary", "reasoning"),
    "response.reasoning_text.delta": ("reasoning", "reasoning"),
    "response.code_interpreter_call_code.delta": ("code", "code_interpreter"),
    "response.function_call_arguments.delta": ("call", "function"),
    "response.custom_tool_call_input.delta": ("call", "custom"),
}


@dataclass
class _Response:
    """What a :class:`ResponsesTranscript` knows of the response being streamed."""

    labels: dict[str | None, str] = field(default_factory=dict)  # call item id -> label
    streamed: set[tuple[str, str | None, int]] = field(default_factory=set)  # sections written
    errors: list[str] = field(default_factory=list)
    status: str | None = None  # the status line, once a final lifecycle event arrived


class ResponsesTranscript(Writer):
    """Renders OpenAI Responses events as a chat transcript, incrementally.

    ``output_text`` is written under ``[assistant]``, a refusal under
    ``[refusal]``, reasoning (summary or text) under ``[reasoning]``; a
    function call gets ``[function NAME]`` and a custom tool call ``[custom
    NAME]``, followed by the streamed arguments or input; code interpreter
    code is streamed under ``[code_interpreter]``, its logs follow under
    ``[code_interpreter output]``.  Other output items (web search, file
    search, MCP, image generation, kinds the dialect does not know) get a
    one-line note when they are done, e.g. ``[web_search_call: search
    QUERY]`` or ``[mcp_call failed: SERVER NAME(ARGS): ERROR]``.  Text an
    item's deltas did not carry is shown whole when the item is done.

    ``response.completed`` / ``incomplete`` / ``failed`` write the status
    line: ``[response completed]``, ``[response incomplete: REASON]``,
    ``[response failed: CODE: MESSAGE]``.  An ``error`` event gets ``[error:
    …]``; a stream without a final event ends with ``[response errored: …]``
    after one, else ``[response truncated: …]``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.state = _Response()

    def show(self, name: str, event: Any) -> None:
        state = self.state
        item_id = _str(getattr(event, "item_id", None))
        if name in _RESPONSE_TEXT:
            kind, label = _RESPONSE_TEXT[name]
            index = _int(getattr(event, "summary_index", getattr(event, "content_index", 0))) or 0
            key = (kind, item_id, index)
            text = _str(getattr(event, "delta", None))
            if text:
                self.enter(key, state.labels.get(item_id, label) if kind == "call" else label)
                self.write(text)
                state.streamed.add(key)
        elif name == "response.output_item.added":
            self._item_added(getattr(event, "item", None))
        elif name == "response.output_item.done":
            self._item_done(getattr(event, "item", None))
        elif name in _RESPONSE_STARTS:
            if state.status is not None:  # a new response (a session's next stream)
                self.state = _Response()
        elif name in _RESPONSE_ENDS:
            state.status = _response_status(name, getattr(event, "response", None))
            self.line(state.status)
        elif name == "error":
            text = _str(getattr(event, "text", None)) or _str(getattr(event, "message", None))
            nested = getattr(event, "error", None)
            code = getattr(event, "code", None)
            if not (_str(code) or _int(code) is not None):
                code = getattr(nested, "code", None) or getattr(nested, "type", None)
            message = _detail(code, text) or "no details"
            state.errors.append(message)
            self.line(f"[error: {message}]")

    def _item_added(self, item: Any) -> None:
        kind = _kind(item)
        if kind in ("function_call", "custom_tool_call"):
            item_id = _str(getattr(item, "id", None))
            word = "function" if kind == "function_call" else "custom"
            name = _str(getattr(item, "name", None))
            label = self.state.labels[item_id] = f"{word} {name}" if name else word
            self.enter(("call", item_id, 0), label)

    def _item_done(self, item: Any) -> None:
        """Show what the final item holds that its deltas did not, or its one-line note."""
        kind = _kind(item)
        item_id = _str(getattr(item, "id", None))
        if kind == "message":
            for index, part in enumerate(_list(getattr(item, "content", None))):
                if _kind(part) == "refusal":
                    self._whole(
                        ("refusal", item_id, index), "refusal", getattr(part, "refusal", None)
                    )
                else:
                    self._whole(("text", item_id, index), "assistant", getattr(part, "text", None))
        elif kind == "reasoning":
            for index, part in enumerate(_list(getattr(item, "summary", None))):
                self._whole(("summary", item_id, index), "reasoning", getattr(part, "text", None))
            for index, part in enumerate(_list(getattr(item, "content", None))):
                self._whole(("reasoning", item_id, index), "reasoning", getattr(part, "text", None))
        elif kind in ("function_call", "custom_tool_call"):
            text = getattr(item, "arguments" if kind == "function_call" else "input", None)
            if item_id not in self.state.labels:
                self._item_added(item)
            self._whole(("call", item_id, 0), self.state.labels[item_id], text)
        elif kind == "code_interpreter_call":
            self._whole(("code", item_id, 0), "code_interpreter", getattr(item, "code", None))
            for index, output in enumerate(_list(getattr(item, "outputs", None))):
                if _kind(output) == "logs":
                    logs = _str(getattr(output, "logs", None)) or ""
                    self._whole(("logs", item_id, index), "code_interpreter output", logs)
                elif _kind(output) == "image":
                    url = _str(getattr(output, "url", None))
                    if url and url.startswith("data:"):  # the image itself: name its type only
                        url = url.split(",", 1)[0] + ",…"
                    note = (
                        f"code_interpreter image: {_one_line(url)}"
                        if url
                        else "code_interpreter image"
                    )
                    self.line(f"[{note}]")
        elif kind is not None:
            self.line(_item_note(kind, item))

    def _whole(self, key: tuple[str, str | None, int], label: str, text: object) -> None:
        """Write *text* under *label* unless deltas already streamed that section."""
        value = _str(text)
        if key in self.state.streamed or not value:
            return
        self.enter(key, label)
        self.write(value)
        self.state.streamed.add(key)

    def status(self) -> str:
        state = self.state
        if state.status is not None:
            return state.status
        if state.errors:
            return f"[response errored: {state.errors[-1]}]"
        return "[response truncated: the stream ended before the response did]"

    def finish(self) -> None:
        self.end(self.status())


def _item_note(kind: str, item: Any) -> str:
    """The one-line note of an output item other than a message, reasoning or call.

    ``[KIND: DETAIL]``, ``[KIND STATUS: DETAIL]`` when the item did not
    complete (``failed``, ``incomplete``…).
    """
    status = _str(getattr(item, "status", None))
    error = getattr(item, "error", None)
    failed = error is not None and not isinstance(error, msgspec.UnsetType)
    detail = None
    if kind == "web_search_call":
        action = getattr(item, "action", None)
        what = _kind(action)
        target = None
        if what == "search":
            queries = [q for q in _list(getattr(action, "queries", None)) if _str(q)]
            target = "; ".join(queries) if queries else _str(getattr(action, "query", None))
        elif what == "open_page":
            target = _str(getattr(action, "url", None))
        elif what == "find_in_page":
            target = _str(getattr(action, "pattern", None))
        detail = " ".join(p for p in (what, target) if p)
    elif kind == "file_search_call":
        asked = "; ".join(q for q in _list(getattr(item, "queries", None)) if _str(q))
        results = getattr(item, "results", None)
        count = f"{len(results)} result(s)" if isinstance(results, list) else None
        detail = _detail(asked, count)
    elif kind in ("mcp_call", "mcp_approval_request"):
        server = _str(getattr(item, "server_label", None))
        call = _call_text(getattr(item, "name", None), getattr(item, "arguments", None))
        detail = " ".join(p for p in (server, call) if p)
        output = _str(getattr(item, "output", None))
        if failed:
            detail = _detail(detail, _error_text(error))
        elif output is not None:
            detail += f" -> {output}"
    elif kind == "mcp_list_tools":
        tools = _list(getattr(item, "tools", None))
        server = getattr(item, "server_label", None)
        detail = _detail(server, _error_text(error) if failed else f"{len(tools)} tool(s)")
    elif failed:
        detail = _error_text(error)
    if failed and status in (None, "completed"):
        status = "failed"
    head = f"{kind} {status}" if status and status != "completed" else kind
    return f"[{head}: {_one_line(detail)}]" if detail else f"[{head}]"


def _response_status(name: str, response: Any) -> str:
    """``[response completed]``, ``[response incomplete: reason]``, ``[response failed: …]``."""
    kind = name.rsplit(".", 1)[1]
    detail = None
    if kind == "failed":
        error = getattr(response, "error", None)
        if _str(getattr(error, "message", None)) or _str(getattr(error, "code", None)):
            detail = _error_text(error)
    elif kind == "incomplete":
        detail = _str(getattr(getattr(response, "incomplete_details", None), "reason", None))
    return f"[response {kind}: {detail}]" if detail else f"[response {kind}]"
