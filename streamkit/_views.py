"""What ``streamkit replay --text`` shows: a stream as the chat transcript its user saw.

One view per dialect, chosen by :data:`TEXT_VIEWS`; they share the
conventions of :class:`TextView`: a ``[label]`` line starts each section
(the assistant's text, a refusal, reasoning, a tool call's streamed input),
streamed text is written as it arrives, things that are not text get a
one-line ``[...]`` note, and a status line ends the transcript.  An invalid
event gets an ``[invalid NAME event: …]`` line; unknown events are ignored.

The views read events the defensive way: a field may be missing, ``UNSET``
or ``None`` in odd but decodable input, and no view fails on it.  They
duck-type rather than import the dialects, so showing one dialect's stream
loads no other dialect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any

import msgspec

from streamkit.dialects import InvalidEvent, UnknownEvent
from streamkit.dialects._registry import dialect_of
from streamkit.dialects._unknowns import UNKNOWN_TAG

__all__ = (
    "TEXT_VIEWS",
    "AnthropicView",
    "AssistantsView",
    "ChatView",
    "ResponsesView",
    "TextView",
    "outcome_kind",
    "status_line",
    "text_delta",
)

_NOTE_LIMIT = 200  # characters of a detail in a one-line note


# -- reading events defensively --------------------------------------------------


def _event_name(event: Any) -> str:
    """The event's name: its ``event`` (or, in dialects tagged on it, ``type``) field."""
    for attribute in ("event", "type"):
        name = getattr(event, attribute, None)
        if isinstance(name, str):
            return name
    return type(event).__name__


def _str(value: object) -> str | None:
    """*value* when it is a string (not ``UNSET`` or ``None``)."""
    return value if isinstance(value, str) else None


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: object) -> int | None:
    """*value* when it is an integer (not a bool, ``UNSET`` or ``None``)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _kind(obj: object) -> str | None:
    """An object's ``type``; for a union member the dialect did not know, the ``type`` sent."""
    kind = _str(getattr(obj, "type", None))
    if kind == UNKNOWN_TAG:
        return _str(getattr(obj, "kind", None)) or "unknown"
    return kind


def _detail(*parts: object) -> str:
    """The non-empty strings (and integers) of *parts*, joined by ``": "``."""
    texts = [str(p) for p in parts if (_str(p) or "").strip() or _int(p) is not None]
    return ": ".join(text.strip() for text in texts)


def _error_text(error: object) -> str:
    """``code: message`` of an error object or raw JSON error (``type`` when it has no code)."""
    if isinstance(error, dict):
        code, kind, message = error.get("code"), error.get("type"), error.get("message")
    elif isinstance(error, str):
        return error
    else:
        code = getattr(error, "code", None)
        kind = getattr(error, "type", None)
        message = getattr(error, "message", None)
    if _int(code) is not None and _str(kind):
        label: object = f"{kind} {code}"  # e.g. an HTTP status under its error type
    else:
        label = code if _str(code) or _int(code) is not None else kind
    return _detail(label, message) or "no details"


def _one_line(text: str) -> str:
    """*text* on one line, cut to :data:`_NOTE_LIMIT` characters."""
    text = " ".join(text.split())
    return text if len(text) <= _NOTE_LIMIT else text[: _NOTE_LIMIT - 1] + "…"


_JSON = msgspec.json.Encoder(enc_hook=str)


def _json(value: object) -> str:
    try:
        return _JSON.encode(value).decode()
    except (TypeError, ValueError, msgspec.EncodeError):
        return str(value)


