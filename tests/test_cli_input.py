"""The command line's input and output edges: streams of another dialect or of nothing,
truncated files, event size limits, convert to standard output, the dialects in the help."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from streamkit import dialects
from streamkit.recording import Recorder, Replayer

from .cli_helpers import (
    ASSISTANTS,
    REAL,
    RECORDINGS,
    Stream,
    assert_user_error,
    record_session,
    run_all,
    run_batch,
    sse_events,
)

CHAT = RECORDINGS / "chat" / "text-usage.ndjson"
ANTHROPIC = RECORDINGS / "anthropic" / "tool-use.ndjson"
RESPONSES = RECORDINGS / "responses" / "text-answer.ndjson"
CODE = ASSISTANTS / "openllmetry_code-interpreter-v1_2024-03-24.sse"
RAW_ANTHROPIC = REAL / "anthropic" / "openllmetry_tool-use_2025-07-29.sse"
DECODING = ("replay", "events", "fold", "inspect")


def _args(command: str, *rest: str | Path) -> list[str | Path]:
    return [command, "--speed", "0", *rest] if command == "replay" else [command, *rest]


def test_a_stream_of_another_dialect_is_an_error_naming_it() -> None:
    """Every command that decodes refuses it, with one line naming the dialect it looks like."""
    calls = [_args(c, "--dialect", "chat", ANTHROPIC) for c in DECODING]
    calls += [_args(c, "--dialect", "anthropic", RESPONSES) for c in DECODING]
    calls += [
        ["events", "--dialect", "responses", CHAT],
        ["replay", "--events", "--dialect", "assistants", CHAT],
    ]
    for result in run_all(*calls):
        line = assert_user_error(result, "belongs to the", "it looks like", "(use --dialect ")
        assert result.stdout == b"", line  # nothing printed before it is known
    chat, responses = run_all(
        ["fold", "--dialect", "chat", ANTHROPIC], ["fold", "--dialect", "responses", CHAT]
    )
    assert_user_error(chat, "chat dialect", "looks like anthropic")
    # a decoding error met before any of its events is the same mismatch, not the error
    assert_user_error(responses, "responses dialect", "looks like chat (use --dialect chat)")


def test_a_body_of_no_events_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sse"
    empty.write_bytes(b"")
    text = tmp_path / "text.sse"
    text.write_bytes(b"hello\nthis is no stream\n")
    noise = tmp_path / "noise.sse"
    noise.write_bytes(bytes(range(32, 127)) * 40)
    header = tmp_path / "header.ndjson"
    header.write_text('{"streamkit": 1, "dialect": "chat"}\n')
    calls = [_args(c, path) for path in (empty, text, noise, header) for c in DECODING]
    for result in run_all(*calls):
        assert_user_error(result, "holds no events")


def test_a_truncated_sse_gz_warns(tmp_path: Path) -> None:
    body = CODE.read_bytes()
    packed = gzip.compress(body)
    path = tmp_path / "cut.sse.gz"
    path.write_bytes(packed[: len(packed) * 3 // 4])
    (result,) = run_all(["events", "--on-error", "skip", path])
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr.decode() == (
        f"streamkit: warning: {path}: compressed stream ended early: the body is cut short\n"
    )
    assert 0 < len(result.stdout.splitlines()) < len(sse_events(body))


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A chat stream whose sixth event (a 3 KiB content delta) comes in 100-byte chunks."""
    events = sse_events(Replayer.open(CHAT).streams[0].body)
    big = events[5].replace(b'"content":"', b'"content":"' + b"x" * 3000, 1)
    chunks = [*events[:5], *(big[i : i + 100] for i in range(0, len(big), 100)), *events[6:]]
    path = tmp_path_factory.mktemp("large") / "large.ndjson"
    return record_session(
        path, [Stream(chunks, [0.1 * i for i in range(len(chunks))], 9.0)], dialect="chat"
    )


def test_max_event_size_on_every_command_that_decodes(large: Path) -> None:
    small = ("--max-event-size", "1k")
    calls = [_args(c, "--on-error", "raise", *small, large) for c in DECODING]
    calls += [_args(c, "--max-event-size", "64k", large) for c in DECODING]
    results = run_all(*calls)
    for result in results[: len(DECODING)]:
        assert_user_error(result, "exceeds max_event_size=1024", "byte ")
    for result in results[len(DECODING) :]:
        assert result.returncode == 0, result.stderr.decode()


