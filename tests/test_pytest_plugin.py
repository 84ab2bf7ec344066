"""The pytest plugin, run on real test files with pytester in every record mode.

Each test writes a small test module, runs pytest on it (in-process, or in a
subprocess where the environment must differ), and checks what the run
reported, what the cassette holds and what the local server was sent.
"""

from __future__ import annotations

import json
import textwrap
import time
from typing import TYPE_CHECKING, Any

import pytest

from streamkit.recording import Replayer

from .llm_server import CAPTURES, LLMServer

if TYPE_CHECKING:
    from pathlib import Path

pytest.importorskip("httpx2")

SECRETS = ("sk-live-secret", "sk-ant-secret", "azure-secret", "session=cookie-secret")

# The app under test: a chat stream and a model list through httpx2, with a secret
# in every header a cassette must not keep; what it read goes to $STREAMKIT_OUT.
APP = """
import json, os
import httpx2, pytest

URL = os.environ["LLM_URL"]
HEADERS = {
    "Authorization": "Bearer sk-live-secret",
    "x-api-key": "sk-ant-secret",
    "api-key": "azure-secret",
    "Cookie": "session=cookie-secret",
    "x-trace": "hush-header",
}

def talk(client, question="hi"):
    body = {"model": "gpt-4o-mini", "stream": True, "user": "hush-field",
            "messages": [{"role": "user", "content": question}]}
    with client.stream("POST", URL + "/v1/chat/completions", json=body, headers=HEADERS) as r:
        chunks = [c.decode("latin-1") for c in r.iter_raw()]
        status = r.status_code
    models = client.get(URL + "/v1/models", headers=HEADERS).json()
    return {"status": status, "chunks": chunks, "models": models}

def dump(result):
    with open(os.environ["STREAMKIT_OUT"], "a") as out:
        out.write(json.dumps(result) + "\\n")
"""

CHAT_TEST = """
@pytest.mark.streamkit(redact=["x-trace", "user"])
def test_chat():
    with httpx2.Client() as client:
        dump(talk(client))
"""


