"""Build the bundled Gemini recordings in ``recordings/gemini/`` from real bodies.

Usage::

    python recordings/gemini/make_recordings.py [--out DIR] [--sources DIR]

``--sources`` (or the environment variable ``STREAMKIT_REAL_GEMINI``) is the
directory of real Gemini bodies described in ``tests/data/real/SOURCES.md``;
it defaults to ``tests/data/real/gemini`` in the repository.  Every source is
checked against its SHA-256 before use.  ``--out`` defaults to this script's
directory.

The output is deterministic: running the script again writes the very same
bytes.  Each body is split into chunks the way a network would deliver them,
by a ``random.Random`` seeded per scenario: mostly tens to hundreds of bytes,
sometimes a handful, sometimes over a kilobyte, with a few boundaries forced
where a frame ends (between the CR and LF of the blank line that ends an SSE
event, or inside the ``,\\r\\n`` between two elements of the JSON-array
form) and inside multi-byte UTF-8 characters (where the text has any).
Arrival times are scripted the same way and given to
:class:`streamkit.Recorder` through its ``clock=``, with a fixed
``started_at=``, so every line, the header's included, is written by the
Recorder itself.  The helpers it shares with the other generators are in
``recordings/_recordings_common.py``.

``safety-stop``, ``error-in-array`` and ``prompt-blocked`` are synthesized
from real bodies; ``README.md`` beside this script says what was changed.
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
    Source as _Source,
    character_cuts,
    chunk_sizes,
    main as _main,
    pieces,
    sources_dir,
    timing,
    write_one_stream,
)

DEFAULT_OUT = HERE
DEFAULT_SOURCES = REPO / "tests" / "data" / "real" / "gemini"
SOURCES_ENV = "STREAMKIT_REAL_GEMINI"
GEMINI_API = "https://generativelanguage.googleapis.com/v1beta/models"
GENERATOR = "recordings/gemini/make_recordings.py"


@dataclass(frozen=True)
class Source(_Source):
    """A real captured body (``_recordings_common.Source``), and the day it was recorded."""

    recorded: str  # the day, as SOURCES.md gives it; not in meta.source


THINKING = Source(
    "mirascope_thinking-non-ascii-gemini25flash_2026-01-09.sse",
    "Mirascope/mirascope",
    "python/tests/e2e/output/cassettes/test_call_with_thinking/google_gemini_2_5_flash/"
    "async_stream.yaml (interaction 0)",
    "be3c581e558976a153148d34f004e696393395af",
    "1289b9465e116ce2c68f7d67ff67396219142261cb1ed36d612bd846932c23e1",
    recorded="2026-01-09",
)
PARALLEL_CALLS = Source(
    "openinference_parallel-function-calls-thought-signature-gemini35flash_2026-06-10.sse",
    "Arize-ai/openinference",
    "python/instrumentation/openinference-instrumentation-google-genai/tests/cassettes/"
    "test_instrumentation/test_streaming_reasoning_with_multiple_tool_calls.yaml (interaction 0)",
    "973bfb2d8a5c381605f9d06a10ae46c231fc15f6",
    "4e3a2c1d409eb3c9f354dc8049aed794e93c95c17dbbe11ca950b415b7942d76",
    recorded="2026-06-10",
)
ARRAY_CALL = Source(
    "llm-gemini_jsonarray-thought-function-call-gemini25flash_2026-08-05.json",
    "simonw/llm-gemini",
    "tests/cassettes/test_gemini/test_tools.yaml (interaction 0)",
    "558704c17712e320dc7de01d7411bfdb0c7c6654",
    "0e5a06103d3779682223fc1eaff0d5c0496dab2dd070ac4581fd20e7fbfbe25d",
    recorded="2026-08-05",
)
GROUNDING = Source(
    "pydantic-ai_grounding-web-search-non-ascii-gemini25pro_2025-09-18.sse",
    "pydantic/pydantic-ai",
    "tests/models/cassettes/test_google/test_google_model_web_search_tool_stream.yaml"
    " (interaction 0)",
    "925568a39261c4e86ffc6ba5c2272ef57e46e9b4",
    "81cf0e68b9ca247fcee408b60e3d6c1403b1b03fa066172157335e3c4652f285",
    recorded="2025-09-18",
)
TEXT = Source(
    "openinference_text-non-ascii-gemini20flash_2026-05-13.sse",
    "Arize-ai/openinference",
    "python/instrumentation/openinference-instrumentation-google-genai/tests/cassettes/"
    "test_instrumentation/test_streaming_text_content.yaml (interaction 0)",
    "ce0dbc88d0e427fd141d8fd91a9d1a236a2515ae",
    "08eb623aa4b7403c9770bbf29d7c8a04278ae0689e395743dd45b6c9bd96c5de",
    recorded="2026-05-13",
)
ARRAY_TEXT = Source(
    "llm-gemini_jsonarray-thought-structured-gemini36flash_2026-08-05.json",
    "simonw/llm-gemini",
    "tests/cassettes/test_gemini/test_prompt_with_pydantic_schema.yaml (interaction 0)",
    "558704c17712e320dc7de01d7411bfdb0c7c6654",
    "b2781983115910b975e84ec057986ce6da19b3d042aa4a030a8de0f157195adc",
    recorded="2026-08-05",
)


# -- bodies as frames --------------------------------------------------------------

SSE_END = b"\r\n\r\n"
ARRAY_SEPARATOR = b"\n,\r\n"


def sse_frames(body: bytes) -> list[bytes]:
    """The ``data: ...`` lines of a Gemini SSE body, each ended by a CRLF blank line."""
    frames = body.split(SSE_END)
    if frames.pop() != b"" or not all(frame.startswith(b"data: ") for frame in frames):
        raise ValueError("the body is not in the expected data: / CRLF layout")
    return [frame.removeprefix(b"data: ") for frame in frames]


def sse_body(frames: list[bytes]) -> bytes:
    return b"".join(b"data: " + frame + SSE_END for frame in frames)


def array_elements(body: bytes) -> list[bytes]:
    """The elements of a Gemini JSON-array body, as the server lays them out."""
    if not (body.startswith(b"[") and body.endswith(b"\n]")):
        raise ValueError("the body is not in the expected JSON-array layout")
    elements = body[1:-2].split(ARRAY_SEPARATOR)
    if array_body(elements) != body:
        raise ValueError("the body is not in the expected JSON-array layout")
    return elements


def array_body(elements: list[bytes]) -> bytes:
    return b"[" + ARRAY_SEPARATOR.join(elements) + b"\n]"


def _compact(value: Any) -> bytes:
    """JSON as the SSE form writes it: ``": "`` after keys, ``","`` between items."""
    return json.dumps(value, separators=(",", ": "), ensure_ascii=False).encode()


def _pretty(value: Any) -> bytes:
    """JSON as the JSON-array form writes it: two-space indent, LF line ends."""
    return json.dumps(value, indent=2, ensure_ascii=False).encode()


# -- the synthesized scenarios -----------------------------------------------------

SAFETY_KEPT = 5
SAFETY_RATINGS = [
    {"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT", "probability": "NEGLIGIBLE"},
    {"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "NEGLIGIBLE"},
    {"category": "HARM_CATEGORY_HARASSMENT", "probability": "NEGLIGIBLE"},
    {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "MEDIUM", "blocked": True},
]


def safety_stop(body: bytes) -> bytes:
    """A real text answer stopped by the safety filter after :data:`SAFETY_KEPT` chunks.

    The first chunks are kept as they are; then one chunk with no content,
    ``finishReason: SAFETY`` and safety ratings (one ``blocked``), the usage,
    model version and response id of the chunk before it (how the API
    documents a blocked stream: the candidate's content is left out).
    """
    frames = sse_frames(body)[:SAFETY_KEPT]
    last = json.loads(frames[-1])
    stop = {
        "candidates": [{"finishReason": "SAFETY", "index": 0, "safetyRatings": SAFETY_RATINGS}],
        "usageMetadata": last["usageMetadata"],
        "modelVersion": last["modelVersion"],
        "responseId": last["responseId"],
    }
    return sse_body([*frames, _compact(stop)])


ERROR_KEPT = 3
OVERLOADED = {
    "error": {
        "code": 503,
        "message": "The model is overloaded. Please try again later.",
        "status": "UNAVAILABLE",
    }
}
"""The error object the Gemini API sends when the model is overloaded."""


def error_in_array(body: bytes) -> bytes:
    """A real JSON-array answer whose stream fails after :data:`ERROR_KEPT` elements.

    The first elements are kept; then an element holding :data:`OVERLOADED`,
    laid out as the server lays out its elements, and the array's ``]``.
    """
    return array_body([*array_elements(body)[:ERROR_KEPT], _pretty(OVERLOADED)])


def prompt_blocked(body: bytes) -> bytes:
    """A prompt the API refused: one chunk with ``promptFeedback.blockReason``, no candidates.

    The usage (prompt tokens only), model version and response id are those of
    the source's first chunk.
    """
    first = json.loads(sse_frames(body)[0])
    usage = first["usageMetadata"]
    blocked = {
        "promptFeedback": {"blockReason": "PROHIBITED_CONTENT"},
        "usageMetadata": {
            "promptTokenCount": usage["promptTokenCount"],
            "totalTokenCount": usage["promptTokenCount"],
            "promptTokensDetails": usage["promptTokensDetails"],
        },
        "modelVersion": first["modelVersion"],
        "responseId": first["responseId"],
    }
    return sse_body([_compact(blocked)])


# -- the scenarios -----------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    seed: int
    description: str
    source: Source
    body: bytes
    array: bool = False  # the JSON-array form (no alt=sse)
    synthesized: str | None = None

    @property
    def model(self) -> str:
        frames = array_elements(self.body) if self.array else sse_frames(self.body)
        model: str = json.loads(frames[0])["modelVersion"]
        return model


def scenarios(sources: Path) -> list[Scenario]:
    return [
        Scenario(
            "thinking",
            21,
            "Thought summary parts (thought: true) streamed before an answer with non-ASCII text;"
            " usage with thoughtsTokenCount.",
            THINKING,
            THINKING.read(sources),
        ),
        Scenario(
            "parallel-function-calls",
            22,
            "Two functionCall parts in consecutive chunks, the first with a thoughtSignature,"
            " then a text chunk with the finishReason.",
            PARALLEL_CALLS,
            PARALLEL_CALLS.read(sources),
        ),
        Scenario(
            "array-function-call",
            23,
            "The JSON-array form (no alt=sse): a thought part, then a functionCall with empty"
            " args and a thoughtSignature.",
            ARRAY_CALL,
            ARRAY_CALL.read(sources),
            array=True,
        ),
        Scenario(
            "grounding-web-search",
            24,
            "google_search grounding: groundingMetadata {} on the early chunks, the whole of it"
            " (queries, search entry point, chunks, supports) on the last.",
            GROUNDING,
            GROUNDING.read(sources),
        ),
        Scenario(
            "safety-stop",
            25,
            "A text answer stopped by the safety filter: finishReason SAFETY, a blocked rating.",
            TEXT,
            safety_stop(TEXT.read(sources)),
            synthesized=(
                f"kept the first {SAFETY_KEPT} chunks, then one chunk with no content,"
                " finishReason SAFETY and four safety ratings (HARM_CATEGORY_DANGEROUS_CONTENT"
                " MEDIUM, blocked), with the usage, model version and response id of the chunk"
                " before it"
            ),
        ),
        Scenario(
            "error-in-array",
            26,
            "The JSON-array form failing mid-answer: an error element (503 UNAVAILABLE), then ].",
            ARRAY_TEXT,
            error_in_array(ARRAY_TEXT.read(sources)),
            array=True,
            synthesized=(
                f"kept the first {ERROR_KEPT} elements, then an element"
                ' {"error": {"code": 503, "message": "The model is overloaded. Please try again'
                ' later.", "status": "UNAVAILABLE"}} laid out as the server lays out its'
                " elements, and the closing ]"
            ),
        ),
        Scenario(
            "prompt-blocked",
            27,
            "A prompt refused before any answer: promptFeedback.blockReason PROHIBITED_CONTENT,"
            " no candidates.",
            THINKING,
            prompt_blocked(THINKING.read(sources)),
            synthesized=(
                "one chunk: promptFeedback.blockReason PROHIBITED_CONTENT and no candidates, with"
                " the prompt token counts, model version and response id of the source's first"
                " chunk"
            ),
        ),
    ]


# -- recording ---------------------------------------------------------------------


def frame_end_cuts(body: bytes, rng: random.Random, *, array: bool) -> list[int]:
    """Three boundaries where a frame ends: inside an SSE event's CRLF CRLF, or a ``,\\r\\n``."""
    mark = ARRAY_SEPARATOR if array else SSE_END
    ends = []
    start = body.find(mark)
    while start >= 0:
        ends += range(start + 1, start + len(mark))
        start = body.find(mark, start + 1)
    return rng.sample(ends, min(3, len(ends)))


def request(scenario: Scenario) -> dict[str, Any]:
    query = "" if scenario.array else "?alt=sse"
    return {
        "method": "POST",
        "url": f"{GEMINI_API}/{scenario.model}:streamGenerateContent{query}",
        "headers": {
            "x-goog-api-key": "not-a-real-key",
            "content-type": "application/json",
            "user-agent": "google-genai-sdk/1.30.0 gl-python/3.12.4",
            "x-goog-api-client": "google-genai-sdk/1.30.0 gl-python/3.12.4",
        },
    }


def response(rng: random.Random, date: float, *, array: bool) -> dict[str, Any]:
    content_type = "application/json; charset=UTF-8" if array else "text/event-stream"
    return {
        "status": 200,
        "headers": {
            "content-type": content_type,
            "content-disposition": "attachment",
            "vary": "Origin, X-Origin, Referer",
            "transfer-encoding": "chunked",
            "date": formatdate(date, usegmt=True),
            "server": "scaffolding on HTTPServer2",
            "x-xss-protection": "0",
            "x-frame-options": "SAMEORIGIN",
            "x-content-type-options": "nosniff",
            "server-timing": f"gfet4t7; dur={rng.randint(300, 9000)}",
            "alt-svc": 'h3=":443"; ma=2592000,h3-29=":443"; ma=2592000',
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
        "form": "json-array" if scenario.array else "sse",
        "source": scenario.source.meta(),
    }
    if scenario.synthesized is not None:
        meta["synthesized"] = scenario.synthesized
    meta |= {"generator": GENERATOR, "seed": scenario.seed}
    body = scenario.body
    cuts = chunk_sizes(rng, len(body))
    cuts.update(frame_end_cuts(body, rng, array=scenario.array))
    cuts.update(character_cuts(body, rng))
    chunks = pieces(body, cuts)
    times, end = timing(rng, len(chunks))
    return write_one_stream(
        out / f"{scenario.name}.ndjson",
        dialect="gemini",
        meta=meta,
        request=request(scenario),
        response=response(rng, started_at.timestamp(), array=scenario.array),
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
