"""streamkit.httpx: replaying recordings to httpx clients, recording what they receive."""

from __future__ import annotations

import importlib
import re
import sys
from contextlib import aclosing
from typing import TYPE_CHECKING, Any, cast

import msgspec
import pytest

httpx = pytest.importorskip("httpx")

import streamkit
from streamkit.httpx import RecordingTransport, ReplayExhausted, ReplayTransport
from streamkit.recording import Recorder, Replayer

from .helpers import REAL
from .recording.helpers import FakeClock, ScriptedClock

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Sequence
    from pathlib import Path

URL = "http://test/v1/threads/runs"
# Stream 0: an event, then a euro sign split between two chunks.  Stream 1: a CRLF split.
STREAM0 = [b"event: a\ndata: 1\n\n", b"data: \xe2\x82", b"\xac\n\n"]
STREAM1 = [b"data: two\r", b"\n\r\n"]
HEADERS0 = {"content-type": "text/event-stream; charset=utf-8", "x-request-id": "req_0"}
HEADERS1 = {"content-type": "text/event-stream", "x-request-id": "req_1"}
SECRETS = ("Bearer sk-secret-1", "secret-2", "session=secret-3")


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


# Closed early, httpx's Response.aiter_raw leaves its inner async generator to the garbage
# collector, and trio warns about that.  Not ours to fix: silence exactly that warning.
httpx_abandons_a_generator = pytest.mark.filterwarnings(
    r"ignore:Async generator 'httpx\._client\.BoundAsyncStream\.__aiter__':ResourceWarning"
)


async def first_chunk(response: httpx.Response) -> bytes:
    """One chunk of *response*'s body; the iterator is closed (trio warns about abandoned ones)."""
    chunks = cast("AsyncGenerator[bytes, None]", response.aiter_raw())
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


def test_import_without_httpx_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "httpx", None)  # makes `import httpx` fail
    monkeypatch.delitem(sys.modules, "streamkit.httpx")
    with pytest.raises(ImportError, match=r"streamkit\[httpx\]"):
        importlib.import_module("streamkit.httpx")


# -- ReplayTransport -------------------------------------------------------------


class TestReplaySync:
    def get(self, client: httpx.Client) -> tuple[httpx.Response, list[bytes]]:
        with client.stream("POST", URL) as response:
            return response, list(response.iter_raw())

    def test_bytes_boundaries_status_and_headers(self, session: Path) -> None:
        with httpx.Client(transport=ReplayTransport(session, stream=0)) as client:
            response, chunks = self.get(client)
        assert chunks == STREAM0
        assert response.status_code == 201
        assert dict(response.headers) == HEADERS0

    def test_a_session_serves_one_stream_per_request(self, session: Path) -> None:
        with httpx.Client(transport=ReplayTransport(session)) as client:
            first, chunks0 = self.get(client)
            second, chunks1 = self.get(client)
            with pytest.raises(ReplayExhausted, match=r"request #3, .* holds 2 streams"):
                self.get(client)
        assert (chunks0, chunks1) == (STREAM0, STREAM1)
        assert (first.headers["x-request-id"], second.headers["x-request-id"]) == ("req_0", "req_1")

    def test_a_fixed_stream_for_every_request(self, session: Path) -> None:
        with httpx.Client(transport=ReplayTransport(session, stream=1)) as client:
            assert [self.get(client)[1] for _ in range(3)] == [STREAM1] * 3

    def test_a_raw_sse_body_gets_default_status_and_content_type(self, tmp_path: Path) -> None:
        body = b"event: done\ndata: [DONE]\n\n"
        (tmp_path / "body.sse").write_bytes(body)
        transport = ReplayTransport(Replayer.open(tmp_path / "body.sse"))
        with httpx.Client(transport=transport) as client:
            response, chunks = self.get(client)
        assert (response.status_code, response.headers["content-type"]) == (
            200,
            "text/event-stream",
        )
        assert chunks == [body]

    def test_rechunk(self, session: Path) -> None:
        with httpx.Client(transport=ReplayTransport(session, stream=0, rechunk=1)) as client:
            chunks = self.get(client)[1]
        assert chunks == [bytes([b]) for b in b"".join(STREAM0)]

    def test_pacing_at_recorded_times_scaled_by_speed(self, session: Path) -> None:
        clock = FakeSyncClock()
        transport = ReplayTransport(session, stream=1, speed=2.0, sync_clock=clock)
        with httpx.Client(transport=transport) as client:
            assert self.get(client)[1] == STREAM1
        # stream 1 starts at 3.0: chunks at +0.25 and +1.0, the end at +1.5, all halved
        assert clock.sleeps == [0.125, 0.375, 0.25]

    def test_no_waiting_at_speed_0(self, session: Path) -> None:
        clock = FakeSyncClock()
        with httpx.Client(transport=ReplayTransport(session, sync_clock=clock)) as client:
            self.get(client)
        assert clock.sleeps == []

    @pytest.mark.anyio
    async def test_rechunked_pacing_matches_the_async_path(self, session: Path) -> None:
        sync_clock, async_clock = FakeSyncClock(), FakeClock()
        kwargs: dict[str, Any] = {"stream": 1, "speed": 1.0, "rechunk": 4}
        sync = ReplayTransport(session, sync_clock=sync_clock, **kwargs)
        with httpx.Client(transport=sync) as client:
            chunks = self.get(client)[1]
        async_ = ReplayTransport(session, clock=async_clock, **kwargs)
        async with (
            httpx.AsyncClient(transport=async_) as aclient,
            aclient.stream("POST", URL) as response,
        ):
            assert [c async for c in response.aiter_raw()] == chunks
        assert chunks == [b"data", b": tw", b"o\r\n\r", b"\n"]
        # a piece comes when its last byte was recorded: 0.25, 0.25, 1.0, 1.0; the end at 1.5
        assert sync_clock.sleeps == async_clock.sleeps == [0.25, 0.75, 0.5]

    def test_bad_arguments(self, session: Path) -> None:
        with pytest.raises(ValueError, match="speed"):
            ReplayTransport(session, speed=-1)
        with pytest.raises(ValueError, match="holds 2 streams"):
            ReplayTransport(session, stream=2)


