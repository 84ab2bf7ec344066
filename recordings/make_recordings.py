"""Build the bundled recordings in ``recordings/assistants/`` from real captured bodies.

Usage::

    python recordings/make_recordings.py [--out DIR] [--sources DIR]

``--sources`` (or the environment variable ``STREAMKIT_REAL_RECORDINGS``) is
the directory of real Assistants bodies described in
``tests/data/real/SOURCES.md``; it defaults to
``tests/data/real/assistants`` in the repository.  Every source
is checked against its SHA-256 before use.  ``--out`` defaults to
``recordings/assistants/``.

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

``failed-run`` and ``error-event`` are synthesized from real text runs and
``cut-off`` is a real run cut short; ``recordings/README.md`` says what was
changed.
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from pathlib import Path
from typing import TYPE_CHECKING, Any

from streamkit.recording import Recorder

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(HERE) not in sys.path:  # loaded by path (the tests): see _recordings_common.py
    sys.path.insert(0, str(HERE))
from _recordings_common import (  # noqa: E402
    Events,
    ScriptedClock,
    Source,
    deliver,
    encode,
    first_event,
    main as _main,
    openai_request,
    parse,
    sources_dir,
    split,
    timing,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

DEFAULT_OUT = HERE / "assistants"
DEFAULT_SOURCES = REPO / "tests" / "data" / "real" / "assistants"
SOURCES_ENV = "STREAMKIT_REAL_RECORDINGS"
API = "https://api.openai.com/v1"


# -- the real captures used (see tests/data/real/SOURCES.md) -----------------


_DOTNET = "openai/openai-dotnet"
_DOTNET_TESTS = "tests/SessionRecords/AssistantsTests"
_DOTNET_SEP = "65d5703f175f410d1ab0a46515c3ce5f12377010"
_DOTNET_OCT = "aa5213ff6c8e2aa66cf05fa2b3a763343de92105"

TEXT_RUN = Source(
    "openai-dotnet_text-run_2025-09-16a.sse",
    _DOTNET,
    f"{_DOTNET_TESTS}/StreamingRunWorks.json (Entries[2])",
    _DOTNET_SEP,
    "4c4b543421dd5c418886503e4290264affb704146e89dcffea090931cd8fc414",
)
TEXT_RUN_ASYNC = Source(
    "openai-dotnet_text-run_2025-09-16b.sse",
    _DOTNET,
    f"{_DOTNET_TESTS}/StreamingRunWorksAsync.json (Entries[2])",
    _DOTNET_SEP,
    "59d03be944af9ad161b7528947e4e73a72196c9bc3be1082fb1325b583dff381",
)
TEXT_RUN_4O = Source(
    "openai-dotnet_text-run_2025-10-30a.sse",
    _DOTNET,
    f"{_DOTNET_TESTS}/StreamingRunWorks.json (Entries[2])",
    _DOTNET_OCT,
    "cdcc15362bf925491dadef541b5fa2805c92c68f76193af2cfd6f44d14ed5514",
)
TEXT_RUN_4O_ASYNC = Source(
    "openai-dotnet_text-run_2025-10-30b.sse",
    _DOTNET,
    f"{_DOTNET_TESTS}/StreamingRunWorksAsync.json (Entries[2])",
    _DOTNET_OCT,
    "648b84f6303d16a9b17e1a73d85405e2dd62b6d9c65939e782d387ba57eeae64",
)
CODE_INTERPRETER = Source(
    "openllmetry_code-interpreter-v1_2024-03-24.sse",
    "traceloop/openllmetry",
    "packages/opentelemetry-instrumentation-openai/tests/traces/cassettes/"
    "test_assistant/test_streaming_assistant.yaml (interaction 3)",
    "bee52234ce026d1ab846b8174d0f096e05c7a8ad",
    "16a0832dc28b7d2474f9d8dcd68cbf7fb2468ce00cab2dd347ffa06174f0211e",
)
FILE_SEARCH = Source(
    "openai-dotnet_file-search-citation_2025-09-16a.sse",
    _DOTNET,
    f"{_DOTNET_TESTS}/FileSearchStreamingWorks.json (Entries[3])",
    _DOTNET_SEP,
    "c360445e8610adc140aca98ca0f48132aa1a3a9f6fce44115e537b09ec7c728b",
)
REQUIRES_ACTION = Source(
    "openai-dotnet_function-requires-action_2025-09-16a.sse",
    _DOTNET,
    f"{_DOTNET_TESTS}/StreamingToolCall().json (Entries[1])",
    _DOTNET_SEP,
    "ed6eb2a18a6d686961ff8f218dbd613904ff8532f542a4a6433fa7052e274bbe",
)
SUBMIT_TOOL_OUTPUTS = Source(
    "openai-dotnet_submit-tool-outputs_2025-09-16a.sse",
    _DOTNET,
    f"{_DOTNET_TESTS}/StreamingToolCall().json (Entries[2])",
    _DOTNET_SEP,
    "19b36cbf2c5c149b8cb795e8da1de2d808a850c65ddbdf12cab5227997f77fef",
)
MESSAGE_INCOMPLETE = Source(
    "ruby-openai_message-incomplete-max-tokens-v2_2024-04-29.sse",
    "alexrudall/ruby-openai",
    "spec/fixtures/cassettes/runs_streamed_create.yml (interaction 3)",
    "77f6359741f9b8aae6524c2c7529db0bff71106a",
    "b89d7a9d28549354c4f7ff96bd1dc2d265d0c94e263d645bfe45ad11a2122357",
)


# -- SSE bodies as (event, data) pairs ----------------------------------------------


def dumps(value: Any) -> str:
    """JSON in the servers' own layout (compact, non-ASCII kept); the sources round-trip."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def first_object(events: Events, name: str) -> dict[str, Any]:
    return next(json.loads(data) for event, data in events if event == name)


