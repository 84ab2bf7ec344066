"""The command line, run as ``python -m streamkit`` in a subprocess.

Real captures come from ``tests/data/real/assistants``; timed and
multi-stream sessions are recorded in tmp dirs with a scripted clock.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import msgspec
import pytest

from streamkit import iter_events
from streamkit.dialects.assistants import Accumulator
from streamkit.recording import Replayer

from .cli_helpers import (
    ASSISTANTS,
    FOLD_KEYS,
    INSPECT_KEYS,
    REAL,
    Served,
    Stream,
    assert_user_error,
    child_env,
    free_port,
    needs_face,
    paced,
    record_session,
    run_all,
    run_batch,
    run_cli,
    run_python,
    sse_events,
    sse_server,
)

CODE = ASSISTANTS / "openllmetry_code-interpreter-v1_2024-03-24.sse"
ACTION = ASSISTANTS / "openai-dotnet_function-requires-action_2025-09-16a.sse"
TOOL_OUTPUTS = ASSISTANTS / "openai-dotnet_submit-tool-outputs_2025-09-16a.sse"  # same run
FILE_SEARCH = ASSISTANTS / "openai-dotnet_file-search-citation_2025-09-16a.sse"
INCOMPLETE = ASSISTANTS / "ruby-openai_message-incomplete-max-tokens-v1_2024-04-27.sse"
TEXT_RUN = ASSISTANTS / "openai-dotnet_text-run_2025-09-16a.sse"

pytestmark = pytest.mark.skipif(not ASSISTANTS.is_dir(), reason="no real recordings")


_READ_ONLY = frozenset({"events", "fold", "inspect", "replay"})
_SEEN: dict[tuple[tuple[str, ...], bytes | None], bytes] = {}


needs_httpx = pytest.mark.skipif(
    importlib.util.find_spec("httpx") is None, reason="record needs httpx (streamkit[httpx])"
)


def ok(*args: str | Path, stdin: bytes | None = None) -> bytes:
    """Run the CLI (in the tests' CLI process); it must succeed without writing to stderr.

    The output of a command that only reads (and of files no test changes after
    making them) is remembered: asking again does not run it again.
    """
    key = (tuple(map(str, args)), stdin)
    cache = key[0][0] in _READ_ONLY and "--html" not in key[0]
    if cache and key in _SEEN:
        return _SEEN[key]
    (result,) = run_batch([(args, stdin)])
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr == b"", result.stderr.decode()
    if cache:
        _SEEN[key] = result.stdout
    return result.stdout


def ok_all(*calls: list[str | Path], stdin: bytes | None = None) -> list[bytes]:
    """Several CLI runs at once; each must succeed without writing to stderr."""
    results = run_all(*calls, stdin=stdin)
    for result in results:
        assert result.returncode == 0, result.stderr.decode()
        assert result.stderr == b"", result.stderr.decode()
    return [result.stdout for result in results]


def json_lines(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.splitlines()]


def sse_body(*events: tuple[str, Any]) -> bytes:
    """An SSE body: one ``event: NAME`` / ``data: JSON`` event per (name, payload)."""
    return b"".join(
        f"event: {name}\ndata: {json.dumps(data)}\n\n".encode() for name, data in events
    )


def sse_names(body: bytes) -> list[str]:
    return [line[7:].decode() for line in body.splitlines() if line.startswith(b"event: ")]


RUN_REQUEST = {
    "method": "POST",
    "url": "https://api.openai.com/v1/threads/runs",
    "headers": {"Authorization": "Bearer sk-secret"},
}
OUTPUTS_REQUEST = {
    "method": "POST",
    "url": "https://api.openai.com/v1/threads/t/runs/r/submit_tool_outputs",
}


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run that stops for a tool call (stream 0), then its tool-output continuation
    (stream 1), one chunk per SSE event: the first event at 0.5 s, a 6 s silence after
    the fifth, the continuation starting at 20 s with its first event at 20.25 s."""
    first = paced(ACTION.read_bytes(), start=0.0, first=0.5, step=0.01)
    times = [t + (6.0 if i >= 5 else 0.0) for i, t in enumerate(first.times)]
    first = Stream(first.chunks, times, times[-1] + 0.01, request=RUN_REQUEST)
    second = paced(TOOL_OUTPUTS.read_bytes(), start=20.0, first=20.25, step=0.01)
    second.request = OUTPUTS_REQUEST
    second.response = {"status": 200, "headers": {"content-type": "text/event-stream"}}
    path = tmp_path_factory.mktemp("cli") / "session.ndjson"
    return record_session(path, [first, second])


# -- the program -----------------------------------------------------------------------


def test_version() -> None:
    assert ok("--version").decode().startswith("streamkit ")


def test_no_command_prints_help_and_exits_2() -> None:
    result = run_cli()
    assert result.returncode == 2
    assert result.stdout == b""
    assert b"usage: streamkit" in result.stderr
    for command in (b"replay", b"events", b"fold", b"inspect", b"convert", b"record"):
        assert command in result.stderr


def test_help_exits_0() -> None:
    assert b"usage: streamkit" in ok("--help")
    assert b"--speed" in ok("replay", "--help")


def test_main_module_and_entry_point_are_the_same_function() -> None:
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name="streamkit")
    assert script.value == "streamkit.cli:main"


# -- events ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [CODE, FILE_SEARCH], ids=lambda p: p.stem)
def test_events_one_json_line_per_event(path: Path) -> None:
    events = json_lines(ok("events", path))
    assert [e["event"] for e in events] == sse_names(path.read_bytes())
    expected = [
        msgspec.json.decode(msgspec.json.encode(e))
        for e in iter_events([path.read_bytes()], "assistants")
    ]
    assert events == expected


def test_events_from_stdin_raw_sse() -> None:
    assert ok("events", "-", stdin=CODE.read_bytes()) == ok("events", CODE)


def test_events_from_stdin_recording_plain_and_gzipped(session: Path) -> None:
    expected = ok("events", session)
    (plain,) = ok_all(["events", "-"], stdin=session.read_bytes())
    (gzipped,) = ok_all(["events", "-"], stdin=gzip.compress(session.read_bytes()))
    assert plain == gzipped == expected


