"""Cassettes without HTTP: requests reduced and matched, faults, the session writer, modes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings, strategies as st

import streamkit
from streamkit.recording import Cassette, Fault, RecordedRequest, Recorder, Replayer
from streamkit.recording._cassette import Broken, timeline
from streamkit.recording._format import RecordedStream
from streamkit.recording._record import DialectProbe

from ..helpers import REAL
from .helpers import ScriptedClock

if TYPE_CHECKING:
    from pathlib import Path

URL = "https://api.example.com/v1/chat/completions"


def build(
    content: bytes = b"", content_type: str = "application/json", **kw: Any
) -> RecordedRequest:
    headers = [("content-type", content_type), *kw.pop("headers", [])]
    return RecordedRequest.build(
        kw.pop("method", "post"), kw.pop("url", URL), headers, content, **kw
    )


class TestRecordedRequest:
    def test_a_json_body_is_canonical_whatever_its_spacing_and_key_order(self) -> None:
        one = build(b'{"model": "m", "messages": [1, 2]}')
        two = build(b'{"messages":[1,2],"model":"m"}')
        assert (one.body, one.json) == ("json", {"model": "m", "messages": [1, 2]})
        assert one.digest == two.digest
        assert one.method == "POST"
        assert one.digest != build(b'{"messages":[2,1],"model":"m"}').digest

    def test_other_bodies(self) -> None:
        assert build().body == "none"
        assert build().digest is None
        text = build(b"hello", "text/plain")
        assert (text.body, text.size) == ("bytes", 5)
        assert text.digest == build(b"hello", "text/plain").digest
        assert build(b"{not json", "application/json").body == "bytes"

    def test_secrets_are_redacted_in_headers_query_and_json(self) -> None:
        request = build(
            b'{"user": "u", "nested": [{"Password": "p"}], "keep": 1}',
            headers=[("Authorization", "Bearer sk"), ("x-api-key", "k"), ("x-trace", "t")],
            url=URL + "?api-key=secret&password=q&page=2",
            redact=["password"],
        )
        assert request.headers["Authorization"] == request.headers["x-api-key"] == "[redacted]"
        assert request.headers["x-trace"] == "t"
        assert request.json == {"user": "u", "nested": [{"Password": "[redacted]"}], "keep": 1}
        assert request.url == URL + "?api-key=%5Bredacted%5D&password=%5Bredacted%5D&page=2"
        assert "secret" not in request.url

    def test_a_multipart_body_is_digested_without_its_boundary(self) -> None:
        def multipart(boundary: str, content: bytes) -> RecordedRequest:
            body = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"\r\n\r\n'.encode()
                + content
                + f"\r\n--{boundary}--\r\n".encode()
            )
            return build(body, f"multipart/form-data; boundary={boundary}")

        assert multipart("a1b2", b"notes").digest == multipart("ffee99", b"notes").digest
        assert multipart("a1b2", b"notes").digest != multipart("a1b2", b"other").digest

    def test_round_trip_through_the_file_form(self) -> None:
        for request in (build(b'{"a": [1, {"b": null}]}'), build(b"raw", "text/plain"), build()):
            assert RecordedRequest.from_record(request.to_record()) == request

    def test_a_recording_without_a_body_record_matches_any_body(self, tmp_path: Path) -> None:
        path = tmp_path / "old.ndjson"
        with Recorder.open(path, request={"method": "POST", "url": URL, "headers": {}}) as rec:
            list(rec.tap([b"data: x\n\n"]))
        cassette = Cassette(path)
        assert cassette.route(build(b'{"anything": true}')) == 0

    def test_fields(self) -> None:
        request = build(url="https://h.example:8443/v1/x?b=2&a=1&a=0")
        assert request.field("scheme") == "https"
        assert request.field("host") == "h.example"
        assert request.field("port") == 8443
        assert build().field("port") == 443
        assert request.field("path") == "/v1/x"
        assert request.field("query") == (("a", "0"), ("a", "1"), ("b", "2"))
        with pytest.raises(ValueError, match="cannot match on 'verb'"):
            request.field("verb")


def cassette_of(tmp_path: Path, *requests: RecordedRequest, **kwargs: Any) -> Cassette:
    """A cassette recording one tiny exchange per request, read back with *kwargs*."""
    path = tmp_path / "c.ndjson"
    with Cassette(path, record_mode="all") as recorder:
        for request in requests:
            assert recorder.route(request) is None
            exchange = recorder.record(request, 200, [("content-type", "application/json")])
            exchange.chunk(b"{}")
            exchange.end("eof")
    return Cassette(path, **kwargs)


class TestMatching:
    def test_each_recorded_exchange_answers_one_request_in_file_order(self, tmp_path: Path) -> None:
        a, b = build(b'{"q": "a"}'), build(b'{"q": "b"}')
        cassette = cassette_of(tmp_path, a, b, a)
        assert [cassette.route(r) for r in (a, a, b)] == [0, 2, 1]
        with pytest.raises(
            streamkit.ReplayExhausted, match=r"matches streams 0, 2 of the cassette"
        ):
            cassette.route(a)
        assert cassette.replayed == [0, 2, 1]
        assert len(cassette.mismatches) == 1

    def test_the_closest_request_is_named_with_its_differences(self, tmp_path: Path) -> None:
        models = build(method="GET", url="https://api.example.com/v1/models")
        chat = build(b'{"model": "gpt-4o", "messages": [{"content": "hi"}], "n": 1}')
        cassette = cassette_of(tmp_path, models, chat)
        live = build(b'{"model": "gpt-4o-mini", "messages": [{"content": "hi"}], "seed": 3}')
        with pytest.raises(streamkit.ReplayMismatch) as caught:
            cassette.route(live)
        error = caught.value
        assert error.closest == chat
        assert error.request == live
        assert error.differences == (
            "body $.model: recorded 'gpt-4o', sent 'gpt-4o-mini'",
            "body $.n: recorded 1, sent nothing",
            "body $.seed: recorded nothing, sent 3",
        )
        assert str(error).startswith(
            f"request #1, POST {URL}, matches no recorded exchange of the cassette"
        )
        assert "the closest is stream 1, POST" in str(error)
        assert isinstance(error, RuntimeError)
        assert not isinstance(error, streamkit.ReplayExhausted)

    def test_a_value_redacted_when_recorded_matches_any_value(self, tmp_path: Path) -> None:
        cassette = cassette_of(tmp_path, build(b'{"user": "me", "q": 1}', redact=["user"]))
        assert cassette.route(build(b'{"user": "you", "q": 1}', redact=[])) == 0

    def test_once_records_nothing_into_an_existing_cassette(self, tmp_path: Path) -> None:
        cassette = cassette_of(tmp_path, build(b"{}"), record_mode="once")
        assert (cassette.can_replay, cassette.can_record) == (True, False)
        with pytest.raises(
            streamkit.ReplayMismatch, match="record mode 'once' records nothing new"
        ):
            cassette.route(build(b'{"other": 1}'))

    def test_modes_and_their_files(self, tmp_path: Path) -> None:
        missing = tmp_path / "missing.ndjson"
        with pytest.raises(FileNotFoundError):
            Cassette(missing)
        assert Cassette(missing, record_mode="once").can_record
        assert not Cassette(missing, record_mode="once").can_replay
        with pytest.raises(ValueError, match="record_mode must be one of"):
            Cassette(missing, record_mode="sometimes")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="a path or a replayer"):
            Cassette()
        assert not missing.exists()  # nothing is written before the first exchange


def stream_of(chunks: list[bytes], end: str = "eof", **kw: Any) -> RecordedStream:
    t = [(round(0.1 * (i + 1), 6), c) for i, c in enumerate(chunks)]
    return RecordedStream(tuple(t), end, end_t=round(0.1 * (len(chunks) + 1), 6), **kw)


BODY = b"".join(b"data: %d\n\n" % i for i in range(6))  # six events of 9 bytes


def joined(steps: list[Any]) -> bytes:
    return b"".join(item for _, item in steps if isinstance(item, bytes))


class TestTimeline:
    def test_no_fault_keeps_chunks_times_and_the_end(self) -> None:
        stream = stream_of([BODY[:5], BODY[5:]])
        assert timeline(stream, None, None) == [(0.1, BODY[:5]), (0.2, BODY[5:]), (0.3, None)]

    def test_cut_and_drop(self) -> None:
        stream = stream_of([BODY[:20], BODY[20:]])
        assert joined(timeline(stream, Fault(cut_at=25), None)) == BODY[:25]
        assert timeline(stream, Fault(cut_at=25), None)[-1] == (0.2, None)
        assert joined(timeline(stream, Fault(cut_event=2), None)) == BODY[:18]
        steps = timeline(stream, Fault(drop_event=4, cut_at=50), None)
        assert joined(steps) == BODY[:36]
        assert isinstance(steps[-1][1], Broken)
        assert joined(timeline(stream, Fault(drop_at=40, cut_at=30), None)) == BODY[:30]

    def test_inject_before_an_event(self) -> None:
        stream = stream_of([BODY[:20], BODY[20:]])
        error = b"event: error\ndata: {}\n\n"
        steps = timeline(stream, Fault(inject={2: error, 0: b": hi\n\n", 99: b"late"}), None)
        assert joined(steps) == b": hi\n\n" + BODY[:18] + error + BODY[18:] + b"late"
        assert (0.1, error) in steps  # sent when the bytes before it arrived

    def test_a_recorded_failure_breaks_where_it_happened(self) -> None:
        stream = stream_of([BODY], "error", error="ReadError", error_message="reset")
        steps = timeline(stream, None, None)
        assert steps[-1] == (0.2, Broken("streamkit replay: the recorded stream failed here"
                                         " (ReadError: reset)", "ReadError"))  # fmt: skip

    @settings(max_examples=200, deadline=None)
    @given(
        sizes=st.lists(st.integers(1, 30), min_size=1, max_size=8),
        cut=st.none() | st.integers(0, 60),
        inject=st.dictionaries(st.integers(0, 7), st.binary(min_size=1, max_size=4), max_size=3),
        rechunk=st.none() | st.integers(1, 9),
    )
    def test_any_chunking_and_rechunking_gives_the_same_bytes(
        self, sizes: list[int], cut: int | None, inject: dict[int, bytes], rechunk: int | None
    ) -> None:
        chunks, position = [], 0
        for size in sizes:
            chunks.append(BODY[position : position + size])
            position += size
        chunks.append(BODY[position:])
        fault = Fault(cut_at=cut, inject=inject)
        expected = bytearray()
        starts = [i * 9 for i in range(6)]
        for offset in range(len(BODY) + 1):
            for n, data in sorted(inject.items()):
                at = starts[n] if n < len(starts) else len(BODY)
                if at == offset and (cut is None or at <= cut):
                    expected += data
            if offset == len(BODY) or (cut is not None and offset >= cut):
                break
            expected.append(BODY[offset])
        whole = timeline(stream_of(chunks), fault, None)
        assert joined(whole) == bytes(expected)
        assert joined(timeline(stream_of(chunks), fault, rechunk)) == bytes(expected)
        assert joined(timeline(stream_of([BODY]), fault, rechunk)) == bytes(expected)


class TestDialectProbe:
    @pytest.mark.parametrize(
        ("path", "dialect"),
        [
            ("chat/pydantic-ai_text-usage_2026-07-02.sse", "chat"),
            ("responses/openai-dotnet_text-gpt4o-mini_2025-09-16.sse", "responses"),
            ("anthropic/openllmetry_text-haiku3_2024-10-20.sse", "anthropic"),
            ("assistants/openai-dotnet_text-run_2025-09-16a.sse", "assistants"),
        ],
    )
    def test_the_first_event_names_the_dialect_in_any_chunking(
        self, path: str, dialect: str
    ) -> None:
        body = (REAL / path).read_bytes()
        for size in (len(body), 7, 1):
            probe = DialectProbe()
            for i in range(0, len(body), size):
                probe.feed(body[i : i + size])
                if probe.decided:
                    break
            assert (probe.decided, probe.dialect) == (True, dialect)

    def test_no_dialect(self) -> None:
        probe = DialectProbe()
        probe.feed(b"event: a\ndata: 1\n\n")
        assert (probe.decided, probe.dialect) == (True, None)
        probe = DialectProbe()
        probe.feed(b'{"not": "sse"}')
        assert not probe.decided
        probe.close()
        assert (probe.decided, probe.dialect) == (True, None)


CHAT = (REAL / "chat" / "pydantic-ai_text-usage_2026-07-02.sse").read_bytes()


def lines(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text().splitlines()]


class TestSessionWriter:
    def test_a_stream_waits_for_its_first_event_to_name_its_dialect(self, tmp_path: Path) -> None:
        path = tmp_path / "c.ndjson"
        cassette = Cassette(path, record_mode="all")
        request = build(b"{}")
        cassette.route(request)
        exchange = cassette.record(request, 200, [("content-type", "text/event-stream")])
        exchange.chunk(CHAT[:40])
        assert path.read_bytes() == b""  # the first event is not complete yet
        first_event = CHAT.index(b"\n\n") + 2
        exchange.chunk(CHAT[40:first_event])
        assert lines(path)[0]["dialect"] == "chat"  # header, then both chunks
        assert len(lines(path)) == 3
        exchange.chunk(CHAT[first_event:])
        assert len(lines(path)) == 4  # now each chunk is written as it comes
        exchange.end("eof")
        cassette.close()
        (stream,) = Replayer.open(path).streams
        assert (stream.dialect, stream.end, stream.body) == ("chat", "eof", CHAT)

    def test_overlapping_exchanges_keep_their_own_timing(self, tmp_path: Path) -> None:
        clock = ScriptedClock([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0])
        path = tmp_path / "c.ndjson"
        cassette = Cassette(path, record_mode="all", clock=clock, dialect=None)
        a, b = build(b'{"n": 1}'), build(b'{"n": 2}')
        headers = [("content-type", "text/event-stream")]
        first = cassette.record(a, 200, headers)  # opens at 1
        second = cassette.record(b, 200, headers)  # opens at 2
        second.chunk(b"two")  # 3
        first.chunk(b"one")  # 4
        second.end("eof")  # 5
        first.end("eof")  # 6: first is done, second follows, shifted to start at 6
        cassette.close()
        one, two = Replayer.open(path).streams
        assert [c for _, c in one.chunks] == [b"one"]
        assert [c for _, c in two.chunks] == [b"two"]
        assert (two.t0, two.chunks[0][0], two.end_t) == (6.0, 7.0, 9.0)
        assert two.request is not None
        assert two.request["json"] == {"n": 2}

    def test_closing_ends_open_exchanges_as_cancelled(self, tmp_path: Path) -> None:
        path = tmp_path / "c.ndjson"
        cassette = Cassette(path, record_mode="all")
        exchange = cassette.record(build(), 200, [("content-type", "text/event-stream")])
        exchange.chunk(b"data: partial")
        cassette.close()
        (stream,) = Replayer.open(path).streams
        assert (stream.end, stream.body, stream.dialect) == ("cancelled", b"data: partial", None)

    def test_new_episodes_appends_after_a_torn_final_line(self, tmp_path: Path) -> None:
        cassette = cassette_of(tmp_path, build(b'{"n": 1}'))
        path = tmp_path / "c.ndjson"
        with path.open("ab") as file:
            file.write(b'[9.0, "o", "torn')
        with pytest.warns(streamkit.recording.RecordingWarning):
            cassette = Cassette(path, record_mode="new_episodes")
        request = build(b'{"n": 2}')
        assert cassette.route(request) is None
        exchange = cassette.record(request, 200, [("content-type", "application/json")])
        exchange.chunk(b"{}")
        exchange.end("eof")
        cassette.close()
        assert b"torn" not in path.read_bytes()
        streams = Replayer.open(path).streams
        assert [s.request["json"] for s in streams if s.request] == [{"n": 1}, {"n": 2}]
        assert cassette.recorded == [1]


class TestFormat:
    def test_an_s_line_may_name_its_own_dialect(self, tmp_path: Path) -> None:
        path = tmp_path / "r.ndjson"
        with Recorder.open(path, dialect="chat") as recorder:
            list(recorder.tap([b"a"]))
            recorder.new_stream()  # no dialect of its own: the header's
            list(recorder.tap([b"b"]))
            recorder.new_stream(dialect="anthropic")
            list(recorder.tap([b"c"]))
            recorder.new_stream(dialect=None)
            list(recorder.tap([b"d"]))
        assert [s.dialect for s in Replayer.open(path).streams] == [
            "chat",
            "chat",
            "anthropic",
            None,
        ]
        assert "dialect" not in lines(path)[3][2]
        overridden = Replayer.open(path, dialect="responses").streams
        assert [s.dialect for s in overridden] == ["responses"] * 4

    def test_a_bad_stream_dialect_is_an_error(self, tmp_path: Path) -> None:
        path = tmp_path / "r.ndjson"
        path.write_text('{"streamkit": 1}\n[0.5, "s", {"dialect": 7}]\n')
        with pytest.raises(streamkit.RecordingError, match=r'r.ndjson:2.*"dialect" must be'):
            Replayer.open(path)

    def test_iter_events_reads_each_stream_in_its_dialect(self, tmp_path: Path) -> None:
        anthropic = (REAL / "anthropic" / "openllmetry_text-haiku3_2024-10-20.sse").read_bytes()
        path = tmp_path / "r.ndjson"
        with Recorder.open(path, dialect="chat") as recorder:
            list(recorder.tap([CHAT]))
            recorder.new_stream(dialect=None)  # read with "auto"
            list(recorder.tap([anthropic]))
        replayer = Replayer.open(path)
        assert type(next(replayer.iter_events(0))).__module__.startswith("streamkit.dialects.chat")
        events = list(replayer.iter_events(1))
        assert events[0].event == "message_start"

    def test_fold(self, tmp_path: Path) -> None:
        path = tmp_path / "r.ndjson"
        with Recorder.open(path, dialect="chat", response={"headers": {"Content-Type": "x"}}) as r:
            list(r.tap([CHAT]))
            r.new_stream(dialect=None, response={"headers": {"content-type": "application/json"}})
            list(r.tap([b"{}"]))
        cassette = Cassette(path)
        assert cassette.fold(0).result.choices[0].message.content
        with pytest.raises(ValueError, match=r"stream 1 speaks no dialect \(application/json\)"):
            cassette.fold(1)
        with pytest.raises(IndexError, match="no stream 2"):
            cassette.fold(2)
