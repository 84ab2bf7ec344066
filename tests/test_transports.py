"""streamkit.httpx and streamkit.httpx2: one implementation, each test run on both libraries."""

from __future__ import annotations

import importlib
import json
import sys
from contextlib import aclosing
from typing import TYPE_CHECKING, Any

import pytest

import streamkit
from streamkit.recording import Fault, Recorder, Replayer

from .recording.helpers import FakeClock, ScriptedClock

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Sequence
    from pathlib import Path

URL = "http://test/v1/chat/completions"
# Stream 0: an event, then a euro sign split between two chunks.  Stream 1: a CRLF split.
STREAM0 = [b"event: a\ndata: 1\n\n", b"data: \xe2\x82", b"\xac\n\n"]
STREAM1 = [b"data: two\r", b"\n\r\n"]
HEADERS0 = {"content-type": "text/event-stream; charset=utf-8", "x-request-id": "req_0"}
HEADERS1 = {"content-type": "text/event-stream", "x-request-id": "req_1"}
SECRETS = ("Bearer sk-secret-1", "secret-2", "session=secret-3", "sk-ant-4")
REQUEST_HEADERS = {
    "Authorization": SECRETS[0],
    "api-key": SECRETS[1],
    "x-api-key": SECRETS[3],
    "x-trace": "t",
}


class Lib:
    """One HTTP library and streamkit's adapter for it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.http: Any = pytest.importorskip(name)
        self.adapter: Any = importlib.import_module(f"streamkit.{name}")
        self.Replay: Any = self.adapter.ReplayTransport
        self.Recording: Any = self.adapter.RecordingTransport


@pytest.fixture(params=["httpx", "httpx2"])
def lib(request: pytest.FixtureRequest) -> Lib:
    return Lib(request.param)


@pytest.fixture
def session(tmp_path: Path) -> Path:
    """A recording of two streams; chunks at 0.5, 1.5, 2.0 (end 2.5), then 3.25, 4.0 (end 4.5)."""
    path = tmp_path / "session.ndjson"
    clock = ScriptedClock([0.0, 0.5, 1.5, 2.0, 2.5, 3.0, 3.25, 4.0, 4.5])
    with Recorder.open(path, response={"status": 201, "headers": HEADERS0}, clock=clock) as rec:
        for _ in rec.tap(STREAM0):
            pass
        rec.new_stream(response={"status": 200, "headers": HEADERS1})
        for _ in rec.tap(STREAM1):
            pass
    return path


# Closed early, the library's Response.aiter_raw leaves its inner async generator to the
# garbage collector, and trio warns about that.  Not ours to fix: silence exactly that warning.
# The mock's body (Upstream.abody) is wrapped by the library in a generator that does not
# close it either.
abandons_a_generator = pytest.mark.filterwarnings(
    r"ignore:Async generator 'httpx2?\._client\.BoundAsyncStream\.__aiter__':ResourceWarning",
    r"ignore:Async generator 'tests\.test_transports\.Upstream\.abody':ResourceWarning",
)


async def first_chunk(response: Any) -> bytes:
    chunks: AsyncGenerator[bytes, None] = response.aiter_raw()
    async with aclosing(chunks):
        return await anext(chunks)


class FakeSyncClock:
    """A sync clock whose sleeps return at once, advance ``now`` and are logged."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def current_time(self) -> float:
        return self.now

    def sleep(self, seconds: float, /) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.mark.parametrize("name", ["httpx", "httpx2"])
def test_import_without_the_library_says_what_to_install(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, name, None)  # makes `import <name>` fail
    monkeypatch.delitem(sys.modules, f"streamkit.{name}", raising=False)
    with pytest.raises(ImportError, match=rf"streamkit\[{name}\]"):
        importlib.import_module(f"streamkit.{name}")


def test_import_streamkit_needs_no_http_library() -> None:
    code = "import sys, streamkit; streamkit.ReplayMismatch; assert 'httpx' not in sys.modules"
    code += "; assert 'httpx2' not in sys.modules"
    import subprocess

    subprocess.run([sys.executable, "-c", code], check=True)