def test_inspect_goes_past_an_oversize_event_and_reports_it(large: Path) -> None:
    report_json, text, fold = run_all(
        ["inspect", "--json", "--max-event-size", "1024", large],
        ["inspect", "--max-event-size", "1024", large],
        ["fold", large],
    )
    report = json.loads(report_json.stdout)
    (oversize,) = report["oversize_events"]
    assert (oversize["stream"], oversize["ordinal"], oversize["event"]) == (0, 5, "message")
    assert "exceeds max_event_size=1024" in oversize["message"]
    assert report["event_count"] == 12  # every event, past the oversize one
    assert report["text_chars"] == len(json.loads(fold.stdout)["text"]) > 3000
    assert "events > limit     1 (max event size 1,024 B)\n  #5 message (stream 0)" in (
        text.stdout.decode()
    )


def test_convert_to_standard_output(tmp_path: Path) -> None:
    session = RECORDINGS / "assistants" / "function-call-session.ndjson"
    recording, body, labelled = run_all(
        ["convert", session, "-"],
        ["convert", "--to", "sse", "--stream", "1", session, "-"],
        ["convert", "--dialect", "assistants", CODE, "-"],
    )
    for result in (recording, body, labelled):
        assert result.returncode == 0, result.stderr.decode()
        assert result.stderr == b""
    copy = tmp_path / "copy.ndjson"
    copy.write_bytes(recording.stdout)
    assert Replayer.open(copy).streams == Replayer.open(session).streams
    assert body.stdout == Replayer.open(session).streams[1].body
    assert json.loads(labelled.stdout.split(b"\n", 1)[0])["dialect"] == "assistants"
    assert not (Path.cwd() / "-").exists()


def test_convert_keeps_started_at_and_meta(tmp_path: Path) -> None:
    source = tmp_path / "in.ndjson"
    with Recorder.open(source, dialect="chat", meta={"run": 7}) as recorder:
        for _ in recorder.tap(Replayer.open(CHAT).iter_chunks()):
            pass
    out = tmp_path / "out.ndjson"
    (result,) = run_all(["convert", source, out])
    assert result.returncode == 0, result.stderr.decode()
    before, after = Replayer.open(source).header, Replayer.open(out).header
    assert after.started_at == before.started_at is not None
    assert after.meta == before.meta == {"run": 7}
    assert after == before


def test_convert_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    path = tmp_path / "run.ndjson"
    path.write_bytes(CHAT.read_bytes())
    (tmp_path / "link.ndjson").symlink_to(path)
    for result in run_all(["convert", path, path], ["convert", path, tmp_path / "link.ndjson"]):
        assert_user_error(result, "is the input")
    assert path.read_bytes() == CHAT.read_bytes()


def test_convert_dialect_labels_the_header_after_checking_it(tmp_path: Path) -> None:
    good, wrong, auto = run_all(
        ["convert", "--dialect", "anthropic", RAW_ANTHROPIC, tmp_path / "good.ndjson"],
        ["convert", "--dialect", "chat", ANTHROPIC, tmp_path / "wrong.ndjson"],
        ["convert", "--dialect", "auto", ANTHROPIC, tmp_path / "auto.ndjson"],
    )
    for result in (good, auto):
        assert result.returncode == 0, result.stderr.decode()
    assert Replayer.open(tmp_path / "good.ndjson").header.dialect == "anthropic"
    assert Replayer.open(tmp_path / "auto.ndjson").header.dialect == "anthropic"  # the input's
    assert_user_error(wrong, "chat dialect", "looks like anthropic")
    assert not (tmp_path / "wrong.ndjson").exists()
    (help_,) = run_all(["convert", "--help"])
    assert b"header" in help_.stdout


def test_help_lists_the_dialects_of_the_registry() -> None:
    commands = ["replay", "events", "fold", "inspect", "convert", "record"]
    results = run_batch([(["--help"], None), *(([c, "--help"], None) for c in commands)])
    for result in results:
        assert result.returncode == 0, result.stderr.decode()
        text = " ".join(result.stdout.decode().split())
        for name in dialects.names():
            assert name in text, (result.args, name)
    for result in results:
        if result.args != ["convert", "--help"]:  # it names the header's dialect: no auto
            assert "auto (the default)" in " ".join(result.stdout.decode().split()), result.args
