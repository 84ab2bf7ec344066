"""The real openai and anthropic SDKs, recorded against a local server and replayed without it.

This module is also the typed example: CI runs ``mypy --strict`` over it, so
``openai.OpenAI(http_client=httpx2.Client(transport=ReplayTransport(...)))``
and its anthropic twin must type-check with no cast and no ignore.
"""

from __future__ import annotations

import json
import textwrap
from typing import TYPE_CHECKING, Any

import pytest

for _name in ("anthropic", "openai", "httpx2"):
    pytest.importorskip(_name)

import anthropic
import httpx2
import openai

import streamkit
from streamkit.httpx2 import RecordingTransport, ReplayTransport
from streamkit.recording import Fault, Replayer

from .llm_server import LLMServer

if TYPE_CHECKING:
    from pathlib import Path

# The SDKs stop reading a stream at its terminator without closing the async generators
# beneath (theirs, httpx2's, httpcore2's), and trio reports each in the GC: SDK warts,
# silenced by name.  None of streamkit's own generators is among them.
SDK_GENERATORS = (
    r"openai\._streaming\.[\w.]+",
    r"anthropic\._streaming\.[\w.]+",
    r"httpx2\._models\.Response\.aiter_[\w]+",
    r"httpcore2\._async\.[\w.]+",
)
pytestmark = [
    pytest.mark.filterwarnings(
        f"ignore:Async generator '{name}' was garbage collected:ResourceWarning"
    )
    for name in SDK_GENERATORS
]

Transcript = dict[str, Any]
MODEL = "gpt-4o-mini"
CLAUDE = "claude-3-haiku-20240307"
HI: list[Any] = [{"role": "user", "content": "hi"}]


def dump(value: Any) -> Any:
    """A pydantic model of the SDK as plain JSON data."""
    return value.model_dump(mode="json", warnings=False)


async def converse(http_client: httpx2.AsyncClient, url: str) -> Transcript:
    """One conversation through both SDKs: three streams, plain calls, an upload, an error."""
    client = openai.AsyncOpenAI(
        api_key="sk-live-secret", base_url=f"{url}/v1", http_client=http_client, max_retries=0
    )
    claude = anthropic.AsyncAnthropic(
        api_key="sk-ant-live-secret", base_url=url, http_client=http_client, max_retries=0
    )
    out: Transcript = {}
    stream = await client.chat.completions.create(
        model=MODEL, messages=HI, stream=True, stream_options={"include_usage": True}
    )
    out["chat"] = [dump(chunk) async for chunk in stream]
    async with client.responses.stream(model=MODEL, input="hi") as responses:
        out["responses"] = [dump(event) async for event in responses]
        final = await responses.get_final_response()
        out["response"], out["output_text"] = dump(final), final.output_text
    async with claude.messages.stream(model=CLAUDE, max_tokens=64, messages=HI) as messages:
        out["text"] = [text async for text in messages.text_stream]
        out["message"] = dump(await messages.get_final_message())
    completion = await client.chat.completions.create(model=MODEL, messages=HI)
    out["completion"] = dump(completion)
    out["plain_message"] = dump(
        await claude.messages.create(model=CLAUDE, max_tokens=8, messages=HI)
    )
    out["models"] = [model.id async for model in client.models.list()]
    upload = await client.files.create(file=("notes.txt", b"some notes"), purpose="assistants")
    out["file"] = dump(upload)
    with pytest.raises(openai.NotFoundError) as caught:
        await client.models.retrieve("no-such-model")
    out["error"] = (caught.value.status_code, caught.value.body)
    return out


