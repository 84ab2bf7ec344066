"""The conformance kit: the common face's contract, checked the same way on every dialect.

Each dialect is one :class:`Case` (``tests/dialects/<name>/case.py``): its name, its bodies
(the bundled recordings and the real captures), how to read the answer text
and the tool calls out of its final object, and what each body is known to
end with.  ``test_conformance.py`` runs every check here on every body of
every case, so a new dialect gets the whole contract by adding one entry.

The checks:

- ``auto``: ``dialect="auto"`` picks the dialect, and gives the events the
  named dialect gives;
- ``named``: every event names itself (``.event`` is a non-empty ``str``);
  none is unknown or invalid, unless the case allows it for that body;
- ``encode``: ``streamkit.encode`` of each event decodes to an equal event,
  and the re-encoded body decodes to the same events;
- ``chunkings``: the body whole, in random pieces and (when small) one byte
  at a time gives the same events and the same fold;
- ``face``: the fold implements :class:`streamkit.Fold`; its ``text`` is the
  joined ``text_deltas`` and the final object's text; ``tool_calls`` are the
  final object's; ``outcome`` and ``usage`` are what the case expects; the
  auto :class:`streamkit.Accumulator` folds the same;
- ``cut``: the events cut at 25, 50 and 75 % fold to ``"truncated"`` (when
  the full stream did not end otherwise before the cut), with ``text`` a
  prefix of the full text;
- ``timing``: :class:`streamkit.Timing` sees the first content where the
  first content delta is.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import msgspec

import streamkit
from streamkit import dialects
from streamkit.recording import Replayer

REPO = Path(__file__).resolve().parents[2]
RECORDINGS = REPO / "recordings"
REAL = REPO / "tests" / "data" / "real"

#: Bodies up to this size are also decoded one byte at a time.
BYTEWISE = 4096
CUTS = (0.25, 0.5, 0.75)


@attrs.frozen
class Expect:
    """What one body is known to end with (``None``: not checked)."""

    outcome: str | None = None
    reason: str | None = None
    usage: bool | None = None  # whether the stream reports token counts
    tool_calls: int | None = None
    unknown_events: bool = False  # events the dialect keeps raw are expected
    warnings: tuple[str, ...] = ()  # violation kinds the fold is expected to record


@attrs.frozen
class Case:
    """One dialect, as the kit checks it."""

    dialect: str
    #: Bundled recordings (streamkit's format) and real captures (raw bodies).
    recordings: tuple[Path, ...]
    captures: tuple[Path, ...]
    #: The answer text of the final object, as the fold's ``text`` must equal.
    final_text: Callable[[Any], str]
    #: ``(name, arguments)`` of each tool call of the final object, in order.
    final_tool_calls: Callable[[Any], list[tuple[str, str]]]
    #: Per body (by file name): what it ends with; bodies not listed must
    #: end ``completed`` or ``requires_action`` with no warning.
    expect: dict[str, Expect] = attrs.field(factory=dict)
    default: Expect = Expect()

    def bodies(self) -> list[Path]:
        return [*self.recordings, *self.captures]

    def expected(self, path: Path) -> Expect:
        return self.expect.get(path.name, self.default)


def files(folder: Path, *patterns: str) -> tuple[Path, ...]:
    """The files of *folder* matching *patterns*, sorted."""
    return tuple(sorted(p for pattern in patterns for p in folder.glob(pattern)))


# -- reading bodies --------------------------------------------------------------------


@functools.cache
def chunks_of(path: Path) -> tuple[bytes, ...]:
    """A body's chunks: a recording's own (every stream of a session), a raw capture whole.

    The recording reader tells the two apart, a raw NDJSON body included.
    """
    return tuple(Replayer.open(path).iter_chunks())


def streams_of(path: Path) -> list[tuple[bytes, ...]]:
    """A body as the separate streams it holds (a session's continuation is a stream)."""
    replayer = Replayer.open(path)
    return [tuple(replayer.iter_chunks(index)) for index in range(len(replayer.streams))]


def events_of(chunks: tuple[bytes, ...] | list[bytes], dialect: str = "auto") -> list[Any]:
    name = dialect if dialect == "auto" else dialects.get(dialect)
    return list(streamkit.iter_events(list(chunks), name))  # type: ignore[call-overload]


@functools.cache
def session_events(path: Path, dialect: str) -> tuple[Any, ...]:
    """Every event of every stream of *path*, each stream decoded on its own."""
    out: list[Any] = []
    for stream in streams_of(path):
        out += events_of(stream, dialect)
    return tuple(out)


def fold(case: Case, events: list[Any] | tuple[Any, ...]) -> Any:
    acc = dialects.get(case.dialect).accumulator()
    for event in events:
        acc.feed(event)
    return acc


def state(acc: Any) -> Any:
    """What a fold ends with, as builtins, for comparing two folds."""
    outcome = acc.outcome
    return {
        "result": msgspec.to_builtins(acc.result),
        "done": acc.done,
        "outcome": (outcome.kind, outcome.reason),
        "text": acc.text,
        "refusal": acc.refusal,
        "tool_calls": [attrs.astuple(call) for call in acc.tool_calls],
        "usage": attrs.astuple(acc.usage)[:5],
        "warnings": [(w.kind, w.ordinal) for w in acc.warnings],
        "drift": [(d.object_id, d.path, d.kind) for d in acc.drift],
    }


def rechunkings(body: bytes, seed: int = 0) -> Iterator[list[bytes]]:
    """The body in random pieces (two seeds), and one byte at a time when small."""
    for s in (seed, seed + 1):
        rng = random.Random(s)
        pieces, pos = [], 0
        while pos < len(body):
            size = rng.randint(1, 97)
            pieces.append(body[pos : pos + size])
            pos += size
        yield pieces
    if len(body) <= BYTEWISE:
        yield [body[i : i + 1] for i in range(len(body))]