def text_delta(event: Any) -> str:
    """The assistant text an event adds, in any dialect (``""`` for any other event).

    Assistants: the text blocks of ``thread.message.delta``; Chat Completions:
    every choice's ``delta.content``; Responses: ``response.output_text.delta``;
    Anthropic: ``text_delta`` of ``content_block_delta``; any other dialect:
    its ``deltas`` of kind ``"text"``.
    """
    name = _event_name(event)
    parts: list[str] = []
    if name == "thread.message.delta":
        for block in _list(getattr(getattr(event.data, "delta", None), "content", None)):
            if getattr(block, "type", None) == "text":
                value = _str(getattr(getattr(block, "text", None), "value", None))
                if value:
                    parts.append(value)
    elif name == "message":  # a Chat Completions chunk (or its error or [DONE])
        for choice in _list(getattr(getattr(event, "data", None), "choices", None)):
            value = _str(getattr(getattr(choice, "delta", None), "content", None))
            if value:
                parts.append(value)
    elif name == "response.output_text.delta":
        return _str(getattr(event, "delta", None)) or ""
    elif name == "content_block_delta":
        delta = getattr(event, "delta", None)
        if getattr(delta, "type", None) == "text_delta":
            return _str(getattr(delta, "text", None)) or ""
    if parts:
        return "".join(parts)
    # Any other dialect (Gemini's chunks are "message" events too): what its
    # deltas of kind "text" say, through the registry.
    dialect = dialect_of(event)
    if dialect is None:
        return ""
    return "".join([delta.text for delta in dialect.deltas(event) if delta.kind == "text"])


# -- the transcript writer -------------------------------------------------------


class TextView:
    """Renders a dialect's events as a chat transcript, incrementally (the shared part).

    ``feed`` each event as it arrives, then ``finish`` with the fold of every
    event.  A section is entered with :meth:`enter`, which writes its label
    unless it is the current section; :meth:`line` writes a one-line note and
    leaves the current section, so the next text is labelled again.
    Subclasses show their dialect's events in :meth:`show` and end the
    transcript in :meth:`finish`.
    """

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.at_line_start = True
        self.section: object = None
        self.last_line: str | None = None

    # writing
    def write(self, text: str) -> None:
        if text:
            self.out.write(text)
            self.at_line_start = text.endswith("\n")

    def newline(self) -> None:
        if not self.at_line_start:
            self.write("\n")

    def enter(self, section: object, label: str | None = None) -> None:
        """Start writing *section* (a new line and its label, unless it is the current one)."""
        if section == self.section:
            return
        self.newline()
        if label is not None:
            self.write(f"[{label}]\n")
        self.section = section

    def line(self, text: str) -> None:
        self.newline()
        self.write(text + "\n")
        self.section = None
        self.last_line = text

    def end(self, status: str) -> None:
        """The final status line, unless the last line said just that."""
        if status != self.last_line or not self.at_line_start:
            self.line(status)

    # events
    def feed(self, event: Any) -> None:
        name = _event_name(event)
        if isinstance(event, InvalidEvent):
            self.line(f"[invalid {name} event: {event.error}]")
            return
        if isinstance(event, UnknownEvent):
            return
        self.show(name, event)

    def show(self, name: str, event: Any) -> None:
        """Show one decoded event called *name*."""
        raise NotImplementedError

    def finish(self, acc: Any) -> None:
        """End the transcript (*acc* has folded every event)."""
        self.newline()


# -- Assistants ----------------------------------------------------------------------

_STEP_ENDS = frozenset(
    {
        "thread.run.step.completed",
        "thread.run.step.failed",
        "thread.run.step.cancelled",
        "thread.run.step.expired",
    }
)


@dataclass
class _Call:
    """What has been shown of one tool call (keyed by step id and index)."""

    id: str | None = None
    shown: bool = False
    outputs: set[int] = field(default_factory=set)
    output_shown: bool = False


