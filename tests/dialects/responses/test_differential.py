"""streamkit's fold against openai-python's Responses streaming helper, on the same bytes.

openai-python is driven without a network: an ``httpx.MockTransport``
answers ``client.responses.stream(...)`` with the SSE body, so the SDK's own
SSE parser, typed events and ``ResponseStreamState`` fold
(``openai.lib.streaming.responses``) run exactly as for a real response.

Three things are compared, for every real capture and for generated responses:

1. the final ``Response``: ``stream.get_final_response().to_dict()`` against
   ``msgspec.to_builtins(acc.result)`` (and the ``ResponseStreamState`` alone,
   fed the events of ``client.responses.create(stream=True)``, agrees);
2. the running fold: the ``snapshot`` openai-python attaches to every
   ``response.output_text.delta`` and ``response.function_call_arguments.delta``
   event against the same text in ``acc.result`` after the same event;
3. the final ``Response`` when ``response.completed`` leaves out ``output``:
   openai-python then rebuilds it from the ``response.output_item.done``
   items, streamkit keeps its fold.

Legitimate differences, removed by :func:`_view` before comparing (and
asserted to be the only ones by :func:`test_the_only_differences_are_the_documented_ones`):

- ``created_at`` and ``completed_at``: openai-python types them ``float``, so
  the wire's integer ``1758064436`` becomes ``1758064436.0``; streamkit keeps
  the integer the server sent.
- ``output[].content[].parsed`` (``output_text``) and
  ``output[].parsed_arguments`` (``function_call``): openai-python's
  structured-output helpers, ``None`` without a ``text_format`` or strict
  tools; not API fields.

Where openai-python's fold falls short, a test pins its behaviour next to
streamkit's: it folds only output text and function call arguments (a
refusal, a reasoning summary, custom tool input, MCP arguments and code stay
as ``output_item.added`` left them until the final object), it raises for an
event it cannot place, and it has no final response for a stream that ends
with ``response.incomplete`` or ``response.failed``.
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any

import msgspec
import pytest
from hypothesis import given, settings, strategies as st

httpx = pytest.importorskip("httpx")
openai = pytest.importorskip("openai")
from openai import omit
from openai.lib.streaming.responses import ResponseStreamState

import streamkit
from streamkit.dialects import responses
from tests.helpers import REAL

from . import streams as s
from .streams import Stream

if TYPE_CHECKING:
    from collections.abc import Iterator

DIR = REAL / "responses"
NAMES = [path.name for path in sorted(DIR.glob("*.sse"))]
MSG = "msg_0a5004ef5dc3564c0069845a9e9e988193b8df9155eb5d7b71"


# -- driving openai-python --------------------------------------------------------------


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


def openai_stream(body: bytes) -> tuple[list[Any], Any]:
    """openai-python's events for *body*, and its final response (``None`` when it has none)."""
    with (
        _Client(body) as client,
        client.responses.stream(model="gpt-4o-mini", input="Hello") as stream,
    ):
        events = list(stream)
        try:
            final = stream.get_final_response()
        except RuntimeError as exc:
            assert "response.completed" in str(exc)  # noqa: PT017
            final = None
    return events, final


def state_fold(body: bytes) -> Any:
    """openai-python's ``ResponseStreamState`` fed the SDK's own typed events
    (``client.responses.create(stream=True)``): the final response it builds."""
    state: ResponseStreamState[Any] = ResponseStreamState(input_tools=omit, text_format=omit)
    final = None
    with _Client(body) as client:
        for event in client.responses.create(model="gpt-4o-mini", input="Hello", stream=True):
            for out in state.handle_event(event):
                if out.type == "response.completed":
                    final = out.response
    return final


def streamkit_fold(body: bytes) -> responses.Accumulator:
    return s.fold(list(streamkit.iter_events([body], dialect="responses")))


