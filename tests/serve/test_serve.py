"""``streamkit serve`` as a subprocess on a loopback port, driven by the SDKs and plain httpx."""

from __future__ import annotations

import shutil
import time
from typing import TYPE_CHECKING, Any

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")

from streamkit.recording import Recorder, Replayer

from .helpers import RECORDINGS, running

if TYPE_CHECKING:
    from pathlib import Path

CHAT = RECORDINGS / "chat" / "text-usage.ndjson"
TOOLS = RECORDINGS / "chat" / "parallel-tool-calls.ndjson"
ANTHROPIC = RECORDINGS / "anthropic" / "tool-use.ndjson"
RESPONSES = RECORDINGS / "responses" / "text-answer.ndjson"
STREAM = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "stream": True}


def body_of(path: Path, index: int = 0) -> bytes:
    return Replayer.open(path).streams[index].body


def fold(path: Path, index: int = 0) -> Any:
    from streamkit.recording import Cassette

    return Cassette(path).fold(index).result


def post(url: str, json_body: Any = STREAM, **headers: str) -> httpx.Response:
    return httpx.post(url, json=json_body, headers=headers, timeout=10)


def stream_bytes(url: str, json_body: Any = STREAM, timeout: float = 10, **headers: str) -> bytes:
    with httpx.stream("POST", url, json=json_body, headers=headers, timeout=timeout) as response:
        return b"".join(response.iter_raw())


# -- the SDKs ---------------------------------------------------------------------------


def test_openai_sdk_streams_a_recorded_chat_completion() -> None:
    openai = pytest.importorskip("openai")
    expected = fold(CHAT).choices[0].message.content
    with running("serve", str(CHAT)) as server:
        client = openai.OpenAI(api_key="sk-test", base_url=server.url + "/v1", max_retries=0)
        started = time.monotonic()
        stream = client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], stream=True
        )
        text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
        elapsed = time.monotonic() - started
        assert text == expected
        assert elapsed >= 0.9 * Replayer.open(CHAT).streams[0].chunks[-1][0]  # the recorded pace
        assert "text-usage.ndjson#0" in server.wait_for_log("POST /v1/chat/completions 200")


def test_openai_sdk_streams_a_recorded_responses_stream_at_speed_0() -> None:
    openai = pytest.importorskip("openai")
    expected = fold(RESPONSES).output_text
    with running("serve", str(RESPONSES), "--speed", "0") as server:
        client = openai.OpenAI(api_key="sk-test", base_url=server.url + "/v1", max_retries=0)
        events = client.responses.create(model="gpt-4o-mini", input="hi", stream=True)
        text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
        assert text == expected


def test_anthropic_sdk_streams_a_recorded_message_with_tool_use() -> None:
    anthropic = pytest.importorskip("anthropic")
    expected = fold(ANTHROPIC)
    with running("serve", str(ANTHROPIC), "--speed", "0") as server:
        client = anthropic.Anthropic(api_key="test", base_url=server.url, max_retries=0)
        with client.messages.stream(
            model="claude-sonnet-4-5", max_tokens=100, messages=[{"role": "user", "content": "hi"}]
        ) as stream:
            text = "".join(stream.text_stream)
            final = stream.get_final_message()
    assert text == "".join(b.text for b in expected.content if b.type == "text")
    assert [b.input for b in final.content if b.type == "tool_use"] == [
        b.input for b in expected.content if b.type == "tool_use"
    ]
    assert final.stop_reason == expected.stop_reason == "tool_use"


def test_plain_httpx_gets_the_recorded_bytes_status_and_headers() -> None:
    recorded = Replayer.open(CHAT).streams[0]
    with running("serve", str(CHAT), "--speed", "0") as server:
        started = time.monotonic()
        with httpx.stream(
            "POST", server.url + "/v1/chat/completions", json=STREAM, timeout=10
        ) as response:
            body = b"".join(response.iter_raw())
            headers = response.headers
        elapsed = time.monotonic() - started
        assert response.status_code == 200
    assert body == recorded.body
    assert elapsed < recorded.chunks[-1][0] / 2  # speed 0: no waiting
    assert headers["content-type"] == recorded.response["headers"]["content-type"]
    assert headers["x-request-id"] == recorded.response["headers"]["x-request-id"]
    assert headers["x-streamkit-recording"] == "text-usage.ndjson#0"
    assert "set-cookie" not in headers  # recorded as [redacted]: not sent
    assert "transfer-encoding" in headers  # the server's own framing, not the recorded one


def test_a_non_streaming_request_gets_the_streams_fold_as_json() -> None:
    openai = pytest.importorskip("openai")
    expected = fold(TOOLS)
    with running("serve", str(TOOLS), "--speed", "0") as server:
        client = openai.OpenAI(api_key="sk-test", base_url=server.url + "/v1", max_retries=0)
        completion = client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
        )
    calls = completion.choices[0].message.tool_calls
    assert [(c.id, c.function.name, c.function.arguments) for c in calls] == [
        (c.id, c.function.name, c.function.arguments)
        for c in expected.choices[0].message.tool_calls
    ]
    assert completion.choices[0].finish_reason == "tool_calls"