def test_events_from_stdin_gzipped_raw_sse() -> None:
    assert ok("events", "-", stdin=gzip.compress(CODE.read_bytes())) == ok("events", CODE)


def test_events_unknown_and_invalid_events(tmp_path: Path) -> None:
    path = tmp_path / "odd.sse"
    path.write_bytes(
        b'event: thread.run.created\ndata: {"id": 1\n\n'
        b'event: thread.brand_new\ndata: {"a": [1]}\n\n'
        b"event: thread.brand_new\ndata: not json\n\n"
    )
    failed, skipped, kept = run_all(
        ["events", path],
        ["events", "--on-error", "skip", path],
        ["events", "--on-error", "yield", path],
    )
    assert_user_error(failed, "thread.run.created", "event #0")
    unknown, text = json_lines(skipped.stdout)
    assert unknown == {"event": "thread.brand_new", "unknown": True, "data": {"a": [1]}}
    assert text == {"event": "thread.brand_new", "unknown": True, "data": "not json"}
    invalid, *_ = json_lines(kept.stdout)
    assert invalid["event"] == "thread.run.created"
    assert invalid["invalid"] is True
    assert invalid["data"] == '{"id": 1'
    assert "event #0" in invalid["error"]


def test_events_per_stream_of_a_session(session: Path) -> None:
    both, first, second = map(
        json_lines,
        ok_all(
            ["events", session],
            ["events", "--stream", "0", session],
            ["events", "--stream", "1", session],
        ),
    )
    assert both == first + second
    assert [e["event"] for e in first] == sse_names(ACTION.read_bytes())


# -- fold ------------------------------------------------------------------------------


def test_fold_matches_the_library() -> None:
    doc = json.loads(ok("fold", ACTION))
    assert list(doc) == [*FOLD_KEYS, "detail"]
    assert doc["dialect"] == "assistants"
    acc = Accumulator()
    for event in iter_events([ACTION.read_bytes()]):
        acc.feed(event)
    detail = doc["detail"]
    assert list(detail) == ["thread", "run", "messages", "run_steps"]
    assert detail["run"] == msgspec.to_builtins(acc.run)
    assert detail["thread"] == msgspec.to_builtins(acc.thread)
    assert detail["run_steps"] == msgspec.to_builtins(acc.run_steps)
    assert doc["outcome"] == {"kind": "requires_action", "reason": None, "error": None}
    action = detail["run"]["required_action"]["submit_tool_outputs"]
    assert action["tool_calls"][0]["function"]["name"] == "get_current_weather"
    assert doc["tool_calls"] == [msgspec.to_builtins(c) for c in getattr(acc, "tool_calls", [])]
    assert doc["drift"] == doc["warnings"] == doc["errors"] == []
    assert doc["warnings_dropped"] == 0


def test_fold_pretty_is_the_same_document_indented() -> None:
    compact, pretty = ok_all(["fold", CODE], ["fold", "--pretty", CODE])
    assert json.loads(pretty) == json.loads(compact)
    assert compact.count(b"\n") == 1
    assert b'\n  "dialect": "assistants",\n  "result": ' in pretty


def test_fold_a_session_folds_every_stream_into_one_run(session: Path) -> None:
    doc = json.loads(ok("fold", session))
    assert doc["outcome"]["kind"] == "completed"
    function_step, message_step = doc["detail"]["run_steps"].values()
    assert function_step["step_details"]["tool_calls"][0]["function"]["output"] == "warm and sunny"
    assert message_step["step_details"]["type"] == "message_creation"
    (message,) = doc["detail"]["messages"].values()
    assert message["content"][0]["text"]["value"].startswith("Since it's warm and sunny")
    assert doc["warnings"] == []
    (drift,) = doc["drift"]  # the function's output comes only in the step's final object
    assert drift["path"] == "$.step_details.tool_calls[0].function.output"
    assert (drift["folded"], drift["final"], drift["kind"]) == (
        None,
        "warm and sunny",
        "only_in_final",
    )


def test_fold_reports_drift_and_warnings_as_records() -> None:
    doc, alone = map(json.loads, ok_all(["fold", FILE_SEARCH], ["fold", TOOL_OUTPUTS]))
    assert doc["drift"], "this capture's annotation deltas differ from the final message"
    drift = doc["drift"][0]
    assert set(drift) == {"object_id", "path", "folded", "final", "kind"}
    assert drift["path"].startswith("$.")
    assert alone["warnings"]  # a continuation without its start
    assert {"kind", "message", "ordinal", "event"} <= set(alone["warnings"][0])


def test_fold_from_stdin() -> None:
    assert ok("fold", "-", stdin=ACTION.read_bytes()) == ok("fold", ACTION)


# -- replay ----------------------------------------------------------------------------


def test_replay_text_code_interpreter() -> None:
    text = ok("replay", "--speed", "0", CODE).decode()
    assert text.startswith("[assistant]\nOf course, I can help you solve the equation")
    assert "[code_interpreter]\nfrom sympy import symbols, Eq, solve\n" in text
    assert "solution[0]\n[code_interpreter output]\n1\n[assistant]\nThe solution" in text
    assert text.endswith("feel free to ask!\n[run completed]\n")


def test_replay_text_function_call_session(session: Path) -> None:
    text = ok("replay", "--speed", "0", session).decode()
    assert text.startswith(
        "[function get_current_weather]\n{}\n"
        "[run requires_action: submit tool outputs for get_current_weather({})]\n"
        "[function output]\nwarm and sunny\n[assistant]\nSince it's warm and sunny"
    )
    assert text.endswith("for an extended period!\n[run completed]\n")


def test_replay_text_requires_action_says_it_once() -> None:
    text = ok("replay", "--speed", "0", ACTION).decode()
    assert text == (
        "[function get_current_weather]\n{}\n"
        "[run requires_action: submit tool outputs for get_current_weather({})]\n"
    )