class AssistantsView(TextView):
    """Renders Assistants events as a chat transcript, incrementally.

    Assistant text is written as it arrives; tool calls get a ``[label]``
    line and then their streamed input (code, arguments); their outputs
    follow under their own labels.  Tool calls or outputs first seen in a
    step's final object (e.g. a function's output at the start of a
    tool-output continuation) are shown whole then.  The run's status ends
    the transcript (see :func:`status_line`).
    """

    def __init__(self, out: IO[str]) -> None:
        super().__init__(out)
        self.calls: dict[tuple[str, int], _Call] = {}

    def show(self, name: str, event: Any) -> None:
        data: Any = getattr(event, "data", None)
        if name == "thread.message.delta":
            self._message_delta(data)
        elif name == "thread.message.incomplete":
            reason = _str(getattr(getattr(data, "incomplete_details", None), "reason", None))
            self.line(f"[message incomplete: {reason or 'no reason given'}]")
        elif name == "thread.run.step.delta":
            details = getattr(getattr(data, "delta", None), "step_details", None)
            for call in _list(getattr(details, "tool_calls", None)):
                self._call_delta(str(data.id), call)
        elif name in _STEP_ENDS:
            self._step_end(name, data)
        elif name == "thread.run.requires_action":
            self.line(status_line(None, run=data, kind="requires_action"))
        elif name == "error":
            self.line(f"[error: {getattr(data, 'message', data)}]")

    def _message_delta(self, data: Any) -> None:
        for block in _list(getattr(getattr(data, "delta", None), "content", None)):
            kind = getattr(block, "type", None)
            if kind == "text":
                value = _str(getattr(getattr(block, "text", None), "value", None))
                if value:
                    self.enter(("text", data.id, block.index), "assistant")
                    self.write(value)
            elif kind == "refusal":
                value = _str(getattr(block, "refusal", None))
                if value:
                    self.enter(("refusal", data.id, block.index), "refusal")
                    self.write(value)
            elif kind == "image_file":
                file_id = _str(getattr(getattr(block, "image_file", None), "file_id", None))
                self.line(f"[image {file_id or ''}]".replace(" ]", "]"))
            elif kind == "image_url":
                url = _str(getattr(getattr(block, "image_url", None), "url", None))
                self.line(f"[image {url or ''}]".replace(" ]", "]"))

    def _call_delta(self, step_id: str, call: Any) -> None:
        key = (step_id, int(call.index))
        state = self.calls.setdefault(key, _Call())
        if _str(getattr(call, "id", None)):
            state.id = call.id
        kind = getattr(call, "type", None)
        if kind == "code_interpreter":
            ci = getattr(call, "code_interpreter", None)
            code = _str(getattr(ci, "input", None))
            if code is not None:
                self.enter(("input", key), "code_interpreter")
                state.shown = True
                self.write(code)
            for output in _list(getattr(ci, "outputs", None)):
                self._ci_output(key, state, int(output.index), output)
        elif kind == "function":
            fn = getattr(call, "function", None)
            name = _str(getattr(fn, "name", None))
            if name and not state.shown:
                self.enter(("args", key), f"function {name}")
                state.shown = True
            arguments = _str(getattr(fn, "arguments", None))
            if arguments:
                self.enter(("args", key), "function")
                state.shown = True
                self.write(arguments)
            output = _str(getattr(fn, "output", None))
            if output is not None:
                self._function_output(key, state, output)
        elif kind == "file_search":
            if not state.shown:
                self.line("[file_search]")
                state.shown = True
            results = getattr(getattr(call, "file_search", None), "get", lambda _k: None)("results")
            if isinstance(results, list) and results:
                self.line(f"[file_search: {len(results)} result(s)]")
                state.output_shown = True
        elif not state.shown:
            self.line(f"[tool call: {kind}]")
            state.shown = True

    def _ci_output(self, key: tuple[str, int], state: _Call, index: int, output: Any) -> None:
        kind = getattr(output, "type", None)
        if kind == "logs":
            logs = _str(getattr(output, "logs", None))
            if logs is not None:
                self.enter(("logs", key, index), "code_interpreter output")
                self.write(logs)
        elif kind == "image":
            file_id = _str(getattr(getattr(output, "image", None), "file_id", None))
            self.line(f"[code_interpreter image {file_id or ''}]".replace(" ]", "]"))
        state.outputs.add(index)

    def _function_output(self, key: tuple[str, int], state: _Call, output: str) -> None:
        self.enter(("output", key), "function output")
        self.write(output)
        state.output_shown = True

    def _step_end(self, name: str, step: Any) -> None:
        """Show what the step's final object holds that its deltas did not."""
        step_id = str(getattr(step, "id", ""))
        details = getattr(step, "step_details", None)
        for index, call in enumerate(_list(getattr(details, "tool_calls", None))):
            key = (step_id, index)
            state = self.calls.setdefault(key, _Call())
            kind = getattr(call, "type", None)
            if kind == "code_interpreter":
                ci = getattr(call, "code_interpreter", None)
                if not state.shown:
                    self.enter(("input", key), "code_interpreter")
                    self.write(_str(getattr(ci, "input", None)) or "")
                    state.shown = True
                for i, output in enumerate(_list(getattr(ci, "outputs", None))):
                    if i not in state.outputs:
                        self._ci_output(key, state, i, output)
            elif kind == "function":
                fn = getattr(call, "function", None)
                if not state.shown:
                    self.enter(("args", key), f"function {_str(getattr(fn, 'name', None))}")
                    self.write(_str(getattr(fn, "arguments", None)) or "")
                    state.shown = True
                output = _str(getattr(fn, "output", None))
                if output is not None and not state.output_shown:
                    self._function_output(key, state, output)
            elif kind == "file_search":
                if not state.shown:
                    self.line("[file_search]")
                    state.shown = True
                results = _list(getattr(getattr(call, "file_search", None), "results", None))
                if results and not state.output_shown:
                    self.line(f"[file_search: {len(results)} result(s)]")
                    state.output_shown = True
            elif not state.shown:
                self.line(f"[tool call: {kind}]")
                state.shown = True
        if name != "thread.run.step.completed":
            status = name.rsplit(".", 1)[1]
            error = _last_error(step)
            detail = f": {error}" if error else ""
            self.line(f"[step {status}{detail}]")

    def finish(self, acc: Any) -> None:
        """The run's final status, unless the last line said just that (or there is no run)."""
        if not hasattr(acc, "outcome") and getattr(acc, "run", None) is None:
            self.newline()  # not an Assistants fold
            return
        self.end(status_line(acc))


