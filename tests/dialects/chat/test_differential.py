"""streamkit's fold against openai-python's ``ChatCompletionStreamState``, on the same bytes.

openai-python is driven without a network: an ``httpx.MockTransport`` answers
with the SSE body, and its own streaming path parses it.  Two ways:

* ``client.chat.completions.stream(...)``: the helper users call, a
  ``ChatCompletionStreamState`` fed by the SDK's typed stream (which drops
  chunks whose ``object`` is not ``chat.completion.chunk``), read with
  ``get_final_completion()``;
* ``client.chat.completions.create(stream=True)`` into a bare
  ``ChatCompletionStreamState`` (every chunk), read with
  ``current_completion_snapshot``.

The two folds are compared on every field both model: the SDK's models fill
every optional field it was not sent with ``None``, so a ``None`` the SDK has
and streamkit has not (absent) is no difference, and the SDK's own additions
(``message.parsed``, ``function.parsed_arguments``, a tool call's ``index``,
a choice's first ``content_filter_results``) are not compared.

Every other difference is listed in :data:`KNOWN`, with its reason: each is
openai-python's fold going wrong on real bytes.  Where openai-python cannot
fold a stream at all (chunks without ``choices``, choices starting out of
order) or its helper refuses one (``finish_reason: length``), a test pins
that next to streamkit's result.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings, strategies as st

httpx = pytest.importorskip("httpx")
openai = pytest.importorskip("openai")
from openai.lib.streaming.chat import ChatCompletionStreamState

import streamkit
from tests.helpers import REAL

from . import streams as s

DIR = REAL / "chat"
# OpenAI's own captures: the compatible servers' (``compat-*``) bend the schema openai-python reads.
NAMES = [path.name for path in sorted(DIR.glob("*.sse")) if not path.name.startswith("compat-")]
AUDIO = "openai-dotnet_audio-output_2026-06-05.sse"
AZURE = "openllmetry_azure-content-filter_2024-04-25.sse"
MODERATION = "pydantic-ai_gpt5-moderation-obfuscation_2026-07-22.sse"
LENGTH = "openai-python_finish-length_2024-09-26.sse"


# -- driving openai-python -----------------------------------------------------------


class _Client:
    """An OpenAI client whose every request is answered with *body* as an event stream."""

    def __init__(self, body: bytes) -> None:
        def answer(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

        self.http = httpx.Client(transport=httpx.MockTransport(answer))
        self.client = openai.OpenAI(
            api_key="sk-test", base_url="http://test.invalid/v1", http_client=self.http
        )

    def __enter__(self) -> openai.OpenAI:
        return self.client

    def __exit__(self, *exc: object) -> None:
        self.client.close()
        self.http.close()


_REQUEST: Any = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}


def _dump(model: Any) -> Any:
    return model.model_dump(mode="json", exclude_unset=True, warnings=False)


def sdk_stream(body: bytes) -> Any:
    """``chat.completions.stream(...)``'s final completion (its snapshot where it refuses one)."""
    with _Client(body) as client, client.chat.completions.stream(**_REQUEST) as stream:
        for _ in stream:
            pass
        try:
            return _dump(stream.get_final_completion())
        except (openai.LengthFinishReasonError, openai.ContentFilterFinishReasonError):
            return _dump(stream.current_completion_snapshot)


def sdk_state(body: bytes) -> Any:
    """A bare ``ChatCompletionStreamState`` fed every chunk of ``create(stream=True)``."""
    state: ChatCompletionStreamState[Any] = ChatCompletionStreamState()
    with _Client(body) as client:
        for chunk in client.chat.completions.create(stream=True, **_REQUEST):
            state.handle_chunk(chunk)
    return _dump(state.current_completion_snapshot)


def ours(body: bytes) -> Any:
    return msgspec.to_builtins(s.fold(list(streamkit.iter_events([body], dialect="chat"))).result)


# -- comparing ------------------------------------------------------------------------

_SDK_ONLY = re.compile(
    r"\.parsed$|\.parsed_arguments$|\.tool_calls\[\d+\]\.index$|^\$\.choices\[\d+\]\.content_filter_results$"
)
_ABSENT = "<absent>"


def differences(mine: Any, sdk: Any, path: str = "$") -> list[tuple[str, Any, Any]]:
    """Where streamkit's and openai-python's completions differ, on the fields both model."""
    if type(mine) is dict and type(sdk) is dict:
        out = []
        for key in {**mine, **sdk}:
            out += differences(mine.get(key, _ABSENT), sdk.get(key, _ABSENT), f"{path}.{key}")
        return out
    if type(mine) is list and type(sdk) is list and len(mine) == len(sdk):
        pairs = enumerate(zip(mine, sdk, strict=True))
        return [d for i, (a, b) in pairs for d in differences(a, b, f"{path}[{i}]")]
    if mine == sdk or (mine == _ABSENT and sdk is None) or _SDK_ONLY.search(path):
        return []
    return [(path, mine, sdk)]


@functools.cache
def _body(name: str) -> bytes:
    return (DIR / name).read_bytes()


@functools.cache
def _ours(name: str) -> Any:
    return ours(_body(name))