def test_both_adapters_share_one_implementation() -> None:
    httpx = pytest.importorskip("httpx")
    httpx2 = pytest.importorskip("httpx2")

    import streamkit.httpx
    import streamkit.httpx2
    from streamkit import _transport

    for name, base in (
        ("ReplayTransport", _transport.ReplayBase),
        ("RecordingTransport", _transport.RecordingBase),
    ):
        one, two = getattr(streamkit.httpx, name), getattr(streamkit.httpx2, name)
        assert one.__mro__[1] is two.__mro__[1] is base  # one implementation ...
        assert issubclass(one, httpx.BaseTransport)  # ... bound to each library's types
        assert not issubclass(one, httpx2.BaseTransport)
        assert issubclass(two, httpx2.BaseTransport)
        assert not issubclass(two, httpx.BaseTransport)
    assert (
        streamkit.httpx.ReplayMismatch
        is streamkit.httpx2.ReplayMismatch
        is streamkit.ReplayMismatch
    )
    assert streamkit.httpx.ReplayExhausted is streamkit.ReplayExhausted


# -- ReplayTransport -------------------------------------------------------------


class TestReplaySync:
    def get(self, client: Any, **kwargs: Any) -> tuple[Any, list[bytes]]:
        with client.stream("POST", URL, **kwargs) as response:
            return response, list(response.iter_raw())

    def test_bytes_boundaries_status_and_headers(self, lib: Lib, session: Path) -> None:
        with lib.http.Client(transport=lib.Replay(session, stream=0)) as client:
            response, chunks = self.get(client)
        assert chunks == STREAM0
        assert response.status_code == 201
        assert dict(response.headers) == HEADERS0

    def test_streams_without_requests_serve_requests_in_order(
        self, lib: Lib, session: Path
    ) -> None:
        with lib.http.Client(transport=lib.Replay(session)) as client:
            first, chunks0 = self.get(client)
            second, chunks1 = self.get(client)
            with pytest.raises(streamkit.ReplayExhausted, match=r"request #3, .* holds 2 streams"):
                self.get(client)
        assert (chunks0, chunks1) == (STREAM0, STREAM1)
        assert (first.headers["x-request-id"], second.headers["x-request-id"]) == ("req_0", "req_1")

    def test_a_fixed_stream_for_every_request(self, lib: Lib, session: Path) -> None:
        with lib.http.Client(transport=lib.Replay(session, stream=1)) as client:
            assert [self.get(client)[1] for _ in range(3)] == [STREAM1] * 3

    def test_a_raw_sse_body_gets_default_status_and_content_type(
        self, lib: Lib, tmp_path: Path
    ) -> None:
        body = b"event: done\ndata: [DONE]\n\n"
        (tmp_path / "body.sse").write_bytes(body)
        transport = lib.Replay(Replayer.open(tmp_path / "body.sse"))
        with lib.http.Client(transport=transport) as client:
            response, chunks = self.get(client)
        assert (response.status_code, response.headers["content-type"]) == (
            200,
            "text/event-stream",
        )
        assert chunks == [body]

    def test_rechunk(self, lib: Lib, session: Path) -> None:
        with lib.http.Client(transport=lib.Replay(session, stream=0, rechunk=1)) as client:
            chunks = self.get(client)[1]
        assert chunks == [bytes([b]) for b in b"".join(STREAM0)]

    def test_pacing_at_recorded_times_scaled_by_speed(self, lib: Lib, session: Path) -> None:
        clock = FakeSyncClock()
        transport = lib.Replay(session, stream=1, speed=2.0, sync_clock=clock)
        with lib.http.Client(transport=transport) as client:
            assert self.get(client)[1] == STREAM1
        # stream 1 starts at 3.0: chunks at +0.25 and +1.0, the end at +1.5, all halved
        assert clock.sleeps == [0.125, 0.375, 0.25]

    def test_no_waiting_at_speed_0(self, lib: Lib, session: Path) -> None:
        clock = FakeSyncClock()
        with lib.http.Client(transport=lib.Replay(session, sync_clock=clock)) as client:
            self.get(client)
        assert clock.sleeps == []

    def test_a_stall_freezes_the_stream_at_any_speed(self, lib: Lib, session: Path) -> None:
        clock = FakeSyncClock()
        faults = {0: Fault(stall=(1.0, 7.0))}
        transport = lib.Replay(session, stream=0, faults=faults, sync_clock=clock)
        with lib.http.Client(transport=transport) as client:
            assert self.get(client)[1] == STREAM0
        assert clock.sleeps == [7.0]

    @pytest.mark.anyio
    async def test_rechunked_pacing_matches_the_async_path(self, lib: Lib, session: Path) -> None:
        sync_clock, async_clock = FakeSyncClock(), FakeClock()
        kwargs: dict[str, Any] = {"stream": 1, "speed": 1.0, "rechunk": 4}
        sync = lib.Replay(session, sync_clock=sync_clock, **kwargs)
        with lib.http.Client(transport=sync) as client:
            chunks = self.get(client)[1]
        async_ = lib.Replay(session, clock=async_clock, **kwargs)
        async with (
            lib.http.AsyncClient(transport=async_) as aclient,
            aclient.stream("POST", URL) as response,
        ):
            assert [c async for c in response.aiter_raw()] == chunks
        assert chunks == [b"data", b": tw", b"o\r\n\r", b"\n"]
        # a piece comes when its last byte was recorded: 0.25, 0.25, 1.0, 1.0; the end at 1.5
        assert sync_clock.sleeps == async_clock.sleeps == [0.25, 0.75, 0.5]

    def test_bad_arguments(self, lib: Lib, session: Path) -> None:
        with pytest.raises(ValueError, match="speed"):
            lib.Replay(session, speed=-1)
        with pytest.raises(ValueError, match="holds 2 streams"):
            lib.Replay(session, stream=2)
        with pytest.raises(ValueError, match="cannot match on 'verb'"):
            lib.Replay(session, match=["verb"])
        with pytest.raises(ValueError, match="rechunk"):
            lib.Replay(session, rechunk=0)