def test_replay_text_file_search_and_incomplete_message() -> None:
    search, incomplete = ok_all(
        ["replay", "--speed", "0", FILE_SEARCH], ["replay", "--speed", "0", INCOMPLETE]
    )
    assert search.startswith(b"[file_search]\n[file_search: 1 result(s)]\n[assistant]\n")
    assert b"favorite food is cake" in search
    assert b"\n[message incomplete: max_tokens]\n" in incomplete


def test_replay_text_is_the_default_and_the_same_from_stdin() -> None:
    default, text = ok_all(["replay", "--speed", "0", TEXT_RUN], ["replay", "--text", TEXT_RUN])
    (piped,) = ok_all(["replay", "--speed", "0", "-"], stdin=TEXT_RUN.read_bytes())
    assert default == text == piped
    assert default.startswith(b"[assistant]\n")
    assert default.endswith(b"\n[run completed]\n")


def _run_payload(**changes: Any) -> bytes:
    """The first run object of ACTION, with *changes*."""
    body = ACTION.read_bytes()
    start = body.index(b"event: thread.run.created\ndata: ") + len(
        b"event: thread.run.created\ndata: "
    )
    run = json.loads(body[start : body.index(b"\n", start)])
    return json.dumps(run | changes).encode()


def test_replay_text_failed_run_and_error_event(tmp_path: Path) -> None:
    failed = tmp_path / "failed.sse"
    error = {"code": "rate_limit_exceeded", "message": "Slow down."}
    failed.write_bytes(
        b"event: thread.run.created\ndata: " + _run_payload() + b"\n\n"
        b"event: thread.run.failed\ndata: "
        + _run_payload(status="failed", last_error=error)
        + b"\n\nevent: done\ndata: [DONE]\n\n"
    )
    errored = tmp_path / "errored.sse"
    errored.write_bytes(
        b"event: thread.run.created\ndata: " + _run_payload() + b"\n\n"
        b'event: error\ndata: {"message": "The server had an error.", "type": "server_error"}\n\n'
    )
    failed_text, errored_text = ok_all(
        ["replay", "--speed", "0", failed], ["replay", "--speed", "0", errored]
    )
    assert failed_text == b"[run failed: rate_limit_exceeded: Slow down.]\n"
    assert errored_text == (
        b"[error: The server had an error.]\n[run errored: The server had an error.]\n"
    )


# -- replay --text: Chat Completions, Responses, Anthropic ---------------------------------

RECORDINGS = Path(__file__).resolve().parents[1] / "recordings"
CHAT = RECORDINGS / "chat"
RESPONSES = RECORDINGS / "responses"
ANTHROPIC = RECORDINGS / "anthropic"


def transcript(path: Path) -> str:
    return ok("replay", "--speed", "0", path).decode()


def test_replay_text_chat_text_and_parallel_tool_calls() -> None:
    assert transcript(CHAT / "text-usage.ndjson") == (
        "[assistant]\nThe capital of the UK is London.\n[finish: stop]\n"
    )
    assert transcript(CHAT / "parallel-tool-calls.ndjson") == (
        "[function GetWeatherArgs]\n"
        '{"city": "Edinburgh", "country": "GB", "units": "c"}\n'
        "[function get_stock_price]\n"
        '{"ticker": "AAPL", "exchange": "NASDAQ"}\n'
        "[finish: tool_calls]\n"
    )


def test_replay_text_chat_multiple_choices_and_audio() -> None:
    text = transcript(CHAT / "multiple-choices.ndjson")
    # the first delta comes before anything says other choices follow: its label is bare
    assert text.startswith(
        '[assistant]\n{"\n[assistant, choice 1]\n{"\n[assistant, choice 2]\n{"\n'
        "[assistant, choice 0]\ncity\n[assistant, choice 1]\ncity\n"
    )
    assert '[assistant, choice 0]\n65,"\n[assistant, choice 1]\n61,"\n' in text
    assert text.endswith('[assistant, choice 2]\n"}\n[finish: stop]\n')
    assert transcript(CHAT / "audio-output.ndjson") == (
        "[audio audio_6a233a354ee081918e294494ab803d56]\nHello\n[finish: none]\n"
    )


def test_replay_text_responses() -> None:
    assert transcript(RESPONSES / "text-answer.ndjson") == (
        "[assistant]\nHello! How can I assist you today?\n[response completed]\n"
    )
    assert transcript(RESPONSES / "reasoning-function-call.ndjson") == (
        '[function final_result]\n{"result":6666}\n[response completed]\n'
    )
    assert transcript(RESPONSES / "mcp-call-failed.ndjson") == (
        "[mcp_list_tools: dmcp: 1 tool(s)]\n"
        '[mcp_call failed: dmcp roll({"diceRollExpression":"2d4+1"}): http_error 424: 424:]\n'
        '[mcp_call: dmcp roll({"diceRollExpression":"2d4 + 1"}) -> 6]\n'
        "[assistant]\nYou rolled 2d4+1: 6\n[response completed]\n"
    )
    text = transcript(RESPONSES / "web-search-citations.ndjson")
    assert text.startswith(
        "[web_search_call: search Searching the internet, what is the weather today in "
        "Redmond, WA?]\n[assistant]\nAs of 5:05 PM on March 27, 2026, in Redmond, Washington,"
        " the weather is partly sunny with a temperature of 60°F (15°C).\n"
    )
    assert text.count("[assistant]") == 1
    assert text.endswith(
        "for the most current information, consult local weather services. \n[response completed]\n"
    )


def test_replay_text_anthropic() -> None:
    assert transcript(ANTHROPIC / "tool-use.ndjson") == (
        "[assistant]\nCertainly! I can help you with that information. To get the weather and "
        "current time in San Francisco, I'll need to use two separate functions. Let me fetch "
        "that data for you.\n"
        '[tool_use get_weather]\n{"location": "San Francisco, CA", "unit": "celsius"}\n'
        '[tool_use get_time]\n{"timezone": "America/Los_Angeles"}\n'
        "[stop: tool_use]\n"
    )
    thinking = transcript(ANTHROPIC / "thinking.ndjson")
    assert thinking.startswith(
        "[thinking]\nThis is a straightforward question about pedestrian safety."
    )
    assert "help prevent accidents.\n[assistant]\nHere are the basic steps" in thinking
    assert thinking.endswith(
        "Always prioritize safety over speed when crossing streets.\n[stop: end_turn]\n"
    )