# -- routes, matching, the listing -----------------------------------------------------------


def _session(path: Path) -> Path:
    """A session of two chat exchanges told apart by their request bodies."""
    body = body_of(CHAT)
    with Recorder.open(path, dialect="chat", request=_request("first")) as recorder:
        for _ in recorder.tap([body[:100], body[100:]]):
            pass
        recorder.new_stream(request=_request("second"))
        for _ in recorder.tap(
            [
                b'data: {"id":"x","object":"chat.completion.chunk","created":1,'
                b'"model":"m","choices":[]}\n\ndata: [DONE]\n\n'
            ]
        ):
            pass
    return path


def _request(content: str) -> dict[str, Any]:
    return {
        "method": "POST",
        "url": "https://example.test/openai/deployments/d/chat/completions",
        "headers": {"content-type": "application/json"},
        "json": {**STREAM, "messages": [{"role": "user", "content": content}]},
    }


def _asking(content: str) -> dict[str, Any]:
    return {**STREAM, "messages": [{"role": "user", "content": content}]}


def test_requests_are_matched_on_the_recorded_path_and_body(tmp_path: Path) -> None:
    session = _session(tmp_path / "session.ndjson")
    with running("serve", str(session), "--speed", "0") as server:
        on_path = server.url + "/openai/deployments/d/chat/completions"
        second = stream_bytes(on_path, _asking("second"))
        first = stream_bytes(on_path, _asking("first"))
        usual = stream_bytes(server.url + "/v1/chat/completions", _asking("first"))
        missing = post(on_path, _asking("third"))
        listing = httpx.get(server.url + "/_streamkit/recordings", timeout=10).json()
    assert first == body_of(session, 0) == usual
    assert second == body_of(session, 1)
    assert missing.status_code == 404
    error = missing.json()["error"]
    assert error["type"] == "streamkit_no_recording"
    assert "body $.messages[0].content: recorded 'first', sent 'third'" in error["message"]
    assert error["closest"] == "session.ndjson#0"
    rows = {row["recording"]: row for row in listing["recordings"]}
    assert rows["session.ndjson#0"]["path"] == "/openai/deployments/d/chat/completions"
    assert rows["session.ndjson#0"]["served"] == 2
    assert rows["session.ndjson#1"]["served"] == 1
    assert listing["match"] == ["method", "path", "query", "body"]


def test_a_folder_is_served_and_cycle_round_robins_over_it(tmp_path: Path) -> None:
    folder = tmp_path / "chat"
    shutil.copytree(RECORDINGS / "chat", folder)
    names = sorted(p.name for p in folder.glob("*.ndjson"))
    with running("serve", str(folder), "--cycle", "--speed", "0") as server:
        served = [
            post(server.url + "/v1/chat/completions").headers["x-streamkit-recording"]
            for _ in range(len(names) + 1)
        ]
        unknown = post(server.url + "/v1/unknown")
    assert served == [f"{name}#0" for name in names] + [f"{names[0]}#0"]
    assert unknown.status_code == 404
    assert "/v1/chat/completions" in unknown.json()["error"]["message"]


def test_a_raw_sse_body_is_served_on_its_dialects_endpoint(tmp_path: Path) -> None:
    raw = tmp_path / "answer.sse"
    raw.write_bytes(body_of(ANTHROPIC))
    with running("serve", str(raw), "--speed", "0") as server:
        body = stream_bytes(server.url + "/v1/messages", {"stream": True})
        listing = httpx.get(server.url + "/_streamkit/recordings", timeout=10).json()
    assert body == raw.read_bytes()
    assert listing["recordings"][0]["dialect"] == "anthropic"


# -- faults -------------------------------------------------------------------------------------


def _event_offsets(body: bytes) -> list[int]:
    import streamkit

    decoder = streamkit.SSEDecoder()
    return [e.offset for e in decoder.feed(body) + decoder.close() if e.offset is not None]