@pytest.mark.anyio
class TestReplayAsync:
    async def get(self, client: Any) -> tuple[Any, list[bytes]]:
        async with client.stream("POST", URL) as response:
            return response, [chunk async for chunk in response.aiter_raw()]

    async def test_bytes_boundaries_status_and_headers(self, lib: Lib, session: Path) -> None:
        async with lib.http.AsyncClient(transport=lib.Replay(session, stream=0)) as client:
            response, chunks = await self.get(client)
        assert chunks == STREAM0
        assert response.status_code == 201
        assert dict(response.headers) == HEADERS0

    async def test_a_session_serves_one_stream_per_request(self, lib: Lib, session: Path) -> None:
        async with lib.http.AsyncClient(transport=lib.Replay(session)) as client:
            assert (await self.get(client))[1] == STREAM0
            assert (await self.get(client))[1] == STREAM1
            with pytest.raises(streamkit.ReplayExhausted):
                await self.get(client)

    async def test_pacing_at_recorded_times_scaled_by_speed(self, lib: Lib, session: Path) -> None:
        clock = FakeClock()
        transport = lib.Replay(session, speed=2.0, clock=clock)
        async with lib.http.AsyncClient(transport=transport) as client:
            assert (await self.get(client))[1] == STREAM0
        assert clock.sleeps == [0.25, 0.5, 0.25, 0.25]  # 0.5, 1.5, 2.0 and the end 2.5, halved

    @abandons_a_generator
    async def test_closing_early_stops_the_replay(self, lib: Lib, session: Path) -> None:
        clock = FakeClock()
        transport = lib.Replay(session, speed=1.0, clock=clock)
        async with (
            lib.http.AsyncClient(transport=transport) as client,
            client.stream("POST", URL) as response,
        ):
            assert await first_chunk(response) == STREAM0[0]
        assert clock.sleeps == [0.5]


# -- RecordingTransport ----------------------------------------------------------

SSE_HEADERS = {"content-type": "text/event-stream", "set-cookie": SECRETS[2], "x-request-id": "r"}


class Upstream:
    """What the mocked server sends: *chunks* as an SSE body, failing with *fail* at the end.

    Any request whose JSON has no ``"stream": true`` gets a JSON answer instead
    (a 404 for any path but the chat one); ``requests`` counts what it got.
    """

    def __init__(
        self,
        lib: Lib,
        chunks: Sequence[bytes],
        *,
        content_type: str = "text/event-stream",
        fail: Exception | None = None,
    ) -> None:
        self.lib = lib
        self.chunks = chunks
        self.headers = SSE_HEADERS | {"content-type": content_type}
        self.fail = fail
        self.requests: list[Any] = []

    def body(self) -> Iterator[bytes]:
        yield from self.chunks
        if self.fail is not None:
            raise self.fail

    async def abody(self) -> AsyncIterator[bytes]:
        for chunk in self.body():
            yield chunk

    def answer(self, request: Any, body: Any) -> Any:
        self.requests.append(request)
        if request.url.path != "/v1/chat/completions":
            return self.lib.http.Response(404, json={"error": {"message": "no such route"}})
        is_json = request.headers.get("content-type") == "application/json"
        if is_json and not json.loads(request.content).get("stream", True):
            return self.lib.http.Response(200, json={"id": "cmpl", "api_key": "sk-in-body"})
        return self.lib.http.Response(200, headers=self.headers, content=body)

    def sync(self) -> Any:
        return self.lib.http.MockTransport(lambda request: self.answer(request, self.body()))

    def async_(self) -> Any:
        async def handle(request: Any) -> Any:
            return self.answer(request, self.abody())

        return self.lib.http.MockTransport(handle)


