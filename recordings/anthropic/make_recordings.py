"""Build the bundled Anthropic Messages recordings in ``recordings/anthropic/`` from real bodies.

Usage::

    python recordings/anthropic/make_recordings.py [--out DIR] [--sources DIR]

``--sources`` (or the environment variable ``STREAMKIT_REAL_ANTHROPIC``) is the
directory of real Anthropic bodies described in
``tests/data/real/SOURCES.md``; it defaults to
``tests/data/real/anthropic`` in the repository.  Every source
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
included, is written by the Recorder itself.  The helpers it shares with the
other generators are in ``recordings/_recordings_common.py``.

``overloaded-error`` is synthesized from a real text answer; ``README.md``
beside this script says what was changed.
"""

from __future__ import annotations

import json
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
    Events,
    Source as _Source,
    encode,
    main as _main,
    parse,
    sources_dir,
    split,
    timing,
    write_one_stream,
)

DEFAULT_OUT = HERE
DEFAULT_SOURCES = REPO / "tests" / "data" / "real" / "anthropic"
SOURCES_ENV = "STREAMKIT_REAL_ANTHROPIC"
URL = "https://api.anthropic.com/v1/messages"
GENERATOR = "recordings/anthropic/make_recordings.py"


@dataclass(frozen=True)
class Source(_Source):
    """A real captured body (``_recordings_common.Source``), and the day it was recorded."""

    recorded: str  # the day, as SOURCES.md gives it; not in meta.source


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
    "6ebbd71be746e8302ac4ae1432846734b1a44fb4f74cfb28c71e090295fee062",
    recorded="2025-07-29",
)
THINKING = Source(
    "pydantic-ai_thinking-sonnet4_2026-02-05.sse",
    _PYDANTIC_AI,
    f"{_PYDANTIC_AI_TESTS}/test_anthropic_model_thinking_part_stream.yaml (interaction 0)",
    "b6952a046fdb7e6a845077a61d38bf53bdcc748a",
    "9bf85f07ca3de26471c938258aa9ca5ad01aed479884aa2d579ed32798aae35f",
    recorded="2026-02-05",
)
WEB_SEARCH = Source(
    "pydantic-ai_web-search-citations_2025-08-14.sse",
    _PYDANTIC_AI,
    f"{_PYDANTIC_AI_TESTS}/test_anthropic_web_search_tool_stream.yaml (interaction 0)",
    "19cfbbf7bd8ae2c1b9a6b8bd127f818786dcf436",
    "4caa17e29af3a1ce6aa99e732de61e9e506bccc085a4258d175b42b30712cdc9",
    recorded="2025-08-14",
)
TEXT = Source(
    "openllmetry_text-haiku3_2024-10-20.sse",
    _OPENLLMETRY,
    f"{_OPENLLMETRY_TESTS}/test_messages/test_anthropic_message_streaming_legacy.yaml"
    " (interaction 0)",
    "1ebfe5708733d2d9b94acada0e6bae96d7e6038d",
    "1e7aa791b0cc805086d823ca35d07a87501b0dc7fa88d027480ebd64b7f5db52",
    recorded="2024-10-20",
)


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
    chunks = split(scenario.body, rng)
    times, end = timing(rng, len(chunks))
    return write_one_stream(
        out / f"{scenario.name}.ndjson",
        dialect="anthropic",
        meta=meta,
        request=request(scenario),
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
    return [record(scenario, out) for scenario in scenarios(sources)]


def main(argv: list[str] | None = None) -> None:
    _main(__doc__, write_all, DEFAULT_OUT, SOURCES_ENV, argv)


if __name__ == "__main__":
    main()
