"""The Assistants stream as the chat transcript its user saw (``streamkit replay --text``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from streamkit.dialects._transcript import (
    Writer,
    list_or_empty as _list,
    str_or_none as _str,
)

from ._fold import Accumulator

__all__ = ("AssistantsTranscript", "status_line")

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


class AssistantsTranscript(Writer):
    """Renders Assistants events as a chat transcript, incrementally.

    Assistant text is written as it arrives; tool calls get a ``[label]``
    line and then their streamed input (code, arguments); their outputs
    follow under their own labels.  Tool calls or outputs first seen in a
    step's final object (e.g. a function's output at the start of a
    tool-output continuation) are shown whole then.  The run's status ends
    the transcript (see :func:`status_line`): the transcript folds the
    events it is fed to know it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.fold = Accumulator()
        self.calls: dict[tuple[str, int], _Call] = {}

    def feed(self, event: Any, /) -> str:
        self.fold.feed(event)
        return super().feed(event)

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

    def finish(self) -> None:
        """The run's final status, unless the last line said just that."""
        self.end(status_line(self.fold))


def _last_error(obj: Any) -> str | None:
    """``code: message`` of a run's or step's ``last_error`` (None when it has none)."""
    error = getattr(obj, "last_error", None)
    message = _str(getattr(error, "message", None))
    if message is None:
        return None
    code = _str(getattr(error, "code", None))
    return f"{code}: {message}" if code else message


def _outcome_kind(acc: Any) -> str | None:
    """The accumulator's outcome kind, else its run's status (None when it knows neither)."""
    kind = getattr(getattr(acc, "outcome", None), "kind", None)
    if isinstance(kind, str):
        return kind
    status = getattr(getattr(acc, "run", None), "status", None)
    return status if isinstance(status, str) else None


def status_line(acc: Any, *, run: Any = None, kind: str | None = None) -> str:
    """``[run completed]``, ``[run failed: code: message]``, … (of *acc*, or of *run* as *kind*)."""
    if kind is None:
        kind = _outcome_kind(acc) or "unknown"
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
