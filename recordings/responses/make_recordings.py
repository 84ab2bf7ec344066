"""Build the bundled Responses recordings in ``recordings/responses/`` from real captured bodies.

Usage::

    python recordings/responses/make_recordings.py [--out DIR] [--sources DIR]

``--sources`` (or the environment variable ``STREAMKIT_REAL_RECORDINGS_RESPONSES``)
is the directory of real Responses bodies described in
``shared/recordings-real/SOURCES.md``; it defaults to
``../shared/recordings-real/responses`` next to the repository.  Every source
is checked against its SHA-256 before use.  ``--out`` defaults to this
script's directory.

The output is deterministic: running the script again writes the very same
bytes.  The bodies are the real captures, unchanged.  Each is split into
chunks the way a network would deliver them, by a ``random.Random`` seeded
per scenario: mostly tens to hundreds of bytes, sometimes a handful,
sometimes over a kilobyte, with a few boundaries forced between the two LFs
that end an event and inside multi-byte UTF-8 characters (where the text has
any).  Arrival times are scripted the same way (first byte 0.3-0.8 s after
the request, then 10-80 ms apart, now and then a pause of 0.15-0.9 s) and
given to :class:`streamkit.Recorder` through its ``clock=``, so every line is
written by the Recorder itself; the header's ``started_at=`` comes from the
response's ``created_at``.
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
DEFAULT_SOURCES = HERE.parent.parent.parent / "shared" / "recordings-real" / "responses"
SOURCES_ENV = "STREAMKIT_REAL_RECORDINGS_RESPONSES"
URL = "https://api.openai.com/v1/responses"
GENERATOR = "recordings/responses/make_recordings.py"


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


@dataclass(frozen=True)
class Scenario:
    name: str
    seed: int
    description: str
    source: Source


SCENARIOS = (
    Scenario(
        "text-answer",
        1,
        "A plain text answer (gpt-4o-mini): one message, output_text deltas, completed.",
        Source(
            "openai-dotnet_text-gpt4o-mini_2025-09-16.sse",
            "openai/openai-dotnet",
            "tests/SessionRecords/ResponsesTests/HelloWorldStreaming(%gpt-4o-mini%).json"
            " (Entries[0])",
            "65d5703f175f410d1ab0a46515c3ce5f12377010",
            "8faade97b696c71d879ca2e5d313d2af91133b37cc178de9e6aa6097c43bd927",
        ),
    ),
    Scenario(
        "reasoning-function-call",
        2,
        "gpt-5: a reasoning item (encrypted content only), then a function call whose"
        " arguments arrive in function_call_arguments deltas; usage with reasoning tokens.",
        Source(
            "pydantic-ai_function-call-usage_2025-09-16.sse",
            "pydantic/pydantic-ai",
            "tests/models/cassettes/test_openai_responses/test_openai_responses_streaming_usage.yaml"
            " (interaction 0)",
            "553ce06ac41dfdc8f3360f2b82f4a76090058b6f",
            "e67f7baf47c19101225fae5dcffd3f9398069f8a8331c053dac6cdc559bc617c",
        ),
    ),
    Scenario(
        "web-search-citations",
        3,
        "web_search_call in_progress / searching / completed, then a message with"
        " url_citation annotations added by output_text.annotation.added.",
        Source(
            "openai-dotnet_web-search_2026-03-28.sse",
            "openai/openai-dotnet",
            "tests/SessionRecords/ResponsesToolTests/WebSearchCallStreamingAsync.json (Entries[0])",
            "878d727ecf0fdd558ce03f2e01745ed1b738798a",
            "1ffa8fe3d87e18ba5cff592acf84f52c652cf4002195956cea6ad32512513295",
        ),
    ),
    Scenario(
        "mcp-call-failed",
        4,
        "gpt-5 with a remote MCP server: mcp_list_tools, a failed mcp_call (error kept in"
        " the item), a second call that succeeds, reasoning items, the answer.",
        Source(
            "openai-dotnet_mcp-call-failed_2025-09-26.sse",
            "openai/openai-dotnet",
            "tests/SessionRecords/ResponsesToolTests/MCPToolStreamingWorksAsync.json (Entries[0])",
            "65d5703f175f410d1ab0a46515c3ce5f12377010",
            "28cbe694f3cb01f5ebc4973a0ee7b7162c749bf38255ff5ba301b07e17c2a6ef",
        ),
    ),
)


# -- network-like chunks and timing ------------------------------------------------


def cut_points(rng: random.Random, total: int) -> set[int]:
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
    cuts = cut_points(rng, len(body))
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
    """Arrival times in microseconds (from the request) of *count* chunks."""
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


# -- recording ---------------------------------------------------------------------


def first_response(body: bytes) -> dict[str, Any]:
    """The ``response`` of the first event of *body* (``response.created``)."""
    block = body.partition(b"\n\n")[0]
    data: dict[str, Any] = json.loads(block.partition(b"\ndata: ")[2])
    response: dict[str, Any] = data["response"]
    return response


def request() -> dict[str, Any]:
    return {
        "method": "POST",
        "url": URL,
        "headers": {
            "Authorization": "Bearer sk-not-a-real-key",
            "Content-Type": "application/json",
            "Accept": "text/event-stream",
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
            "openai-version": "2020-10-01",
            "openai-processing-ms": str(rng.randint(40, 400)),
            "x-request-id": f"req_{rng.getrandbits(128):032x}",
            "strict-transport-security": "max-age=31536000; includeSubDomains; preload",
            "set-cookie": "__cf_bm=not-a-real-cookie; path=/; domain=.api.openai.com; HttpOnly",
            "server": "cloudflare",
        },
    }


def record(scenario: Scenario, body: bytes, out: Path) -> Path:
    """Write the recording of *scenario* (its real *body*) into *out*; return its path."""
    rng = random.Random(scenario.seed)
    created_at = first_response(body)["created_at"]
    started_at = datetime.fromtimestamp(created_at, UTC) - timedelta(
        microseconds=rng.randint(100_000, 600_000)
    )
    meta = {
        "scenario": scenario.name,
        "description": scenario.description,
        "source": scenario.source.meta(),
        "generator": GENERATOR,
        "seed": scenario.seed,
    }
    path = out / f"{scenario.name}.ndjson"
    clock = ScriptedClock()
    chunks = split(body, rng)
    times = arrivals(rng, len(chunks))
    end = times[-1] + rng.randint(200, 3_000)
    with Recorder.open(
        path,
        dialect="responses",
        meta=meta,
        request=request(),
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
    return [record(scenario, scenario.source.read(sources), out) for scenario in SCENARIOS]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument("--sources", type=Path, help=f"real bodies (default: ${SOURCES_ENV})")
    args = parser.parse_args(argv)
    for path in write_all(args.out, args.sources):
        print(f"{path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
