"""What the ``make_recordings.py`` scripts of ``recordings/`` share.

The scripts are ``recordings/make_recordings.py`` (Assistants, writes into
``recordings/assistants/``), ``recordings/chat/make_recordings.py``,
``recordings/responses/make_recordings.py``,
``recordings/anthropic/make_recordings.py`` and
``recordings/bedrock/make_recordings.py`` (binary event stream bodies: it
uses the chunk sizes and timing here, and splits at message boundaries of its
own).

How it is imported: ``recordings/`` is not a package.  The scripts are run by
path, as each README says (``python recordings/make_recordings.py``,
``python recordings/chat/make_recordings.py``, ...), and the tests load them
by path too (``importlib.util.spec_from_file_location``).  Either way the
``recordings/`` directory need not be on ``sys.path`` (it is only when the
Assistants script, which sits in it, is run), so each script puts it there
itself and then imports this module by its top-level name::

    HERE = Path(__file__).resolve().parent
    if str(HERE.parent) not in sys.path:  # HERE itself in recordings/make_recordings.py
        sys.path.insert(0, str(HERE.parent))
    from _recordings_common import (  # noqa: E402
        ...
    )

That works for ``python -m recordings.chat.make_recordings`` from the
repository too.  The name is long on purpose: a top-level module must not
clash with anything else on ``sys.path``.

Only what is the same in every script that uses it lives here: the real
sources and their checksums, ``event: / data:`` bodies, the network-like
chunking and timing (the same ``random.Random`` calls in the same order as
before, so every recording comes out byte for byte the same), the Recorder on
its scripted clock, the OpenAI request, and the command line.  Each script
keeps its own response headers, ``started_at``, header ``meta``, and the order
in which it draws from its random stream (the Chat script draws its response
headers before the chunks, the Responses and Anthropic scripts after them).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from streamkit.recording import Recorder

if TYPE_CHECKING:
    import random
    from collections.abc import Callable, Iterable, Iterator
    from datetime import datetime

# -- the real captures (see tests/data/real/SOURCES.md) ---------------------


@dataclass(frozen=True)
class Source:
    """One real captured response body: where it came from, and its checksum."""

    file: str
    repo: str
    path: str
    commit: str
    sha256: str

    def read(self, directory: Path) -> bytes:
        path = directory / self.file
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise SystemExit(f"make_recordings: cannot read a source: {exc}") from None
        digest = hashlib.sha256(body).hexdigest()
        if digest != self.sha256:
            raise SystemExit(f"make_recordings: {path} is not the expected capture ({digest})")
        return body

    def meta(self) -> dict[str, str]:
        return {
            "file": self.file,
            "repo": self.repo,
            "path": self.path,
            "commit": self.commit,
            "sha256": self.sha256,
        }


def sources_dir(sources: Path | None, env: str, default: Path) -> Path:
    """*sources* if given, else the directory in the environment variable *env*, else *default*."""
    if sources is not None:
        return sources
    return Path(os.environ.get(env) or default)


# -- SSE bodies as (event, data) pairs ----------------------------------------------

Events = list[tuple[str, str]]


def parse(body: bytes) -> Events:
    """The events of a body written as ``event: X\\ndata: Y\\n\\n`` blocks (all sources are)."""
    blocks = body.decode("utf-8").split("\n\n")
    if blocks.pop() != "":
        raise ValueError("the body does not end with a blank line")
    events = []
    for block in blocks:
        name, data = block.split("\n")
        events.append((name.removeprefix("event: "), data.removeprefix("data: ")))
    if encode(events) != body:
        raise ValueError("the body is not in the expected event: / data: layout")
    return events


def encode(events: Events) -> bytes:
    return "".join(f"event: {name}\ndata: {data}\n\n" for name, data in events).encode()


def first_event(body: bytes) -> dict[str, Any]:
    """The data of the first event of *body* (whole even in a body cut short later)."""
    block = body.partition(b"\n\n")[0]
    data: dict[str, Any] = json.loads(block.partition(b"\ndata: ")[2])
    return data


# -- network-like chunks and timing ------------------------------------------------


def chunk_sizes(rng: random.Random, total: int, scale: int = 1) -> set[int]:
    """Offsets of chunk boundaries: mostly 25-400 bytes apart, at times 1-24 or 401-1800.

    The sizes are multiplied by *scale* (the draws from *rng* are the same).
    """
    cuts: set[int] = set()
    offset = 0
    while True:
        roll = rng.randint(1, 100)
        if roll <= 15:
            offset += rng.randint(1, 24) * scale
        elif roll <= 80:
            offset += rng.randint(25, 400) * scale
        else:
            offset += rng.randint(401, 1800) * scale
        if offset >= total:
            return cuts
        cuts.add(offset)


def event_end_cuts(body: bytes, rng: random.Random) -> list[int]:
    """Three boundaries between the two LFs that end an event (the decoder must wait)."""
    ends = [i + 1 for i in range(len(body) - 1) if body[i : i + 2] == b"\n\n"]
    return rng.sample(ends, min(3, len(ends)))


def character_cuts(body: bytes, rng: random.Random) -> list[int]:
    """Two boundaries inside multi-byte UTF-8 characters (none in an ASCII body).

    The chunk before such a boundary is not valid UTF-8 on its own.
    """
    leads = [i for i, byte in enumerate(body) if byte >= 0xC0]
    cuts = []
    for lead in rng.sample(leads, min(2, len(leads))):
        width = 2 if body[lead] < 0xE0 else 3 if body[lead] < 0xF0 else 4
        cuts.append(lead + rng.randint(1, width - 1))
    return cuts


def pieces(body: bytes, cuts: Iterable[int]) -> list[bytes]:
    """*body* cut at the offsets *cuts*."""
    return [body[a:b] for a, b in pairwise([0, *sorted(cuts), len(body)])]


def split(body: bytes, rng: random.Random) -> list[bytes]:
    """*body* in chunks as a network might deliver it.

    :func:`chunk_sizes`, then :func:`event_end_cuts`, then :func:`character_cuts`.
    """
    cuts = chunk_sizes(rng, len(body))
    cuts.update(event_end_cuts(body, rng))
    cuts.update(character_cuts(body, rng))
    return pieces(body, cuts)


def timing(rng: random.Random, count: int, start: int = 0) -> tuple[list[int], int]:
    """Arrival times in microseconds of *count* chunks of a response requested at *start*.

    The first byte comes 0.3-0.8 s after the request, then 10-80 ms apart, one
    gap in 25 a pause of 0.15-0.9 s; also returned is when the body ends,
    0.2-3 ms after the last chunk.
    """
    t = start + rng.randint(300_000, 800_000)
    times = [t]
    for _ in range(count - 1):
        if rng.randint(1, 100) <= 4:
            t += rng.randint(150_000, 900_000)
        else:
            t += rng.randint(10_000, 80_000)
        times.append(t)
    return times, times[-1] + rng.randint(200, 3_000)


# -- recording ---------------------------------------------------------------------


class ScriptedClock:
    """The Recorder's clock: whatever time (in microseconds) the script set last."""

    def __init__(self) -> None:
        self.us = 0

    def __call__(self) -> float:
        return self.us / 1_000_000


