"""Build the bundled Anthropic Messages recordings in ``recordings/anthropic/`` from real bodies.

Usage::

    python recordings/anthropic/make_recordings.py [--out DIR] [--sources DIR]

``--sources`` (or the environment variable ``STREAMKIT_REAL_ANTHROPIC``) is the
directory of real Anthropic bodies described in
``shared/recordings-real/SOURCES.md``; it defaults to
``../shared/recordings-real/anthropic`` next to the repository.  Every source
is checked against its SHA-256 before use.  ``--out`` defaults to this
script's directory.

The output is deterministic: running the script again writes the very same
bytes.  Each body is split into chunks the way a network would deliver them,
by a ``random.Random`` seeded per scenario: mostly tens to hundreds of bytes,
sometimes a handful, sometimes over a kilobyte, with a few boundaries forced
between the two LFs that end an event and inside multi-byte UTF-8 characters
(where the text has any).  Arrival times are scripted the same way (first
byte 0.3-0.8 s after the request, then 10-80 ms apart, now and then a pause
of 0.15-0.9 s) and given to :class:`streamkit.Recorder` through its
``clock=``, and a fixed ``started_at=``, so every line, the header's
included, is written by the Recorder itself.

``overloaded-error`` is synthesized from a real text answer; ``README.md``
beside this script says what was changed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from itertools import pairwise
from pathlib import Path
from typing import Any

from streamkit.recording import Recorder

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE
DEFAULT_SOURCES = HERE.parent.parent.parent / "shared" / "recordings-real" / "anthropic"
SOURCES_ENV = "STREAMKIT_REAL_ANTHROPIC"
URL = "https://api.anthropic.com/v1/messages"
GENERATOR = "recordings/anthropic/make_recordings.py"


@dataclass(frozen=True)
class Source:
    """One real captured response body: where it came from, when, and its checksum."""

    file: str
    repo: str
    path: str
    commit: str
    recorded: str  # the day, as SOURCES.md gives it
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


_OPENLLMETRY = "traceloop/openllmetry"
_OPENLLMETRY_TESTS = "packages/opentelemetry-instrumentation-anthropic/tests/cassettes"
_PYDANTIC_AI = "pydantic/pydantic-ai"
_PYDANTIC_AI_TESTS = "tests/models/cassettes/test_anthropic"

TOOL_USE = Source(
    "openllmetry_tool-use_2025-07-29.sse",
    _OPENLLMETRY,
    f"{_OPENLLMETRY_TESTS}/test_messages/test_anthropic_tools_streaming_legacy.yaml"
    " (interaction 0)",
    "2f718ec1ec3bc917bb5a08e7a28bca0eac399fd0",
    "2025-07-29",
    "6ebbd71be746e8302ac4ae1432846734b1a44fb4f74cfb28c71e090295fee062",
)
THINKING = Source(
    "pydantic-ai_thinking-sonnet4_2026-02-05.sse",
    _PYDANTIC_AI,
    f"{_PYDANTIC_AI_TESTS}/test_anthropic_model_thinking_part_stream.yaml (interaction 0)",
    "b6952a046fdb7e6a845077a61d38bf53bdcc748a",
    "2026-02-05",
    "9bf85f07ca3de26471c938258aa9ca5ad01aed479884aa2d579ed32798aae35f",
)
WEB_SEARCH = Source(
    "pydantic-ai_web-search-citations_2025-08-14.sse",
    _PYDANTIC_AI,
    f"{_PYDANTIC_AI_TESTS}/test_anthropic_web_search_tool_stream.yaml (interaction 0)",
    "19cfbbf7bd8ae2c1b9a6b8bd127f818786dcf436",
    "2025-08-14",
    "4caa17e29af3a1ce6aa99e732de61e9e506bccc085a4258d175b42b30712cdc9",
)
TEXT = Source(
    "openllmetry_text-haiku3_2024-10-20.sse",
    _OPENLLMETRY,
    f"{_OPENLLMETRY_TESTS}/test_messages/test_anthropic_message_streaming_legacy.yaml"
    " (interaction 0)",
    "1ebfe5708733d2d9b94acada0e6bae96d7e6038d",
    "2024-10-20",
    "1e7aa791b0cc805086d823ca35d07a87501b0dc7fa88d027480ebd64b7f5db52",
)


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


# -- the synthesized scenario ------------------------------------------------------

ERROR_KEPT_DELTAS = 12
OVERLOADED = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
"""An ``error`` event as the Messages API documents it for an overloaded server."""


def overloaded(body: bytes) -> bytes:
    """A real text answer that gets an ``overloaded_error`` after some text, and then ends.

    The events before text delta :data:`ERROR_KEPT_DELTAS` (0-based) are kept,
    then an ``error`` event with :data:`OVERLOADED`; no ``content_block_stop``,
    ``message_delta`` or ``message_stop`` follow.
    """
    kept: Events = []
    deltas = 0
    for name, data in parse(body):
        if name == "content_block_delta":
            if deltas == ERROR_KEPT_DELTAS:
                break
            deltas += 1
        kept.append((name, data))
    return encode([*kept, ("error", json.dumps(OVERLOADED, separators=(",", ":")))])


# -- network-like chunks and timing ------------------------------------------------


def chunk_sizes(rng: random.Random, total: int) -> set[int]:
    """Offsets of chunk boundaries: mostly 25-400 bytes apart, at times 1-24 or 401-1800."""
    cuts: set[int] = set()
    offset = 0
    while True:
        roll = rng.randint(1, 100)
        if roll <= 15:
            offset += rng.randint(1, 24)
        elif roll <= 80:
            offset += rng.randint(25, 400)
        else:
            offset += rng.randint(401, 1800)
        if offset >= total:
            return cuts
        cuts.add(offset)


def split(body: bytes, rng: random.Random) -> list[bytes]:
    """*body* in chunks as a network might deliver it (see the module docstring)."""
    cuts = chunk_sizes(rng, len(body))
    # Between the two LFs that end an event: the decoder must wait for the second.
    ends = [i + 1 for i in range(len(body) - 1) if body[i : i + 2] == b"\n\n"]
    cuts.update(rng.sample(ends, min(3, len(ends))))
    # Inside a multi-byte character: the chunk is not valid UTF-8 on its own.
    leads = [i for i, byte in enumerate(body) if byte >= 0xC0]
    for lead in rng.sample(leads, min(2, len(leads))):
        width = 2 if body[lead] < 0xE0 else 3 if body[lead] < 0xF0 else 4
        cuts.add(lead + rng.randint(1, width - 1))
    return [body[a:b] for a, b in pairwise([0, *sorted(cuts), len(body)])]


def arrivals(rng: random.Random, count: int) -> list[int]:
    """Arrival times in microseconds of *count* chunks of a response requested at 0."""
    t = rng.randint(300_000, 800_000)
    times = [t]
    for _ in range(count - 1):
        if rng.randint(1, 100) <= 4:
            t += rng.randint(150_000, 900_000)
        else:
            t += rng.randint(10_000, 80_000)
        times.append(t)
    return times


class ScriptedClock:
    """The Recorder's clock: whatever time (in microseconds) the script set last."""

    def __init__(self) -> None:
        self.us = 0

    def __call__(self) -> float:
        return self.us / 1_000_000