def test_fault_flag_cut_ends_every_body_early() -> None:
    recorded = body_of(CHAT)
    with running("serve", str(CHAT), "--speed", "0", "--fault", "cut=40%") as server:
        first = stream_bytes(server.url + "/v1/chat/completions")
        second = stream_bytes(server.url + "/v1/chat/completions")
    assert first == second == recorded[: len(recorded) * 40 // 100]


def test_fault_header_cut_at_an_event() -> None:
    recorded = body_of(ANTHROPIC)
    with running("serve", str(ANTHROPIC), "--speed", "0") as server:
        body = stream_bytes(server.url + "/v1/messages", **{"X-Streamkit-Fault": "cut=event:3"})
    assert body == recorded[: _event_offsets(recorded)[3]]


@pytest.mark.parametrize("how", ["flag", "header"])
def test_fault_drop_breaks_the_connection_mid_event(how: str) -> None:
    openai = pytest.importorskip("openai")
    flags = ["--fault", "drop"] if how == "flag" else []
    headers = {"X-Streamkit-Fault": "drop"} if how == "header" else {}
    recorded = body_of(CHAT)
    with running("serve", str(CHAT), "--speed", "0", *flags) as server:
        received = bytearray()
        with (  # noqa: PT012
            pytest.raises(httpx.RemoteProtocolError),
            httpx.stream(
                "POST", server.url + "/v1/chat/completions", json=STREAM, headers=headers
            ) as response,
        ):
            for chunk in response.iter_raw():
                received += chunk
        client = openai.OpenAI(api_key="sk-test", base_url=server.url + "/v1", max_retries=0)
        httpx2 = pytest.importorskip("httpx2")
        httpcore2 = pytest.importorskip("httpcore2")
        # The break reaches the SDK's caller as one of these: httpx2 sometimes lets its
        # transport's own error through unwrapped (seen when this test runs after others).
        broken = (openai.APIError, httpx2.TransportError, httpcore2.RemoteProtocolError)
        with pytest.raises(broken):
            for _ in client.chat.completions.create(
                model="m", messages=[], stream=True, extra_headers=headers
            ):
                pass
        assert "connection dropped" in server.wait_for_log("connection dropped")
    assert recorded.startswith(bytes(received))
    assert 0 < len(received) < len(recorded)
    cut = len(received)
    assert cut not in _event_offsets(recorded)  # inside an event, not at its start


def test_fault_stall_holds_the_body_then_sends_the_rest() -> None:
    recorded = body_of(CHAT)
    with running("serve", str(CHAT), "--speed", "0") as server:
        url = server.url + "/v1/chat/completions"
        started = time.monotonic()
        body = stream_bytes(url, **{"X-Streamkit-Fault": "stall=1s;at=0"})
        elapsed = time.monotonic() - started
        with pytest.raises(httpx.ReadTimeout):
            stream_bytes(url, timeout=0.3, **{"X-Streamkit-Fault": "stall=3s"})
    assert body == recorded
    assert elapsed >= 1.0


def test_fault_error_sends_the_dialects_error_event() -> None:
    anthropic = pytest.importorskip("anthropic")
    with running("serve", str(ANTHROPIC), "--speed", "0") as server:
        raw = stream_bytes(server.url + "/v1/messages", **{"X-Streamkit-Fault": "error=overloaded"})
        client = anthropic.Anthropic(
            api_key="test",
            base_url=server.url,
            max_retries=0,
            default_headers={"X-Streamkit-Fault": "error=overloaded;at=event:2"},
        )
        with pytest.raises(anthropic.APIStatusError) as caught:  # noqa: PT012, SIM117
            with client.messages.stream(model="m", max_tokens=10, messages=[]) as stream:
                for _ in stream:
                    pass
    assert b'"type":"overloaded_error"' in raw.rsplit(b"event: error", 1)[1]
    assert caught.value.body["error"]["type"] == "overloaded_error"  # type: ignore[index]


@pytest.mark.parametrize("how", ["flag", "header"])
def test_fault_status_answers_with_the_providers_error(how: str) -> None:
    openai = pytest.importorskip("openai")
    spec = "status=429;retry-after=2"
    flags = ["--fault", spec] if how == "flag" else []
    headers = {"X-Streamkit-Fault": spec} if how == "header" else {}
    with running("serve", str(CHAT), "--speed", "0", *flags) as server:
        client = openai.OpenAI(
            api_key="sk-test", base_url=server.url + "/v1", max_retries=0, default_headers=headers
        )
        with pytest.raises(openai.RateLimitError) as caught:
            client.chat.completions.create(model="m", messages=[], stream=True)
    assert caught.value.response.headers["retry-after"] == "2"
    assert caught.value.status_code == 429


def test_a_bad_fault_header_is_a_400_and_a_bad_flag_a_usage_error() -> None:
    import subprocess
    import sys

    from ..cli_helpers import child_env

    with running("serve", str(CHAT), "--speed", "0") as server:
        response = post(server.url + "/v1/chat/completions", **{"X-Streamkit-Fault": "cut"})
    assert response.status_code == 400
    assert "cut needs a place" in response.json()["error"]["message"]
    done = subprocess.run(
        [sys.executable, "-m", "streamkit", "serve", str(CHAT), "--fault", "explode"],
        capture_output=True,
        text=True,
        timeout=30,
        env=child_env(),
    )
    assert done.returncode == 1
    assert done.stderr.startswith("streamkit: error: --fault: unknown fault 'explode'")


def test_the_log_has_one_line_per_request() -> None:
    with running("serve", str(CHAT), "--speed", "0") as server:
        stream_bytes(server.url + "/v1/chat/completions", **{"X-Streamkit-Fault": "cut=10"})
        post(server.url + "/nowhere")
        log = server.wait_for_log("POST /nowhere 404")
    lines = [line for line in log.splitlines() if line.startswith("POST")]
    assert len(lines) == 2
    assert lines[0].startswith("POST /v1/chat/completions 200 text-usage.ndjson#0 10 B 1 chunks")
    assert "[cut=10]" in lines[0]