def deliver(
    clock: ScriptedClock, chunks: list[bytes], times: list[int], end: int
) -> Iterator[bytes]:
    """Yield *chunks*, setting *clock* to each one's arrival time, and to *end* after them."""
    for t, chunk in zip(times, chunks, strict=True):
        clock.us = t
        yield chunk
    clock.us = end


def openai_request(url: str) -> dict[str, Any]:
    """A streaming ``POST`` to the OpenAI API (the key is a placeholder, redacted anyway)."""
    return {
        "method": "POST",
        "url": url,
        "headers": {
            "Authorization": "Bearer sk-not-a-real-key",
            "Content-Type": "application/json",
            "Accept": "text/event-stream",
        },
    }


def write_one_stream(
    path: Path,
    *,
    dialect: str,
    meta: dict[str, Any],
    request: dict[str, Any],
    response: dict[str, Any],
    started_at: datetime,
    chunks: list[bytes],
    times: list[int],
    end: int,
) -> Path:
    """Write a recording of one stream with :class:`Recorder` on a scripted clock.

    Every line, the header's included, is written by the Recorder itself; the
    chunks arrive at *times* and the body ends at *end* (see :func:`timing`).
    """
    clock = ScriptedClock()
    with Recorder.open(
        path,
        dialect=dialect,
        meta=meta,
        request=request,
        response=response,
        clock=clock,
        started_at=started_at,
    ) as recorder:
        for _ in recorder.tap(deliver(clock, chunks, times, end)):
            pass
    return path


# -- the command line --------------------------------------------------------------


def main(
    doc: str | None,
    write_all: Callable[[Path, Path | None], list[Path]],
    default_out: Path,
    sources_env: str,
    argv: list[str] | None = None,
) -> None:
    """The command line of a script: ``[--out DIR] [--sources DIR]``; prints what it wrote."""
    parser = argparse.ArgumentParser(description=(doc or "").partition("\n")[0])
    parser.add_argument("--out", type=Path, default=default_out, help="output directory")
    parser.add_argument("--sources", type=Path, help=f"real bodies (default: ${sources_env})")
    args = parser.parse_args(argv)
    for path in write_all(args.out, args.sources):
        print(f"{path} ({path.stat().st_size} bytes)")