def until_delta(events: Events, count: int) -> tuple[Events, str]:
    """The events before the message delta number *count* (0-based), and their text."""
    kept: Events = []
    text: list[str] = []
    for name, data in events:
        if name == "thread.message.delta":
            if len(text) == count:
                break
            text.append(json.loads(data)["delta"]["content"][0]["text"]["value"])
        kept.append((name, data))
    return kept, "".join(text)


# -- the synthesized scenarios -----------------------------------------------------

FAILED_KEPT_DELTAS = 13
SERVER_ERROR = {"code": "server_error", "message": "Sorry, something went wrong."}
ERROR_KEPT_DELTAS = 9
ERROR_EVENT = {
    "message": "The server had an error while processing your request. Sorry about that!",
    "type": "server_error",
    "param": None,
    "code": "server_error",
}
CUT_DELTA = 13  # the cut falls inside the data line of this message delta (0-based)
CUT_MESSAGE = (
    "peer closed connection without sending complete message body (incomplete chunked read)"
)


def failed_run(body: bytes) -> bytes:
    """A real completed text run turned into one that fails after some text.

    The message deltas stop after :data:`FAILED_KEPT_DELTAS`; then the server's
    own final message, step and run objects follow, changed into
    ``thread.message.incomplete`` (``incomplete_details.reason: run_failed``,
    content the text sent), ``thread.run.step.failed`` and
    ``thread.run.failed`` (``failed_at`` set, ``completed_at`` null,
    ``last_error`` :data:`SERVER_ERROR`, usage counting the tokens sent), and
    ``done``.
    """
    events = parse(body)
    kept, text = until_delta(events, FAILED_KEPT_DELTAS)
    message = first_object(events, "thread.message.completed")
    step = first_object(events, "thread.run.step.completed")
    run = first_object(events, "thread.run.completed")
    failed_at = message["completed_at"]
    usage = dict(run["usage"])
    usage["completion_tokens"] = FAILED_KEPT_DELTAS
    usage["total_tokens"] = usage["prompt_tokens"] + FAILED_KEPT_DELTAS
    message.update(
        status="incomplete",
        incomplete_details={"reason": "run_failed"},
        incomplete_at=failed_at,
        completed_at=None,
    )
    message["content"][0]["text"]["value"] = text
    for obj in (step, run):
        obj.update(
            status="failed",
            completed_at=None,
            failed_at=failed_at,
            last_error=SERVER_ERROR,
            usage=usage,
        )
    return encode(
        [
            *kept,
            ("thread.message.incomplete", dumps(message)),
            ("thread.run.step.failed", dumps(step)),
            ("thread.run.failed", dumps(run)),
            ("done", "[DONE]"),
        ]
    )


