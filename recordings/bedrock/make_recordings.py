"""Build the bundled Bedrock recordings in ``recordings/bedrock/`` from real bodies.

Usage::

    python recordings/bedrock/make_recordings.py [--out DIR] [--sources DIR]

``--sources`` (or the environment variable ``STREAMKIT_REAL_BEDROCK``) is the
directory of real Bedrock bodies described in ``tests/data/real/SOURCES.md``;
it defaults to ``tests/data/real/bedrock`` in the repository.  Every source
is checked against its SHA-256 before use.  ``--out`` defaults to this
script's directory.

The output is deterministic: running the script again writes the very same
bytes.  Each body (binary ``application/vnd.amazon.eventstream``) is split
into chunks the way a network would deliver it, by a ``random.Random``
seeded per scenario: mostly tens to hundreds of bytes, sometimes a handful,
sometimes over a kilobyte, with a few boundaries forced inside a message's
12-byte prelude and inside its closing CRC (the decoder must wait for the
rest).  Arrival times are scripted as for the other dialects (first byte
0.3-0.8 s after the request, then 10-80 ms apart, now and then a pause) and
every line is written by :class:`streamkit.Recorder` itself, on a scripted
clock, with a fixed ``started_at``.

``model-stream-error`` is synthesized from a real text answer; ``README.md``
beside this script says what was changed.
"""

from __future__ import annotations

import json
import random
import struct
import sys
import uuid
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
    chunk_sizes,
    main as _main,
    pieces,
    sources_dir,
    timing,
    write_one_stream,
)

from streamkit import EventStreamDecoder, encode_message  # noqa: E402

DEFAULT_OUT = HERE
DEFAULT_SOURCES = REPO / "tests" / "data" / "real" / "bedrock"
SOURCES_ENV = "STREAMKIT_REAL_BEDROCK"
HOST = "https://bedrock-runtime.us-east-1.amazonaws.com"
GENERATOR = "recordings/bedrock/make_recordings.py"


@dataclass(frozen=True)
class Source(_Source):
    """A real captured body (``_recordings_common.Source``), its model, the day it was recorded."""

    model: str
    recorded: str  # the day, as SOURCES.md gives it; not in meta.source


_OPENINFERENCE = "Arize-ai/openinference"
_OI_PY = "python/instrumentation/openinference-instrumentation-bedrock/tests/openinference"
_OTEL = "open-telemetry/opentelemetry-python-contrib"
_OTEL_TESTS = "instrumentation/opentelemetry-instrumentation-botocore/tests/cassettes"
_PYDANTIC_AI = "pydantic/pydantic-ai"