@pytest.fixture
def app(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with the app and *CHAT_TEST*; ``$STREAMKIT_OUT`` collects what tests read."""
    out = pytester.path / "out.ndjson"
    monkeypatch.setenv("STREAMKIT_OUT", str(out))
    monkeypatch.setenv("LLM_URL", "http://127.0.0.1:9")  # nothing listens: set per test
    pytester.makeini("[pytest]\nfilterwarnings = error\n")
    pytester.makepyfile(test_app=APP + CHAT_TEST)
    return out


def outputs(out: Path) -> list[dict[str, Any]]:
    lines = out.read_text().splitlines() if out.exists() else []
    out.unlink(missing_ok=True)
    return [json.loads(line) for line in lines]


def cassette(pytester: pytest.Pytester, name: str = "test_chat") -> Path:
    return pytester.path / "cassettes" / "test_app" / f"{name}.ndjson"


# hypothesis's plugin costs more than a second per in-process run; these runs need none.
# Neither do xdist and pytest-asyncio, where a developer has them installed: they change
# the inner run's output that pytester reads.
QUIET = (
    "-p",
    "no:cacheprovider",
    "-p",
    "no:hypothesispytest",
    "-p",
    "no:xdist",
    "-p",
    "no:asyncio",
)


def run(pytester: pytest.Pytester, *args: str, passed: int = 1, **outcomes: int) -> Any:
    result = pytester.runpytest(*QUIET, *args)
    result.assert_outcomes(passed=passed, **outcomes)
    return result


def record(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, *args: str, **outcomes: int
) -> tuple[Any, list[tuple[str, str, dict[str, str], bytes | None]]]:
    """Run against a live local server; returns the run and what the server was sent."""
    with LLMServer() as server:
        monkeypatch.setenv("LLM_URL", server.url)
        result = run(pytester, *args, **outcomes)
        return result, list(server.seen)


class TestRecordModes:
    def test_once_records_a_missing_cassette_then_replays_it_without_the_network(
        self, pytester: pytest.Pytester, app: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        _, seen = record(pytester, monkeypatch, "--streamkit-record-mode=once")
        assert [(method, path) for method, path, _, _ in seen] == [
            ("POST", "/v1/chat/completions"),
            ("GET", "/v1/models"),
        ]
        (recorded,) = outputs(app)
        path = cassette(pytester)
        replayer = Replayer.open(path)
        chat, models = replayer.streams
        assert (chat.dialect, models.dialect) == ("chat", None)
        assert chat.body == CAPTURES["/v1/chat/completions"].read_bytes()
        assert [c.decode("latin-1") for _, c in chat.chunks] == recorded["chunks"]
        assert len(models.chunks) == 1  # a non-streaming body is one chunk
        assert chat.request is not None
        assert chat.request["json"]["messages"] == [{"role": "user", "content": "hi"}]

        # The server is gone: the default mode replays the same chunks, boundaries and all.
        before = path.read_bytes()
        run(pytester)
        assert outputs(app) == [recorded]
        run(pytester, "--streamkit-record-mode=once")  # the cassette exists: replayed again
        assert outputs(app) == [recorded]
        assert path.read_bytes() == before

    def test_secrets_never_reach_the_cassette(
        self, pytester: pytest.Pytester, app: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        record(pytester, monkeypatch, "--streamkit-record-mode=all")
        data = cassette(pytester).read_bytes()
        for secret in (*SECRETS, "cookie-secret", "server-secret", "hush-header", "hush-field"):
            assert secret.encode() not in data
        request = Replayer.open(cassette(pytester)).streams[0].request
        assert request is not None
        assert request["headers"]["authorization"] == "[redacted]"
        assert request["json"]["user"] == "[redacted]"

    def test_none_fails_on_a_missing_cassette_and_sends_nothing(
        self, pytester: pytest.Pytester, app: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        result, seen = record(pytester, monkeypatch, passed=0, errors=1)
        assert seen == []
        result.stdout.fnmatch_lines(
            ["*streamkit: no cassette at *test_chat.ndjson*record-mode=once*"]
        )

    def test_an_unmatched_request_fails_naming_it_and_the_closest(
        self, pytester: pytest.Pytester, app: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        record(pytester, monkeypatch, "--streamkit-record-mode=once")
        pytester.makepyfile(test_app=APP + CHAT_TEST.replace("talk(client)", 'talk(client, "bye")'))
        for mode in ("none", "once"):
            result = run(pytester, f"--streamkit-record-mode={mode}", passed=0, failed=1)
            result.stdout.fnmatch_lines(["*ReplayMismatch*"])
        result = run(pytester, passed=0, failed=1)
        result.stdout.fnmatch_lines(
            [
                "*request #1, POST http://127.0.0.1:*/v1/chat/completions, matches no recorded"
                " exchange*the closest is stream 0, POST*which differs in body"
                " $.messages[[]0[]].content: recorded 'hi', sent 'bye'*",
                "*--streamkit-record-mode=new_episodes*",
            ]
        )

    def test_new_episodes_appends_what_the_cassette_does_not_answer(
        self, pytester: pytest.Pytester, app: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        record(pytester, monkeypatch, "--streamkit-record-mode=once")
        before = cassette(pytester).read_bytes()
        outputs(app)
        pytester.makepyfile(
            test_app=APP
            + CHAT_TEST.replace(
                "dump(talk(client))", 'dump(talk(client)); dump(talk(client, "bye"))'
            )
        )
        _, seen = record(pytester, monkeypatch, "--streamkit-record-mode=new_episodes")
        # the recorded chat and models are replayed; only the new question goes out, then models
        # again (recorded once, asked twice)
        assert [(m, p) for m, p, _, _ in seen] == [
            ("POST", "/v1/chat/completions"),
            ("GET", "/v1/models"),
        ]
        assert json.loads(seen[0][3] or b"")["messages"][0]["content"] == "bye"
        after = cassette(pytester).read_bytes()
        assert after.startswith(before)  # appended, never rewritten
        streams = Replayer.open(cassette(pytester)).streams
        assert [
            s.request["json"]["messages"][0]["content"]
            for s in streams
            if s.request and "json" in s.request
        ] == ["hi", "bye"]
        assert len(streams) == 4
        first, second = outputs(app)
        run(pytester)  # and all of it replays with the network gone
        assert outputs(app) == [first, second]

    def test_all_records_everything_again(
        self, pytester: pytest.Pytester, app: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        record(pytester, monkeypatch, "--streamkit-record-mode=once")
        first = Replayer.open(cassette(pytester)).header.started_at
        _, seen = record(pytester, monkeypatch, "--streamkit-record-mode=all")
        assert len(seen) == 2
        replayer = Replayer.open(cassette(pytester))
        assert len(replayer.streams) == 2
        assert replayer.header.started_at != first

    def test_the_marker_record_mode_wins_over_the_option(
        self, pytester: pytest.Pytester, app: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        pytester.makepyfile(
            test_app=APP + CHAT_TEST.replace("redact=", 'record_mode="once", redact=')
        )
        _, seen = record(pytester, monkeypatch)
        assert len(seen) == 2
        assert cassette(pytester).exists()


class TestReplayShapes:
    @pytest.fixture
    def recorded(
        self, pytester: pytest.Pytester, app: Path, monkeypatch: pytest.MonkeyPatch
    ) -> dict[str, Any]:
        record(pytester, monkeypatch, "--streamkit-record-mode=once")
        (result,) = outputs(app)
        return result

    def test_rechunk_resplits_the_recorded_bytes(
        self, pytester: pytest.Pytester, app: Path, recorded: dict[str, Any]
    ) -> None:
        pytester.makepyfile(test_app=APP + CHAT_TEST.replace("redact=", "rechunk=1, redact="))
        run(pytester)
        (got,) = outputs(app)
        assert {len(c) for c in got["chunks"]} == {1}
        assert "".join(got["chunks"]) == "".join(recorded["chunks"])
        assert got["models"] == recorded["models"]

    def test_faults_cut_and_drop_the_stream(
        self, pytester: pytest.Pytester, app: Path, recorded: dict[str, Any]
    ) -> None:
        pytester.makepyfile(
            test_app=APP
            + textwrap.dedent(
                """
                from streamkit.recording import Fault

                @pytest.mark.streamkit(cassette="test_chat", faults={0: Fault(cut_event=2)})
                def test_cut():
                    with httpx2.Client() as client:
                        dump(talk(client))

                @pytest.mark.streamkit(cassette="test_chat", faults={0: Fault(drop_at=100)})
                def test_drop():
                    with httpx2.Client() as client, pytest.raises(httpx2.RemoteProtocolError):
                        talk(client)

                ERROR = b'data: {"error": {"message": "overloaded"}}\\n\\n'

                @pytest.mark.streamkit(
                    cassette="test_chat", faults={0: Fault(inject={1: ERROR}, cut_event=1)}
                )
                def test_inject():
                    with httpx2.Client() as client:
                        dump(talk(client))
                """
            )
        )
        run(pytester, "-k", "cut or drop or inject", passed=3)
        cut, injected = outputs(app)
        body = "".join(recorded["chunks"])
        second = body.index("data:", body.index("data:") + 1)
        third = body.index("data:", second + 1)
        assert "".join(cut["chunks"]) == body[:third]
        error = 'data: {"error": {"message": "overloaded"}}\n\n'
        assert "".join(injected["chunks"]) == body[:second] + error

    def test_speed_1_replays_at_the_recorded_pace(
        self, pytester: pytest.Pytester, app: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        with LLMServer(delay=0.01) as server:
            monkeypatch.setenv("LLM_URL", server.url)
            run(pytester, "--streamkit-record-mode=once")
        outputs(app)
        chat = Replayer.open(cassette(pytester)).streams[0]
        span = chat.chunks[-1][0] - chat.t0
        assert span > 0.2
        started = time.monotonic()
        run(pytester, "--streamkit-speed=1")
        assert time.monotonic() - started >= span * 0.9

    def test_the_fixture_folds_a_stream_of_the_cassette(
        self, pytester: pytest.Pytester, app: Path, recorded: dict[str, Any]
    ) -> None:
        pytester.makepyfile(
            test_app=APP
            + textwrap.dedent(
                """
                def test_chat(streamkit_cassette):  # the fixture alone routes too
                    with httpx2.Client() as client:
                        talk(client)
                    assert streamkit_cassette.replayed == [0, 1]
                    completion = streamkit_cassette.fold(0).result
                    assert completion.choices[0].message.content
                    dump({"text": completion.choices[0].message.content})
                    with pytest.raises(ValueError, match=r"no dialect \\(application/json\\)"):
                        streamkit_cassette.fold(1)
                """
            )
        )
        run(pytester)
        (got,) = outputs(app)
        text = "".join(
            json.loads(line[6:])["choices"][0]["delta"].get("content") or ""
            for line in "".join(recorded["chunks"]).splitlines()
            if line.startswith("data: {") and json.loads(line[6:])["choices"]
        )
        assert got == {"text": text}


def test_a_session_without_httpx_still_routes_httpx2(
    pytester: pytest.Pytester, app: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With httpx missing, its routing is skipped; httpx2 clients still get the cassette."""
    pytester.makeconftest(
        "import sys\nfor name in list(sys.modules):\n"
        "    if name == 'httpx' or name.startswith('httpx.'):\n        del sys.modules[name]\n"
        "sys.modules['httpx'] = None\n"
    )
    pytester.makepyfile(
        test_app=APP
        + CHAT_TEST
        + "\ndef test_no_httpx():\n    with pytest.raises(ImportError):\n        import httpx\n"
    )
    with LLMServer() as server:
        monkeypatch.setenv("LLM_URL", server.url)
        result = pytester.runpytest_subprocess(*QUIET, "--streamkit-record-mode=once")
    result.assert_outcomes(passed=2)
    assert len(Replayer.open(cassette(pytester)).streams) == 2