# -- the scenarios -----------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    seed: int
    description: str
    source: Source
    body: bytes
    model: str
    synthesized: str | None = None


def model_of(body: bytes) -> str:
    first = json.loads(parse(body)[0][1])
    model: str = first["message"]["model"]
    return model


def scenarios(sources: Path) -> list[Scenario]:
    tool = TOOL_USE.read(sources)
    thinking = THINKING.read(sources)
    search = WEB_SEARCH.read(sources)
    error = overloaded(TEXT.read(sources))
    return [
        Scenario(
            "tool-use",
            11,
            "Text, then two tool_use blocks whose input arrives in input_json_delta fragments;"
            " stop_reason tool_use.",
            TOOL_USE,
            tool,
            model_of(tool),
        ),
        Scenario(
            "thinking",
            12,
            "Extended thinking: thinking_delta fragments and a signature_delta, then the text.",
            THINKING,
            thinking,
            model_of(thinking),
        ),
        Scenario(
            "web-search-citations",
            13,
            "Two web_search server tool calls with their results, then text blocks carrying"
            " citations_delta citations.",
            WEB_SEARCH,
            search,
            model_of(search),
        ),
        Scenario(
            "overloaded-error",
            14,
            "An overloaded_error event in the middle of a text answer; then the stream ends.",
            TEXT,
            error,
            model_of(error),
            synthesized=(
                f"kept the events before text delta {ERROR_KEPT_DELTAS} (0-based), then an"
                " error event with an overloaded_error; no content_block_stop, message_delta"
                " or message_stop"
            ),
        ),
    ]


