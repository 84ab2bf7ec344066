"""The Responses fold: merge rules, full values and drift, violations, snapshots and cost."""

from __future__ import annotations

import contextlib
import time
import typing
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings, strategies as st

import streamkit
from streamkit.dialects import responses
from streamkit.dialects._drift import diff
from streamkit.dialects.responses import _fold
from streamkit.dialects.responses._fold import MERGE, RESPONSE_NEXT, VIOLATIONS

from . import streams as s
from .streams import Stream

MSG = "msg_0a5004ef5dc3564c0069845a9e9e988193b8df9155eb5d7b71"
MSG2 = "msg_0b5004ef5dc3564c0069845a9e9e988193b8df9155eb5d7b72"
FC = "fc_0a5004ef5dc3564c0069845aa0d8b4819381f1f3c0f3a8b9e1"
RS = "rs_0a5004ef5dc3564c0069845a9f6a0c8193b2fc3b4c2a6f61b4"
CI = "ci_68d5f300cfa48194bce90dcedf1f13550eb1ac777f9e7501"


def _started(*, sequence: bool = True) -> Stream:
    return Stream(sequence=sequence).lifecycle("created").lifecycle("in_progress")


def _message(*deltas: str, content: int = 0) -> Stream:
    """A response with one message whose ``output_text`` part gets *deltas*."""
    stream = _started().added(0, s.message_item(MSG)).part_added(0, MSG, content, s.output_text())
    for delta in deltas:
        stream.text(0, MSG, content, delta)
    return stream


def _out(acc: responses.Accumulator) -> list[Any]:
    assert acc.result is not None
    return msgspec.to_builtins(acc.result)["output"]  # type: ignore[no-any-return]


def _kinds(acc: responses.Accumulator) -> list[str]:
    kinds = [violation.kind for violation in acc.warnings]
    assert set(kinds) <= VIOLATIONS
    return kinds


def _drift(acc: responses.Accumulator) -> list[tuple[str, str, str]]:
    return [(d.object_id, d.path, d.kind) for d in acc.drift]


def _item(item: dict[str, Any]) -> Any:
    """An item as JSON, as a snapshot gives it back."""
    return msgspec.to_builtins(msgspec.convert(item, responses.OutputItem))


# -- the declared rules ----------------------------------------------------------------


def test_every_event_type_has_a_handler() -> None:
    handled = set(_fold._HANDLERS)
    assert handled == set(typing.get_args(responses.ResponseStreamEvent))
    for cls, rule in MERGE.items():
        assert rule.kind in {_fold.CONCAT, _fold.DONE, _fold.PART, _fold.PART_DONE}.union(
            {_fold.ANNOTATION, _fold.STATUS}
        ), cls
        if rule.kind in (_fold.CONCAT, _fold.DONE):
            assert rule.field is not None
            assert rule.value in cls.__struct_fields__, cls
        if rule.parts is not None:
            assert rule.index in cls.__struct_fields__, cls


def test_concatenated_fields_are_declared() -> None:
    concat = {
        (rule.items, rule.parts, rule.field) for rule in MERGE.values() if rule.kind == "concat"
    }
    assert concat == {
        (("message",), "content", "text"),
        (("message",), "content", "refusal"),
        (("reasoning",), "content", "text"),
        (("reasoning",), "summary", "text"),
        (("function_call",), None, "arguments"),
        (("custom_tool_call",), None, "input"),
        (("mcp_call",), None, "arguments"),
        (("code_interpreter_call",), None, "code"),
    }


def test_lifecycle_table_covers_every_state() -> None:
    states = {state for targets in RESPONSE_NEXT.values() for state in targets}
    assert set(RESPONSE_NEXT) == {None, *states}


# -- merge rules --------------------------------------------------------------------------


def test_text_deltas_are_concatenated() -> None:
    acc = s.fold(_message("Hel", "lo", ", 世界 🙂").typed(), strict=True)
    (message,) = _out(acc)
    assert message["content"] == [s.output_text("Hello, 世界 🙂")]
    assert acc.result is not None
    assert acc.result.output_text == "Hello, 世界 🙂"