def _view(obj: dict[str, Any]) -> dict[str, Any]:
    """A response as builtins, with the legitimate differences (module docstring) removed."""
    view = json.loads(json.dumps(obj))
    for key in ("created_at", "completed_at"):
        if isinstance(view.get(key), int):
            view[key] = float(view[key])
    for item in view.get("output") or ():
        item.pop("parsed_arguments", None)
        for part in item.get("content") or ():
            part.pop("parsed", None)
    return view


def _differences(ours: Any, theirs: Any, where: str = "$") -> Iterator[str]:
    """Every path where two JSON trees differ (list indexes blanked)."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in sorted(ours.keys() | theirs.keys()):
            if key not in theirs:
                yield f"{where}.{key} only in streamkit"
            elif key not in ours:
                yield f"{where}.{key} only in openai"
            else:
                yield from _differences(ours[key], theirs[key], f"{where}.{key}")
    elif isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        for a, b in zip(ours, theirs, strict=True):
            yield from _differences(a, b, f"{where}[]")
    elif ours != theirs or type(ours) is not type(theirs):
        yield f"{where} differs"


@functools.cache
def _body(name: str) -> bytes:
    return (DIR / name).read_bytes()


def _without_final_output(body: bytes) -> bytes:
    """*body* with the ``output`` of its ``response.completed`` left out."""
    head, sep, last = body.rstrip(b"\n").rpartition(b"\n\n")
    name, _, data = last.partition(b"\ndata: ")
    assert name == b"event: response.completed"
    payload = json.loads(data)
    del payload["response"]["output"]
    rest = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return head + sep + name + b"\ndata: " + rest + b"\n\n"


# -- the comparisons ----------------------------------------------------------------------


def _check_final(body: bytes) -> None:
    _, final = openai_stream(body)
    acc = streamkit_fold(body)
    assert final is not None
    assert acc.result is not None
    ours = _view(msgspec.to_builtins(acc.result))
    assert ours == _view(final.to_dict())
    # The state machine alone, on the SDK's own parse of the bytes, agrees with its helper.
    assert ours == _view(state_fold(body).to_dict())


_SNAPSHOT_EVENTS = ("response.output_text.delta", "response.function_call_arguments.delta")


def _check_running(body: bytes) -> int:
    """Compare openai-python's snapshot at every text and arguments delta with streamkit's fold."""
    theirs, _ = openai_stream(body)
    ours = list(streamkit.iter_events([body], dialect="responses"))
    assert [e.type for e in theirs] == [e.type for e in ours]
    acc = responses.Accumulator()
    compared = 0
    for mine, their in zip(ours, theirs, strict=True):
        acc.feed(mine)
        if their.type not in (
            "response.output_text.delta",
            "response.function_call_arguments.delta",
        ):
            continue
        assert acc.result is not None
        item = msgspec.to_builtins(acc.result.output[their.output_index])  # type: ignore[index]
        if their.type == "response.output_text.delta":
            assert item["content"][their.content_index]["text"] == their.snapshot
        else:
            assert item["arguments"] == their.snapshot
        compared += 1
    return compared


@pytest.mark.parametrize("name", NAMES)
def test_final_response_equals_openai(name: str) -> None:
    _check_final(_body(name))


@pytest.mark.parametrize("name", NAMES)
def test_running_fold_equals_openai_snapshots(name: str) -> None:
    body = _body(name)
    deltas = sum(body.count(f"event: {event}\n".encode()) for event in _SNAPSHOT_EVENTS)
    assert _check_running(body) == deltas
    if "custom-tool" not in name:
        assert deltas > 0


@pytest.mark.parametrize("name", NAMES)
def test_final_response_without_output_equals_openai(name: str) -> None:
    """With ``output`` left out of ``response.completed``, both rebuild the same output."""
    body = _without_final_output(_body(name))
    _check_final(body)
    acc = streamkit_fold(body)
    assert acc.drift == []
    assert acc.warnings == []


def test_the_only_differences_are_the_documented_ones() -> None:
    found: set[str] = set()
    for name in NAMES:
        _, final = openai_stream(_body(name))
        acc = streamkit_fold(_body(name))
        ours = msgspec.to_builtins(acc.result)
        found |= set(_differences(ours, final.to_dict()))
    assert found == {
        "$.created_at differs",
        "$.completed_at differs",
        "$.output[].content[].parsed only in openai",
        "$.output[].parsed_arguments only in openai",
    }


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_generated_responses_equal_openai(seed: int) -> None:
    body, _ = s.random_response(seed)
    _check_final(body)
    _check_running(body)
    _check_final(_without_final_output(body))


# -- where openai-python falls short --------------------------------------------------------


def test_openai_folds_no_refusal_text() -> None:
    """A stream ending ``response.incomplete`` without ``output``: openai-python rebuilds it
    from its fold, where the refusal deltas left no trace; streamkit has the text."""
    stream = Stream().lifecycle("created").lifecycle("in_progress")
    stream.added(0, s.message_item(MSG)).part_added(0, MSG, 0, s.refusal())
    for delta in ("I can't", " help with that."):
        stream.item_event("response.refusal.delta", 0, MSG, content_index=0, delta=delta)
    final = s.response_obj("incomplete", incomplete_details={"reason": "max_output_tokens"})
    del final["output"]
    body = stream.event("response.incomplete", response=final).body()
    events, openai_final = openai_stream(body)
    assert openai_final is None  # no response.completed: no final response at all
    (message,) = events[-1].response.output
    assert message.content[0].refusal == ""
    acc = streamkit_fold(body)
    assert acc.done
    assert acc.result is not None
    assert acc.result.status == "incomplete"
    (item,) = acc.result.output  # type: ignore[misc]
    assert isinstance(item, responses.OutputMessage)
    assert item.content == [responses.OutputRefusal(refusal="I can't help with that.")]


def test_openai_raises_for_a_delta_it_cannot_place() -> None:
    stream = Stream().lifecycle("created").lifecycle("in_progress")
    stream.text(4, MSG, 0, "lost")
    body = stream.body()
    with pytest.raises(RuntimeError, match="before receiving its output item"):
        openai_stream(body)
    acc = streamkit_fold(body)
    assert [w.kind for w in acc.warnings] == ["unknown-output-index"]


def test_openai_does_not_check_sequence_numbers() -> None:
    stream = Stream().lifecycle("created").lifecycle("in_progress")
    stream.added(0, s.message_item(MSG)).part_added(0, MSG, 0, s.output_text())
    stream.sequence = 10  # five events lost
    stream.text(0, MSG, 0, "hi")
    body = stream.body()
    events, _ = openai_stream(body)
    assert events[-1].snapshot == "hi"
    acc = streamkit_fold(body)
    assert [w.kind for w in acc.warnings] == ["sequence-gap"]


def test_openai_raises_for_an_error_event_streamkit_keeps_it() -> None:
    """The nested ``error`` event the API sends (openai/openai-dotnet#881) ends openai-python's
    stream with ``APIError``; streamkit yields it, collects it, and folds on."""
    stream = Stream().lifecycle("created").lifecycle("in_progress")
    error = {
        "type": "too_many_requests",
        "code": "too_many_requests",
        "message": "Too Many Requests",
    }
    stream.event("error", error={**error, "param": None})
    stream.lifecycle(
        "failed", error={"code": "rate_limit_exceeded", "message": "Too Many Requests"}
    )
    body = stream.body()
    with pytest.raises(openai.APIError, match="Too Many Requests"):
        openai_stream(body)
    acc = streamkit_fold(body)
    assert [e.text for e in acc.errors] == ["Too Many Requests"]
    assert acc.done
    assert acc.result is not None
    assert acc.result.status == "failed"
    assert acc.warnings == []