def converse_sync(http_client: httpx2.Client, url: str) -> Transcript:
    """A shorter conversation on the sync clients."""
    client = openai.OpenAI(api_key="sk-live-secret", base_url=f"{url}/v1", http_client=http_client)
    claude = anthropic.Anthropic(
        api_key="sk-ant-live-secret", base_url=url, http_client=http_client
    )
    out: Transcript = {}
    stream = client.chat.completions.create(model=MODEL, messages=HI, stream=True)
    out["chat"] = [dump(chunk) for chunk in stream]
    with claude.messages.stream(model=CLAUDE, max_tokens=64, messages=HI) as messages:
        out["message"] = dump(messages.get_final_message())
    out["completion"] = dump(client.chat.completions.create(model=MODEL, messages=HI))
    return out


def check_cassette(path: Path) -> Replayer:
    """The cassette holds no secret, names each stream's dialect, and folds as the SDKs did."""
    data = path.read_bytes()
    for secret in (b"sk-live-secret", b"sk-ant-live-secret", b"server-secret"):
        assert secret not in data
    return Replayer.open(path)


@pytest.mark.anyio
async def test_record_then_replay_without_the_server(tmp_path: Path) -> None:
    path, again = tmp_path / "conversation.ndjson", tmp_path / "replayed.ndjson"
    with LLMServer() as server:
        url = server.url
        transport = RecordingTransport(httpx2.AsyncHTTPTransport(), path)
        async with httpx2.AsyncClient(transport=transport) as http_client:
            recorded = await converse(http_client, url)
        sent = [(method, target) for method, target, _, _ in server.seen]
    assert sent[:3] == [
        ("POST", "/v1/chat/completions"),
        ("POST", "/v1/responses"),
        ("POST", "/v1/messages"),
    ]
    replayer = check_cassette(path)
    dialects = [stream.dialect for stream in replayer.streams]
    assert dialects == ["chat", "responses", "anthropic", None, None, None, None, None]
    statuses = [stream.response["status"] for stream in replayer.streams if stream.response]
    assert statuses == [200] * 7 + [404]

    # The server is gone.  Replayed, and recorded again on the way, to compare the bytes.
    replay = RecordingTransport(ReplayTransport(path), again)
    async with httpx2.AsyncClient(transport=replay) as http_client:
        replayed = await converse(http_client, url)
    assert replayed == recorded
    for first, second in zip(replayer.streams, Replayer.open(again).streams, strict=True):
        assert [chunk for _, chunk in first.chunks] == [chunk for _, chunk in second.chunks]

    # streamkit's folds of the cassette agree with the SDKs' final objects
    cassette = streamkit.Cassette(path)
    response = cassette.fold(1).result
    assert response.id == recorded["response"]["id"]
    assert response.output[0].content[0].text == recorded["output_text"]
    message = cassette.fold(2).result
    assert message.content[0].text == "".join(recorded["text"])
    assert message.usage.output_tokens == recorded["message"]["usage"]["output_tokens"]
    chat = cassette.fold(0).result
    assert chat.choices[0].message.content == "".join(
        c["choices"][0]["delta"]["content"] or "" for c in recorded["chat"] if c["choices"]
    )


def test_sync_clients_record_and_replay(tmp_path: Path) -> None:
    path = tmp_path / "conversation.ndjson"
    with LLMServer() as server:
        url = server.url
        transport = RecordingTransport(httpx2.HTTPTransport(), path)
        with httpx2.Client(transport=transport) as http_client:
            recorded = converse_sync(http_client, url)
    check_cassette(path)
    with httpx2.Client(transport=ReplayTransport(path, rechunk=("random", 7))) as http_client:
        assert converse_sync(http_client, url) == recorded