def check_cassette(path: Path, streams: int = 1) -> Replayer:
    """The cassette at *path*, its secrets checked absent from its bytes."""
    data = path.read_bytes()
    for secret in SECRETS:
        assert secret.encode() not in data
    replayer = Replayer.open(path)
    assert len(replayer.streams) == streams
    return replayer


def check_exchange(replayer: Replayer, index: int, chunks: Sequence[bytes], end: str) -> None:
    stream = replayer.streams[index]
    assert [chunk for _, chunk in stream.chunks] == list(chunks)
    assert stream.end == end
    request, response = stream.request, stream.response
    assert request is not None
    assert response is not None
    assert (request["method"], request["url"]) == ("POST", URL)
    headers = request["headers"]
    assert headers["authorization"] == headers["api-key"] == headers["x-api-key"] == "[redacted]"
    assert headers["x-trace"] == "t"
    assert response["status"] == 200
    # the library's Response adds transfer-encoding for an iterator body
    expected = SSE_HEADERS | {"set-cookie": "[redacted]", "transfer-encoding": "chunked"}
    assert response["headers"] == expected


class TestRecordSync:
    def test_records_byte_and_boundary_exact_passing_the_same_chunks(
        self, lib: Lib, tmp_path: Path
    ) -> None:
        sent = [b"event: a\r", b"\ndata: \xe2\x82", b"\xac\r\n\r\n", b"data: [DONE]\n\n"]
        path = tmp_path / "c.ndjson"
        transport = lib.Recording(Upstream(lib, sent).sync(), path)
        with (
            lib.http.Client(transport=transport) as client,
            client.stream("POST", URL, headers=REQUEST_HEADERS, json={"q": 1}) as response,
        ):
            received = list(response.iter_raw())
        assert all(got is chunk for got, chunk in zip(received, sent, strict=True))
        replayer = check_cassette(path)
        check_exchange(replayer, 0, sent, "eof")
        assert replayer.streams[0].request == {
            "method": "POST",
            "url": URL,
            "headers": replayer.streams[0].request["headers"],  # type: ignore[index]
            "json": {"q": 1},
            "body_size": 7,
        }
        assert replayer.streams[0].dialect is None  # "event: a" is no known dialect's first event

        # and the cassette replays exactly that, to the same request
        with (
            lib.http.Client(transport=lib.Replay(path)) as client,
            client.stream("POST", URL, json={"q": 1}) as response,
        ):
            assert list(response.iter_raw()) == sent
            assert response.headers["set-cookie"] == "[redacted]"
            assert response.headers["x-request-id"] == "r"

    def test_a_session_holds_every_exchange_in_order_json_and_errors_too(
        self, lib: Lib, tmp_path: Path
    ) -> None:
        chat = [b'data: {"id":"c","object":"chat.completion.chunk","choices":[]}\n\n']
        path = tmp_path / "c.ndjson"
        upstream = Upstream(lib, chat)
        with lib.http.Client(transport=lib.Recording(upstream.sync(), path)) as client:
            streamed = client.post(URL, json={"stream": True}).content
            plain = client.post(URL, json={"stream": False}).json()
            missing = client.get("http://test/v1/nothing")
        assert missing.status_code == 404
        replayer = check_cassette(path, streams=3)
        assert [s.dialect for s in replayer.streams] == ["chat", None, None]
        assert [len(s.chunks) for s in replayer.streams] == [1, 1, 1]
        assert b"sk-in-body" in replayer.streams[1].body  # response bodies are kept as sent
        assert [s.response["status"] for s in replayer.streams if s.response] == [200, 200, 404]

        # The same requests in another order get the same answers: matched, not counted.
        with lib.http.Client(transport=lib.Replay(path)) as client:
            assert client.get("http://test/v1/nothing").status_code == 404
            assert client.post(URL, json={"stream": False}).json() == plain
            assert client.post(URL, json={"stream": True}).content == streamed
            with pytest.raises(streamkit.ReplayExhausted, match=r"matches stream 1 .* replayed"):
                client.post(URL, json={"stream": False})
            with pytest.raises(streamkit.ReplayMismatch) as caught:
                client.post(URL + "?n=2", json={"stream": False})
        message = str(caught.value)
        assert message.startswith("request #5, POST http://test/v1/chat/completions?n=2,")
        assert "the closest is stream 1, POST http://test/v1/chat/completions" in message
        assert "query: recorded (), sent (('n', '2'),)" in message
        assert caught.value.closest is not None

    def test_matching_is_configurable(self, lib: Lib, tmp_path: Path) -> None:
        path = tmp_path / "c.ndjson"
        with lib.http.Client(transport=lib.Recording(Upstream(lib, []).sync(), path)) as c:
            c.post(URL, json={"stream": False, "seed": 1})
        with lib.http.Client(transport=lib.Replay(path, match=["method", "path"])) as c:
            assert c.post(URL, json={"stream": False, "seed": 2}).json()["id"] == "cmpl"

        def same_seed_parity(live: Any, recorded: Any) -> bool:
            return bool(live.json["seed"] % 2 == recorded.json["seed"] % 2)

        with lib.http.Client(transport=lib.Replay(path, match=same_seed_parity)) as c:
            assert c.post(URL, json={"stream": False, "seed": 3}).status_code == 200
            with pytest.raises(streamkit.ReplayMismatch, match=r"matched by .*same_seed_parity"):
                c.post(URL, json={"stream": False, "seed": 4})

    def test_redaction_of_headers_query_and_json_fields(self, lib: Lib, tmp_path: Path) -> None:
        path = tmp_path / "c.ndjson"
        transport = lib.Recording(
            Upstream(lib, []).sync(), path, redact=["X-Trace", "password", "token"]
        )
        with lib.http.Client(transport=transport) as client:
            client.post(
                URL + "?token=hush-query&x=1",
                headers={"x-trace": "hush-header", "Cookie": "hush-cookie"},
                json={"stream": False, "user": {"password": "hush-field"}, "api_key": "ok"},
            )
        data = path.read_bytes()
        for secret in (b"hush-header", b"hush-cookie", b"hush-field", b"hush-query"):
            assert secret not in data
        request = Replayer.open(path).streams[0].request
        assert request is not None
        assert request["json"]["user"] == {"password": "[redacted]"}
        # ... and a request sending other values for the redacted ones still matches
        with lib.http.Client(transport=lib.Replay(path)) as client:
            response = client.post(
                URL + "?token=other&x=1",
                json={"stream": False, "user": {"password": "other"}, "api_key": "ok"},
            )
            assert response.status_code == 200

    def test_a_multipart_upload_matches_across_random_boundaries(
        self, lib: Lib, tmp_path: Path
    ) -> None:
        path = tmp_path / "c.ndjson"
        files = {"file": ("notes.txt", b"some notes")}
        with lib.http.Client(transport=lib.Recording(Upstream(lib, []).sync(), path)) as c:
            c.post(URL, files=files, data={"purpose": "assistants"})
        request = Replayer.open(path).streams[0].request
        assert request is not None
        assert len(request["body_sha256"]) == 64
        with lib.http.Client(transport=lib.Replay(path)) as c:
            assert c.post(URL, files=files, data={"purpose": "assistants"}).status_code == 200
        with (
            lib.http.Client(transport=lib.Replay(path)) as c,
            pytest.raises(streamkit.ReplayMismatch, match=r"body: recorded \d+ bytes, sha256:"),
        ):
            c.post(URL, files={"file": ("notes.txt", b"other notes")}, data={"purpose": "x"})

    def test_closed_early_is_cancelled(self, lib: Lib, tmp_path: Path) -> None:
        path = tmp_path / "c.ndjson"
        transport = lib.Recording(Upstream(lib, STREAM0).sync(), path)
        with (
            lib.http.Client(transport=transport) as client,
            client.stream("POST", URL, headers=REQUEST_HEADERS) as response,
        ):
            for _ in response.iter_raw():
                break
        check_exchange(check_cassette(path), 0, STREAM0[:1], "cancelled")

    def test_closed_unread_is_cancelled(self, lib: Lib, tmp_path: Path) -> None:
        path = tmp_path / "c.ndjson"
        transport = lib.Recording(Upstream(lib, STREAM0).sync(), path)
        with (
            lib.http.Client(transport=transport) as client,
            client.stream("POST", URL, headers=REQUEST_HEADERS),
        ):
            pass
        check_exchange(check_cassette(path), 0, [], "cancelled")

    def test_an_upstream_error_is_recorded_raised_and_replayed(
        self, lib: Lib, tmp_path: Path
    ) -> None:
        path = tmp_path / "c.ndjson"
        upstream = Upstream(lib, STREAM0, fail=lib.http.ReadError("connection reset"))
        transport = lib.Recording(upstream.sync(), path)
        with (
            lib.http.Client(transport=transport) as client,
            pytest.raises(lib.http.ReadError),
            client.stream("POST", URL, headers=REQUEST_HEADERS) as response,
        ):
            response.read()
        replayer = check_cassette(path)
        check_exchange(replayer, 0, STREAM0, "error")
        stream = replayer.streams[0]
        assert (stream.error, stream.error_message) == ("ReadError", "connection reset")
        # the replay fails the same way, after the same bytes
        got: list[bytes] = []
        with (
            lib.http.Client(transport=lib.Replay(path)) as client,
            client.stream("POST", URL) as response,
            pytest.raises(lib.http.ReadError, match="recorded stream failed here"),
        ):
            got.extend(response.iter_raw())
        assert got == STREAM0

    def test_new_episodes_appends_and_all_replaces(self, lib: Lib, tmp_path: Path) -> None:
        path = tmp_path / "c.ndjson"
        upstream = Upstream(lib, STREAM1)
        with lib.http.Client(transport=lib.Recording(upstream.sync(), path)) as client:
            client.post(URL, json={"n": 1})
        before = path.read_bytes()
        transport = lib.Recording(upstream.sync(), path, record_mode="new_episodes")
        with lib.http.Client(transport=transport) as client:
            client.post(URL, json={"n": 1})  # replayed
            client.post(URL, json={"n": 2})  # recorded
        assert len(upstream.requests) == 2
        after = path.read_bytes()
        assert after.startswith(before)
        streams = check_cassette(path, streams=2).streams
        assert streams[1].t0 >= streams[0].end_t  # type: ignore[operator]
        assert [s.request["json"] for s in streams if s.request] == [{"n": 1}, {"n": 2}]
        with lib.http.Client(transport=lib.Recording(upstream.sync(), path)) as client:
            client.post(URL, json={"n": 3})
        assert len(upstream.requests) == 3
        assert len(check_cassette(path).streams) == 1

    def test_a_directory_is_refused(self, lib: Lib, tmp_path: Path) -> None:
        with pytest.raises(ValueError, match="is a directory"):
            lib.Recording(Upstream(lib, []).sync(), tmp_path)

    def test_an_async_only_transport_refuses_sync_use(self, lib: Lib, tmp_path: Path) -> None:
        inner = lib.http.AsyncHTTPTransport()
        transport = lib.Recording(inner, tmp_path / "c.ndjson")
        with pytest.raises(TypeError, match=f"not a {lib.name} sync transport"):
            transport.handle_request(lib.http.Request("GET", URL))

    def test_the_other_librarys_transport_is_refused(self, lib: Lib, tmp_path: Path) -> None:
        other = Lib("httpx2" if lib.name == "httpx" else "httpx")
        with pytest.raises(TypeError, match=f"is not a {lib.name} transport"):
            lib.Recording(other.http.MockTransport(lambda r: None), tmp_path / "c.ndjson")


