"""Transcripts: a stream shown as the chat its user saw, what ``streamkit replay --text`` prints.

A :class:`Transcript` is sans-IO: ``feed(event)`` returns the text that
event adds (possibly ``""``), ``close()`` the text that ends the transcript
(how the stream ended).  The caller prints the pieces as they come, so the
text appears as it streamed.

Every dialect has one (``Dialect.transcript`` makes it).  A dialect that
names none gets :class:`DefaultTranscript`, built on the common face alone:
the content deltas (answer text, refusal, reasoning, tool arguments) under
``[label]`` lines, the error events, and the fold's outcome at the end
(``[completed: stop]``, ``[truncated: the stream ended early]``).  The
dialects that know more (a tool's output, a web search's query, a run's
required action) subclass :class:`Writer`, which keeps the conventions
alike: a ``[label]`` line starts each section, streamed text is written as
it arrives, things that are not text get a one-line ``[...]`` note, and a
status line ends the transcript.  An invalid event gets an ``[invalid NAME
event: …]`` line; unknown events show nothing.

The helpers below read objects the defensive way: a field may be missing,
``UNSET`` or ``None`` in odd but decodable input, and a transcript never
fails on it.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import msgspec

from ._auto import Accumulator
from ._events import InvalidEvent, UnknownEvent
from ._registry import Transcript, dialect_of
from ._unknowns import UNKNOWN_TAG

if TYPE_CHECKING:
    from ._face import Delta
    from ._registry import Dialect

__all__ = (
    "DefaultTranscript",
    "Transcript",
    "Writer",
    "call_text",
    "detail",
    "error_text",
    "event_name",
    "int_or_none",
    "json_text",
    "kind_of",
    "list_or_empty",
    "one_line",
    "str_or_none",
)

NOTE_LIMIT = 200
"""Characters of a detail in a one-line note."""


# -- reading objects defensively ----------------------------------------------------


def event_name(event: Any) -> str:
    """The event's name: its ``event`` (or, in dialects tagged on it, ``type``) field."""
    for attribute in ("event", "type"):
        name = getattr(event, attribute, None)
        if isinstance(name, str):
            return name
    return type(event).__name__


def str_or_none(value: object) -> str | None:
    """*value* when it is a string (not ``UNSET`` or ``None``)."""
    return value if isinstance(value, str) else None


def list_or_empty(value: object) -> list[Any]:
    """*value* when it is a list, else ``[]``."""
    return value if isinstance(value, list) else []


def int_or_none(value: object) -> int | None:
    """*value* when it is an integer (not a bool, ``UNSET`` or ``None``)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def kind_of(obj: object) -> str | None:
    """An object's ``type``; for a union member the dialect did not know, the ``type`` sent."""
    kind = str_or_none(getattr(obj, "type", None))
    if kind == UNKNOWN_TAG:
        return str_or_none(getattr(obj, "kind", None)) or "unknown"
    return kind


def detail(*parts: object) -> str:
    """The non-empty strings (and integers) of *parts*, joined by ``": "``."""
    texts = [str(p) for p in parts if (str_or_none(p) or "").strip() or int_or_none(p) is not None]
    return ": ".join(text.strip() for text in texts)


def error_text(error: object) -> str:
    """``code: message`` of an error object or raw JSON error (``type`` when it has no code)."""
    if isinstance(error, dict):
        code, kind, message = error.get("code"), error.get("type"), error.get("message")
    elif isinstance(error, str):
        return error
    else:
        code = getattr(error, "code", None)
        kind = getattr(error, "type", None)
        message = getattr(error, "message", None)
    if int_or_none(code) is not None and str_or_none(kind):
        label: object = f"{kind} {code}"  # e.g. an HTTP status under its error type
    else:
        label = code if str_or_none(code) or int_or_none(code) is not None else kind
    return detail(label, message) or "no details"


def one_line(text: str) -> str:
    """*text* on one line, cut to :data:`NOTE_LIMIT` characters."""
    text = " ".join(text.split())
    return text if len(text) <= NOTE_LIMIT else text[: NOTE_LIMIT - 1] + "…"


def call_text(name: object, arguments: object) -> str:
    """``name(arguments)``, or what there is of it."""
    text = str_or_none(name) or ""
    if str_or_none(arguments) is not None:
        text += f"({arguments})"
    return text


_JSON = msgspec.json.Encoder(enc_hook=str)


def json_text(value: object) -> str:
    """*value* as JSON text (its ``str`` when it is not JSON-able)."""
    try:
        return _JSON.encode(value).decode()
    except (TypeError, ValueError, msgspec.EncodeError):
        return str(value)


# -- the writer ------------------------------------------------------------------------


