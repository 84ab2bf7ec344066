"""Every command on every dialect, and the fold and report of every real capture.

The command line knows no dialect by name: these tests take the dialects
from the registry, their bundled recordings from ``recordings/<name>/``
and their real captures from the conformance kit's cases, and check each
command's output against the library's own reading of the same bytes (the
dialect's decoder, transcript and fold, and the common face).  The command
lines of one dialect run in one process (``tests/cli_batch.py``).
"""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path
from typing import Any

import attrs
import msgspec
import pytest

import streamkit
from streamkit import dialects
from streamkit.recording import Replayer

from .cli_helpers import (
    FOLD_KEYS,
    INSPECT_KEYS,
    RECORDINGS,
    check_html,
    needs_face,
    run_batch,
)
from .conformance.cases import CASES

NAMES = dialects.names()

#: Each recording goes through these command lines ({} is the recording, OUT a file to write).
COMMANDS: dict[str, tuple[str, ...]] = {
    "text": ("replay", "--speed", "0", "{}"),
    "replay-events": ("replay", "--speed", "0", "--events", "{}"),
    "raw": ("replay", "--speed", "0", "--raw", "{}"),
    "events": ("events", "{}"),
    "fold": ("fold", "{}"),
    "inspect": ("inspect", "{}"),
    "report": ("inspect", "--json", "--html", "OUT.html", "{}"),
    "copy": ("convert", "{}", "OUT.ndjson.gz"),
    "stdout": ("convert", "{}", "-"),
    "body": ("convert", "--stream", "0", "{}", "OUT.sse"),
}


def recordings(name: str) -> list[Path]:
    return sorted((RECORDINGS / name).glob("*.ndjson"))


@attrs.frozen
class Run:
    """What one recording gave: each command's output, and the files written."""

    path: Path
    out: dict[str, bytes]
    files: Path

    def json(self, command: str) -> Any:
        return json.loads(self.out[command])


@functools.cache
def ran(name: str, tmp: Path) -> list[Run]:
    """Every command on every recording of dialect *name*, in one process."""
    calls: list[tuple[list[str], None]] = []
    folders = []
    for i, path in enumerate(recordings(name)):
        folder = tmp / f"{i}-{path.stem}"
        folder.mkdir()
        folders.append(folder)
        for args in COMMANDS.values():
            argv = [str(path) if a == "{}" else a for a in args]
            calls.append(([str(folder / a) if a.startswith("OUT") else a for a in argv], None))
    results = iter(run_batch(calls))
    runs = []
    for path, folder in zip(recordings(name), folders, strict=True):
        out = {}
        for command in COMMANDS:
            result = next(results)
            assert result.returncode == 0, (path.name, command, result.stderr.decode())
            assert result.stderr == b"", (path.name, command, result.stderr.decode())
            out[command] = result.stdout
        runs.append(Run(path, out, folder))
    return runs


