"""The Chat Completions stream as the chat transcript its user saw (``streamkit replay --text``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from streamkit.dialects._transcript import (
    Writer,
    error_text as _error_text,
    int_or_none as _int,
    list_or_empty as _list,
    str_or_none as _str,
)

__all__ = ("ChatTranscript",)


@dataclass
class _Completion:
    """What a :class:`ChatTranscript` knows of the completion being streamed."""

    indices: set[int] = field(default_factory=set)  # choice indices seen
    reasons: dict[int, str] = field(default_factory=dict)  # choice index -> finish_reason
    calls: dict[tuple[str, int, int], str] = field(default_factory=dict)  # key -> label
    audio: dict[int, str] = field(default_factory=dict)  # choice index -> label
    errors: list[str] = field(default_factory=list)
    done: bool = False  # [DONE] arrived


class ChatTranscript(Writer):
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

    def __init__(self) -> None:
        super().__init__()
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

    def finish(self) -> None:
        self.end(self.status())