def test_parts_fold_by_content_index_in_any_order() -> None:
    stream = _started().added(0, s.message_item(MSG))
    stream.part_added(0, MSG, 1, s.output_text()).part_added(0, MSG, 0, s.output_text())
    stream.text(0, MSG, 1, "second").text(0, MSG, 0, "first").text(0, MSG, 1, "!")
    acc = s.fold(stream.typed())
    assert [p["text"] for p in _out(acc)[0]["content"]] == ["first", "second!"]
    assert _kinds(acc) == ["index-gap"]  # part 1 came before part 0


def test_items_fold_by_output_index() -> None:
    stream = _started().added(0, s.message_item(MSG)).added(1, s.function_item(FC))
    stream.part_added(0, MSG, 0, s.output_text())
    stream.item_event("response.function_call_arguments.delta", 1, FC, delta='{"a":')
    stream.text(0, MSG, 0, "x")
    stream.item_event("response.function_call_arguments.delta", 1, FC, delta=" 1}")
    acc = s.fold(stream.typed(), strict=True)
    message, call = _out(acc)
    assert message["content"][0]["text"] == "x"
    assert call["arguments"] == '{"a": 1}'
    assert call["name"] == "get_weather"  # identifiers are kept, not concatenated


def test_refusal_deltas_are_concatenated() -> None:
    stream = _started().added(0, s.message_item(MSG)).part_added(0, MSG, 0, s.refusal())
    for delta in ("I'm sorry", ", I can't", " help."):
        stream.item_event("response.refusal.delta", 0, MSG, content_index=0, delta=delta)
    acc = s.fold(stream.typed(), strict=True)
    assert _out(acc)[0]["content"] == [s.refusal("I'm sorry, I can't help.")]


@pytest.mark.parametrize(
    ("item", "name", "field"),
    [
        (s.function_item(FC), "response.function_call_arguments", "arguments"),
        (s.custom_tool_item("ctc_" + FC[3:]), "response.custom_tool_call_input", "input"),
        (s.code_interpreter_item(CI), "response.code_interpreter_call_code", "code"),
        (
            {
                "id": "mcp_1",
                "type": "mcp_call",
                "approval_request_id": None,
                "arguments": "",
                "error": None,
                "name": "roll",
                "output": None,
                "server_label": "dmcp",
            },
            "response.mcp_call_arguments",
            "arguments",
        ),
    ],
)
def test_call_inputs_are_concatenated_and_done_replaces(
    item: dict[str, Any], name: str, field: str
) -> None:
    stream = _started().added(0, item)
    for delta in ('{"x"', ": ", "[1, 2]}"):
        stream.item_event(f"{name}.delta", 0, item["id"], delta=delta)
    acc = s.fold(stream.typed(), strict=True)
    assert _out(acc)[0][field] == '{"x": [1, 2]}'
    stream.item_event(f"{name}.done", 0, item["id"], **{field: '{"x": [1, 2]}'})
    acc = s.fold(stream.typed(), strict=True)
    assert _out(acc)[0][field] == '{"x": [1, 2]}'
    assert acc.drift == []


def test_reasoning_summary_parts_and_text() -> None:
    stream = _started().added(0, s.reasoning_item(RS))
    for number, pieces in enumerate((["**Plan", "ning**"], ["Then", " act"])):
        part = {"type": "summary_text", "text": ""}
        stream.item_event(
            "response.reasoning_summary_part.added", 0, RS, summary_index=number, part=part
        )
        for piece in pieces:
            stream.item_event(
                "response.reasoning_summary_text.delta", 0, RS, summary_index=number, delta=piece
            )
    acc = s.fold(stream.typed(), strict=True)
    assert _out(acc)[0]["summary"] == [
        {"type": "summary_text", "text": "**Planning**"},
        {"type": "summary_text", "text": "Then act"},
    ]


def test_reasoning_text_parts() -> None:
    stream = _started().added(0, s.reasoning_item(RS))
    part = {"type": "reasoning_text", "text": ""}
    stream.item_event("response.content_part.added", 0, RS, content_index=0, part=part)
    for piece in ("Let me", " think."):
        stream.item_event("response.reasoning_text.delta", 0, RS, content_index=0, delta=piece)
    stream.item_event("response.reasoning_text.done", 0, RS, content_index=0, text="Let me think.")
    acc = s.fold(stream.typed(), strict=True)
    assert _out(acc)[0]["content"] == [{"type": "reasoning_text", "text": "Let me think."}]
    assert acc.drift == []