class Writer:
    """The shared part of a transcript: sections, notes and the status line.

    A section is entered with :meth:`enter`, which writes its label unless
    it is the current section; :meth:`line` writes a one-line note and
    leaves the current section, so the next text is labelled again.
    Subclasses show their dialect's decoded events in :meth:`show` and end
    the transcript in :meth:`finish`; :meth:`feed` and :meth:`close` return
    what was written meanwhile.
    """

    def __init__(self) -> None:
        self._out: list[str] = []
        self.at_line_start = True
        self.section: object = None
        self.last_line: str | None = None

    # the Transcript protocol
    def feed(self, event: Any, /) -> str:
        if isinstance(event, InvalidEvent):
            self.invalid(event)
        elif not isinstance(event, UnknownEvent):
            self.show(event_name(event), event)
        return self._take()

    def close(self) -> str:
        self.finish()
        return self._take()

    def _take(self) -> str:
        out, self._out = self._out, []
        return "".join(out)

    # writing
    def write(self, text: str) -> None:
        if text:
            self._out.append(text)
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
    def invalid(self, event: InvalidEvent) -> None:
        """An event that could not be decoded: a one-line note."""
        self.line(f"[invalid {event.event} event: {event.error}]")

    def show(self, name: str, event: Any) -> None:
        """Show one decoded event called *name*."""
        raise NotImplementedError

    def finish(self) -> None:
        """End the transcript."""
        self.newline()


# -- the default: the common face ------------------------------------------------------

_LABELS = {"text": "assistant", "refusal": "refusal", "reasoning": "reasoning"}

#: What a stream that ended without saying why ends with.
_ENDED = {
    "truncated": "the stream ended early",
    "errored": "the stream carried an error",
}


class DefaultTranscript(Writer):
    """A transcript of any dialect, read through the common face.

    Each content delta is written under its section's label: ``[assistant]``
    (``[assistant, index N]`` for text that is not the answer, e.g. another
    choice or candidate), ``[refusal]``, ``[reasoning]``, and ``[tool call
    NAME]`` followed by the call's streamed arguments.  An error the server
    sends gets ``[error: …]``.  The fold's outcome ends the transcript:
    ``[KIND]`` or ``[KIND: REASON]`` (``[completed: stop]``,
    ``[incomplete: max_tokens]``, ``[errored: CODE: MESSAGE]``,
    ``[truncated: the stream ended early]``).
    """

    def __init__(self) -> None:
        super().__init__()
        self.fold = Accumulator()
        self._type: type | None = None
        self._dialect: Dialect[Any] | None = None
        self._errors = 0  # errors of the fold shown so far

    def feed(self, event: Any, /) -> str:
        self.fold.feed(event)
        return super().feed(event)

    def _dialect_of(self, event: Any) -> Dialect[Any] | None:
        cls = type(event)
        if cls is not self._type:
            self._type, self._dialect = cls, dialect_of(event)
        return self._dialect

    def show(self, name: str, event: Any) -> None:
        dialect = self._dialect_of(event)
        if dialect is None:
            return
        deltas = dialect.deltas(event)
        unnumbered = [d for d in deltas if d.kind == "tool_arguments" and d.call is None]
        calls = self.fold.tool_calls if unnumbered else []
        seen: Counter[int] = Counter()
        for delta in deltas:
            if delta.kind != "tool_arguments":
                self._text(delta, dialect.is_answer(delta))
                continue
            if delta.call is None:
                # The calls of this event are the last ones the fold has: the j-th of
                # its pieces at this index is the j-th of those (one piece per call).
                pieces = sum(1 for d in unnumbered if d.index == delta.index)
                position = len(calls) - pieces + seen[delta.index]
                seen[delta.index] += 1
                call = calls[position] if 0 <= position < len(calls) else None
            else:
                position = delta.call
                call = None
            key = ("tool", delta.index, position)
            if key != self.section:
                if call is None:
                    known = self.fold.tool_calls
                    call = next((c for c in reversed(known) if c.index == position), None)
                self.enter(key, f"tool call {call.name}" if call and call.name else "tool call")
            self.write(delta.text)
        errors = self.fold.errors
        for error in errors[self._errors :]:
            self.line(f"[error: {error_text(getattr(error, 'error', error))}]")
        self._errors = len(errors)

    def _text(self, delta: Delta, answer: bool) -> None:
        label = _LABELS[delta.kind]
        if delta.kind == "text" and not answer:
            label = f"{label}, index {delta.index}"
        self.enter((delta.kind, delta.index), label)
        self.write(delta.text)

    def status(self) -> str:
        outcome = self.fold.outcome
        reason = outcome.reason
        if reason is None and outcome.error is not None:
            reason = error_text(getattr(outcome.error, "error", outcome.error))
        if reason is None:
            reason = _ENDED.get(outcome.kind)
        return f"[{outcome.kind}: {reason}]" if reason else f"[{outcome.kind}]"

    def finish(self) -> None:
        self.end(self.status())