def _usage(name: str) -> Any:
    return _ours(name)["usage"]


KNOWN: dict[tuple[str, str], list[tuple[str, Any, Any]]] = {
    # openai-python replaces the snapshot's usage with every chunk's, so a chunk
    # after the usage chunk (here, the moderation chunk, usage: null) erases it.
    (MODERATION, "stream"): [("$.usage", _usage(MODERATION), None)],
    (MODERATION, "state"): [("$.usage", _usage(MODERATION), None)],
    # chat.completions.stream() drops Azure's first chunk (object ""), and with it
    # prompt_filter_results; the bare state keeps it but takes the completion's id,
    # created and model from it: "", 0, "".
    (AZURE, "stream"): [
        ("$.prompt_filter_results", _ours(AZURE)["prompt_filter_results"], _ABSENT)
    ],
    (AZURE, "state"): [
        ("$.id", _ours(AZURE)["id"], ""),
        ("$.created", _ours(AZURE)["created"], 0),
        ("$.model", _ours(AZURE)["model"], ""),
    ],
}


@pytest.mark.parametrize("how", ["stream", "state"])
@pytest.mark.parametrize("name", [n for n in NAMES if n != AUDIO])
def test_real_capture_folds_like_openai_python(name: str, how: str) -> None:
    """Every real capture folds to openai-python's completion, but for the listed differences."""
    sdk = (sdk_stream if how == "stream" else sdk_state)(_body(name))
    found = differences(_ours(name), sdk)
    assert sorted(found, key=repr) == sorted(KNOWN.get((name, how), []), key=repr)


def test_openai_python_helper_refuses_a_length_finish() -> None:
    """``get_final_completion()`` raises for ``finish_reason: length``; streamkit folds it."""
    with (
        _Client(_body(LENGTH)) as client,
        client.chat.completions.stream(**_REQUEST) as stream,
    ):
        for _ in stream:
            pass
        with pytest.raises(openai.LengthFinishReasonError):
            stream.get_final_completion()
    assert _ours(LENGTH)["choices"][0]["finish_reason"] == "length"


@pytest.mark.parametrize("sdk", [sdk_stream, sdk_state])
def test_openai_python_cannot_fold_chunks_without_choices(sdk: Any) -> None:
    """The audio capture's padding chunks have no ``choices``: openai-python fails on them."""
    with pytest.raises(TypeError, match="not iterable"):
        sdk(_body(AUDIO))
    assert _ours(AUDIO)["choices"][0]["message"]["audio"]["transcript"] == "Hello"


@pytest.mark.parametrize("sdk", [sdk_stream, sdk_state])
def test_audio_without_padding_chunks_shows_openai_python_concatenating_ids(sdk: Any) -> None:
    """With the choice-less chunks removed, openai-python folds the audio capture, wrongly.

    It concatenates every repeated string: the ``role`` and the audio ``id``
    are each sent twice, and come out doubled; and the chunk after the usage
    chunk erases the usage.
    """
    body = _body(AUDIO)
    kept = [b for b in body.split(b"\n\n") if b'"choices"' in b or b == b"data: [DONE]"]
    trimmed = b"\n\n".join(kept) + b"\n\n"
    mine = ours(trimmed)
    assert mine == _ours(AUDIO)  # the padding chunks change nothing in streamkit's fold
    audio_id = mine["choices"][0]["message"]["audio"]["id"]
    assert sorted(differences(mine, sdk(trimmed)), key=repr) == sorted(
        [
            ("$.choices[0].message.role", "assistant", "assistantassistant"),
            ("$.choices[0].message.audio.id", audio_id, audio_id * 2),
            ("$.usage", mine["usage"], None),
        ],
        key=repr,
    )


# -- generated streams: all three agree ------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), usage=st.booleans())
def test_generated_streams_fold_like_openai_python(seed: int, usage: bool) -> None:
    """On well-formed generated streams, streamkit, openai-python and the expectation agree."""
    body, expected = s.random_completion(seed, usage=usage)
    mine = ours(body)
    assert mine == expected
    assert differences(mine, sdk_stream(body)) == []
    assert differences(mine, sdk_state(body)) == []


@pytest.mark.parametrize("first", [1, 2])
@pytest.mark.parametrize("sdk", [sdk_stream, sdk_state])
def test_openai_python_fails_on_choices_that_start_out_of_order(sdk: Any, first: int) -> None:
    """With ``n`` > 1, openai-python files a choice at its position of first appearance.

    It indexes that list by ``index``, so a choice that starts before a lower
    one is an ``IndexError``; streamkit folds choices by their ``index``.
    """
    order = [0, 1, 2]
    order.remove(first)
    order.insert(first - 1, first)  # (1, 0, 2) or (0, 2, 1)
    stream = s.Stream()
    for index in order:
        stream.start(index)
    for index in order:
        stream.text(f"text {index}", index=index)
    body = stream.finish(index=0).finish(index=1).finish(index=2).done().body()
    mine = ours(body)
    assert [(c["index"], c["message"]["content"]) for c in mine["choices"]] == [
        (0, "text 0"),
        (1, "text 1"),
        (2, "text 2"),
    ]
    with pytest.raises(IndexError):
        sdk(body)