def test_annotations_are_placed_by_annotation_index() -> None:
    first = {"type": "url_citation", "start_index": 0, "end_index": 2, "title": "A", "url": "a"}
    second = {"type": "file_citation", "file_id": "file-1", "filename": "f.txt", "index": 5}
    stream = _message("Hi", " there")
    stream.annotation(0, MSG, 0, 1, second).annotation(0, MSG, 0, 0, first)
    acc = s.fold(stream.typed())
    assert _out(acc)[0]["content"][0]["annotations"] == [first, second]
    assert _kinds(acc) == ["index-gap"]
    replaced = {**first, "title": "B"}
    stream.annotation(0, MSG, 0, 0, replaced)
    acc = s.fold(stream.typed())
    assert _out(acc)[0]["content"][0]["annotations"] == [replaced, second]


def test_logprobs_of_text_deltas_are_appended() -> None:
    stream = _message()
    for token in ("Hi", "!"):
        lp = [{"token": token, "logprob": -0.5, "top_logprobs": []}]
        stream.event(
            "response.output_text.delta",
            item_id=MSG,
            output_index=0,
            content_index=0,
            delta=token,
            logprobs=lp,
        )
    acc = s.fold(stream.typed(), strict=True)
    (part,) = _out(acc)[0]["content"]
    assert part["text"] == "Hi!"
    assert [lp["token"] for lp in part["logprobs"]] == ["Hi", "!"]


@pytest.mark.parametrize(
    ("item", "events", "status"),
    [
        (
            {"id": "fs_1", "type": "file_search_call", "status": "in_progress", "queries": []},
            ["response.file_search_call.in_progress", "response.file_search_call.searching"],
            "searching",
        ),
        (
            {"id": "ws_1", "type": "web_search_call", "status": "in_progress"},
            ["response.web_search_call.searching", "response.web_search_call.completed"],
            "completed",
        ),
        (
            s.code_interpreter_item(CI),
            ["response.code_interpreter_call.interpreting"],
            "interpreting",
        ),
        (
            {"id": "ig_1", "type": "image_generation_call", "status": "in_progress"},
            ["response.image_generation_call.generating"],
            "generating",
        ),
    ],
)
def test_progress_events_set_the_status(
    item: dict[str, Any], events: list[str], status: str
) -> None:
    stream = _started().added(0, item)
    for name in events:
        stream.item_event(name, 0, item["id"])
    acc = s.fold(stream.typed(), strict=True)
    assert _out(acc)[0]["status"] == status


def test_progress_events_invent_no_status() -> None:
    """``mcp_list_tools`` items, and ``mcp_call`` items of 2025, have no ``status``: none added."""
    tools = {"id": "mcpl_1", "type": "mcp_list_tools", "server_label": "dmcp", "tools": []}
    call = {"id": "mcp_1", "type": "mcp_call", "arguments": "", "name": "r", "server_label": "d"}
    stream = _started().added(0, tools).added(1, call)
    stream.item_event("response.mcp_list_tools.in_progress", 0, "mcpl_1")
    stream.item_event("response.mcp_list_tools.completed", 0, "mcpl_1")
    stream.item_event("response.mcp_call.in_progress", 1, "mcp_1")
    stream.item_event("response.mcp_call.failed", 1, "mcp_1")
    acc = s.fold(stream.typed(), strict=True)
    assert [("status" in item) for item in _out(acc)] == [False, False]


def test_partial_images_are_checked_not_folded() -> None:
    item = {"id": "ig_1", "type": "image_generation_call", "status": "in_progress", "result": None}
    stream = _started().added(0, item)
    stream.item_event(
        "response.image_generation_call.partial_image",
        0,
        "ig_1",
        partial_image_b64="AAAA",
        partial_image_index=0,
    )
    acc = s.fold(stream.typed(), strict=True)
    assert _out(acc)[0]["result"] is None


# -- full values, the final response, and drift ---------------------------------------------


