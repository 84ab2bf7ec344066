"""``streamkit.Accumulator``: a fold of any dialect, picked by the events it is fed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from ._events import InvalidEvent, UnknownEvent
from ._face import Drift, Outcome, ToolCall, Usage, Violation
from ._fold import FoldBase
from ._registry import claimant, dialect_of, get
from ._violations import MAX_WARNINGS

if TYPE_CHECKING:
    from ._face import Fold
    from ._registry import Dialect

__all__ = ("Accumulator",)

MAX_PENDING: Final = 1_000
"""Events kept while no dialect is known yet, to be folded once one is."""

_TRUNCATED: Final = Outcome(kind="truncated")
_NO_USAGE: Final = Usage()


class Accumulator:
    """Folds the events of any dialect: the dialect's own ``Accumulator``, picked when needed.

    With ``dialect="auto"`` (the default) the first typed event fed names
    the dialect (an unknown or invalid event first is held until one does,
    or until another dialect's detection claims it); a named dialect, or a
    :class:`~streamkit.dialects.Dialect`, starts its fold at once.  Every
    property of :class:`~streamkit.Fold` reads the chosen fold (``inner``);
    before there is one, they read as an empty fold would: ``result`` is
    ``None``, ``outcome`` is ``"truncated"``, ``text`` is ``""``.
    """

    def __init__(
        self,
        dialect: str | Dialect[Any] = "auto",
        *,
        strict: bool = False,
        max_warnings: int = MAX_WARNINGS,
    ) -> None:
        self._options: dict[str, Any] = {"strict": strict, "max_warnings": max_warnings}
        self._inner: Fold[Any] | None = None
        self._dialect: Dialect[Any] | None = None
        self._pending: list[Any] = []
        self._passed = 0  # events not kept while no dialect was known (past MAX_PENDING)
        if dialect != "auto":
            self._start(get(dialect))

    @property
    def dialect(self) -> str | None:
        """The name of the dialect being folded, once known."""
        return None if self._dialect is None else self._dialect.name

    @property
    def inner(self) -> Fold[Any] | None:
        """The dialect's own accumulator, with its richer API, once known."""
        return self._inner

    def feed(self, event: Any, /) -> None:
        """Fold one typed event of any dialect."""
        dialect = dialect_of(event)
        if dialect is None and type(event) in (UnknownEvent, InvalidEvent):
            dialect = claimant(event.event, event.data)
        if dialect is None:
            if len(self._pending) < MAX_PENDING:
                self._pending.append(event)
            else:
                self._passed += 1
            return
        inner = self._start(dialect)
        inner.feed(event)

    def _start(self, dialect: Dialect[Any]) -> Fold[Any]:
        inner = self._inner = dialect.accumulator(**self._options)
        self._dialect = dialect
        pending, self._pending = self._pending, []
        if self._passed and isinstance(inner, FoldBase):
            inner._ordinal += self._passed
        for event in pending:
            inner.feed(event)
        # From now on every event goes straight to the dialect's fold.
        self.feed = inner.feed  # type: ignore[method-assign]
        return inner

    # -- the common face, read from the inner fold ------------------------------------

    @property
    def result(self) -> Any:
        return None if self._inner is None else self._inner.result

    @property
    def done(self) -> bool:
        return self._inner is not None and self._inner.done

    @property
    def outcome(self) -> Outcome:
        return _TRUNCATED if self._inner is None else self._inner.outcome

    @property
    def text(self) -> str:
        return "" if self._inner is None else self._inner.text

    @property
    def refusal(self) -> str:
        return "" if self._inner is None else self._inner.refusal

    @property
    def tool_calls(self) -> list[ToolCall]:
        return [] if self._inner is None else self._inner.tool_calls

    @property
    def usage(self) -> Usage:
        return _NO_USAGE if self._inner is None else self._inner.usage

    @property
    def warnings(self) -> list[Violation]:
        return [] if self._inner is None else self._inner.warnings

    @property
    def warnings_dropped(self) -> int:
        return 0 if self._inner is None else self._inner.warnings_dropped

    @property
    def errors(self) -> list[Any]:
        return [] if self._inner is None else self._inner.errors

    @property
    def drift(self) -> list[Drift]:
        return [] if self._inner is None else self._inner.drift