def test_replay_text_anthropic_web_search_and_error() -> None:
    search = transcript(ANTHROPIC / "web-search-citations.ndjson")
    assert search.startswith(
        '[server_tool_use: web_search({"query": "top world news today"})]\n'
        "[web_search_tool_result: 10 result(s)]\n"
        "[assistant]\nLet me search for more specific breaking news stories to get clearer "
        "headlines.\n"
        '[server_tool_use: web_search({"query": "breaking news headlines August 14 2025"})]\n'
        "[web_search_tool_result: 10 result(s)]\n"
        "[assistant]\nBased on the search results, I can identify the top 3"
    )
    # 18 text blocks, split where citations attach, read as two sections of text
    assert search.count("[assistant]") == 2
    assert "Filip Singer/Getty Images" not in search  # cited passages are not shown
    assert search.endswith("affecting North America.\n[stop: end_turn]\n")
    assert transcript(ANTHROPIC / "overloaded-error.ndjson") == (
        "[assistant]\nHere's an OpenTelemetry-themed joke for you:\n\n"
        "Why did the developer feel so lost when using OpenTelemet\n"
        "[error: overloaded_error: Overloaded]\n"
        "[message errored: overloaded_error: Overloaded]\n"
    )


def test_replay_text_is_the_default_for_every_dialect() -> None:
    paths = [
        CHAT / "parallel-tool-calls.ndjson",
        RESPONSES / "reasoning-function-call.ndjson",
        ANTHROPIC / "tool-use.ndjson",
    ]
    calls: list[list[str | Path]] = []
    for path in paths:
        calls += [["replay", "--speed", "0", p, path] for p in ("--text", "--events")]
    results = ok_all(*calls)
    for path, text, events in zip(paths, results[::2], results[1::2], strict=True):
        assert transcript(path).encode() == text != events
        assert text.startswith((b"[function ", b"[assistant]\n"))
        assert events.startswith(b"{")
    # a raw SSE body (no header naming the dialect) with --dialect, from standard input
    body = Replayer.open(CHAT / "parallel-tool-calls.ndjson").streams[0].body
    (piped,) = ok_all(["replay", "--speed", "0", "--dialect", "chat", "-"], stdin=body)
    assert piped == results[0]