def test_done_events_replace_the_fold_without_drift_when_equal() -> None:
    stream = _message("Hel", "lo").text_done(0, MSG, 0, "Hello")
    stream.part_done(0, MSG, 0, s.output_text("Hello"))
    final = s.message_item(MSG, "completed", [s.output_text("Hello")])
    stream.done(0, final)
    acc = s.fold(stream.typed(), strict=True)
    assert _out(acc) == [_item(final)]
    assert acc.drift == []


def test_done_text_that_differs_is_drift_and_wins() -> None:
    stream = _message("Hel", "lo").text_done(0, MSG, 0, "Help")
    acc = s.fold(stream.typed(), strict=True)
    assert _drift(acc) == [(MSG, "$.content[0].text", "conflict")]
    (drift,) = acc.drift
    assert (drift.folded, drift.final) == ("Hello", "Help")
    assert _out(acc)[0]["content"][0]["text"] == "Help"


def test_part_done_compares_the_whole_part() -> None:
    cite = {"type": "url_citation", "start_index": 0, "end_index": 2, "title": "A", "url": "a"}
    stream = _message("Hi").part_done(0, MSG, 0, s.output_text("Hi", [cite]))
    acc = s.fold(stream.typed(), strict=True)
    assert _drift(acc) == [(MSG, "$.content[0].annotations[0]", "only_in_final")]
    assert _out(acc)[0]["content"][0]["annotations"] == [cite]


def test_item_done_adopts_the_server_item_and_compares_what_events_built() -> None:
    added = {"id": RS, "type": "reasoning", "summary": [], "encrypted_content": "gAAA"}
    final = {**added, "encrypted_content": "gAAAAABo-full", "summary": [], "status": "completed"}
    acc = s.fold(_started().added(0, added).done(0, final).typed(), strict=True)
    assert _out(acc) == [_item(final)]
    assert acc.drift == []  # encrypted_content and status arrive whole: never drift
    call = s.function_item(FC)
    stream = _started().added(0, call)
    stream.item_event("response.function_call_arguments.delta", 0, FC, delta='{"a": 1}')
    stream.done(0, s.function_item(FC, '{"a": 2}', "completed"))
    acc = s.fold(stream.typed(), strict=True)
    assert _drift(acc) == [(FC, "$.arguments", "conflict")]
    assert _out(acc)[0]["arguments"] == '{"a": 2}'


def test_completed_response_replaces_the_fold() -> None:
    stream = _message("Hel", "lo")
    final = s.response_obj(
        "completed", [s.message_item(MSG, "completed", [s.output_text("Hello")])]
    )
    stream.event("response.completed", response=final)
    acc = s.fold(stream.typed(), strict=True)
    assert acc.done
    assert msgspec.to_builtins(acc.result) == final
    assert acc.drift == []


def test_completed_response_that_differs_is_drift() -> None:
    stream = _message("Hel", "lo").added(1, s.function_item(FC))
    only_final = s.message_item(MSG2, "completed", [s.output_text("extra")])
    output = [s.message_item(MSG, "completed", [s.output_text("Help")])]
    stream.event("response.completed", response=s.response_obj("completed", output))
    acc = s.fold(stream.typed(), strict=True)
    assert _drift(acc) == [
        (MSG, "$.content[0].text", "conflict"),
        (s.RESP_ID, "$.output[1]", "only_in_fold"),
    ]
    assert len(_out(acc)) == 1
    stream = _message("Hello")
    output = [s.message_item(MSG, "completed", [s.output_text("Hello")]), only_final]
    stream.event("response.completed", response=s.response_obj("completed", output))
    acc = s.fold(stream.typed(), strict=True)
    assert _drift(acc) == [(s.RESP_ID, "$.output[1]", "only_in_final")]


def test_final_response_without_output_keeps_the_folded_items() -> None:
    stream = _message("Hel", "lo")
    final = s.response_obj("completed")
    del final["output"]
    stream.event("response.completed", response=final)
    acc = s.fold(stream.typed(), strict=True)
    assert acc.result is not None
    assert acc.result.status == "completed"
    assert _out(acc) == [_item(s.message_item(MSG, "in_progress", [s.output_text("Hello")]))]
    assert acc.drift == []