@pytest.fixture(scope="module")
def batches(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return lambda name: ran(name, tmp_path_factory.mktemp(name))


def stream_events(path: Path, name: str) -> list[list[Any]]:
    """The typed events of each stream of a recording, as the library decodes them."""
    replayer = Replayer.open(path)
    return [
        list(streamkit.iter_events(replayer.iter_chunks(stream=i), name))  # type: ignore[call-overload]
        for i in range(len(replayer.streams))
    ]


def library_fold(events: list[Any], name: str) -> Any:
    acc = dialects.get(name).accumulator()
    for event in events:
        acc.feed(event)
    return acc


def plain(value: object) -> Any:
    if attrs.has(type(value)):
        value = attrs.asdict(value, recurse=True)  # type: ignore[arg-type]
    return msgspec.to_builtins(value, enc_hook=str)


def test_every_dialect_has_recordings() -> None:
    for name in NAMES:
        assert recordings(name), f"no bundled recording of {name} in recordings/{name}/"


@pytest.mark.parametrize("name", NAMES)
def test_every_command(name: str, batches: Any) -> None:
    """Each command succeeds, silently, and prints what the library reads in the bytes."""
    for run in batches(name):
        streams = stream_events(run.path, name)
        events = [event for stream in streams for event in stream]
        replayer = Replayer.open(run.path)
        # replay --text: the dialect's transcript, fed every event
        transcript = dialects.get(name).transcript()
        text = "".join(transcript.feed(event) for event in events) + transcript.close()
        assert run.out["text"].decode() == text != ""
        assert text.endswith("\n")
        # replay --events, events: one JSON line per event
        lines = [json.loads(line) for line in run.out["events"].splitlines()]
        assert run.out["replay-events"] == run.out["events"]
        assert lines == [json.loads(msgspec.json.encode(e, enc_hook=str)) for e in events]
        assert run.out["raw"] == b"".join(replayer.iter_chunks())
        # fold: the same keys for every dialect
        doc = run.json("fold")
        assert list(doc)[: len(FOLD_KEYS)] == list(FOLD_KEYS)
        assert set(doc) - set(FOLD_KEYS) <= {"detail"}
        assert doc["dialect"] == name
        # inspect, as text and as JSON
        assert f"dialect            {name}\n" in run.out["inspect"].decode()
        report = run.json("report")
        assert set(report) >= INSPECT_KEYS
        assert report["dialect"] == name
        assert report["event_count"] == sum(report["events"].values()) == len(events)
        assert report["chunks"] == sum(len(s.chunks) for s in replayer.streams)
        assert report["bytes"] == len(run.out["raw"])
        check_html((run.files / "OUT.html").read_text(encoding="utf-8"), report)
        # convert: the recording copied whole, its first stream's body, the copy on stdout
        copy = Replayer.open(run.files / "OUT.ndjson.gz")
        assert copy.header == replayer.header
        assert copy.streams == replayer.streams
        assert (run.files / "OUT.sse").read_bytes() == replayer.streams[0].body
        assert gzip.decompress((run.files / "OUT.ndjson.gz").read_bytes()) == run.out["stdout"]


@pytest.mark.parametrize("name", [pytest.param(n, marks=needs_face(n)) for n in NAMES])
def test_fold_and_inspect_read_the_common_face(name: str, batches: Any) -> None:
    """``fold`` and ``inspect`` say what the dialect's fold says, through the common face."""
    for run in batches(name):
        events = [e for stream in stream_events(run.path, name) for e in stream]
        acc = library_fold(events, name)
        doc, report = run.json("fold"), run.json("report")
        assert doc["result"] == plain(acc.result)
        assert doc["outcome"] == {
            "kind": acc.outcome.kind,
            "reason": acc.outcome.reason,
            "error": None if acc.outcome.error is None else plain(acc.outcome.error),
        }
        assert (doc["text"], doc["refusal"]) == (acc.text, acc.refusal)
        assert doc["tool_calls"] == [plain(call) for call in acc.tool_calls]
        assert doc["usage"] == plain(acc.usage)
        assert len(doc["warnings"]) == len(acc.warnings)
        assert (report["outcome"], report["reason"]) == (acc.outcome.kind, acc.outcome.reason)
        usage = plain(acc.usage)
        del usage["raw"]
        assert report["usage"] == usage
        assert report["text_chars"] == len(acc.text)
        assert report["tool_calls"] == doc["tool_calls"]
        odd = sum(report["unknown_events"].values()) + sum(report["invalid_events"].values())
        assert report["lanes"].get("other", 0) == odd, "a lane from the dialect for every event"
        deltas = list(streamkit.deltas(events))
        assert (report["first_content_s"] is None) == (not deltas)
        if deltas:
            assert report["first_event_s"] <= report["first_content_s"] <= report["duration_s"]


# -- real captures ---------------------------------------------------------------------

CAPTURES = [
    pytest.param(case, id=case.dialect)
    for case in CASES
    if case.captures  # the kit says when a dialect has none
]


@pytest.mark.parametrize("case", CAPTURES)
def test_every_real_capture_folds_and_inspects_as_the_library(case: Any) -> None:
    """``fold`` and ``inspect --json`` of each capture: outcome, usage and text of the face."""
    calls = []
    for path in case.captures:
        calls += [(["fold", "--dialect", case.dialect, str(path)], None)]
        calls += [(["inspect", "--json", "--dialect", case.dialect, str(path)], None)]
    results = iter(run_batch(calls))
    for path in case.captures:
        folded, inspected = next(results), next(results)
        for result in (folded, inspected):
            assert result.returncode == 0, (path.name, result.stderr.decode())
        doc, report = json.loads(folded.stdout), json.loads(inspected.stdout)
        events = list(streamkit.iter_events([path.read_bytes()], case.dialect))
        acc = library_fold(events, case.dialect)
        outcome = (acc.outcome.kind, acc.outcome.reason)
        assert (doc["outcome"]["kind"], doc["outcome"]["reason"]) == outcome, path.name
        assert (report["outcome"], report["reason"]) == outcome, path.name
        assert doc["text"] == acc.text, path.name
        assert report["text_chars"] == len(acc.text), path.name
        assert doc["usage"] == plain(acc.usage), path.name
        assert report["usage"] == {k: v for k, v in plain(acc.usage).items() if k != "raw"}
        assert doc["tool_calls"] == report["tool_calls"] == [plain(c) for c in acc.tool_calls]
        assert report["event_count"] == len(events), path.name
        odd = sum(report["unknown_events"].values()) + sum(report["invalid_events"].values())
        assert report["lanes"].get("other", 0) == odd, path.name