MARTIAN = (
    "import sys\n"
    "from streamkit.dialects import Dialect, get, register\n"
    "chat = get('chat')\n"
    "register(Dialect(name='martian', decode=chat.decode, accumulator=chat.accumulator,\n"
    "    events=chat.events, encode=chat.encode, kind=chat.kind, deltas=chat.deltas,\n"
    "    is_answer=chat.is_answer, detect=chat.detect))\n"
    "from streamkit.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)
"""A program registering a dialect that names no transcript, then running the CLI."""


def test_replay_text_of_a_dialect_without_its_own_transcript(tmp_path: Path) -> None:
    """A dialect registered without a transcript gets the one read through the common face."""
    replay = ["-c", MARTIAN, "replay", "--speed", "0", "--dialect", "martian"]
    text = run_python(*replay, CHAT / "text-usage.ndjson", cwd=tmp_path)
    calls = run_python(*replay, CHAT / "parallel-tool-calls.ndjson", cwd=tmp_path)
    assert text.stderr == calls.stderr == b""
    assert text.stdout.decode() == (
        "[assistant]\nThe capital of the UK is London.\n[completed: stop]\n"
    )
    assert calls.stdout.decode() == (
        "[tool call GetWeatherArgs]\n"
        '{"city": "Edinburgh", "country": "GB", "units": "c"}\n'
        "[tool call get_stock_price]\n"
        '{"ticker": "AAPL", "exchange": "NASDAQ"}\n'
        "[requires_action: tool_calls]\n"
    )


def _chunk(delta: dict[str, Any], finish: str | None = None) -> tuple[str, Any]:
    """A Chat Completions chunk for choice 0, as (event name, payload)."""
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    chunk = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    return "message", chunk | {"choices": [choice]}


def _typed(name: str, **fields: Any) -> tuple[str, Any]:
    """An event of a dialect tagged on ``type`` (Responses, Anthropic), as (name, payload)."""
    return name, {"type": name, **fields}


_RESPONSE = {"id": "r", "object": "response", "created_at": 1, "model": "m"}
_MESSAGE = {"id": "m", "model": "c", "usage": {"input_tokens": 1, "output_tokens": 1}}
_SERVER_ERROR = {"message": "The server had an error.", "type": "server_error"}

#: name: (dialect, events, the transcript)
ABNORMAL_ENDS: dict[str, tuple[str, list[tuple[str, Any]], str]] = {
    "chat-errored": (
        "chat",
        [_chunk({"content": "Hel"}), ("message", {"error": _SERVER_ERROR})],
        "[assistant]\nHel\n[error: server_error: The server had an error.]\n"
        "[completion errored: server_error: The server had an error.]\n",
    ),
    "chat-truncated": (
        "chat",
        [_chunk({"content": "Hel"})],
        "[assistant]\nHel\n[completion truncated: the stream ended before [DONE]]\n",
    ),
    "chat-finished-without-done": (
        "chat",
        [_chunk({"refusal": "No."}), _chunk({}, "content_filter")],
        "[refusal]\nNo.\n[finish: content_filter]\n",
    ),
    "responses-incomplete": (
        "responses",
        [
            _typed("response.created", response=_RESPONSE),
            _typed(
                "response.output_text.delta",
                output_index=0,
                item_id="msg",
                content_index=0,
                delta="Hel",
            ),
            _typed(
                "response.incomplete",
                response=_RESPONSE | {"incomplete_details": {"reason": "max_output_tokens"}},
            ),
        ],
        "[assistant]\nHel\n[response incomplete: max_output_tokens]\n",
    ),
    "responses-failed": (
        "responses",
        [
            _typed(
                "response.failed",
                response=_RESPONSE | {"error": {"code": "server_error", "message": "Oops."}},
            )
        ],
        "[response failed: server_error: Oops.]\n",
    ),
    "responses-errored": (
        "responses",
        [_typed("response.created", response=_RESPONSE), _typed("error", error=_SERVER_ERROR)],
        "[error: server_error: The server had an error.]\n"
        "[response errored: server_error: The server had an error.]\n",
    ),
    "anthropic-invalid-and-truncated": (
        "anthropic",
        [_typed("message_start", message=_MESSAGE), _typed("content_block_delta", index="x")],
        "[invalid content_block_delta event: expected int, got str (at event #1, "
        "'content_block_delta', byte 142): "
        'b\'{"type": "content_block_delta", "index": "x"}\']\n'
        "[message truncated: the stream ended before the message did]\n",
    ),
}


def test_replay_text_abnormal_ends(tmp_path: Path) -> None:
    calls: list[list[str | Path]] = []
    for name, (dialect, events, _) in ABNORMAL_ENDS.items():
        path = tmp_path / f"{name}.sse"
        path.write_bytes(sse_body(*events))
        calls.append(["replay", "--speed", "0", "--on-error", "yield", "--dialect", dialect, path])
    texts = [text.decode() for text in ok_all(*calls)]
    assert dict(zip(ABNORMAL_ENDS, texts, strict=True)) == {
        name: expected for name, (_, _, expected) in ABNORMAL_ENDS.items()
    }


def test_replay_events_equals_events(session: Path) -> None:
    assert ok("replay", "--events", "--speed", "0", session) == ok("events", session)


def test_replay_raw_is_byte_exact(tmp_path: Path, session: Path) -> None:
    # CRLF and a UTF-8 character split across chunks ("b" lines), a NUL, stray bytes
    chunks = [b"event: x\r", b"\ndata: caf\xc3", b"\xa9\0\xff\r\n\r\n", b""]
    path = record_session(tmp_path / "odd.ndjson.gz", [Stream(chunks, [0, 0, 0, 0], 0)])
    raw = ["replay", "--raw", "--speed", "0"]
    code, both, odd = ok_all([*raw, CODE], [*raw, session], [*raw, path])
    assert code == CODE.read_bytes()
    assert both == ACTION.read_bytes() + TOOL_OUTPUTS.read_bytes()
    assert odd == b"".join(chunks)
    (piped,) = ok_all([*raw, "-"], stdin=path.read_bytes())
    assert piped == b"".join(chunks)


def test_replay_paces_by_the_recording(tmp_path: Path) -> None:
    body = TEXT_RUN.read_bytes()
    count = len(sse_events(body))
    short = record_session(tmp_path / "short.ndjson", [paced(body, start=0, step=0.6 / count)])
    long = record_session(tmp_path / "long.ndjson", [paced(body, start=0, step=120 / count)])

    def elapsed(*args: str | Path) -> float:
        start = time.monotonic()
        ok(*args)
        return time.monotonic() - start

    assert elapsed("replay", "--speed", "2", short) >= 0.3  # 0.6 s recorded, at double speed
    assert elapsed("replay", "--speed", "0", long) < 30  # 120 s recorded, no waiting
    assert elapsed("replay", "--speed", "0", "--events", long) < 30


def test_replay_streams_text_as_it_arrives(tmp_path: Path) -> None:
    """The first text shows up well before a long recorded pause is over."""
    chunks = sse_events(TEXT_RUN.read_bytes())
    first_text = next(i for i, c in enumerate(chunks) if b"thread.message.delta" in c)
    times = [0.0] * (first_text + 1) + [30.0] * (len(chunks) - first_text - 1)
    path = record_session(tmp_path / "pause.ndjson", [Stream(chunks, times, 30.0)])
    process = subprocess.Popen(
        [sys.executable, "-m", "streamkit", "replay", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env(),
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == b"[assistant]\n"
        assert process.poll() is None  # still waiting for the rest
    finally:
        process.kill()
        process.communicate()


# -- inspect -----------------------------------------------------------------------------


@needs_face("assistants")
def test_inspect_json_timing(session: Path) -> None:
    report = json.loads(ok("inspect", "--json", session))
    assert set(report) >= INSPECT_KEYS
    assert report["timed"] is True
    assert len(report["streams"]) == 2
    assert [s["end"] for s in report["streams"]] == ["eof", "eof"]
    assert report["bytes"] == len(ACTION.read_bytes()) + len(TOOL_OUTPUTS.read_bytes())
    names = sse_names(ACTION.read_bytes()) + sse_names(TOOL_OUTPUTS.read_bytes())
    assert report["chunks"] == report["event_count"] == len(names)
    assert sum(report["events"].values()) == sum(report["lanes"].values()) == len(names)
    assert report["events"]["thread.message.delta"] == names.count("thread.message.delta")
    assert report["first_event_s"] == pytest.approx(0.5)
    assert report["first_text_s"] > 20.25
    assert report["gaps"]["max_s"] == report["longest_gap_s"] == pytest.approx(6.01)
    assert report["gaps"]["p50_s"] == pytest.approx(0.01)
    assert report["duration_s"] == pytest.approx(
        20.25 + 0.01 * len(sse_names(TOOL_OUTPUTS.read_bytes()))
    )
    (stall,) = report["stalls"]
    assert stall["seconds"] == pytest.approx(6.01)
    assert stall["after"] == names[4]
    assert stall["stream"] == 0
    assert report["outcome"] == "completed"
    assert report["drift"] == 1  # the function output, sent only in the final step object


def _first_chunk_time_ending(path: Path, marker: bytes) -> float:
    """When the chunk arrived that ends the first event holding *marker* (seconds from t0)."""
    (stream,) = Replayer.open(path).streams
    body = stream.body
    end = body.index(b"\n\n", body.index(marker)) + 2
    received = 0
    for t, chunk in stream.chunks:
        received += len(chunk)
        if received >= end:
            return t - stream.t0
    raise AssertionError("the event never ends")


def test_inspect_time_to_first_text_in_other_dialects() -> None:
    thinking, choices, thinking_fold, choices_fold = map(
        json.loads,
        ok_all(
            ["inspect", "--json", ANTHROPIC / "thinking.ndjson"],
            ["inspect", "--json", CHAT / "multiple-choices.ndjson"],
            ["fold", ANTHROPIC / "thinking.ndjson"],
            ["fold", CHAT / "multiple-choices.ndjson"],
        ),
    )
    # thinking is not text: the first text is the answer's first text_delta
    first = _first_chunk_time_ending(ANTHROPIC / "thinking.ndjson", b'"type":"text_delta"')
    assert thinking["first_text_s"] == pytest.approx(first)
    assert thinking["first_text_s"] > thinking["first_event_s"] + 0.1
    # thinking is content: what a user waits for comes before the answer's text
    assert thinking["first_event_s"] < thinking["first_content_s"] < thinking["first_text_s"]
    answer = thinking_fold["result"]["content"][1]
    assert thinking["text_chars"] == len(answer["text"]) == len(thinking_fold["text"])
    folded = choices_fold["result"]["choices"]
    # the answer is choice 0's, as the fold's text
    assert (
        choices["text_chars"]
        == len(folded[0]["message"]["content"])
        < sum(len(c["message"]["content"]) for c in folded)
    )
    assert choices["first_text_s"] == pytest.approx(
        _first_chunk_time_ending(CHAT / "multiple-choices.ndjson", b'"content":"{')
    )


@needs_face("responses")
def test_inspect_tool_arguments_are_content_not_text() -> None:
    calls = json.loads(ok("inspect", "--json", RESPONSES / "reasoning-function-call.ndjson"))
    assert calls["first_text_s"] is None
    assert calls["first_content_s"] is not None
    assert calls["text_chars"] == 0
    assert [call["name"] for call in calls["tool_calls"]] == ["final_result"]


def test_inspect_stall_threshold(session: Path) -> None:
    quiet, report = map(
        json.loads,
        ok_all(
            ["inspect", "--json", "--stall", "7", session],
            ["inspect", "--json", "--stall", "0.2", session],
        ),
    )
    assert quiet["stalls"] == []
    # 0.5 s to the first event, the 6 s silence, 0.25 s to the continuation's first event
    assert [(s["stream"], s["at_s"], s["after"]) for s in report["stalls"]] == [
        (0, 0.0, "(stream start)"),
        (0, pytest.approx(0.54), "thread.run.step.created"),
        (1, 20.0, "(stream start)"),
    ]


def test_inspect_text(session: Path) -> None:
    text = ok("inspect", session).decode()
    assert "streams            2 (eof, eof)" in text
    assert "first event        0.500 s" in text
    assert "stalls > 5 s       1\n  6.010 s after thread.run.step.created" in text
    assert "outcome            completed" in text
    assert "  thread.message.delta" in text


def test_a_raw_ndjson_body_is_read_as_one_and_its_dialect_found() -> None:
    """An Ollama body shares the .ndjson suffix with recordings; its first event names it."""
    body = REAL / "ollama" / "magentic_chat-llama31_2024-11-17.ndjson"
    folded, piped, named, events = ok_all(
        ["fold", body],
        ["fold", "-"],
        ["fold", "--dialect", "ollama", body],
        ["events", body],
        stdin=body.read_bytes(),
    )
    assert folded == piped == named
    state = json.loads(folded)
    assert state["result"]["message"]["content"] == "Hello! How can I assist you today?"
    assert state["outcome"]["kind"] == "completed"
    assert len(json_lines(events)) == 10
    text = ok("inspect", body).decode()
    assert "dialect            ollama" in text
    assert "(raw body: no timing)" in text
    assert "text               34 characters" in text


def test_inspect_raw_sse_has_no_timing() -> None:
    text = ok("inspect", CODE).decode()
    assert "(raw body: no timing)" in text
    assert "stalls > 5 s       none" in text
    (piped,) = ok_all(["inspect", "--json", "-"], stdin=CODE.read_bytes())
    report = json.loads(piped)
    assert report["file"] == "<stdin>"
    assert report["timed"] is False
    assert report["events"]["thread.run.step.delta"] == 60


def test_inspect_counts_odd_events_instead_of_failing(tmp_path: Path) -> None:
    path = tmp_path / "odd.sse"
    path.write_bytes(b"event: thread.run.created\ndata: {\n\nevent: thread.new\ndata: {}\n\n")
    report = json.loads(ok("inspect", "--json", path))
    assert report["invalid_events"] == {"thread.run.created": 1}
    assert report["unknown_events"] == {"thread.new": 1}
    assert report["outcome"] == "truncated"
    assert_user_error(run_cli("inspect", "--on-error", "raise", path), "event #0")


def _html(tmp_path: Path, session: Path) -> Path:
    out = tmp_path / "report.html"
    ok("inspect", "--html", out, session)
    return out


def test_inspect_html_is_self_contained(tmp_path: Path, session: Path) -> None:
    page = _html(tmp_path, session).read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<svg" in page
    assert "<polyline" in page  # the cumulative text curve
    assert 'class="stall"' in page
    lowered = page.lower()
    for banned in ("<script", "src=", "href=", "@import", "url("):
        assert banned not in lowered
    assert lowered.count("http") == lowered.count("http://www.w3.org/2000/svg")


# -- convert -----------------------------------------------------------------------------


def test_convert_sse_to_recording_and_back(tmp_path: Path) -> None:
    recording = tmp_path / "code.ndjson"
    ok("convert", CODE, recording)
    header = json.loads(recording.read_bytes().split(b"\n", 1)[0])
    assert header["streamkit"] == 1
    assert header["dialect"] is None
    replayer = Replayer.open(recording)
    (stream,) = replayer.streams
    assert stream.chunks == ((0.0, CODE.read_bytes()),)
    assert stream.end == "eof"
    back, named = tmp_path / "back.sse", tmp_path / "named.ndjson"
    ok_all(["convert", recording, back], ["convert", "--dialect", "assistants", CODE, named])
    assert back.read_bytes() == CODE.read_bytes()
    assert Replayer.open(named).header.dialect == "assistants"


def test_convert_sse_gz_both_ways(tmp_path: Path) -> None:
    ok("convert", CODE, tmp_path / "code.sse.gz")
    assert gzip.decompress((tmp_path / "code.sse.gz").read_bytes()) == CODE.read_bytes()
    ok("convert", tmp_path / "code.sse.gz", tmp_path / "code.ndjson.gz")
    assert Replayer.open(tmp_path / "code.ndjson.gz").streams[0].body == CODE.read_bytes()


def test_convert_recording_to_recording_keeps_streams_times_and_ends(
    tmp_path: Path, session: Path
) -> None:
    out = tmp_path / "copy.ndjson.gz"
    ok("convert", session, out)
    before, after = Replayer.open(session), Replayer.open(out)
    assert after.header.dialect == "assistants"
    assert after.header.request == before.header.request
    assert after.header.request is not None
    assert after.header.request["headers"] == {"Authorization": "[redacted]"}
    assert len(after.streams) == 2
    for old, new in zip(before.streams, after.streams, strict=True):
        assert new.chunks == old.chunks
        assert (new.t0, new.end, new.end_t) == (old.t0, old.end, old.end_t)
        assert (new.request, new.response, new.meta) == (old.request, old.response, old.meta)
    assert after.streams[1].request == OUTPUTS_REQUEST


def test_convert_keeps_error_and_cancelled_ends(tmp_path: Path) -> None:
    path = tmp_path / "ends.ndjson"
    path.write_text(
        '{"streamkit": 1, "dialect": "assistants"}\n'
        '[0.1, "o", "event: done\\ndata: [DONE]\\n\\n"]\n'
        '[0.2, "x", {"error": "ReadError", "message": "peer reset"}]\n'
        '[0.5, "s", {"meta": {"n": 2}}]\n'
        '[0.6, "x", "cancelled"]\n'
        '[0.7, "s", {}]\n'
        '[0.8, "o", "data: x"]\n'
    )
    out = tmp_path / "copy.ndjson"
    result = run_cli("convert", path, out)
    assert result.returncode == 0
    assert result.stderr.decode() == (
        "streamkit: warning: stream 2 was cut short (no end line): written as cancelled\n"
    )
    first, second, third = Replayer.open(out).streams
    assert (first.end, first.error, first.error_message) == ("error", "ReadError", "peer reset")
    assert (second.end, second.end_t, second.meta) == ("cancelled", 0.6, {"n": 2})
    assert (third.end, third.chunks) == ("cancelled", ((0.8, b"data: x"),))


def test_convert_one_stream_of_a_session_to_sse(tmp_path: Path, session: Path) -> None:
    assert_user_error(run_cli("convert", session, tmp_path / "x.sse"), "2 streams", "--stream")
    ok("convert", "--stream", "1", session, tmp_path / "x.sse")
    assert (tmp_path / "x.sse").read_bytes() == TOOL_OUTPUTS.read_bytes()


def test_convert_from_stdin(tmp_path: Path) -> None:
    ok("convert", "-", tmp_path / "x.ndjson", stdin=CODE.read_bytes())
    assert Replayer.open(tmp_path / "x.ndjson").streams[0].body == CODE.read_bytes()


# -- record ------------------------------------------------------------------------------


@needs_httpx
def test_record_post_with_data_and_redacted_headers(tmp_path: Path) -> None:
    served = Served(sse_events(ACTION.read_bytes())[:4])
    out = tmp_path / "live.ndjson"
    with sse_server(served) as url:
        ok(
            "record",
            "--url",
            f"{url}/v1/threads/runs",
            "-H",
            "Authorization: Bearer sk-secret",
            "-H",
            "OpenAI-Beta: assistants=v2",
            "--data",
            '{"assistant_id": "asst_1", "stream": true}',
            "-o",
            out,
        )
    (request,) = served.requests
    assert request["method"] == "POST"
    assert request["body"] == b'{"assistant_id": "asst_1", "stream": true}'
    assert request["headers"]["Authorization"] == "Bearer sk-secret"
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["headers"]["Accept"] == "text/event-stream"
    text = out.read_text()
    assert "sk-secret" not in text
    assert "session=secret" not in text
    replayer = Replayer.open(out)
    header = replayer.header
    assert header.dialect is None  # auto: a reader tells the dialect from the first event
    assert header.request is not None
    assert header.request["method"] == "POST"
    assert header.request["url"] == f"{url}/v1/threads/runs"
    sent = header.request["headers"]
    assert sent["authorization"] == "[redacted]"
    assert sent["openai-beta"] == "assistants=v2"
    assert sent["accept-encoding"] == "identity"
    assert sent["content-type"] == "application/json"
    assert header.response is not None
    assert header.response["status"] == 200
    assert header.response["headers"]["set-cookie"] == "[redacted]"
    (stream,) = replayer.streams
    assert stream.body == b"".join(served.chunks)
    assert len(stream.chunks) > 1
    assert stream.end == "eof"
    times = [t for t, _ in stream.chunks]
    assert times == sorted(times)
    assert times[-1] > times[0]
    events = json_lines(ok("events", out))
    assert [e["event"] for e in events] == sse_names(b"".join(served.chunks))


@needs_httpx
def test_record_get_and_method(tmp_path: Path) -> None:
    served = Served([b"data: 1\n\n"])
    with sse_server(served) as url:
        ok_all(
            ["record", "--url", url, "-o", tmp_path / "get.ndjson"],
            [
                "record",
                "--url",
                url,
                "--method",
                "post",
                "--dialect",
                "chat",
                "-o",
                tmp_path / "post.ndjson",
            ],
        )
    assert sorted(r["method"] for r in served.requests) == ["GET", "POST"]
    post = Replayer.open(tmp_path / "post.ndjson").header
    assert post.dialect == "chat"
    request = post.request
    assert request is not None
    assert (request["method"], request["url"]) == ("POST", url)
    assert request["headers"]["accept"] == "text/event-stream"
    assert "content-type" not in request["headers"]


@needs_httpx
def test_record_error_status_is_recorded_and_reported(tmp_path: Path) -> None:
    body = b'{"error": {"message": "bad key"}}'
    served = Served([body], status=401)
    out = tmp_path / "denied.ndjson"
    with sse_server(served) as url:
        result = run_cli("record", "--url", url, "-o", out)
    assert_user_error(result, "401", str(out))
    replayer = Replayer.open(out)
    assert replayer.header.response is not None
    assert replayer.header.response["status"] == 401
    assert replayer.streams[0].body == body


@needs_httpx
def test_record_connection_dropped_mid_stream(tmp_path: Path) -> None:
    served = Served([b"event: thread.run.created\n", b"data: {}\n\n"], cut=True)
    out = tmp_path / "cut.ndjson"
    with sse_server(served) as url:
        result = run_cli("record", "--url", url, "-o", out)
    assert_user_error(result, f"GET {url} failed: ", f"what arrived is recorded in {out}")
    (stream,) = Replayer.open(out).streams
    assert stream.body == b"".join(served.chunks)
    assert stream.end == "error"


def test_record_without_httpx(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['httpx'] = None\n"
        "from streamkit.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    result = run_python(
        "-c", code, "record", "--url", "http://127.0.0.1:1", "-o", "x.ndjson", cwd=tmp_path
    )
    assert_user_error(result, "pip install 'streamkit[httpx]'")
    assert not (tmp_path / "x.ndjson").exists()


RECORD_MISTAKES = {
    ("-H", "no colon"): "bad header 'no colon': expected 'Name: value'",
    ("--data", "{nope"): "--data is not valid JSON",
    ("--data", "@/nonexistent/body.json"): "cannot read --data file /nonexistent/body.json",
    ("--dialect", "nope"): "unknown dialect 'nope'",
}


def test_record_bad_arguments(tmp_path: Path) -> None:
    out = tmp_path / "x.ndjson"
    base: list[str | Path] = ["record", "--url", "http://127.0.0.1:1/", "-o", out]
    results = run_all(*([*base, *args] for args in RECORD_MISTAKES))
    for result, message in zip(results, RECORD_MISTAKES.values(), strict=True):
        assert_user_error(result, message)
    assert not out.exists()


@needs_httpx
def test_record_connection_refused(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/"
    result = run_cli("record", "--url", url, "-o", tmp_path / "x.ndjson")
    assert_user_error(result, "failed", "ConnectError")
    assert not (tmp_path / "x.ndjson").exists()


# -- user mistakes -------------------------------------------------------------------------


def test_missing_file() -> None:
    commands = ["replay", "events", "fold", "inspect", "convert"]
    extra = {"convert": ["out.ndjson"]}
    results = run_all(*([c, "/nonexistent/run.sse", *extra.get(c, [])] for c in commands))
    for result in results:
        assert_user_error(result, "/nonexistent/run.sse", "No such file")


def test_a_directory(tmp_path: Path) -> None:
    assert_user_error(run_cli("fold", tmp_path), str(tmp_path))


def test_corrupt_recording(tmp_path: Path, session: Path) -> None:
    lines = session.read_bytes().split(b"\n")
    lines[3] = b'[0.5, "o", 12]'
    path = tmp_path / "corrupt.ndjson"
    path.write_bytes(b"\n".join(lines))
    assert_user_error(run_cli("fold", path), f"{path}:4:")
    assert_user_error(run_cli("events", "-", stdin=path.read_bytes()), "<stdin>:4:")


def test_not_a_recording_names_the_sse_suffix(tmp_path: Path) -> None:
    path = tmp_path / "body.txt"
    path.write_bytes(CODE.read_bytes())
    assert_user_error(run_cli("events", path), f"{path}:1:", "needs a .sse, .bin or .json suffix")


def test_unsupported_version(tmp_path: Path) -> None:
    path = tmp_path / "future.ndjson"
    path.write_text('{"streamkit": 2}\n')
    assert_user_error(run_cli("fold", path), "unsupported recording version 2")


def test_torn_final_line_is_a_warning(tmp_path: Path, session: Path) -> None:
    path = tmp_path / "torn.ndjson"
    path.write_bytes(session.read_bytes() + b'[30.0, "o", "data: ')
    result = run_cli("fold", path)
    assert result.returncode == 0
    assert result.stderr.decode().startswith("streamkit: warning: ")
    assert "torn final line" in result.stderr.decode()
    assert json.loads(result.stdout)["outcome"]["kind"] == "completed"


def test_dialect_option(tmp_path: Path) -> None:
    path = tmp_path / "other.ndjson"
    record_session(path, [Stream([CODE.read_bytes()], [0.0], 0.0)], dialect="martian")
    nope, martian, overridden, expected = run_all(
        ["events", "--dialect", "nope", CODE],
        ["fold", path],
        ["events", "--dialect", "assistants", path],
        ["events", CODE],
    )
    assert_user_error(nope, "unknown dialect 'nope'")
    assert_user_error(martian, "unknown dialect 'martian'", "known: ", "assistants")
    assert overridden.returncode == 0
    assert overridden.stdout == expected.stdout


def test_bad_input_is_a_stream_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.sse"
    path.write_bytes(b'event: thread.run.created\ndata: {"id": "run_1"}\n\n')
    for result in run_all(["fold", path], ["events", path], ["replay", path]):
        line = assert_user_error(result, "event #0", "thread.run.created")
        assert "missing required field" in line.lower()


def test_stream_out_of_range(session: Path) -> None:
    assert_user_error(run_cli("fold", "--stream", "2", session), "2 stream(s)")


USAGE_ERRORS = {
    "replay --speed -1 x.sse": "argument --speed: must be a finite number >= 0",
    "replay --speed fast x.sse": "argument --speed: not a number: 'fast'",
    "replay --raw --text x.sse": "not allowed with argument",
    "inspect --stall 0 x.sse": "argument --stall: must be > 0",
    "fold --stream -1 x.sse": "argument --stream: must be >= 0",
    "fold": "the following arguments are required: FILE",
    "frobnicate": "invalid choice: 'frobnicate'",
    "record -o x.ndjson": "the following arguments are required: --url",
    "events --on-error explode x.sse": "argument --on-error: invalid choice: 'explode'",
    "convert x.sse": "the following arguments are required: OUT",
}


def test_usage_errors_exit_2_with_one_line() -> None:
    results = run_all(*(args.split() for args in USAGE_ERRORS))
    for result, message in zip(results, USAGE_ERRORS.values(), strict=True):
        assert_user_error(result, message, "--help'", code=2)
