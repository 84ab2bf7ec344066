"""Build the bundled Ollama recordings in ``recordings/ollama/`` from real captured bodies.

Usage::

    python recordings/ollama/make_recordings.py [--out DIR] [--sources DIR]

``--sources`` (or the environment variable ``STREAMKIT_REAL_OLLAMA``) is the
directory of real Ollama bodies described in ``tests/data/real/SOURCES.md``;
it defaults to ``tests/data/real/ollama`` in the repository.  Every source
is checked against its SHA-256 before use.  ``--out`` defaults to this
script's directory.

The output is deterministic: running the script again writes the very same
bytes.  Ollama writes and flushes one line at a time, so most chunks are one
line; a network and a busy reader also merge lines into one chunk and split
long ones, so each body is cut by a ``random.Random`` seeded per scenario: at
three line ends in four, inside one line in ten, and inside two multi-byte
UTF-8 characters where the text has any.  The times come from the stream
itself: the first line arrives when the server had loaded the model and read
the prompt (``load_duration`` + ``prompt_eval_duration`` of its last line),
each later chunk when the line it ends in was made (its ``created_at``), with
up to 1.5 ms of network jitter.  They are given to :class:`streamkit.Recorder`
through its ``clock=``, with a ``started_at=`` that many seconds before the
first line's ``created_at``, so every line, the header's included, is
written by the Recorder itself.  The helpers it shares with the other
generators are in ``recordings/_recordings_common.py``.

``thinking-tool-calls`` and ``generate-error`` are synthesized from real
answers; ``README.md`` beside this script says what was changed.
"""

from __future__ import annotations

import json
import random
import sys
from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formatdate
from itertools import pairwise
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
if str(HERE.parent) not in sys.path:  # for _recordings_common: see there
    sys.path.insert(0, str(HERE.parent))
from _recordings_common import (  # noqa: E402
    Source,
    character_cuts,
    main as _main,
    pieces,
    sources_dir,
    write_one_stream,
)

DEFAULT_OUT = HERE
DEFAULT_SOURCES = REPO / "tests" / "data" / "real" / "ollama"
SOURCES_ENV = "STREAMKIT_REAL_OLLAMA"
HOST = "http://localhost:11434"
GENERATOR = "recordings/ollama/make_recordings.py"

_LANGCHAINRB = "patterns-ai-core/langchainrb"
_LANGCHAINRB_TESTS = "spec/fixtures/vcr_cassettes"
_LANGCHAINGO = "tmc/langchaingo"

CHAT = Source(
    "langchainrb_chat-llama3_2024-05-30.ndjson",
    _LANGCHAINRB,
    f"{_LANGCHAINRB_TESTS}/Langchain_LLM_Ollama_chat_when_passing_a_block_returns_a_chat"
    "_completion.yml (interaction 0)",
    "bb1f89a79ecf61d87162fc1e3037a0db9ecb1816",
    "72f760d241a7d3f757a5c4028f4b41ae0efdbb31e2cfbf261554c9b624b23734",
)
LENGTH = Source(
    "langchaingo_chat-done-length-non-ascii-gemma3_2025-08-20.ndjson",
    _LANGCHAINGO,
    "llms/ollama/internal/ollamaclient/testdata/TestClient_GenerateChat.httprr (interaction 0)",
    "dd61fd90f4d9f8c2963451d4c43ac9b296500863",
    "ce862e84ca5fb455a6e85c52c6e833ee0b7539d7dc565da44737053ceab7bc98",
)
SUMMARIZE = Source(
    "langchainrb_generate-llama3-summarize_2024-05-02.ndjson",
    _LANGCHAINRB,
    f"{_LANGCHAINRB_TESTS}/Langchain_LLM_Ollama_summarize_returns_a_summarization.yml"
    " (interaction 0)",
    "0c9d5a125000f83574f331d6d295f7054df6ac79",
    "9666b00a81be9c9196a0e49cd8aa612cc386408e143a7a7ce195fdfc80a2183d",
)
LONG = Source(
    "langchaingo_chat-long-gemma3_2025-08-20.ndjson",
    _LANGCHAINGO,
    "llms/ollama/testdata/TestWithKeepAlive.httprr (interaction 0)",
    "dd61fd90f4d9f8c2963451d4c43ac9b296500863",
    "7bc93889befd9230343909fc5d82bed6a5ada503cde8eb1037893889cf512fef",
)
GENERATE = Source(
    "langchainrb_generate-llama2_2024-02-05.ndjson",
    _LANGCHAINRB,
    f"{_LANGCHAINRB_TESTS}/Langchain_LLM_Ollama_complete_returns_a_completion.yml (interaction 0)",
    "94e6794a58232fb27d788dcb55b22ba130aa156a",
    "87725b16c195d53b955fbc2a6fcb967700e8110ce0f74a4a4e82cc623b1b9abb",
)