def test_incomplete_response_compares_only_what_events_built() -> None:
    stream = _message("Hel", "lo")
    output = [s.message_item(MSG, "incomplete", [s.output_text("Hello")])]
    details = {"reason": "max_output_tokens"}
    stream.lifecycle("incomplete", output=output, incomplete_details=details)
    acc = s.fold(stream.typed(), strict=True)
    assert acc.done
    assert acc.drift == []
    assert acc.result is not None
    assert acc.result.status == "incomplete"
    assert acc.result.incomplete_details == responses.IncompleteDetails(reason="max_output_tokens")
    assert _out(acc)[0]["status"] == "incomplete"


def test_failed_response_and_error_events() -> None:
    error = {"code": "server_error", "message": "The server had an error."}
    stream = _message("Hel").event("error", code="server_error", message="boom", param=None)
    stream.lifecycle("failed", error=error, output=[s.message_item(MSG, "failed", [])])
    acc = s.fold(stream.typed(), strict=True)
    assert [e.message for e in acc.errors] == ["boom"]
    assert acc.result is not None
    assert acc.result.status == "failed"
    assert acc.result.error == responses.ResponseError(**error)
    assert _drift(acc) == [(MSG, "$.content[0]", "only_in_fold")]
    assert _out(acc)[0]["content"] == []


def test_an_empty_final_output_after_streamed_items_keeps_them() -> None:
    """``"output": []`` in the final response though items were streamed (servers that speak
    this API have sent it): a violation, and the folded items stay the output."""
    stream = _message("Hel", "lo").added(1, s.function_item(FC))
    stream.event("response.completed", response=s.response_obj("completed", []))
    acc = s.fold(stream.typed())
    assert _kinds(acc) == ["empty-final-output"]
    assert acc.warnings[0].object_id == s.RESP_ID
    assert acc.drift == []
    assert acc.done
    assert acc.result is not None
    assert acc.result.status == "completed"
    assert [item["type"] for item in _out(acc)] == ["message", "function_call"]
    assert acc.text == "".join(streamkit.text_deltas(stream.typed())) == "Hello"
    with pytest.raises(streamkit.FoldError, match="output is empty"):
        s.fold(stream.typed(), strict=True)
    # Nothing streamed: an empty output is just that.
    acc = s.fold(_started().lifecycle("completed").typed(), strict=True)
    assert _out(acc) == []


@pytest.mark.parametrize(
    ("folded", "final", "kind"),
    [
        ("abc", "abd", "conflict"),
        ("", "abc", "only_in_final"),
        ("abc", "", "only_in_fold"),
        ([], [{"a": 1}], "only_in_final"),
        ([{"a": 1}], [], "only_in_fold"),
        ({"a": 1}, {"a": 2}, "conflict"),
        (True, 1, "conflict"),
        # The shared rule (streamkit.dialects._drift): the fold's own copy called these drift.
        (1, 1.0, None),
        ("", None, None),
        ([], {}, None),
    ],
)
def test_drift_is_classified_by_the_shared_rule(folded: Any, final: Any, kind: str | None) -> None:
    out: list[Any] = []
    diff("x", "$.v", folded, final, out)
    assert [d.kind for d in out] == ([kind] if kind else [])


def test_a_number_spelled_otherwise_in_the_full_value_is_no_drift() -> None:
    """``1`` and ``1.0`` are one JSON number: an annotation of a kind the dialect keeps raw
    (its numbers as sent) done with ``1.0`` where it was added with ``1`` is no drift."""
    added = {"type": "page_citation", "page": 1, "title": ""}
    stream = _message("Hi").annotation(0, MSG, 0, 0, added)
    done = s.output_text("Hi", [{**added, "page": 1.0, "title": None}])
    acc = s.fold(stream.part_done(0, MSG, 0, done).typed(), strict=True)
    assert acc.drift == []
    (annotation,) = _out(acc)[0]["content"][0]["annotations"]
    assert annotation["data"] == {**added, "page": 1.0, "title": None}  # the server's, kept raw
    acc = s.fold(
        _message("Hi")
        .annotation(0, MSG, 0, 0, added)
        .part_done(0, MSG, 0, s.output_text("Hi", [{**added, "page": 2}]))
        .typed()
    )
    assert _drift(acc) == [(MSG, "$.content[0].annotations[0].data.page", "conflict")]