@pytest.mark.anyio
class TestReplayAsync:
    async def get(self, client: httpx.AsyncClient) -> tuple[httpx.Response, list[bytes]]:
        async with client.stream("POST", URL) as response:
            return response, [chunk async for chunk in response.aiter_raw()]

    async def test_bytes_boundaries_status_and_headers(self, session: Path) -> None:
        async with httpx.AsyncClient(transport=ReplayTransport(session, stream=0)) as client:
            response, chunks = await self.get(client)
        assert chunks == STREAM0
        assert response.status_code == 201
        assert dict(response.headers) == HEADERS0

    async def test_a_session_serves_one_stream_per_request(self, session: Path) -> None:
        async with httpx.AsyncClient(transport=ReplayTransport(session)) as client:
            assert (await self.get(client))[1] == STREAM0
            assert (await self.get(client))[1] == STREAM1
            with pytest.raises(ReplayExhausted):
                await self.get(client)

    async def test_pacing_at_recorded_times_scaled_by_speed(self, session: Path) -> None:
        clock = FakeClock()
        transport = ReplayTransport(session, speed=2.0, clock=clock)
        async with httpx.AsyncClient(transport=transport) as client:
            assert (await self.get(client))[1] == STREAM0
        assert clock.sleeps == [0.25, 0.5, 0.25, 0.25]  # 0.5, 1.5, 2.0 and the end 2.5, halved

    @httpx_abandons_a_generator
    async def test_closing_early_stops_the_replay(self, session: Path) -> None:
        clock = FakeClock()
        transport = ReplayTransport(session, speed=1.0, clock=clock)
        async with (
            httpx.AsyncClient(transport=transport) as client,
            client.stream("POST", URL) as response,
        ):
            assert await first_chunk(response) == STREAM0[0]
        assert clock.sleeps == [0.5]


# -- RecordingTransport ----------------------------------------------------------

SSE_HEADERS = {"content-type": "text/event-stream", "set-cookie": SECRETS[2], "x-request-id": "r"}
REQUEST_HEADERS = {"Authorization": SECRETS[0], "api-key": SECRETS[1], "x-trace": "t"}


