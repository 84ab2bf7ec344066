"""``streamkit proxy`` as a subprocess in front of a local upstream on loopback."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("httpx2")
pytest.importorskip("uvicorn")

from streamkit.recording import Cassette, Replayer

from ..llm_server import CAPTURES, LLMServer
from .helpers import RECORDINGS, free_port_url, running

if TYPE_CHECKING:
    from pathlib import Path

STREAM = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "stream": True}
CHAT = "/v1/chat/completions"


def _session(folder: Path) -> Path:
    (path,) = folder.glob("*.ndjson")
    return path


def _streams(folder: Path) -> list[Any]:
    return Replayer.open(_session(folder)).streams


def test_a_stream_passes_through_byte_for_byte_and_is_recorded(tmp_path: Path) -> None:
    openai = pytest.importorskip("openai")
    body = CAPTURES[CHAT].read_bytes()
    with (
        LLMServer(delay=0.002, max_requests=5) as upstream,
        running("proxy", "--upstream", upstream.url, "--record", str(tmp_path)) as proxy,
    ):
        received: list[bytes] = []
        with httpx.stream(
            "POST",
            proxy.url + CHAT,
            json=STREAM,
            headers={"Authorization": "Bearer sk-live-secret"},
            timeout=10,
        ) as response:
            received.extend(response.iter_raw())
            headers = response.headers
        client = openai.OpenAI(api_key="sk-live-secret", base_url=proxy.url + "/v1", max_retries=0)
        text = "".join(
            c.choices[0].delta.content or ""
            for c in client.chat.completions.create(model="m", messages=[], stream=True)
            if c.choices
        )
        proxy.wait_for_log("POST /v1/chat/completions 200", count=2)
        seen = upstream.seen
    assert b"".join(received) == body  # the client's bytes are the upstream's
    assert len(received) > 10  # passed on as they came, not gathered
    assert headers["x-request-id"] == "req_1"
    streams = _streams(tmp_path)
    assert [s.body for s in streams] == [body, body]  # and the recording's
    first = streams[0]
    assert first.dialect == "chat"
    assert first.end == "eof"
    assert len(first.chunks) > 10
    assert first.request["url"] == upstream.url + CHAT
    assert first.request["json"] == STREAM
    assert first.request["headers"]["authorization"] == "[redacted]"
    assert first.response["headers"]["set-cookie"] == "[redacted]"
    assert "sk-live-secret" not in _session(tmp_path).read_text()
    assert seen[0][2]["authorization"] == "Bearer sk-live-secret"  # forwarded as sent
    assert seen[0][2]["accept-encoding"] == "identity"
    assert text == Cassette(_session(tmp_path)).fold(1).result.choices[0].message.content


def test_json_bodies_pass_through_and_are_recorded_whole(tmp_path: Path) -> None:
    anthropic = pytest.importorskip("anthropic")
    with (
        LLMServer(max_requests=5) as upstream,
        running("proxy", "--upstream", upstream.url, "--record", str(tmp_path)) as proxy,
    ):
        client = anthropic.Anthropic(api_key="sk-ant-secret", base_url=proxy.url, max_retries=0)
        message = client.messages.create(model="m", max_tokens=10, messages=[])
        missing = httpx.get(proxy.url + "/v1/nothing", timeout=10)
        proxy.wait_for_log("GET /v1/nothing")
    assert message.content[0].text == "Paris."
    assert missing.status_code == 404
    streams = _streams(tmp_path)
    assert [s.response["status"] for s in streams] == [200, 404]
    assert len(streams[0].chunks) == 1
    secret_headers = {"authorization", "x-api-key"} & set(streams[0].request["headers"])
    assert secret_headers  # the SDK sends its key in one of them
    assert all(streams[0].request["headers"][name] == "[redacted]" for name in secret_headers)
    assert "sk-ant-secret" not in _session(tmp_path).read_text()
    assert streams[0].dialect is None


def test_an_unreachable_upstream_is_a_502_and_recorded_so(tmp_path: Path) -> None:
    with running("proxy", "--upstream", free_port_url(), "--record", str(tmp_path)) as proxy:
        response = httpx.post(proxy.url + CHAT, json=STREAM, timeout=10)
        proxy.wait_for_log("502")
    assert response.status_code == 502
    assert response.json()["error"]["type"] == "streamkit_upstream_error"
    (stream,) = _streams(tmp_path)
    assert stream.response["status"] == 502
    assert stream.end == "error"
    assert stream.error == "ConnectError"


def test_an_upstream_that_breaks_mid_stream_breaks_the_client_too(tmp_path: Path) -> None:
    recorded = Replayer.open(RECORDINGS / "chat" / "text-usage.ndjson").streams[0].body
    with (
        running("serve", str(RECORDINGS / "chat" / "text-usage.ndjson"), "--speed", "0") as up,
        running("proxy", "--upstream", up.url, "--record", str(tmp_path)) as proxy,
    ):
        received = bytearray()
        with pytest.raises(httpx.RemoteProtocolError):  # noqa: PT012, SIM117
            with httpx.stream(
                "POST", proxy.url + CHAT, json=STREAM, headers={"X-Streamkit-Fault": "drop"}
            ) as response:
                for chunk in response.iter_raw():
                    received += chunk
        proxy.wait_for_log("upstream broke")
    (stream,) = _streams(tmp_path)
    assert stream.end == "error"
    assert stream.error == "RemoteProtocolError"
    assert stream.body == bytes(received)
    assert recorded.startswith(stream.body)
    assert len(stream.body) < len(recorded)


def test_an_upstream_that_stalls_past_the_timeout_is_recorded_as_timed_out(
    tmp_path: Path,
) -> None:
    path = RECORDINGS / "anthropic" / "tool-use.ndjson"
    with (
        running("serve", str(path), "--speed", "0") as up,
        running(
            "proxy", "--upstream", up.url, "--record", str(tmp_path), "--timeout", "0.5"
        ) as proxy,
    ):
        started = time.monotonic()
        with pytest.raises(httpx.RemoteProtocolError):  # noqa: PT012, SIM117
            with httpx.stream(
                "POST",
                proxy.url + "/v1/messages",
                json={"stream": True},
                headers={"X-Streamkit-Fault": "stall=5s"},
            ) as response:
                for _ in response.iter_raw():
                    pass
        elapsed = time.monotonic() - started
        proxy.wait_for_log("ReadTimeout")
    (stream,) = _streams(tmp_path)
    assert stream.end == "error"
    assert stream.error == "ReadTimeout"
    assert elapsed < 4


def test_a_client_that_leaves_closes_the_upstream_and_is_recorded_as_cancelled(
    tmp_path: Path,
) -> None:
    path = RECORDINGS / "anthropic" / "thinking.ndjson"  # 5 s at the recorded pace
    with (
        running("serve", str(path)) as up,
        running("proxy", "--upstream", up.url, "--record", str(tmp_path)) as proxy,
    ):
        with httpx.stream("POST", proxy.url + "/v1/messages", json={"stream": True}) as response:
            first = next(response.iter_raw())
        proxy.wait_for_log("client left")
        up.wait_for_log("client left")  # the proxy closed its upstream request at once
    (stream,) = _streams(tmp_path)
    assert stream.end == "cancelled"
    assert stream.body.startswith(first)
    assert stream.dialect == "anthropic"