def test_same_text_in_fragments_is_no_drift_and_not_joined() -> None:
    fragments = _fold._Fragments(["ab", "c", "d"])
    out: list[Any] = []
    diff("x", "$.t", fragments, "abcd", out)
    assert out == []
    assert list(fragments) == ["ab", "c", "d"]
    diff("x", "$.t", fragments, "abce", out)
    assert [(d.folded, d.final) for d in out] == [("abcd", "abce")]


# -- violations -------------------------------------------------------------------------


def _with_sequence(events: list[Any], numbers: list[int | None]) -> list[Any]:
    return [
        msgspec.structs.replace(e, sequence_number=n if n is not None else msgspec.UNSET)
        for e, n in zip(events, numbers, strict=True)
    ]


def test_sequence_gap_is_a_warning_and_the_fold_goes_on() -> None:
    events = _message("a", "b", "c").typed()
    numbers = list(range(len(events)))
    numbers[-1] += 3
    acc = s.fold(_with_sequence(events, numbers))
    assert _kinds(acc) == ["sequence-gap"]
    (gap,) = acc.warnings
    assert gap.ordinal == len(events) - 1
    assert gap.event == "response.output_text.delta"
    assert "3 missing" in gap.message
    assert _out(acc)[0]["content"][0]["text"] == "abc"
    assert acc.sequence_number == numbers[-1]


def test_reordered_and_repeated_sequence_numbers_are_warnings() -> None:
    events = _message("a", "b", "c").typed()
    n = len(events)
    numbers = [*range(n - 3), n - 2, n - 3, n - 1]  # the last three: b before a, then c
    acc = s.fold(_with_sequence(events, numbers))
    assert _kinds(acc) == ["sequence-gap", "sequence-order"]
    numbers = [*range(n - 1), n - 2]  # the last event repeats the one before
    acc = s.fold(_with_sequence(events, numbers))
    assert _kinds(acc) == ["sequence-order"]


def test_sequence_violation_raises_when_strict() -> None:
    events = _message("a", "b").typed()
    numbers = [*range(len(events) - 1), len(events) + 5]
    with pytest.raises(streamkit.FoldError) as info:
        s.fold(_with_sequence(events, numbers), strict=True)
    assert info.value.ordinal == len(events) - 1
    assert info.value.event == "response.output_text.delta"


def test_absent_sequence_numbers_are_fine() -> None:
    stream = Stream(sequence=False).lifecycle("created").added(0, s.message_item(MSG))
    stream.part_added(0, MSG, 0, s.output_text()).text(0, MSG, 0, "hi")
    acc = s.fold(stream.typed(), strict=True)
    assert _out(acc)[0]["content"][0]["text"] == "hi"
    assert acc.sequence_number is None


def test_unknown_events_count_in_the_sequence() -> None:
    stream = _message("a")
    stream.event("response.audio.delta", delta="AAAA")  # an event this dialect keeps raw
    stream.text(0, MSG, 0, "b")
    events = stream.typed()
    assert type(events[-2]) is responses.UnknownEvent
    acc = s.fold(events, strict=True)
    assert _out(acc)[0]["content"][0]["text"] == "ab"
    without = [e for e in events if type(e) is not responses.UnknownEvent]
    assert _kinds(s.fold(without)) == ["sequence-gap"]


def test_delta_for_an_unknown_output_index_creates_nothing() -> None:
    stream = _message("a").text(3, MSG, 0, "lost")
    acc = s.fold(stream.typed())
    assert _kinds(acc) == ["unknown-output-index"]
    assert len(_out(acc)) == 1
    assert _out(acc)[0]["content"][0]["text"] == "a"


def test_events_after_the_response_ended_change_nothing() -> None:
    stream = _message("Hello")
    final = s.response_obj(
        "completed", [s.message_item(MSG, "completed", [s.output_text("Hello")])]
    )
    stream.event("response.completed", response=final)
    stream.text(0, MSG, 0, " again").event("error", message="late", code=None, param=None)
    stream.lifecycle("in_progress")
    acc = s.fold(stream.typed())
    assert _kinds(acc) == ["after-end", "after-end", "after-end"]
    assert msgspec.to_builtins(acc.result) == final
    assert [e.message for e in acc.errors] == ["late"]


