"""The file format: exact round trips, gzip, raw bodies (.sse and NDJSON), redaction, bad files."""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from streamkit import RecordingError
from streamkit.recording import Recorder, RecordingWarning, Replayer

from .helpers import ScriptedClock, record

REAL = Path(__file__).resolve().parents[1] / "data" / "real" / "assistants"

# Pieces that make chunk boundaries interesting: CR/LF pairs and multi-byte code points
# that a cut may split, and bytes that are never UTF-8.
PIECES = [b"\r\n", b"\r", b"\n", "é".encode(), "€".encode(), "😀".encode(), b"data: {}", b"\xff"]


@st.composite
def chunkings(draw: st.DrawFn) -> list[bytes]:
    """A body cut at arbitrary points (empty chunks included)."""
    body = b"".join(draw(st.lists(st.sampled_from(PIECES) | st.binary(max_size=6), max_size=20)))
    cuts = sorted(draw(st.lists(st.integers(0, len(body)), max_size=12)))
    return [body[a:b] for a, b in itertools.pairwise([0, *cuts, len(body)])]


gaps = st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False)


class TestRoundTrip:
    """Record, then replay: the same bytes, boundaries and times."""

    @settings(database=None, max_examples=200)
    @given(
        chunks=chunkings() | st.lists(st.binary(max_size=40), max_size=10),
        origin=st.floats(min_value=0, max_value=1e6),
        steps=st.lists(gaps, min_size=60, max_size=60),
        suffix=st.sampled_from([".ndjson", ".ndjson.gz"]),
    )
    def test_exact(
        self,
        tmp_path_factory: pytest.TempPathFactory,
        chunks: list[bytes],
        origin: float,
        steps: list[float],
        suffix: str,
    ) -> None:
        """Any chunks at any non-decreasing times come back exactly (times to the microsecond)."""
        clock_times = list(itertools.accumulate(steps, initial=origin))
        path = tmp_path_factory.mktemp("rt") / f"r{suffix}"
        with Recorder.open(path, clock=ScriptedClock(clock_times)) as recorder:
            assert list(recorder.tap(chunks)) == chunks
        stream = Replayer.open(path).streams[0]
        expected_times = [round(t - origin, 6) for t in clock_times[1 : len(chunks) + 1]]
        assert stream.chunks == tuple(zip(expected_times, chunks, strict=True))
        assert list(Replayer.open(path).iter_chunks()) == chunks
        assert stream.end == "eof"

    def test_gzip(self, tmp_path: Path) -> None:
        """A .gz recording is a standard gzip file of the same lines."""
        chunks = [b"event: a\r", b"\ndata: \xe2\x82", b"\xac\r\n\r\n"]
        record(tmp_path / "r.ndjson", chunks, [0.5, 1.0, 1.5], 2.0)
        record(tmp_path / "r.ndjson.gz", chunks, [0.5, 1.0, 1.5], 2.0)
        plain = (tmp_path / "r.ndjson").read_bytes().splitlines()
        unzipped = gzip.decompress((tmp_path / "r.ndjson.gz").read_bytes()).splitlines()
        assert unzipped[1:] == plain[1:]  # the header differs in started_at only
        replayer = Replayer.open(tmp_path / "r.ndjson.gz")
        assert list(replayer.iter_chunks()) == chunks
        assert replayer.streams == Replayer.open(tmp_path / "r.ndjson").streams

    def test_line_kinds(self, tmp_path: Path) -> None:
        """UTF-8 chunks are "o" lines, others base64 "b" lines; the end is an "x" line."""
        record(tmp_path / "r.ndjson", [b"caf\xc3\xa9", b"caf\xc3", b"\xa9"], [0.1, 0.2, 0.3], 0.4)
        lines = [json.loads(line) for line in (tmp_path / "r.ndjson").read_text().splitlines()]
        assert lines[0]["streamkit"] == 1
        assert lines[0]["dialect"] is None  # auto, and no event of any dialect came
        assert lines[0]["started_at"].endswith("Z")
        assert lines[1:] == [
            [0.1, "o", "café"],
            [0.2, "b", "Y2Fmww=="],
            [0.3, "b", "qQ=="],
            [0.4, "x", "eof"],
        ]

    def test_session(self, tmp_path: Path) -> None:
        """new_stream starts the next stream of the same file, with its own metadata."""
        clock = ScriptedClock([0.0, 0.1, 0.2, 0.5, 0.6, 0.7])
        path = tmp_path / "session.ndjson"
        with Recorder.open(path, meta={"case": "tools"}, clock=clock) as recorder:
            list(recorder.tap([b"first"]))
            recorder.new_stream(response={"status": 200, "headers": {}}, meta={"n": 2})
            list(recorder.tap([b"second"]))
        replayer = Replayer.open(path)
        first, second = replayer.streams
        assert replayer.header.meta == first.meta == {"case": "tools"}
        assert (first.chunks, first.end, first.t0, first.end_t) == (
            ((0.1, b"first"),),
            "eof",
            0,
            0.2,
        )
        assert (second.chunks, second.end, second.t0) == (((0.6, b"second"),), "eof", 0.5)
        assert second.response == {"status": 200, "headers": {}}
        assert second.meta == {"n": 2}
        assert list(replayer.iter_chunks()) == [b"first", b"second"]
        assert list(replayer.iter_chunks(1)) == [b"second"]