def _last_error(obj: Any) -> str | None:
    """``code: message`` of a run's or step's ``last_error`` (None when it has none)."""
    error = getattr(obj, "last_error", None)
    message = _str(getattr(error, "message", None))
    if message is None:
        return None
    code = _str(getattr(error, "code", None))
    return f"{code}: {message}" if code else message


def outcome_kind(acc: Any) -> str | None:
    """The accumulator's outcome kind, else its run's status (None when it knows neither)."""
    kind = getattr(getattr(acc, "outcome", None), "kind", None)
    if isinstance(kind, str):
        return kind
    status = getattr(getattr(acc, "run", None), "status", None)
    return status if isinstance(status, str) else None


def status_line(acc: Any, *, run: Any = None, kind: str | None = None) -> str:
    """``[run completed]``, ``[run failed: code: message]``, … (of *acc*, or of *run* as *kind*)."""
    if kind is None:
        kind = outcome_kind(acc) or "unknown"
    if run is None:
        run = getattr(acc, "run", None)
    detail = None
    if kind in ("failed", "expired", "cancelled"):
        detail = _last_error(run)
    elif kind == "incomplete":
        detail = _str(getattr(getattr(run, "incomplete_details", None), "reason", None))
    elif kind == "requires_action":
        action = getattr(run, "required_action", None)
        calls = _list(getattr(getattr(action, "submit_tool_outputs", None), "tool_calls", None))
        names = [f"{c.function.name}({c.function.arguments})" for c in calls]
        detail = "submit tool outputs for " + ", ".join(names) if names else None
    elif kind == "errored":
        errors = _list(getattr(acc, "errors", None))
        if errors:
            detail = str(getattr(errors[-1], "message", errors[-1]))
    elif kind == "truncated":
        detail = "the stream ended before the run did"
    return f"[run {kind}: {detail}]" if detail else f"[run {kind}]"


