"""The part of every dialect's fold that is the same: violations, errors, drift, odd events.

Each dialect's ``Accumulator`` subclasses :class:`FoldBase` and implements
the rest of :class:`~streamkit.Fold` (``result``, ``outcome``, ``text``,
``refusal``, ``tool_calls``, ``usage``).  The base keeps what they report
alike, so that a violation, a drift record or a bounded warning list means
the same thing in every dialect, and treats alike the two events that are
nobody's: an :class:`InvalidEvent` is always a violation (``"invalid-event"``:
what it carried is lost), and an :class:`UnknownEvent` that another dialect
would have claimed, when nothing the fold knows came before it, is one too
(``"dialect-mismatch"``: the stream is being read as the wrong dialect).
"""

from __future__ import annotations

from typing import Any, ClassVar

from streamkit._errors import FoldError

from ._events import InvalidEvent, UnknownEvent
from ._face import Drift, Violation
from ._registry import claimant
from ._violations import MAX_WARNINGS, Violations, lost

__all__ = ("FoldBase",)


class FoldBase:
    """What every dialect's accumulator shares.  Not a fold by itself.

    ``strict=True`` raises :class:`~streamkit.FoldError` at the first
    protocol violation instead of recording it; ``max_warnings`` bounds how
    many violations are kept (the rest are counted in ``warnings_dropped``).
    """

    #: The registered name of the dialect the subclass folds.
    dialect: ClassVar[str] = ""

    def __init__(self, *, strict: bool = False, max_warnings: int = MAX_WARNINGS) -> None:
        self.strict = strict
        #: True once a terminal event arrived.
        self.done = False
        self._warnings: Violations[Violation] = Violations(max_warnings)
        self._drift: list[Drift] = []
        self._errors: list[Any] = []
        self._ordinal = -1  # of the event being folded, in what this fold was fed
        self._name = ""  # the name of the event being folded
        self._unknowns = 0  # unknown events fed while no known one was

    @property
    def warnings(self) -> list[Violation]:
        """Protocol violations met so far, the first ``max_warnings`` (always empty when strict)."""
        return list(self._warnings.kept)

    @property
    def warnings_dropped(self) -> int:
        """How many violations came after the first ``max_warnings``: counted, not kept."""
        return self._warnings.dropped

    @property
    def drift(self) -> list[Drift]:
        """Differences between the folded deltas and the server's final objects, in order found."""
        return list(self._drift)

    @property
    def errors(self) -> list[Any]:
        """The errors the server sent in the stream (the dialect's error objects), in order."""
        return list(self._errors)

    def _violate(
        self, kind: str, message: str, object_id: str | None = None, index: int | None = None
    ) -> None:
        if self.strict:
            raise FoldError(message, ordinal=self._ordinal, event=self._name)
        self._warnings.add(Violation(kind, message, self._ordinal, self._name, object_id, index))

    def _unhandled(self, event: Any) -> None:
        """An event the dialect has no rule for (the caller has counted it in ``_ordinal``)."""
        kind = type(event)
        if kind is InvalidEvent:
            self._name = event.event
            self._violate("invalid-event", lost(event))
        elif kind is UnknownEvent:
            self._unknowns += 1
            if self._unknowns == self._ordinal + 1:  # nothing this dialect knows so far
                other = claimant(event.event, event.data, besides=self.dialect)
                if other is not None:
                    self._unknowns = -1  # reported once
                    self._name = event.event
                    message = f"this stream looks like {other.name!r}, not {self.dialect!r}"
                    self._violate("dialect-mismatch", message)