LONG_TEXT = Source(
    "openinference_converse-stream-long-text-claude3haiku_2025-10-02.bin",
    _OPENINFERENCE,
    f"{_OI_PY}/instrumentation/bedrock/cassettes/TestConverseStream.test_invoke_text_message.yaml"
    " (interaction 0)",
    "5b9ba8f8739170cf1aa4e6ae359449382bcd9416",
    "2b6c3c3cf2d92d3647fe5d1a0240fab6e5648187288b750eaa3e75e8374c1783",
    model="anthropic.claude-3-haiku-20240307-v1:0",
    recorded="2025-10-02",
)
TOOL_USE = Source(
    "opentelemetry-python-contrib_converse-stream-text-then-tool-use-claude3sonnet_2025-05-27.bin",
    _OTEL,
    f"{_OTEL_TESTS}/test_converse_stream_tool_call_parsing_errors.yaml (interaction 1)",
    "3e0632cb317b91d48fb495929fe1bb10a0e1274e",
    "9e110db7038444b06e1cff7ee18593ca1f6af6a870c04125606df5b55e044da0",
    model="anthropic.claude-3-sonnet-20240229-v1:0",
    recorded="2025-05-27",
)
REASONING = Source(
    "pydantic-ai_converse-stream-reasoning-signature-claude-sonnet4_2025-09-03.bin",
    _PYDANTIC_AI,
    "tests/models/cassettes/test_bedrock/test_bedrock_model_thinking_part_stream.yaml"
    " (interaction 0)",
    "4918ba93e6bddee8ebcdb6b8a95e0cd34159bdaa",
    "f7bdeb8b232b86d8b69e2ad8935a6ba7f85a9b328711a607e25f66e23bb71eb0",
    model="us.anthropic.claude-sonnet-4-20250514-v1:0",
    recorded="2025-09-03",
)
INVOKE_ANTHROPIC = Source(
    "openinference_invoke-stream-claude35sonnet-text-and-tool-use_2025-01-31.bin",
    _OPENINFERENCE,
    f"{_OI_PY}/instrumentation/bedrock/cassettes/TestInvokeModelWithStreamResponse.test_invoke.yaml"
    " (interaction 0)",
    "e174240a09db59c74b816efb3bc3176cc581d31e",
    "0cc80a9bb0ce223102aabd33a5d29488aa0a97e48f5fdd39e57264e6f38d802d",
    model="anthropic.claude-3-5-sonnet-20240620-v1:0",
    recorded="2025-01-31",
)
NON_ASCII = Source(
    "openinference_converse-stream-image-input-non-ascii-claude35sonnet_2025-08-19.bin",
    _OPENINFERENCE,
    "js/packages/openinference-instrumentation-bedrock/test/recordings/"
    "should-handle-multi-modal-content-in-streaming-responses.json (interaction 0)",
    "1fd85218b3d36ab78ce32b1bc3769979f45ae985",
    "2e02a808930d4b49b586df40cedad30b3d986c0f41bfe8c5c25ac95c600d11ae",
    model="anthropic.claude-3-5-sonnet-20240620-v1:0",
    recorded="2025-08-19",
)


# -- the synthesized scenario ------------------------------------------------------

ERROR_KEPT_DELTAS = 20
ERROR_MESSAGE = (
    "The system encountered an unexpected error during processing. Try your request again."
)
"""The message of the synthesized ``modelStreamErrorException``."""


def messages(body: bytes) -> list[Any]:
    """The event stream messages of *body* (a whole, valid body)."""
    decoder = EventStreamDecoder()
    out = decoder.feed(body)
    decoder.close()
    if decoder.truncated:
        raise ValueError("the body ends inside a message")
    return out


def model_stream_error(body: bytes) -> bytes:
    """A real text answer that meets a ``modelStreamErrorException`` mid-answer, and ends.

    The messages before text delta :data:`ERROR_KEPT_DELTAS` (0-based) are kept
    byte for byte, then one exception message as the event stream carries
    one (``:exception-type``, ``:content-type``, ``:message-type: exception``)
    with ``{"message": ...}``; no ``contentBlockStop``, ``messageStop`` or
    ``metadata`` follow.
    """
    kept, deltas = [], 0
    for message in messages(body):
        if message.event == "contentBlockDelta":
            if deltas == ERROR_KEPT_DELTAS:
                break
            deltas += 1
        kept.append(encode_message(message.headers, message.data, types=message.header_types))
    exception = encode_message(
        {
            ":exception-type": "modelStreamErrorException",
            ":content-type": "application/json",
            ":message-type": "exception",
        },
        json.dumps({"message": ERROR_MESSAGE}, separators=(",", ":")).encode(),
    )
    return b"".join([*kept, exception])


# -- the scenarios -----------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    seed: int
    description: str
    source: Source
    body: bytes
    operation: str  # converse-stream or invoke-with-response-stream
    synthesized: str | None = None