# -- Chat Completions ------------------------------------------------------------------


@dataclass
class _Completion:
    """What a :class:`ChatView` knows of the completion being streamed."""

    indices: set[int] = field(default_factory=set)  # choice indices seen
    reasons: dict[int, str] = field(default_factory=dict)  # choice index -> finish_reason
    calls: dict[tuple[str, int, int], str] = field(default_factory=dict)  # key -> label
    audio: dict[int, str] = field(default_factory=dict)  # choice index -> label
    errors: list[str] = field(default_factory=list)
    done: bool = False  # [DONE] arrived


class ChatView(TextView):
    """Renders Chat Completions chunks as a chat transcript, incrementally.

    A choice's ``content`` is written under ``[assistant]``, its ``refusal``
    under ``[refusal]``; a tool call gets ``[function NAME]`` (``[custom
    NAME]`` for a custom tool, ``[tool call: TYPE]`` for a kind the dialect
    does not know) followed by its streamed arguments, as does the legacy
    ``function_call``; an audio answer gets ``[audio ID]`` followed by its
    streamed transcript.  Once a second choice index has been seen (``n`` >
    1), every label names its choice: ``[assistant, choice 1]`` (text of the
    first choice sent before then is under a bare label: nothing says
    earlier that other choices will follow).  An error the server sends
    gets ``[error: …]``.

    ``[DONE]`` ends the completion with ``[finish: REASON]``: one reason when
    every choice has the same, else ``choice N REASON`` for each (``none``
    for a choice without one).  A stream that ends before every choice has
    a finish reason and before ``[DONE]`` ends with ``[completion errored:
    …]`` after an error, else ``[completion truncated: …]``.
    """

    def __init__(self, out: IO[str]) -> None:
        super().__init__(out)
        self.state = _Completion()

    def _label(self, label: str, index: int) -> str:
        return f"{label}, choice {index}" if len(self.state.indices) > 1 else label

    def show(self, name: str, event: Any) -> None:
        data: Any = getattr(event, "data", None)
        if isinstance(data, str):  # data: [DONE]
            if not self.state.done:
                self.state.done = True
                self.line(self.status())
        elif hasattr(data, "choices"):  # a chunk
            if self.state.done:  # a new completion (a session's next stream)
                self.state = _Completion()
            for choice in _list(getattr(data, "choices", None)):
                self._choice(choice)
        else:  # data: {"error": {...}}
            message = _error_text(data)
            self.state.errors.append(message)
            self.line(f"[error: {message}]")

    def _choice(self, choice: Any) -> None:
        index = _int(getattr(choice, "index", None))
        if index is None:
            return
        state = self.state
        state.indices.add(index)
        delta = getattr(choice, "delta", None)
        content = _str(getattr(delta, "content", None))
        if content:
            self.enter(("content", index), self._label("assistant", index))
            self.write(content)
        refusal = _str(getattr(delta, "refusal", None))
        if refusal:
            self.enter(("refusal", index), self._label("refusal", index))
            self.write(refusal)
        self._audio(index, getattr(delta, "audio", None))
        for call in _list(getattr(delta, "tool_calls", None)):
            self._call(("tool", index, _int(getattr(call, "index", None)) or 0), call)
        legacy = getattr(delta, "function_call", None)
        if _str(getattr(legacy, "name", None)) or _str(getattr(legacy, "arguments", None)):
            self._call(("legacy", index, 0), legacy, legacy=True)
        reason = _str(getattr(choice, "finish_reason", None))
        if reason:
            state.reasons[index] = reason

    def _audio(self, index: int, audio: Any) -> None:
        """A part of an audio answer: its label when it starts, then its transcript."""
        audio_id = _str(getattr(audio, "id", None))
        transcript = _str(getattr(audio, "transcript", None))
        if not (audio_id or transcript or _str(getattr(audio, "data", None))):
            return
        label = self.state.audio.get(index)
        if label is None:
            label = self.state.audio[index] = f"audio {audio_id}" if audio_id else "audio"
            self.enter(("audio", index), self._label(label, index))
        if transcript:
            self.enter(("audio", index), self._label(label, index))
            self.write(transcript)

    def _call(self, key: tuple[str, int, int], call: Any, *, legacy: bool = False) -> None:
        """One part of a tool call (or, *legacy*, of a ``function_call``)."""
        calls = self.state.calls
        kind = "function" if legacy else _str(getattr(call, "type", None))
        part = call if legacy else getattr(call, "function", None)
        name = _str(getattr(part, "name", None))
        text = _str(getattr(part, "arguments", None))
        word = "function"
        custom = getattr(call, "custom", None)
        if kind == "custom" or (kind is None and name is None and text is None):
            name = _str(getattr(custom, "name", None))
            text = _str(getattr(custom, "input", None))
            word = "custom"
        label = calls.get(key)
        if label is None and kind not in (None, "function", "custom"):
            calls[key] = f"tool call: {kind}"
            self.line(f"[{self._label(calls[key], key[1])}]")
            return
        if name and label is None:
            label = calls[key] = f"{word} {name}"
            self.enter(key, self._label(label, key[1]))
        if text:
            if label is None:
                label = calls[key] = word
            self.enter(key, self._label(label, key[1]))
            self.write(text)

    def status(self) -> str:
        state = self.state
        indices = sorted(state.indices)
        finished = bool(indices) and all(i in state.reasons for i in indices)
        if finished or (state.done and not state.errors):
            reasons = [state.reasons.get(i, "none") for i in indices] or ["none"]
            if len(set(reasons)) == 1:
                return f"[finish: {reasons[0]}]"
            listed = ", ".join(f"choice {i} {r}" for i, r in zip(indices, reasons, strict=True))
            return f"[finish: {listed}]"
        if state.errors:
            return f"[completion errored: {state.errors[-1]}]"
        return "[completion truncated: the stream ended before [DONE]]"

    def finish(self, acc: Any) -> None:
        self.end(self.status())