# -- recording ---------------------------------------------------------------------


def request(scenario: Scenario) -> dict[str, Any]:
    return {
        "method": "POST",
        "url": URL,
        "headers": {
            "x-api-key": "sk-ant-not-a-real-key",
            "anthropic-version": "2023-06-01",
            "content-type": "application/json",
            "accept": "text/event-stream",
        },
    }


def response(rng: random.Random, date: float) -> dict[str, Any]:
    return {
        "status": 200,
        "headers": {
            "date": formatdate(date, usegmt=True),
            "content-type": "text/event-stream; charset=utf-8",
            "transfer-encoding": "chunked",
            "connection": "keep-alive",
            "cache-control": "no-cache",
            "request-id": f"req_011C{rng.getrandbits(96):024x}",
            "anthropic-organization-id": "00000000-0000-0000-0000-000000000000",
            "via": "1.1 google",
            "server": "cloudflare",
        },
    }


def record(scenario: Scenario, out: Path) -> Path:
    """Write the recording of *scenario* into *out*; return its path."""
    rng = random.Random(scenario.seed)
    day = datetime.fromisoformat(scenario.source.recorded).replace(tzinfo=UTC)
    started_at = day + timedelta(seconds=rng.randint(8 * 3600, 20 * 3600))
    started_at += timedelta(microseconds=rng.randint(0, 999_999))
    meta: dict[str, Any] = {
        "scenario": scenario.name,
        "description": scenario.description,
        "model": scenario.model,
        "source": scenario.source.meta(),
    }
    if scenario.synthesized is not None:
        meta["synthesized"] = scenario.synthesized
    meta |= {"generator": GENERATOR, "seed": scenario.seed}
    path = out / f"{scenario.name}.ndjson"
    clock = ScriptedClock()
    chunks = split(scenario.body, rng)
    times = arrivals(rng, len(chunks))
    end = times[-1] + rng.randint(200, 3_000)
    with Recorder.open(
        path,
        dialect="anthropic",
        meta=meta,
        request=request(scenario),
        response=response(rng, started_at.timestamp()),
        clock=clock,
        started_at=started_at,
    ) as recorder:
        for _ in recorder.tap(_deliver(clock, chunks, times, end)):
            pass
    return path


def _deliver(clock: ScriptedClock, chunks: list[bytes], times: list[int], end: int) -> Any:
    for t, chunk in zip(times, chunks, strict=True):
        clock.us = t
        yield chunk
    clock.us = end


def write_all(out: Path = DEFAULT_OUT, sources: Path | None = None) -> list[Path]:
    """Write every bundled recording into *out*; return the paths written."""
    if sources is None:
        sources = Path(os.environ.get(SOURCES_ENV) or DEFAULT_SOURCES)
    out.mkdir(parents=True, exist_ok=True)
    return [record(scenario, out) for scenario in scenarios(sources)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument("--sources", type=Path, help=f"real bodies (default: ${SOURCES_ENV})")
    args = parser.parse_args(argv)
    for path in write_all(args.out, args.sources):
        print(f"{path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