def test_delta_after_its_item_is_done_changes_nothing() -> None:
    final = s.message_item(MSG, "completed", [s.output_text("Hi")])
    stream = _message("Hi").done(0, final).text(0, MSG, 0, " more")
    acc = s.fold(stream.typed())
    assert _kinds(acc) == ["after-item-done"]
    assert _out(acc) == [_item(final)]


def test_item_id_mismatch_is_a_warning_and_folds_by_output_index() -> None:
    stream = _message("a").text(0, MSG2, 0, "b")
    acc = s.fold(stream.typed())
    assert _kinds(acc) == ["item-id-mismatch"]
    assert _out(acc)[0]["content"][0]["text"] == "ab"


def test_item_type_mismatch_is_not_applied() -> None:
    stream = _started().added(0, s.function_item(FC)).text(0, FC, 0, "text?")
    stream.item_event("response.reasoning_summary_text.delta", 0, FC, summary_index=0, delta="x")
    acc = s.fold(stream.typed())
    assert _kinds(acc) == ["item-type-mismatch", "item-type-mismatch"]
    assert _out(acc) == [_item(s.function_item(FC))]


def test_delta_for_a_part_never_added_creates_it() -> None:
    stream = _started().added(0, s.message_item(MSG)).text(0, MSG, 0, "a").text(0, MSG, 0, "b")
    acc = s.fold(stream.typed())
    assert _kinds(acc) == ["unknown-part"]
    assert _out(acc)[0]["content"] == [{"type": "output_text", "text": "ab", "annotations": []}]
    with pytest.raises(streamkit.FoldError):
        s.fold(stream.typed(), strict=True)


def test_text_delta_for_a_refusal_part_is_not_applied() -> None:
    stream = _started().added(0, s.message_item(MSG)).part_added(0, MSG, 0, s.refusal())
    stream.text(0, MSG, 0, "text")
    acc = s.fold(stream.typed())
    assert _kinds(acc) == ["part-type-mismatch"]
    assert _out(acc)[0]["content"] == [s.refusal()]


def test_duplicate_and_skipped_output_indexes() -> None:
    stream = _started().added(0, s.message_item(MSG)).added(0, s.message_item(MSG2))
    stream.added(2, s.function_item(FC))
    acc = s.fold(stream.typed())
    assert _kinds(acc) == ["duplicate-output-index", "index-gap"]
    assert [item["id"] for item in _out(acc)] == [MSG2, FC]


def test_duplicate_part_is_replaced() -> None:
    stream = _message("a").part_added(0, MSG, 0, s.output_text())
    acc = s.fold(stream.typed())
    assert _kinds(acc) == ["duplicate-part"]
    assert _out(acc)[0]["content"] == [s.output_text()]


@pytest.mark.parametrize("index", [-1, _fold.MAX_INDEX + 1, 2**62])
def test_absurd_index_is_a_violation_without_allocation(index: int) -> None:
    stream = _message("a").text(0, MSG, index, "b").added(index, s.function_item(FC))
    acc = s.fold(stream.typed())
    assert _kinds(acc) == ["index-out-of-range", "index-out-of-range"]
    assert _out(acc)[0]["content"] == [s.output_text("a")]


@pytest.mark.parametrize(
    ("states", "kinds"),
    [
        (["created", "queued", "in_progress"], []),
        (["created", "in_progress", "in_progress"], []),
        (["in_progress"], ["transition"]),
        (["created", "created"], ["transition"]),
        (["created", "in_progress", "queued"], ["transition"]),
    ],
)
def test_lifecycle_transitions(states: list[str], kinds: list[str]) -> None:
    stream = Stream()
    for state in states:
        stream.lifecycle(state)
    assert _kinds(s.fold(stream.typed())) == kinds


def test_lifecycle_event_of_another_response_is_a_violation() -> None:
    stream = Stream().lifecycle("created").lifecycle("in_progress", id="resp_other")
    acc = s.fold(stream.typed())
    assert _kinds(acc) == ["other-response"]
    assert acc.warnings[0].object_id == "resp_other"


# -- snapshots ----------------------------------------------------------------------------


def test_result_is_none_before_the_response_is_created() -> None:
    acc = responses.Accumulator()
    assert acc.result is None
    acc.feed(responses.UnknownEvent("response.audio.delta", b"{}"))
    assert acc.result is None


