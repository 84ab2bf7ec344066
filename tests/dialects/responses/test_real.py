"""The real Responses captures fold to exactly the server's final response, without drift.

What every dialect shares (auto detection, names, re-encoding, every chunking,
the common face, cut streams) the conformance kit checks on these captures
(``tests/conformance``, this dialect's entry in ``case.py``); here is what is
the Responses fold's own: the result equals the final ``response`` the server
sent, the ``*.done`` values and the final response never drift from what the
deltas built, sequence numbers, and generated responses of shapes the
captures lack.
"""

from __future__ import annotations

import functools
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings, strategies as st

import streamkit
from streamkit.dialects import responses
from streamkit.dialects.responses._fold import DELTA_FIELDS
from tests.helpers import REAL, split_at

from . import streams as s

DIR = REAL / "responses"
FILES = sorted(DIR.glob("*.sse"))
NAMES = [path.name for path in FILES]
EARLY = {name for name in NAMES if "early" in name}


def test_the_captures_are_there() -> None:
    assert len(FILES) == 17
    assert len(EARLY) == 2


@functools.cache
def _body(name: str) -> bytes:
    return (DIR / name).read_bytes()


@functools.cache
def _events(name: str) -> tuple[Any, ...]:
    return tuple(streamkit.iter_events([_body(name)], dialect="responses"))


@pytest.mark.parametrize("name", NAMES)
def test_capture_folds_to_exactly_the_completed_response(name: str) -> None:
    """The strict fold ends with exactly the server's final response, and its sequence."""
    events = _events(name)
    final = events[-1]
    assert isinstance(final, responses.ResponseCompleted)
    acc = s.fold(list(events), strict=True)
    assert acc.done
    assert type(acc.result) is responses.FoldedResponse
    assert msgspec.to_builtins(acc.result) == msgspec.to_builtins(final.response)
    assert acc.errors == []
    assert acc.warnings == []
    if name in EARLY:
        assert acc.sequence_number is None
    else:
        assert acc.sequence_number == len(events) - 1


@pytest.mark.parametrize("name", NAMES)
def test_real_captures_show_no_drift(name: str) -> None:
    """No real capture drifts: every ``*.done`` value and the final response equal the fold.

    (Not even the kinds the fold would accept as legitimate: no field the
    deltas build arrives only in the final objects, or differs there.)
    """
    acc = s.fold(list(_events(name)))
    assert acc.drift == []


@pytest.mark.parametrize("name", NAMES)
def test_deltas_alone_build_what_the_server_sent(name: str) -> None:
    """Without any ``*.done`` event or the final response, the fold has every built field right.

    Compared for each output item: the fields events build (text, refusals,
    annotations, logprobs, summaries, arguments, input, code), which are all
    of a message's content and a reasoning item's summary.
    """
    events = list(_events(name))
    final = events[-1].response
    kept = [e for e in events if not e.type.endswith(".done") and e.type != "response.completed"]
    acc = s.fold(kept)
    assert {w.kind for w in acc.warnings} <= {"sequence-gap"}  # the events left out
    folded = msgspec.to_builtins(acc.result)["output"]
    wire = msgspec.to_builtins(final)["output"]
    assert [item["type"] for item in folded] == [item["type"] for item in wire]
    compared = 0
    for mine, theirs in zip(folded, wire, strict=True):
        for field in DELTA_FIELDS.get(mine["type"], ()):
            assert mine.get(field) == theirs.get(field), (mine["id"], field)
            compared += 1
    assert compared > 0


# -- generated responses: the same properties on shapes the captures lack ---------------


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), data=st.data())
def test_random_responses_fold_to_their_final_object_in_any_chunking(
    seed: int, data: st.DataObject
) -> None:
    body, final = s.random_response(seed)
    cuts = data.draw(st.lists(st.integers(0, len(body)), max_size=40), label="cuts")
    events = list(streamkit.iter_events(split_at(body, cuts), dialect="responses"))
    assert events == s.typed(body)
    acc = s.fold(events, strict=True)
    assert msgspec.to_builtins(acc.result) == final
    assert acc.drift == []