@pytest.mark.anyio
class TestRecordAsync:
    async def test_records_byte_and_boundary_exact_passing_the_same_chunks(
        self, lib: Lib, tmp_path: Path
    ) -> None:
        sent = [b"event: a\r", b"\ndata: \xe2\x82", b"\xac\r\n\r\n"]
        path = tmp_path / "c.ndjson"
        transport = lib.Recording(Upstream(lib, sent).async_(), path)
        async with (
            lib.http.AsyncClient(transport=transport) as client,
            client.stream("POST", URL, headers=REQUEST_HEADERS) as response,
        ):
            received = [chunk async for chunk in response.aiter_raw()]
        assert all(got is chunk for got, chunk in zip(received, sent, strict=True))
        check_exchange(check_cassette(path), 0, sent, "eof")

    @abandons_a_generator
    async def test_closed_early_is_cancelled(self, lib: Lib, tmp_path: Path) -> None:
        path = tmp_path / "c.ndjson"
        transport = lib.Recording(Upstream(lib, STREAM0).async_(), path)
        async with (
            lib.http.AsyncClient(transport=transport) as client,
            client.stream("POST", URL, headers=REQUEST_HEADERS) as response,
        ):
            await first_chunk(response)
        check_exchange(check_cassette(path), 0, STREAM0[:1], "cancelled")

    async def test_closed_unread_is_cancelled(self, lib: Lib, tmp_path: Path) -> None:
        path = tmp_path / "c.ndjson"
        transport = lib.Recording(Upstream(lib, STREAM0).async_(), path)
        async with (
            lib.http.AsyncClient(transport=transport) as client,
            client.stream("POST", URL, headers=REQUEST_HEADERS),
        ):
            pass
        check_exchange(check_cassette(path), 0, [], "cancelled")

    async def test_an_upstream_error_is_recorded_and_raised(self, lib: Lib, tmp_path: Path) -> None:
        path = tmp_path / "c.ndjson"
        upstream = Upstream(lib, STREAM0, fail=lib.http.ReadError("connection reset"))
        transport = lib.Recording(upstream.async_(), path)
        async with lib.http.AsyncClient(transport=transport) as client:
            with pytest.raises(lib.http.ReadError):
                async with client.stream("POST", URL, headers=REQUEST_HEADERS) as response:
                    await response.aread()
        check_exchange(check_cassette(path), 0, STREAM0, "error")

    async def test_overlapping_exchanges_are_written_whole_in_the_order_they_began(
        self, lib: Lib, tmp_path: Path
    ) -> None:
        path = tmp_path / "c.ndjson"
        transport = lib.Recording(Upstream(lib, STREAM0).async_(), path)
        async with (
            lib.http.AsyncClient(transport=transport) as client,
            client.stream("POST", URL, json={"n": 1}) as one,
        ):
            async with client.stream("POST", URL, json={"n": 2}) as two:  # begun second, read first
                assert [c async for c in two.aiter_raw()] == STREAM0
            assert [c async for c in one.aiter_raw()] == STREAM0
        streams = check_cassette(path, streams=2).streams
        assert [s.request["json"]["n"] for s in streams if s.request] == [1, 2]
        assert [s.end for s in streams] == ["eof", "eof"]
        assert all([c for _, c in s.chunks] == STREAM0 for s in streams)

    async def test_a_json_body_is_recorded_as_one_chunk(self, lib: Lib, tmp_path: Path) -> None:
        path = tmp_path / "c.ndjson"
        upstream = Upstream(lib, [b'{"id":', b" 1}"], content_type="application/json")
        async with lib.http.AsyncClient(transport=lib.Recording(upstream.async_(), path)) as client:
            assert (await client.post(URL)).json() == {"id": 1}
        (stream,) = check_cassette(path).streams
        assert stream.chunks[0][1] == b'{"id": 1}'
        assert len(stream.chunks) == 1