def test_snapshots_are_frozen_and_never_change_once_returned() -> None:
    acc = s.fold(_message("a").typed())
    first = acc.result
    assert first is not None
    assert acc.result is first  # nothing new: the same object
    with pytest.raises(AttributeError):
        first.status = "completed"  # type: ignore[misc]
    before = msgspec.to_builtins(first)
    for event in Stream().text(0, MSG, 0, "b").typed():
        acc.feed(msgspec.structs.replace(event, sequence_number=msgspec.UNSET))
    assert msgspec.to_builtins(first) == before
    assert acc.result is not first
    assert _out(acc)[0]["content"][0]["text"] == "ab"


def test_unchanged_items_keep_their_snapshot() -> None:
    stream = _message("a").added(1, s.function_item(FC))
    acc = s.fold(stream.typed())
    assert acc.result is not None
    message = acc.result.output[0]  # type: ignore[index]
    for event in (
        Stream().item_event("response.function_call_arguments.delta", 1, FC, delta="{}").typed()
    ):
        acc.feed(msgspec.structs.replace(event, sequence_number=msgspec.UNSET))
    assert acc.result.output[0] is message  # type: ignore[index]


def test_events_fed_are_not_mutated() -> None:
    events = _message("a", "b").done(0, s.message_item(MSG, "completed", [])).typed()
    copies = [msgspec.json.encode(e) for e in events]
    acc = s.fold(events)
    acc.result  # noqa: B018
    assert [msgspec.json.encode(e) for e in events] == copies


# -- cost --------------------------------------------------------------------------------


def _fold_cost(n: int) -> float:
    """Seconds per delta to fold one message of *n* text deltas and read it once (best of 5)."""
    head = _message("x").typed()
    delta = msgspec.structs.replace(
        Stream().text(0, MSG, 0, "token ").typed()[0], sequence_number=msgspec.UNSET
    )
    best = float("inf")
    for _ in range(5):
        acc = s.fold(head)
        feed = acc.feed
        start = time.process_time()
        for _ in range(n):
            feed(delta)
        result = acc.result
        best = min(best, time.process_time() - start)
    assert result is not None
    assert len(result.output_text) == 1 + 6 * n
    return best / n


def test_fold_cost_per_delta_does_not_grow_with_the_message() -> None:
    """Folding 50,000 text deltas costs per delta less than three times what 1,000 do.

    (The benchmark measures it closely: ``python -m benchmarks responses``; the
    bound here leaves room for a busy machine.)
    """
    small = _fold_cost(1_000)
    large = _fold_cost(50_000)
    assert large < 3 * small, (small, large)


def test_done_check_costs_linear_time() -> None:
    """Comparing a long folded text with its done value does not join it per fragment."""
    stream = _message(*["word "] * 20_000)
    stream.text_done(0, MSG, 0, "word " * 20_000)
    events = stream.typed()
    start = time.process_time()
    acc = s.fold(events, strict=True)
    elapsed = time.process_time() - start
    assert acc.drift == []
    assert elapsed < 1.0


# -- robustness ----------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), data=st.data())
def test_any_mangling_of_a_stream_folds_without_crashing(seed: int, data: st.DataObject) -> None:
    """Dropped, repeated, swapped events give warnings (FoldError when strict), never a crash."""
    body, _ = s.random_response(seed)
    events = s.typed(body)
    for _ in range(data.draw(st.integers(1, 6), label="faults")):
        i = data.draw(st.integers(0, len(events) - 1), label="at")
        fault = data.draw(st.sampled_from(["drop", "repeat", "swap", "move"]), label="fault")
        if fault == "drop" and len(events) > 1:
            del events[i]
        elif fault == "repeat":
            events.insert(i, events[i])
        elif fault == "swap" and i + 1 < len(events):
            events[i], events[i + 1] = events[i + 1], events[i]
        elif fault == "move":
            events.append(events.pop(i))
    acc = responses.Accumulator()
    for event in events:
        acc.feed(event)
        if data.draw(st.booleans(), label="read"):
            msgspec.to_builtins(acc.result)
    assert set(_kinds(acc)) <= VIOLATIONS
    msgspec.json.encode(acc.result)
    with contextlib.suppress(streamkit.FoldError):
        s.fold(events, strict=True)
