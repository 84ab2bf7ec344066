"""Build the bundled Responses recordings in ``recordings/responses/`` from real captured bodies.

Usage::

    python recordings/responses/make_recordings.py [--out DIR] [--sources DIR]

``--sources`` (or the environment variable ``STREAMKIT_REAL_RECORDINGS_RESPONSES``)
is the directory of real Responses bodies described in
``tests/data/real/SOURCES.md``; it defaults to
``tests/data/real/responses`` in the repository.  Every source
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
response's ``created_at``.  The helpers it shares with the other generators are
in ``recordings/_recordings_common.py``.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
if str(HERE.parent) not in sys.path:  # for _recordings_common: see there
    sys.path.insert(0, str(HERE.parent))
from _recordings_common import (  # noqa: E402
    Source,
    first_event,
    main as _main,
    openai_request,
    sources_dir,
    split,
    timing,
    write_one_stream,
)

DEFAULT_OUT = HERE
DEFAULT_SOURCES = REPO / "tests" / "data" / "real" / "responses"
SOURCES_ENV = "STREAMKIT_REAL_RECORDINGS_RESPONSES"
URL = "https://api.openai.com/v1/responses"
GENERATOR = "recordings/responses/make_recordings.py"


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


# -- recording ---------------------------------------------------------------------


def first_response(body: bytes) -> dict[str, Any]:
    """The ``response`` of the first event of *body* (``response.created``)."""
    response: dict[str, Any] = first_event(body)["response"]
    return response


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
    chunks = split(body, rng)
    times, end = timing(rng, len(chunks))
    return write_one_stream(
        out / f"{scenario.name}.ndjson",
        dialect="responses",
        meta=meta,
        request=openai_request(URL),
        response=response(rng, started_at.timestamp()),  # drawn after the chunks
        started_at=started_at,
        chunks=chunks,
        times=times,
        end=end,
    )


def write_all(out: Path = DEFAULT_OUT, sources: Path | None = None) -> list[Path]:
    """Write every bundled recording into *out*; return the paths written."""
    sources = sources_dir(sources, SOURCES_ENV, DEFAULT_SOURCES)
    out.mkdir(parents=True, exist_ok=True)
    return [record(scenario, scenario.source.read(sources), out) for scenario in SCENARIOS]


def main(argv: list[str] | None = None) -> None:
    _main(__doc__, write_all, DEFAULT_OUT, SOURCES_ENV, argv)


if __name__ == "__main__":
    main()