def error_event(body: bytes) -> bytes:
    """A real text run that gets an ``error`` event after some text, and then ends."""
    kept, _ = until_delta(parse(body), ERROR_KEPT_DELTAS)
    return encode([*kept, ("error", dumps(ERROR_EVENT))])


def cut_off(body: bytes) -> bytes:
    """A real text run cut in the middle of the value of message delta :data:`CUT_DELTA`."""
    kept, _ = until_delta(parse(body), CUT_DELTA)
    line = encode(kept) + b"event: thread.message.delta\ndata: "
    delta = body[len(line) : body.index(b"\n", len(line))]
    value = delta.index(b'"value":"') + len(b'"value":"')
    return line + delta[: value + 3]  # inside the value: ' he' of ' help'


class RemoteProtocolError(Exception):
    """Stands for httpx's exception of that name: the peer closed the connection early."""


# -- the scenarios -----------------------------------------------------------------


@dataclass(frozen=True)
class Stream:
    """One response body of a scenario and how it was requested."""

    source: Source
    body: bytes
    url: str
    beta: str = "assistants=v2"
    synthesized: str | None = None
    error: Exception | None = None  # the transport error that ends the stream


@dataclass(frozen=True)
class Scenario:
    name: str
    seed: int
    description: str
    streams: tuple[Stream, ...]


def run_url(body: bytes) -> str:
    """``POST /v1/threads/{thread_id}/runs``, the request that streamed the run in *body*."""
    return f"{API}/threads/{first_event(body)['thread_id']}/runs"


def scenarios(sources: Path) -> list[Scenario]:
    text = TEXT_RUN.read(sources)
    code = CODE_INTERPRETER.read(sources)
    search = FILE_SEARCH.read(sources)
    action = REQUIRES_ACTION.read(sources)
    submit = SUBMIT_TOOL_OUTPUTS.read(sources)
    incomplete = MESSAGE_INCOMPLETE.read(sources)
    failed = failed_run(TEXT_RUN_4O.read(sources))
    error = error_event(TEXT_RUN_4O_ASYNC.read(sources))
    cut = cut_off(TEXT_RUN_ASYNC.read(sources))
    run = first_object(parse(action), "thread.run.created")
    continuation = f"{API}/threads/{run['thread_id']}/runs/{run['id']}/submit_tool_outputs"
    return [
        Scenario(
            "text-answer",
            1,
            "A plain text answer: one message_creation step, text deltas, run completed.",
            (Stream(TEXT_RUN, text, run_url(text)),),
        ),
        Scenario(
            "code-interpreter",
            2,
            "code_interpreter (Assistants v1): input deltas, a logs output, two messages.",
            (Stream(CODE_INTERPRETER, code, run_url(code), beta="assistants=v1"),),
        ),
        Scenario(
            "file-search-citations",
            3,
            "file_search with results in the final step, a file_citation annotation delta.",
            (Stream(FILE_SEARCH, search, run_url(search)),),
        ),
        Scenario(
            "function-call-session",
            4,
            "A session: a function call stopping at requires_action (create thread and run),"
            " then its submit_tool_outputs continuation to completion.",
            (
                Stream(REQUIRES_ACTION, action, f"{API}/threads/runs"),
                Stream(SUBMIT_TOOL_OUTPUTS, submit, continuation),
            ),
        ),
        Scenario(
            "failed-run",
            5,
            "A run failing with last_error server_error after part of its answer.",
            (
                Stream(
                    TEXT_RUN_4O,
                    failed,
                    run_url(failed),
                    synthesized=(
                        f"kept the first {FAILED_KEPT_DELTAS} message deltas; the final message,"
                        " step and run objects changed into thread.message.incomplete (reason"
                        " run_failed), thread.run.step.failed and thread.run.failed (failed_at,"
                        " last_error server_error, completed_at null, usage of the tokens sent)"
                    ),
                ),
            ),
        ),
        Scenario(
            "incomplete-message",
            6,
            "A message ended by max_completion_tokens: thread.message.incomplete; the run"
            " event is thread.run.completed carrying status incomplete (as the server sent it).",
            (Stream(MESSAGE_INCOMPLETE, incomplete, run_url(incomplete)),),
        ),
        Scenario(
            "error-event",
            7,
            "An error event (server_error) in the middle of the answer; then the stream ends.",
            (
                Stream(
                    TEXT_RUN_4O_ASYNC,
                    error,
                    run_url(error),
                    synthesized=(
                        f"kept the events before message delta {ERROR_KEPT_DELTAS} (0-based),"
                        " then an error event with a server_error ErrorObject; no done"
                    ),
                ),
            ),
        ),
        Scenario(
            "cut-off",
            8,
            "The connection drops in the middle of a thread.message.delta data line.",
            (
                Stream(
                    TEXT_RUN_ASYNC,
                    cut,
                    run_url(cut),
                    synthesized=(
                        f"cut after byte {len(cut)}, inside the data line of message delta"
                        f" {CUT_DELTA} (0-based); the stream ends with a RemoteProtocolError"
                    ),
                    error=RemoteProtocolError(CUT_MESSAGE),
                ),
            ),
        ),
    ]