# -- Responses -------------------------------------------------------------------------

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
    """What a :class:`ResponsesView` knows of the response being streamed."""

    labels: dict[str | None, str] = field(default_factory=dict)  # call item id -> label
    streamed: set[tuple[str, str | None, int]] = field(default_factory=set)  # sections written
    errors: list[str] = field(default_factory=list)
    status: str | None = None  # the status line, once a final lifecycle event arrived


class ResponsesView(TextView):
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

    def __init__(self, out: IO[str]) -> None:
        super().__init__(out)
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

    def finish(self, acc: Any) -> None:
        self.end(self.status())


def _call_text(name: object, arguments: object) -> str:
    """``name(arguments)``, or what there is of it."""
    text = _str(name) or ""
    if _str(arguments) is not None:
        text += f"({arguments})"
    return text


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


# -- Anthropic Messages ------------------------------------------------------------------

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
    """What an :class:`AnthropicView` knows of the message being streamed."""

    blocks: dict[int, _Block] = field(default_factory=dict)
    stop_reason: str | None = None
    stop_detail: str | None = None
    errors: list[str] = field(default_factory=list)
    stopped: bool = False  # message_stop arrived


class AnthropicView(TextView):
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

    def __init__(self, out: IO[str]) -> None:
        super().__init__(out)
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

    def finish(self, acc: Any) -> None:
        self.end(self.status())


#: The dialects ``replay --text`` can show as a transcript, and the view of each.
TEXT_VIEWS: dict[str, type[TextView]] = {
    "assistants": AssistantsView,
    "chat": ChatView,
    "responses": ResponsesView,
    "anthropic": AnthropicView,
}