class TestRawSSE:
    """A raw .sse body reads as one stream of one chunk."""

    def test_real_body(self) -> None:
        """A captured body comes back whole, with the dialect given."""
        path = next(REAL.glob("*.sse"))
        replayer = Replayer.open(path, dialect="assistants")
        assert list(replayer.iter_chunks()) == [path.read_bytes()]
        assert replayer.header.dialect == "assistants"
        assert replayer.header.started_at is None
        assert replayer.streams[0].end == "eof"

    def test_gzipped_and_empty(self, tmp_path: Path) -> None:
        """.sse.gz is gunzipped; an empty body has no chunks; the dialect defaults to None."""
        (tmp_path / "a.sse.gz").write_bytes(gzip.compress(b"data: 1\n\n"))
        (tmp_path / "b.sse").write_bytes(b"")
        assert list(Replayer.open(tmp_path / "a.sse.gz").iter_chunks()) == [b"data: 1\n\n"]
        empty = Replayer.open(tmp_path / "b.sse")
        assert list(empty.iter_chunks()) == []
        assert empty.header.dialect is None

    def test_gzip_cut_short_warns(self, tmp_path: Path) -> None:
        """A .sse.gz that ends early gives what it holds, with a warning saying so."""
        body = b"".join(b"data: %d\n\n" % i for i in range(2000))
        packed = gzip.compress(body)
        (tmp_path / "cut.sse.gz").write_bytes(packed[: len(packed) // 2])
        with pytest.warns(RecordingWarning, match="compressed stream ended early"):
            (got,) = Replayer.open(tmp_path / "cut.sse.gz").iter_chunks()
        assert 0 < len(got) < len(body)
        assert body.startswith(got)


class TestRawNDJSON:
    """A raw NDJSON body (an Ollama stream) shares the .ndjson suffix: its first lines tell it."""

    OLLAMA = REAL.parent / "ollama"

    def test_real_bodies(self) -> None:
        for path in sorted(self.OLLAMA.glob("*.ndjson")):
            replayer = Replayer.open(path)
            assert list(replayer.iter_chunks()) == [path.read_bytes()], path.name
            assert (replayer.header.dialect, replayer.header.started_at) == (None, None)
            (stream,) = replayer.streams
            assert (stream.end, stream.t0, stream.end_t) == ("eof", 0.0, 0.0)
        path = next(self.OLLAMA.glob("*.ndjson"))
        assert Replayer.open(path, dialect="ollama").header.dialect == "ollama"

    @pytest.mark.parametrize(
        "body",
        [
            b'{"model":"m","created_at":"t","response":"a","done":false}\n',
            b'{"model":"m"}',  # one line without its newline
            b'\n\n  \r\n{"a": 1}\r\n{"b": 2}\n',  # blank lines first, CRLF
            b'{"error": "boom"}\n',
            b'{"a": 1}\n{"b": [1, "x"]}\nnot json\n',  # what it holds is the decoder's to judge
        ],
    )
    def test_objects_one_per_line(self, tmp_path: Path, body: bytes) -> None:
        for name, data in (("r.ndjson", body), ("r.ndjson.gz", gzip.compress(body))):
            path = tmp_path / name
            path.write_bytes(data)
            assert list(Replayer.open(path).iter_chunks()) == [body]

    @pytest.mark.parametrize(
        ("lines", "message"),
        [
            (['{"version": 1}', '[0.1, "o", "a"]'], "not a streamkit recording"),
            (['{"streamkit": 2}', '{"a": 1}'], "unsupported recording version 2"),
            (['{"streamkit": 1, "dia'], "torn header line"),
            (["[1, 2]", '{"a": 1}'], "not a streamkit recording"),
        ],
    )
    def test_a_recording_with_a_bad_header_is_still_an_error(
        self, tmp_path: Path, lines: list[str], message: str
    ) -> None:
        path = tmp_path / "r.ndjson"
        path.write_text("\n".join(lines))
        with pytest.raises(RecordingError, match=message):
            Replayer.open(path)

    def test_a_recording_is_still_a_recording(self, tmp_path: Path) -> None:
        path = tmp_path / "r.ndjson"
        with Recorder.open(path, dialect="ollama", clock=ScriptedClock([0.0, 0.5, 1.0])) as rec:
            list(rec.tap([b'{"a": 1}\n']))
        replayer = Replayer.open(path)
        assert replayer.header.dialect == "ollama"
        assert replayer.streams[0].chunks == ((0.5, b'{"a": 1}\n'),)


class TestRedaction:
    """Secret header values never reach the file."""

    def test_default_and_user_names(self, tmp_path: Path) -> None:
        """Default names and user-named ones, in any case, are written as "[redacted]"."""
        request = {
            "method": "POST",
            "url": "https://api.example.com/v1/threads/runs",
            "headers": {
                "Authorization": "Bearer sk-SECRET-1",
                "API-Key": "SECRET-2",
                "x-api-key": "SECRET-3",
                "x-goog-api-key": "SECRET-9",
                "Cookie": "session=SECRET-4",
                "Proxy-Authorization": "Basic SECRET-5",
                "X-Org-Token": "SECRET-6",
                "Content-Type": "application/json",
            },
        }
        response = {"status": 200, "headers": [("Set-Cookie", "SECRET-7"), ("x-req", "r1")]}
        path = tmp_path / "r.ndjson"
        with Recorder.open(
            path, request=request, response=response, redact=["X-ORG-TOKEN", "x-later"]
        ) as recorder:
            list(recorder.tap([b"data: 1\n\n"]))
            recorder.new_stream(request={"headers": {"X-Later": "SECRET-8"}})
        assert b"SECRET" not in path.read_bytes()
        header = Replayer.open(path).header
        assert header.request is not None
        assert header.response is not None
        headers = header.request["headers"]
        assert headers["Content-Type"] == "application/json"
        assert [name for name, value in headers.items() if value == "[redacted]"] == [
            "Authorization",
            "API-Key",
            "x-api-key",
            "x-goog-api-key",
            "Cookie",
            "Proxy-Authorization",
            "X-Org-Token",
        ]
        assert header.response["headers"] == {"Set-Cookie": "[redacted]", "x-req": "r1"}
        assert header.request["url"] == request["url"]

    def test_one_name_as_a_string(self, tmp_path: Path) -> None:
        """redact="x-secret" means that one name, not its letters."""
        path = tmp_path / "r.ndjson"
        Recorder.open(path, request={"headers": {"X-Secret": "SECRET"}}, redact="x-secret").close()
        assert b"SECRET" not in path.read_bytes()


def _write(path: Path, *lines: str, newline: bool = True) -> Path:
    path.write_text("\n".join(lines) + ("\n" if newline else ""))
    return path


HEADER = '{"streamkit": 1, "dialect": "assistants", "started_at": "2025-01-02T03:04:05.000006Z"}'


class TestReading:
    """Damaged, foreign and future files."""

    @pytest.mark.parametrize(
        ("line", "message"),
        [
            ("not json", "invalid JSON"),
            ('{"streamkit": 1}', "array"),
            ("[0.3]", "array"),
            ('[-1, "o", "a"]', "array"),
            ('["0.3", "o", "a"]', "array"),
            ('[0.3, "o"]', "third element"),
            ('[0.3, "o", 5]', "string"),
            ('[0.3, "b", "!!not base64"]', "bad 'b' data"),
            ('[0.3, "x", 5]', "end line"),
            ('[0.3, "x", {"message": "no type"}]', "error end"),
            ('[0.3, "s", []]', "object"),
            ('[0.3, "s", {"meta": 3}]', "objects"),
        ],
    )
    def test_corrupt_middle_line(self, tmp_path: Path, line: str, message: str) -> None:
        """A bad complete line is an error naming the file and its 1-based line number."""
        path = _write(tmp_path / "r.ndjson", HEADER, '[0.1, "o", "a"]', line, '[0.4, "x", "eof"]')
        with pytest.raises(RecordingError, match=message) as info:
            Replayer.open(path)
        assert (info.value.path, info.value.line) == (str(path), 3)
        assert f"{path}:3: " in str(info.value)

    def test_chunk_after_end(self, tmp_path: Path) -> None:
        """Chunks after a stream's end line, without an "s" line between, are an error."""
        path = _write(tmp_path / "r.ndjson", HEADER, '[0.1, "x", "eof"]', '[0.2, "o", "a"]')
        with pytest.raises(RecordingError, match="after the stream's end") as info:
            Replayer.open(path)
        assert info.value.line == 3

    @pytest.mark.parametrize(
        ("header", "message"),
        [
            ('{"streamkit": 2}', "unsupported recording version 2"),
            ('{"streamkit": "1"}', "unsupported recording version '1'"),
            ('{"streamkit": true}', "unsupported recording version True"),
            ('{"version": 1}', "not a streamkit recording"),
            ('[0.0, "o", "a"]', "not a streamkit recording"),
            ('{"streamkit": 1, "dialect": 3}', "must be strings"),
            ('{"streamkit": 1, "started_at": "yesterday"}', "bad started_at"),
            ('{"streamkit": 1, "request": "GET /"}', "must be objects"),
        ],
    )
    def test_bad_header(self, tmp_path: Path, header: str, message: str) -> None:
        """An unknown version or a header of the wrong shape is an error at line 1."""
        path = _write(tmp_path / "r.ndjson", header, '[0.1, "o", "a"]')
        with pytest.raises(RecordingError, match=message) as info:
            Replayer.open(path)
        assert info.value.line == 1

    @pytest.mark.parametrize("content", [b"", b"\n\n", b'{"streamkit": 1, "dia'])
    def test_no_header(self, tmp_path: Path, content: bytes) -> None:
        """An empty file, or one holding a torn header only, is an error."""
        path = tmp_path / "r.ndjson"
        path.write_bytes(content)
        with pytest.raises(RecordingError, match="header"):
            Replayer.open(path)

    def test_bad_gzip(self, tmp_path: Path) -> None:
        """A .gz file that is not gzip is an error naming the file."""
        path = tmp_path / "r.ndjson.gz"
        path.write_bytes(b"plain text, not gzip\n")
        with pytest.raises(RecordingError, match="not valid gzip") as info:
            Replayer.open(path)
        assert info.value.path == str(path)

    def test_torn_final_line(self, tmp_path: Path) -> None:
        """An unparsable last line without LF is skipped with a warning; the stream is truncated."""
        path = _write(
            tmp_path / "r.ndjson", HEADER, '[0.1, "o", "a"]', '[0.2, "o", "b', newline=False
        )
        with pytest.warns(RecordingWarning, match=r"r\.ndjson:3: skipped a torn final line"):
            replayer = Replayer.open(path)
        assert replayer.streams[0].chunks == ((0.1, b"a"),)
        assert replayer.streams[0].end is None

    def test_complete_final_line_without_newline(self, tmp_path: Path) -> None:
        """A last line that parses is used even without its LF."""
        path = _write(
            tmp_path / "r.ndjson", HEADER, '[0.1, "o", "a"]', '[0.2, "x", "eof"]', newline=False
        )
        assert Replayer.open(path).streams[0].end == "eof"

    def test_unknown_kinds_and_fields_ignored(self, tmp_path: Path) -> None:
        """Line kinds and header fields from later versions are skipped; blank lines too."""
        path = _write(
            tmp_path / "r.ndjson",
            HEADER[:-1] + ', "future": {"x": 1}}',
            '[0.1, "m", "a marker"]',
            '[0.15, "zz"]',
            "",
            '[0.2, "o", "a"]',
            '[0.3, "x", {"error": "ReadTimeout", "message": "timed out"}]',
            '[0.4, "m", "after the end"]',
        )
        replayer = Replayer.open(path)
        (stream,) = replayer.streams
        assert stream.chunks == ((0.2, b"a"),)
        assert (stream.end, stream.error, stream.error_message) == (
            "error",
            "ReadTimeout",
            "timed out",
        )
        assert replayer.header.started_at is not None
        assert replayer.header.started_at.microsecond == 6

    def test_dialect_override(self, tmp_path: Path) -> None:
        """A dialect passed to open() replaces the header's."""
        path = _write(tmp_path / "r.ndjson", HEADER)
        assert Replayer.open(path).header.dialect == "assistants"
        assert Replayer.open(path, dialect="chat").header.dialect == "chat"