def scenarios(sources: Path) -> list[Scenario]:
    non_ascii = NON_ASCII.read(sources)
    return [
        Scenario(
            "text-answer",
            21,
            "A ConverseStream text answer: 170 text deltas, end_turn, usage and latency.",
            LONG_TEXT,
            LONG_TEXT.read(sources),
            "converse-stream",
        ),
        Scenario(
            "tool-use",
            22,
            "Text, then a toolUse block whose input arrives in 17 deltas; stopReason tool_use.",
            TOOL_USE,
            TOOL_USE.read(sources),
            "converse-stream",
        ),
        Scenario(
            "reasoning",
            23,
            "Extended thinking: reasoningContent text deltas and the signature, then the answer.",
            REASONING,
            REASONING.read(sources),
            "converse-stream",
        ),
        Scenario(
            "invoke-anthropic",
            24,
            "InvokeModelWithResponseStream of Claude 3.5 Sonnet: Anthropic Messages events in"
            " base64 chunks, a text block and two tool_use blocks, invocation metrics last.",
            INVOKE_ANTHROPIC,
            INVOKE_ANTHROPIC.read(sources),
            "invoke-with-response-stream",
        ),
        Scenario(
            "model-stream-error",
            25,
            "A modelStreamErrorException in the middle of a (non-ASCII) text answer; then the"
            " stream ends.",
            NON_ASCII,
            model_stream_error(non_ascii),
            "converse-stream",
            synthesized=(
                f"kept the messages before text delta {ERROR_KEPT_DELTAS} (0-based), then a"
                " modelStreamErrorException message; no contentBlockStop, messageStop or"
                " metadata"
            ),
        ),
    ]


# -- chunks ------------------------------------------------------------------------


def message_starts(body: bytes) -> list[int]:
    """The offset of every message of *body*."""
    starts, pos = [], 0
    while pos < len(body):
        starts.append(pos)
        pos += struct.unpack_from(">I", body, pos)[0]
    return starts


def split(body: bytes, rng: random.Random) -> list[bytes]:
    """*body* in chunks as a network might deliver it.

    The boundaries of ``chunk_sizes``, plus three inside a message's prelude
    and three inside a message's closing CRC.
    """
    cuts = chunk_sizes(rng, len(body))
    starts = message_starts(body)
    for start in rng.sample(starts, min(3, len(starts))):
        cuts.add(start + rng.randint(1, 11))
    for start in rng.sample(starts[1:], min(3, len(starts) - 1)):
        cuts.add(start - rng.randint(1, 3))
    return pieces(body, {cut for cut in cuts if 0 < cut < len(body)})


# -- recording ---------------------------------------------------------------------


def request(scenario: Scenario) -> dict[str, Any]:
    model = scenario.source.model.replace(":", "%3A")
    accept = "application/json"
    if scenario.operation == "invoke-with-response-stream":
        accept = "application/vnd.amazon.eventstream"
    return {
        "method": "POST",
        "url": f"{HOST}/model/{model}/{scenario.operation}",
        "headers": {
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/"
            "bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=0",
            "Content-Type": "application/json",
            "Accept": accept,
            "User-Agent": "Boto3/1.40.0 md/Botocore#1.40.0 ua/2.1 os/linux lang/python#3.12.7",
        },
    }


def response(rng: random.Random, date: float) -> dict[str, Any]:
    return {
        "status": 200,
        "headers": {
            "date": formatdate(date, usegmt=True),
            "content-type": "application/vnd.amazon.eventstream",
            "transfer-encoding": "chunked",
            "connection": "keep-alive",
            "x-amzn-requestid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
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
        "model": scenario.source.model,
        "source": scenario.source.meta(),
    }
    if scenario.synthesized is not None:
        meta["synthesized"] = scenario.synthesized
    meta |= {"generator": GENERATOR, "seed": scenario.seed}
    chunks = split(scenario.body, rng)
    times, end = timing(rng, len(chunks))
    return write_one_stream(
        out / f"{scenario.name}.ndjson",
        dialect="bedrock",
        meta=meta,
        request=request(scenario),
        response=response(rng, started_at.timestamp()),
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