@pytest.mark.anyio
async def test_a_dropped_stream_breaks_the_sdks_stream_after_what_came(tmp_path: Path) -> None:
    path = tmp_path / "conversation.ndjson"
    with LLMServer() as server:
        url = server.url
        transport = RecordingTransport(httpx2.AsyncHTTPTransport(), path)
        async with httpx2.AsyncClient(transport=transport) as http_client:
            await converse(http_client, url)
    faults = {2: Fault(drop_event=10)}  # the anthropic stream breaks before its 11th event
    async with httpx2.AsyncClient(transport=ReplayTransport(path, faults=faults)) as http_client:
        claude = anthropic.AsyncAnthropic(
            api_key="test", base_url=url, http_client=http_client, max_retries=0
        )
        client = openai.AsyncOpenAI(
            api_key="test", base_url=f"{url}/v1", http_client=http_client, max_retries=0
        )
        chat = await client.chat.completions.create(
            model=MODEL, messages=HI, stream=True, stream_options={"include_usage": True}
        )
        assert [chunk async for chunk in chat]  # stream 0 replays whole
        async with client.responses.stream(model=MODEL, input="hi") as responses:
            await responses.get_final_response()
        texts: list[str] = []

        async def read() -> None:
            async with claude.messages.stream(model=CLAUDE, max_tokens=64, messages=HI) as stream:
                async for text in stream.text_stream:
                    texts.append(text)  # noqa: PERF401  (a comprehension would lose them)

        with pytest.raises(httpx2.RemoteProtocolError, match="connection drops"):
            await read()
    assert texts  # what came before the break was delivered


# -- through the pytest plugin: clients the SDKs make themselves --------------------

SDK_TEST = """
import json, os
import anthropic, openai, pytest

URL = os.environ["LLM_URL"]

@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request):
    return request.param

@pytest.mark.anyio
@pytest.mark.streamkit
async def test_conversation(streamkit_cassette):
    hi = [{"role": "user", "content": "hi"}]
    out = {}
    async with (
        openai.AsyncOpenAI(api_key="sk-live-secret", base_url=URL + "/v1") as client,
        anthropic.AsyncAnthropic(api_key="sk-ant-live-secret", base_url=URL) as claude,
    ):
        stream = await client.chat.completions.create(model="m", messages=hi, stream=True)
        out["chat"] = [c.model_dump(mode="json") async for c in stream]
        async with claude.messages.stream(model="c", max_tokens=9, messages=hi) as messages:
            out["message"] = (await messages.get_final_message()).model_dump(mode="json")
        plain = await client.chat.completions.create(model="m", messages=hi)
        out["plain"] = plain.model_dump(mode="json")
    text = streamkit_cassette.fold(1).result.content[0].text
    assert text == out["message"]["content"][0]["text"]
    with open(os.environ["STREAMKIT_OUT"], "a") as file:
        file.write(json.dumps(out) + "\\n")
"""


def test_the_plugin_routes_the_clients_the_sdks_make(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = pytester.path / "out.ndjson"
    monkeypatch.setenv("STREAMKIT_OUT", str(out))
    ignored = "".join(
        f"\n    ignore:Async generator '{name}' was garbage collected:ResourceWarning"
        for name in SDK_GENERATORS
    )
    pytester.makeini(f"[pytest]\nfilterwarnings =\n    error{ignored}\n")
    pytester.makepyfile(test_sdk=textwrap.dedent(SDK_TEST))
    quiet = ["-p", "no:cacheprovider", "-p", "no:hypothesispytest"]
    quiet += ["-p", "no:xdist", "-p", "no:asyncio"]  # plugins a developer may have installed
    with LLMServer() as server:
        monkeypatch.setenv("LLM_URL", server.url)
        pytester.runpytest(*quiet, "--streamkit-record-mode=all").assert_outcomes(passed=2)
        assert len(server.seen) == 6  # three exchanges on each backend
    recorded = out.read_text().splitlines()
    out.unlink()
    for backend in ("asyncio", "trio"):
        path = pytester.path / "cassettes" / "test_sdk" / f"test_conversation[{backend}].ndjson"
        assert [s.dialect for s in check_cassette(path).streams] == ["chat", "anthropic", None]
    pytester.runpytest(*quiet).assert_outcomes(passed=2)  # replayed: the server is gone
    replayed = out.read_text().splitlines()
    assert replayed == recorded
    assert all(json.loads(line)["chat"] for line in replayed)