class Upstream:
    """What the mocked server sends: *chunks* as an SSE body, failing with *fail* at the end."""

    def __init__(
        self,
        chunks: Sequence[bytes],
        *,
        content_type: str = "text/event-stream",
        fail: Exception | None = None,
    ) -> None:
        self.chunks = chunks
        self.headers = SSE_HEADERS | {"content-type": content_type}
        self.fail = fail

    def body(self) -> Iterator[bytes]:
        yield from self.chunks
        if self.fail is not None:
            raise self.fail

    async def abody(self) -> AsyncIterator[bytes]:
        for chunk in self.body():
            yield chunk

    def sync(self) -> httpx.MockTransport:
        return httpx.MockTransport(
            lambda _: httpx.Response(200, headers=self.headers, content=self.body())
        )

    def async_(self) -> httpx.MockTransport:
        async def handle(_: httpx.Request) -> httpx.Response:
            return httpx.Response(200, headers=self.headers, content=self.abody())

        return httpx.MockTransport(handle)


def only_recording(transport: RecordingTransport) -> Replayer:
    (path,) = transport.paths
    assert list(transport.directory.iterdir()) == [path]
    assert re.fullmatch(r"stream-0001-\d{8}T\d{6}\.\d{6}Z\.ndjson", path.name)
    data = path.read_bytes()
    for secret in SECRETS:
        assert secret.encode() not in data
    return Replayer.open(path)


def check_recording(replayer: Replayer, chunks: Sequence[bytes], end: str) -> None:
    (stream,) = replayer.streams
    assert [chunk for _, chunk in stream.chunks] == list(chunks)
    assert stream.end == end
    assert replayer.header.dialect == "assistants"
    request, response = replayer.header.request, replayer.header.response
    assert request is not None
    assert response is not None
    assert (request["method"], request["url"]) == ("POST", URL)
    assert request["headers"]["authorization"] == request["headers"]["api-key"] == "[redacted]"
    assert request["headers"]["x-trace"] == "t"
    assert response["status"] == 200
    # httpx.Response adds transfer-encoding for an iterator body
    expected = SSE_HEADERS | {"set-cookie": "[redacted]", "transfer-encoding": "chunked"}
    assert response["headers"] == expected


class TestRecordSync:
    def test_records_byte_and_boundary_exact_passing_the_same_chunks(self, tmp_path: Path) -> None:
        sent = [b"event: a\r", b"\ndata: \xe2\x82", b"\xac\r\n\r\n", b"data: [DONE]\n\n"]
        transport = RecordingTransport(Upstream(sent).sync(), tmp_path / "rec")
        with (
            httpx.Client(transport=transport) as client,
            client.stream("POST", URL, headers=REQUEST_HEADERS) as response,
        ):
            received = list(response.iter_raw())
        assert all(got is chunk for got, chunk in zip(received, sent, strict=True))
        check_recording(only_recording(transport), sent, "eof")

        # and the recording replays exactly that
        with (
            httpx.Client(transport=ReplayTransport(transport.paths[0])) as client,
            client.stream("POST", URL) as response,
        ):
            assert list(response.iter_raw()) == sent
            assert response.headers["set-cookie"] == "[redacted]"
            assert response.headers["x-request-id"] == "r"

    def test_a_non_sse_response_is_not_recorded(self, tmp_path: Path) -> None:
        upstream = Upstream([b'{"id": 1}'], content_type="application/json")
        transport = RecordingTransport(upstream.sync(), tmp_path)
        with httpx.Client(transport=transport) as client:
            assert client.post(URL).json() == {"id": 1}
        assert transport.paths == []
        assert list(tmp_path.iterdir()) == []

    def test_closed_early_is_cancelled(self, tmp_path: Path) -> None:
        transport = RecordingTransport(Upstream(STREAM0).sync(), tmp_path)
        with (
            httpx.Client(transport=transport) as client,
            client.stream("POST", URL, headers=REQUEST_HEADERS) as response,
        ):
            for _ in response.iter_raw():
                break
        check_recording(only_recording(transport), STREAM0[:1], "cancelled")

    def test_closed_unread_is_cancelled(self, tmp_path: Path) -> None:
        transport = RecordingTransport(Upstream(STREAM0).sync(), tmp_path)
        with (
            httpx.Client(transport=transport) as client,
            client.stream("POST", URL, headers=REQUEST_HEADERS),
        ):
            pass
        check_recording(only_recording(transport), [], "cancelled")

    def test_an_upstream_error_is_recorded_and_raised(self, tmp_path: Path) -> None:
        upstream = Upstream(STREAM0, fail=httpx.ReadError("connection reset"))
        transport = RecordingTransport(upstream.sync(), tmp_path)
        with (
            httpx.Client(transport=transport) as client,
            pytest.raises(httpx.ReadError),
            client.stream("POST", URL, headers=REQUEST_HEADERS) as response,
        ):
            response.read()
        replayer = only_recording(transport)
        check_recording(replayer, STREAM0, "error")
        stream = replayer.streams[0]
        assert (stream.error, stream.error_message) == ("ReadError", "connection reset")

    def test_one_file_per_stream_named_by_counter(self, tmp_path: Path) -> None:
        transport = RecordingTransport(Upstream(STREAM1).sync(), tmp_path, name="run", dialect=None)
        with httpx.Client(transport=transport) as client:
            client.post(URL)
            client.post(URL)
        assert [p.name[:8] for p in transport.paths] == ["run-0001", "run-0002"]
        for path in transport.paths:
            replayer = Replayer.open(path)
            assert replayer.header.dialect is None
            assert [c for _, c in replayer.streams[0].chunks] == STREAM1

    def test_extra_redacted_headers(self, tmp_path: Path) -> None:
        transport = RecordingTransport(Upstream(STREAM1).sync(), tmp_path, redact=["X-Trace"])
        with httpx.Client(transport=transport) as client:
            client.post(URL, headers={"x-trace": "hush"})
        assert b"hush" not in transport.paths[0].read_bytes()

    def test_an_async_only_transport_refuses_sync_use(self, tmp_path: Path) -> None:
        inner = httpx.AsyncHTTPTransport()
        with pytest.raises(TypeError, match="not an httpx sync transport"):
            RecordingTransport(inner, tmp_path).handle_request(httpx.Request("GET", URL))