# -- faults over HTTP -------------------------------------------------------------

ANTHROPIC = b"".join(
    b"event: %s\ndata: %s\n\n" % (name.encode(), json.dumps(data).encode())
    for name, data in [
        ("message_start", {"type": "message_start", "message": {"id": "msg_1", "type": "message",
         "role": "assistant", "model": "claude", "content": [], "stop_reason": None,
         "stop_sequence": None, "usage": {"input_tokens": 1, "output_tokens": 1}}}),
        ("content_block_start", {"type": "content_block_start", "index": 0,
         "content_block": {"type": "text", "text": ""}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0,
         "delta": {"type": "text_delta", "text": "Hello"}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn",
         "stop_sequence": None}, "usage": {"output_tokens": 2}}),
        ("message_stop", {"type": "message_stop"}),
    ]
)  # fmt: skip


@pytest.fixture
def anthropic_cassette(tmp_path: Path) -> Path:
    path = tmp_path / "anthropic.ndjson"
    with Recorder.open(path, dialect="anthropic") as recorder:
        list(recorder.tap([ANTHROPIC[:150], ANTHROPIC[150:]]))
    return path


class TestFaults:
    def body(self, lib: Lib, path: Path, fault: Fault) -> bytes:
        with lib.http.Client(transport=lib.Replay(path, faults=fault)) as client:
            return bytes(client.post(URL).content)

    def test_cut_at_a_byte_and_before_an_event(self, lib: Lib, anthropic_cassette: Path) -> None:
        assert self.body(lib, anthropic_cassette, Fault(cut_at=170)) == ANTHROPIC[:170]
        third = ANTHROPIC.index(b"event: content_block_delta")
        assert self.body(lib, anthropic_cassette, Fault(cut_event=2)) == ANTHROPIC[:third]
        assert self.body(lib, anthropic_cassette, Fault(cut_event=99)) == ANTHROPIC

    def test_drop_raises_the_librarys_error_after_the_bytes(
        self, lib: Lib, anthropic_cassette: Path
    ) -> None:
        got: list[bytes] = []
        transport = lib.Replay(anthropic_cassette, faults=Fault(drop_event=3))
        with (
            lib.http.Client(transport=transport) as client,
            client.stream("POST", URL) as response,
            pytest.raises(lib.http.RemoteProtocolError, match="connection drops after byte"),
        ):
            got.extend(response.iter_raw())
        assert b"".join(got) == ANTHROPIC[: ANTHROPIC.index(b"event: content_block_stop")]

    def test_inject_an_error_event(self, lib: Lib, anthropic_cassette: Path) -> None:
        error = streamkit.encode_event(
            event="error",
            data=json.dumps(
                {"type": "error", "error": {"type": "overloaded_error", "message": "x"}}
            ),
        )
        fault = Fault(inject={2: error}, cut_event=2)
        third = ANTHROPIC.index(b"event: content_block_delta")
        assert self.body(lib, anthropic_cassette, fault) == ANTHROPIC[:third] + error

    def test_faults_apply_to_the_named_stream_only(self, lib: Lib, session: Path) -> None:
        transport = lib.Replay(session, faults={1: Fault(cut_at=3)})
        with lib.http.Client(transport=transport) as client:
            assert client.post(URL).content == b"".join(STREAM0)
            assert client.post(URL).content == b"dat"

    def test_bad_faults(self) -> None:
        with pytest.raises(ValueError, match="cut_at must be an int >= 0"):
            Fault(cut_at=-1)
        with pytest.raises(ValueError, match="stall"):
            Fault(stall=(1.0, -2.0))
        with pytest.raises(TypeError, match=r"inject\[0\] must be bytes"):
            Fault(inject={0: "text"})  # type: ignore[dict-item]