# -- recording ---------------------------------------------------------------------


def request(stream: Stream) -> dict[str, Any]:
    """The common OpenAI request, with ``OpenAI-Beta`` last among its headers."""
    req = openai_request(stream.url)
    req["headers"]["OpenAI-Beta"] = stream.beta
    return req


def response(rng: random.Random, date: float) -> dict[str, Any]:
    return {
        "status": 200,
        "headers": {
            "date": formatdate(date, usegmt=True),
            "content-type": "text/event-stream; charset=utf-8",
            "transfer-encoding": "chunked",
            "connection": "keep-alive",
            "cache-control": "no-cache",
            "openai-version": "2020-10-01",
            "openai-processing-ms": str(rng.randint(120, 900)),
            "x-request-id": f"req_{rng.getrandbits(128):032x}",
            "strict-transport-security": "max-age=31536000; includeSubDomains; preload",
            "set-cookie": "__cf_bm=not-a-real-cookie; path=/; domain=.api.openai.com; HttpOnly",
            "server": "cloudflare",
        },
    }


def stream_meta(stream: Stream) -> dict[str, Any]:
    meta: dict[str, Any] = {"source": stream.source.meta()}
    if stream.synthesized is not None:
        meta["synthesized"] = stream.synthesized
    return meta


def record(scenario: Scenario, out: Path) -> Path:
    """Write the recording of *scenario* into *out*; return its path."""
    rng = random.Random(scenario.seed)
    first = scenario.streams[0]
    epoch = first_event(first.body)["created_at"]  # when the server created the run or thread
    started_at = datetime.fromtimestamp(epoch, UTC) + timedelta(
        microseconds=rng.randint(0, 600_000)
    )
    header_meta = {
        "scenario": scenario.name,
        "description": scenario.description,
        **stream_meta(first),
        "generator": "recordings/make_recordings.py",
        "seed": scenario.seed,
    }
    path = out / f"{scenario.name}.ndjson"
    clock = ScriptedClock()
    with Recorder.open(
        path,
        dialect="assistants",
        meta=header_meta,
        request=request(first),
        response=response(rng, started_at.timestamp()),
        clock=clock,
        started_at=started_at,
    ) as recorder:
        for number, stream in enumerate(scenario.streams):
            if number:
                clock.us += rng.randint(600_000, 1_500_000)  # the tool runs, outputs are sent
                date = started_at.timestamp() + clock.us / 1_000_000
                recorder.new_stream(
                    request=request(stream), response=response(rng, date), meta=stream_meta(stream)
                )
            chunks = split(stream.body, rng)
            times, end = timing(rng, len(chunks), clock.us)
            try:
                for _ in recorder.tap(_deliver(clock, chunks, times, end, stream.error)):
                    pass
            except RemoteProtocolError:
                pass
    return path


def _deliver(
    clock: ScriptedClock, chunks: list[bytes], times: list[int], end: int, error: Exception | None
) -> Iterator[bytes]:
    """:func:`deliver`, then the transport *error* that ends the stream, if any."""
    yield from deliver(clock, chunks, times, end)
    if error is not None:
        raise error


def write_all(out: Path = DEFAULT_OUT, sources: Path | None = None) -> list[Path]:
    """Write every bundled recording into *out*; return the paths written."""
    sources = sources_dir(sources, SOURCES_ENV, DEFAULT_SOURCES)
    out.mkdir(parents=True, exist_ok=True)
    return [record(scenario, out) for scenario in scenarios(sources)]


def main(argv: list[str] | None = None) -> None:
    _main(__doc__, write_all, DEFAULT_OUT, SOURCES_ENV, argv)


if __name__ == "__main__":
    main()