@pytest.mark.anyio
class TestRecordAsync:
    async def test_records_byte_and_boundary_exact_passing_the_same_chunks(
        self, tmp_path: Path
    ) -> None:
        sent = [b"event: a\r", b"\ndata: \xe2\x82", b"\xac\r\n\r\n"]
        transport = RecordingTransport(Upstream(sent).async_(), tmp_path)
        async with (
            httpx.AsyncClient(transport=transport) as client,
            client.stream("POST", URL, headers=REQUEST_HEADERS) as response,
        ):
            received = [chunk async for chunk in response.aiter_raw()]
        assert all(got is chunk for got, chunk in zip(received, sent, strict=True))
        check_recording(only_recording(transport), sent, "eof")

    @httpx_abandons_a_generator
    async def test_closed_early_is_cancelled(self, tmp_path: Path) -> None:
        transport = RecordingTransport(Upstream(STREAM0).async_(), tmp_path)
        async with (
            httpx.AsyncClient(transport=transport) as client,
            client.stream("POST", URL, headers=REQUEST_HEADERS) as response,
        ):
            await first_chunk(response)
        check_recording(only_recording(transport), STREAM0[:1], "cancelled")

    async def test_closed_unread_is_cancelled(self, tmp_path: Path) -> None:
        transport = RecordingTransport(Upstream(STREAM0).async_(), tmp_path)
        async with (
            httpx.AsyncClient(transport=transport) as client,
            client.stream("POST", URL, headers=REQUEST_HEADERS),
        ):
            pass
        check_recording(only_recording(transport), [], "cancelled")

    async def test_an_upstream_error_is_recorded_and_raised(self, tmp_path: Path) -> None:
        upstream = Upstream(STREAM0, fail=httpx.ReadError("connection reset"))
        transport = RecordingTransport(upstream.async_(), tmp_path)
        async with httpx.AsyncClient(transport=transport) as client:
            with pytest.raises(httpx.ReadError):
                async with client.stream("POST", URL, headers=REQUEST_HEADERS) as response:
                    await response.aread()
        check_recording(only_recording(transport), STREAM0, "error")

    async def test_a_non_sse_response_is_not_recorded(self, tmp_path: Path) -> None:
        upstream = Upstream([b"{}"], content_type="application/json")
        transport = RecordingTransport(upstream.async_(), tmp_path)
        async with httpx.AsyncClient(transport=transport) as client:
            assert (await client.post(URL)).json() == {}
        assert transport.paths == []