# -- the SDKs -----------------------------------------------------------------------


def test_anthropic_takes_an_httpx2_client_with_a_streamkit_transport(
    anthropic_cassette: Path,
) -> None:
    anthropic = pytest.importorskip("anthropic")
    httpx2 = pytest.importorskip("httpx2")
    import streamkit.httpx2

    http_client = httpx2.Client(transport=streamkit.httpx2.ReplayTransport(anthropic_cassette))
    client = anthropic.Anthropic(api_key="test", base_url="http://test", http_client=http_client)
    with client.messages.stream(
        model="claude", max_tokens=5, messages=[{"role": "user", "content": "hi"}]
    ) as stream:
        assert stream.get_final_text() == "Hello"
    folded = streamkit.Cassette(anthropic_cassette).fold(0)
    assert folded.result.content[0].text == "Hello"


def test_an_sdk_reports_a_mismatch_as_its_connection_error(anthropic_cassette: Path) -> None:
    """SDKs wrap transport errors; the ReplayMismatch is the cause, and the cassette keeps it."""
    anthropic = pytest.importorskip("anthropic")
    httpx2 = pytest.importorskip("httpx2")
    import streamkit.httpx2

    transport = streamkit.httpx2.ReplayTransport(anthropic_cassette)
    http_client = httpx2.Client(transport=transport)
    client = anthropic.Anthropic(
        api_key="test", base_url="http://test", http_client=http_client, max_retries=0
    )
    client.messages.create(model="claude", max_tokens=5, messages=[])  # a stream without request
    with pytest.raises(anthropic.APIConnectionError) as caught:
        client.messages.create(model="claude", max_tokens=5, messages=[])
    assert isinstance(caught.value.__cause__, streamkit.ReplayExhausted)
    assert transport.cassette.mismatches == [caught.value.__cause__]


ASSISTANTS_RUN = "openai-dotnet_text-run_2025-09-16a.sse"


@pytest.mark.filterwarnings("ignore:The Assistants API is deprecated:DeprecationWarning")
def test_openai_sdk_replays_an_assistants_run_through_httpx2() -> None:
    openai = pytest.importorskip("openai")
    httpx2 = pytest.importorskip("httpx2")
    import streamkit.httpx2

    from .helpers import REAL

    path = REAL / "assistants" / ASSISTANTS_RUN
    http_client = httpx2.Client(transport=streamkit.httpx2.ReplayTransport(path))
    with (
        openai.OpenAI(api_key="sk-test", base_url="http://test/v1", http_client=http_client) as c,
        c.beta.threads.runs.stream(thread_id="thread_x", assistant_id="asst_x") as stream,
    ):
        run = stream.get_final_run()
        messages = stream.get_final_messages()
    assert run.status == "completed"
    acc = streamkit.assistants.Accumulator()
    for event in Replayer.open(path).iter_events():
        acc.feed(event)
    assert [m.id for m in messages] == list(acc.messages)