def _lines(body: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in body.split(b"\n") if line]


def _dumps(value: Any) -> bytes:
    """One line as Ollama writes it: compact JSON, non-ASCII as UTF-8, and a line feed."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


# -- the synthesized scenarios -----------------------------------------------------

THINKING_LINES = 24
CALLS = (
    ("call_k3v9q2xa", "convert_units", {"value": 1, "from": "nautical_mile", "to": "foot"}),
    ("call_p0d7m4tc", "convert_units", {"value": 1, "from": "statute_mile", "to": "foot"}),
)


def thinking_tool_calls(body: bytes) -> bytes:
    """A real answer's first lines as thinking, then two tool calls, then the done line.

    The ``content`` of the first :data:`THINKING_LINES` lines becomes their
    ``thinking`` (``content`` is left ``""``); the next line carries the two
    calls of :data:`CALLS` (``id`` and ``function.index``, as servers of late
    2025 send them) and the one after is the done line, each with the
    ``created_at`` of the real line it replaces.  The done line keeps the real
    one's durations but for the generation's, which are scaled to the lines
    kept, and counts the lines as ``eval_count``, as the real one does.
    """
    lines = _lines(body)
    out = []
    for line in lines[:THINKING_LINES]:
        message = line["message"]
        line["message"] = {"role": message["role"], "content": "", "thinking": message["content"]}
        out.append(_dumps(line))
    calls = [
        {"id": call_id, "function": {"index": index, "name": name, "arguments": arguments}}
        for index, (call_id, name, arguments) in enumerate(CALLS)
    ]
    tool_line = {
        "model": lines[0]["model"],
        "created_at": lines[THINKING_LINES]["created_at"],
        "message": {"role": "assistant", "content": "", "tool_calls": calls},
        "done": False,
    }
    out.append(_dumps(tool_line))
    last = lines[-1]
    generated = THINKING_LINES + 1
    eval_duration = last["eval_duration"] * generated // last["eval_count"]
    done = {
        "model": last["model"],
        "created_at": lines[THINKING_LINES + 1]["created_at"],
        "message": {"role": "assistant", "content": ""},
        "done_reason": "stop",
        "done": True,
        "total_duration": last["total_duration"] - last["eval_duration"] + eval_duration,
        "load_duration": last["load_duration"],
        "prompt_eval_count": last["prompt_eval_count"],
        "prompt_eval_duration": last["prompt_eval_duration"],
        "eval_count": generated,
        "eval_duration": eval_duration,
    }
    out.append(_dumps(done))
    return b"".join(out)


ERROR_KEPT_LINES = 8
ERROR = (
    "model runner has unexpectedly stopped, this may be due to resource limitations or an"
    " internal error, check ollama server logs for details"
)
"""What Ollama writes when the model runner dies mid-answer."""


def generate_error(body: bytes) -> bytes:
    """A real ``/api/generate`` answer cut after :data:`ERROR_KEPT_LINES` lines by an error line."""
    kept = body.split(b"\n")[:ERROR_KEPT_LINES]
    return b"".join(line + b"\n" for line in kept) + _dumps({"error": ERROR})


# -- the scenarios -----------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    seed: int
    description: str
    source: Source
    body: bytes
    endpoint: str
    synthesized: str | None = None


def scenarios(sources: Path) -> list[Scenario]:
    return [
        Scenario(
            "chat-text",
            21,
            "An /api/chat answer (llama3, a 2024-05 server): 41 content lines, then done_reason"
            " stop with the counts and durations.",
            CHAT,
            CHAT.read(sources),
            "chat",
        ),
        Scenario(
            "chat-length",
            22,
            "An /api/chat answer (gemma3:1b) cut by num_predict: done_reason length; curly"
            " quotes and an emoji split between chunks.",
            LENGTH,
            LENGTH.read(sources),
            "chat",
        ),
        Scenario(
            "generate-context",
            23,
            "An /api/generate answer (llama3, a 2024-05 server): response pieces, then a done"
            " line without done_reason, with the context token array.",
            SUMMARIZE,
            SUMMARIZE.read(sources),
            "generate",
        ),
        Scenario(
            "thinking-tool-calls",
            24,
            "An /api/chat answer that thinks, then calls two tools in one line (ids and"
            " function.index), then ends with done_reason stop.",
            LONG,
            thinking_tool_calls(LONG.read(sources)),
            "chat",
            synthesized=(
                f"the content of the first {THINKING_LINES} lines moved into thinking; then one"
                " line with two convert_units tool calls and the done line (done_reason stop),"
                " at the created_at of the real lines they replace; the generation's durations"
                " scaled to the lines kept, eval_count their number"
            ),
        ),
        Scenario(
            "generate-error",
            25,
            "An /api/generate answer (llama2, an early-2024 server) broken off by an error"
            " line: the model runner stopped.",
            GENERATE,
            generate_error(GENERATE.read(sources)),
            "generate",
            synthesized=(
                f"kept the first {ERROR_KEPT_LINES} lines, then an error line"
                f" {json.dumps({'error': ERROR})}; no done line"
            ),
        ),
    ]


# -- chunks and timing -------------------------------------------------------------


def split(body: bytes, rng: random.Random) -> list[bytes]:
    """*body* in chunks (see the module docstring): most at line ends, some inside lines."""
    cuts: set[int] = set()
    start = 0
    while (end := body.find(b"\n", start)) >= 0:
        if rng.random() < 0.75 and end + 1 < len(body):
            cuts.add(end + 1)
        if rng.random() < 0.1 and end - start > 2:
            cuts.add(rng.randint(start + 1, end - 1))
        start = end + 1
    cuts.update(character_cuts(body, rng))
    return pieces(body, cuts)


def _instant(created_at: str) -> datetime:
    """A ``created_at`` as a datetime (its nanoseconds cut to microseconds)."""
    stamp = created_at.removesuffix("Z")
    day, _, fraction = stamp.partition(".")
    return datetime.fromisoformat(f"{day}.{(fraction + '000000')[:6]}+00:00")


def timing(body: bytes, chunks: list[bytes], rng: random.Random) -> tuple[datetime, list[int], int]:
    """When the request was sent, when each chunk came (µs after it), when the body ended."""
    lines = _lines(body)
    stamped = [line for line in lines if "created_at" in line]
    last = stamped[-1]
    first = _instant(stamped[0]["created_at"])
    wait_ns = last.get("load_duration", 0) + last.get("prompt_eval_duration", 0)
    first_us = wait_ns // 1000 + rng.randint(1_000, 5_000)
    started_at = first - timedelta(microseconds=first_us)
    # The time each line was made, in µs after the request (an error line: just after the last).
    made: list[int] = []
    for line in lines:
        if "created_at" in line:
            delta = _instant(line["created_at"]) - started_at
            made.append(delta // timedelta(microseconds=1))
        else:
            made.append(made[-1] + rng.randint(20_000, 60_000))
    ends = [i for i, byte in enumerate(body) if byte == 0x0A]
    times: list[int] = []
    offset = 0
    for chunk in chunks:
        offset += len(chunk)
        line_index = bisect_left(ends, offset - 1)  # the line its last byte is in
        t = made[min(line_index, len(made) - 1)] + rng.randint(100, 1_500)
        times.append(max(t, times[-1] if times else 0))
    return started_at, times, times[-1] + rng.randint(200, 2_000)


# -- recording ---------------------------------------------------------------------


def request(scenario: Scenario) -> dict[str, Any]:
    return {
        "method": "POST",
        "url": f"{HOST}/api/{scenario.endpoint}",
        "headers": {"Content-Type": "application/json", "Accept": "application/x-ndjson"},
    }


def response(date: float) -> dict[str, Any]:
    return {
        "status": 200,
        "headers": {
            "Content-Type": "application/x-ndjson",
            "Date": formatdate(date, usegmt=True),
            "Transfer-Encoding": "chunked",
        },
    }


def record(scenario: Scenario, out: Path) -> Path:
    """Write the recording of *scenario* into *out*; return its path."""
    rng = random.Random(scenario.seed)
    chunks = split(scenario.body, rng)
    started_at, times, end = timing(scenario.body, chunks, rng)
    meta: dict[str, Any] = {
        "scenario": scenario.name,
        "description": scenario.description,
        "model": _lines(scenario.body)[0]["model"],
        "source": scenario.source.meta(),
    }
    if scenario.synthesized is not None:
        meta["synthesized"] = scenario.synthesized
    meta |= {"generator": GENERATOR, "seed": scenario.seed}
    assert all(b >= a for a, b in pairwise(times))
    return write_one_stream(
        out / f"{scenario.name}.ndjson",
        dialect="ollama",
        meta=meta,
        request=request(scenario),
        response=response(started_at.timestamp()),
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