# -- the official openai SDK on a replayed real stream ---------------------------

ASSISTANTS = REAL / "assistants"
REAL_RUNS = [
    "openai-dotnet_text-run_2025-09-16a.sse",
    "openllmetry_code-interpreter-v2_2026-03-31a.sse",
]
# runs.stream() is decorated @deprecated("The Assistants API is deprecated ...").
sdk_deprecation = pytest.mark.filterwarnings(
    "ignore:The Assistants API is deprecated:DeprecationWarning"
)


def texts(messages: Sequence[dict[str, Any]]) -> list[tuple[str, str, list[str]]]:
    """Each message's id, status and text values, from its JSON form."""
    return [
        (m["id"], m["status"], [c["text"]["value"] for c in m["content"] if c["type"] == "text"])
        for m in messages
    ]


def code_inputs(steps: Sequence[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """Each run step's id and the code of its code-interpreter calls, from its JSON form."""
    out = []
    for step in steps:
        calls = step["step_details"].get("tool_calls") or []
        code = [c["code_interpreter"]["input"] for c in calls if c["type"] == "code_interpreter"]
        out.append((step["id"], code))
    return out


def streamkit_fold(path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The messages and run steps streamkit folds from *path*, as JSON-shaped builtins."""
    acc = streamkit.assistants.Accumulator()
    for event in streamkit.iter_events(Replayer.open(path).iter_chunks(), dialect="assistants"):
        acc.feed(event)
    return (
        [msgspec.to_builtins(m) for m in acc.messages.values()],
        [msgspec.to_builtins(s) for s in acc.run_steps.values()],
    )


@sdk_deprecation
@pytest.mark.parametrize("name", REAL_RUNS)
def test_openai_sdk_sync_agrees_with_the_streamkit_fold(name: str) -> None:
    import openai

    path = ASSISTANTS / name
    seen: list[str] = []

    class Handler(openai.AssistantEventHandler):
        def on_text_delta(self, delta: Any, snapshot: Any) -> None:
            seen.append(delta.value)

    http_client = httpx.Client(transport=ReplayTransport(path))
    with (
        openai.OpenAI(
            api_key="sk-test",
            base_url="http://test/v1",
            http_client=http_client,  # type: ignore[arg-type]  # typed httpx2; takes httpx too
        ) as client,
        client.beta.threads.runs.stream(
            thread_id="thread_x", assistant_id="asst_x", event_handler=Handler()
        ) as stream,
    ):
        messages = [m.model_dump(mode="json") for m in stream.get_final_messages()]
        steps = [s.model_dump(mode="json") for s in stream.get_final_run_steps()]
        run = stream.get_final_run()
    assert run.status == "completed"
    assert seen

    folded_messages, folded_steps = streamkit_fold(path)
    assert texts(messages) == texts(folded_messages)
    assert texts(messages)[-1][2] == ["".join(seen)]
    assert code_inputs(steps) == code_inputs(folded_steps)


# The SDK's async stream runs on anyio, so this runs on both backends.  Its AsyncStream
# stops reading at the terminator without closing its inner async generators, which trio
# reports in the GC: an SDK wart, silenced by name.
@sdk_deprecation
@pytest.mark.filterwarnings(
    r"ignore:Async generator 'openai\._streaming\.[\w.]+' was garbage collected:ResourceWarning"
)
@pytest.mark.anyio
@pytest.mark.parametrize("name", REAL_RUNS)
async def test_openai_sdk_async_agrees_with_the_streamkit_fold(name: str) -> None:
    import openai

    path = ASSISTANTS / name
    async with (
        httpx.AsyncClient(transport=ReplayTransport(path)) as http_client,
        openai.AsyncOpenAI(
            api_key="sk-test",
            base_url="http://test/v1",
            http_client=http_client,  # type: ignore[arg-type]  # typed httpx2; takes httpx too
        ) as client,
        client.beta.threads.runs.stream(
            thread_id="thread_x",
            assistant_id="asst_x",
            event_handler=openai.AsyncAssistantEventHandler(),
        ) as stream,
    ):
        messages = [m.model_dump(mode="json") for m in await stream.get_final_messages()]
    assert texts(messages) == texts(streamkit_fold(path)[0])
