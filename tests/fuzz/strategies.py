"""Hypothesis strategies for the fuzz tests: hostile SSE bodies, dialect streams, recordings.

Inputs are grown from real material (the bodies in ``tests/data/real`` and
the bundled recordings) and mutated at three levels: SSE syntax (line ends,
fields, comments, BOM, NUL), JSON (keys dropped, values swapped for others of
any type, ids and indexes redrawn, unknown ``type`` values) and raw bytes
(flips, cuts, insertions).  ``STREAMKIT_FUZZ_EXAMPLES`` sets how many inputs
each test draws (a CI smoke run by default).
"""

from __future__ import annotations

import copy
import json
import os
from typing import Any

from hypothesis import HealthCheck, settings, strategies as st

import streamkit

from . import targets

EXAMPLES = int(os.environ.get("STREAMKIT_FUZZ_EXAMPLES", "0")) or None
"""Inputs per fuzz test from the environment; ``None``: each test's smoke default."""


def fuzz_settings(smoke: int) -> settings:
    """Settings for one fuzz test: *smoke* examples unless ``STREAMKIT_FUZZ_EXAMPLES`` says.

    The smoke run is derandomized (the same inputs every run, no example database),
    so CI is reproducible; a campaign draws fresh inputs and keeps failures.
    """
    return settings(
        max_examples=EXAMPLES or smoke,
        derandomize=EXAMPLES is None,
        database=None if EXAMPLES is None else settings.default.database,
        deadline=None,  # the targets check their own time bounds
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
        ],
    )


# -- SSE syntax --------------------------------------------------------------------

ATOMS = [
    b"data",
    b"data: ",
    b"event",
    b"event: ",
    b"id",
    b"id: ",
    b"retry",
    b"retry: ",
    b"x",
    b":",
    b" ",
    b"\n",
    b"\r",
    b"\r\n",
    b"\n\n",
    b"1",
    b"99999999999999999999",
    b"\x00",
    b"\xef\xbb\xbf",  # a BOM, anywhere
    b"\xef\xbb",
    b"\xff",
    b"\xc3",
    "é".encode(),
    "🎉".encode(),
    b": keep-alive\n",
    b"{",
    b'{"a": [1, {"b": null}]}',
    b"[DONE]",
]
atoms = st.sampled_from(ATOMS)
cuts = st.lists(st.integers(0, 1 << 16), max_size=16)


@st.composite
def real_window(draw: st.DrawFn) -> bytes:
    """A slice of a real body of any dialect (events cut anywhere)."""
    bodies = [
        body
        for name in ("assistants", "chat", "responses", "anthropic")
        for body in targets.real_bodies(name)
    ]
    if not bodies:
        return b""
    body = draw(st.sampled_from(bodies))
    start = draw(st.integers(0, len(body)))
    size = draw(st.integers(0, 4096))
    return body[start : start + size]


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[bytes]) -> bytes:
    """*base* with a few byte-level mutations: flips, cuts, insertions of SSE atoms."""
    data = bytearray(draw(base))
    for _ in range(draw(st.integers(0, 4))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "delete", "crlf"]))
        pos = draw(st.integers(0, len(data)))
        if op == "flip" and pos < len(data):
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "cut":
            del data[pos:]
        elif op == "insert":
            data[pos:pos] = draw(atoms)
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 16))]
        elif op == "crlf":
            data = bytearray(bytes(data).replace(b"\n", draw(st.sampled_from([b"\r", b"\r\n"]))))
    return bytes(data)


sse_bodies = st.one_of(
    st.lists(atoms, max_size=120).map(b"".join),
    st.binary(max_size=512),
    mutated(real_window()),
    mutated(st.lists(atoms, max_size=60).map(b"".join)),
)
"""Bodies for the SSE decoder: grammar soup, noise, and mutated real streams."""


# -- JSON --------------------------------------------------------------------------

json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["", "text", "function", "streamkit.unknown", "completed", "in_progress"]),
)
json_values = st.recursive(
    json_leaves,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
IDS = ["msg_1", "msg_2", "step_1", "step_2", "run_1", "run_2", "call_1", "thread_1", ""]
INDEXES = [-1, 0, 1, 2, 3, 7, 10_000, 10_001, 2**31, 2**63, "0", None, 1.5]


def _slots(node: Any, out: list[tuple[Any, Any]]) -> None:
    """Every (container, key) in a JSON tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            out.append((node, key))
            _slots(value, out)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.append((node, i))
            _slots(value, out)


@st.composite
def mutate_json(draw: st.DrawFn, tree: Any) -> Any:
    """*tree* with a few structural mutations that a buggy or newer server might make."""
    tree = copy.deepcopy(tree)
    for _ in range(draw(st.integers(1, 4))):
        slots: list[tuple[Any, Any]] = []
        _slots(tree, slots)
        if not slots:
            return draw(json_values)
        parent, key = draw(st.sampled_from(slots))
        op = draw(st.sampled_from(["drop", "replace", "id", "index", "type", "dup", "grow"]))
        if op == "drop":
            del parent[key]
        elif op == "replace":
            parent[key] = draw(json_values)
        elif op == "id":
            parent[key] = draw(st.sampled_from(IDS))
        elif op == "index":
            parent[key] = draw(st.sampled_from(INDEXES))
        elif op == "type":
            parent[key] = draw(st.sampled_from(["text", "image_file", "function", "x.new", 7]))
        elif op == "dup" and isinstance(parent[key], list) and parent[key]:
            parent[key] = parent[key] * draw(st.integers(2, 5))
        elif op == "grow" and isinstance(parent[key], str):
            parent[key] = parent[key] * draw(st.integers(2, 50))
    return tree


def _retarget_ids(node: Any, mapping: dict[str, str]) -> Any:
    """Ids of a real stream mapped onto a small set, so that events of different streams meet."""
    if isinstance(node, dict):
        return {k: _retarget_ids(v, mapping) for k, v in node.items()}
    if isinstance(node, list):
        return [_retarget_ids(v, mapping) for v in node]
    if isinstance(node, str) and node in mapping:
        return mapping[node]
    return node


def _parse(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return None


# -- dialect streams ---------------------------------------------------------------

NOISE = [
    b": ping\n\n",
    b"\n",
    b"id: 7\n",
    b"retry: 1000\n",
    b"event: ping\ndata: {}\n\n",
    b"data: [DONE]\n\n",
    b"event: done\ndata: [DONE]\n\n",
    b'event: error\ndata: {"message": "boom", "type": "server_error"}\n\n',
    b"\xef\xbb\xbf",
    b"\x00",
]


#: Noise between the lines of an NDJSON body: blank and whitespace lines, CRLF, an
#: error line, a line of another endpoint, JSON that is not an object.
NDJSON_NOISE = [
    b"\n",
    b"\r\n",
    b" \t\r\n",
    b'{"error":"boom"}\n',
    b'{"error":""}\n',
    b'{"status":"pulling manifest"}\n',
    b"[1, 2]\n",
    b"null\n",
    b"\xef\xbb\xbf",
    b"\x00",
]


EVENTSTREAM_NOISE = [
    streamkit.encode_message(
        {":event-type": "ping", ":content-type": "application/json", ":message-type": "event"},
        b"{}",
    ),
    streamkit.encode_message({":message-type": "error", ":error-code": "InternalFailure"}),
    streamkit.encode_message({}, b""),
    streamkit.encode_message(
        {":exception-type": "throttlingException", ":message-type": "exception"},
        b'{"message":"slow down"}',
    ),
]
"""Whole messages that a stream in the AWS event stream framing may meet between events."""

_NOISES = {"sse": NOISE, "eventstream": EVENTSTREAM_NOISE, "ndjson": NDJSON_NOISE}


def _encode(framing: str, name: str, data: bytes) -> bytes:
    """One event in the framing of the dialect (its name kept where the framing has one)."""
    if framing == "eventstream":
        headers = {":event-type": name, ":content-type": "application/json"}
        return streamkit.encode_message({**headers, ":message-type": "event"}, data)
    if framing == "ndjson":
        return data.replace(b"\n", b" ") + b"\n"
    return streamkit.encode_event(event=name, data=data)


@st.composite
def dialect_stream(draw: st.DrawFn, dialect: str, *, wild: bool = True) -> bytes:
    """A body of *dialect*: real events in real or shuffled order, mutated or not.

    With ``wild`` false the events are only reordered, repeated and retargeted
    (they still decode), which drives the fold deeper.
    """
    corpus = targets.real_events(dialect)
    framing = targets.framing(dialect)
    names = sorted({name for name, _ in corpus}) or ["message"]
    mapping = {}
    if corpus and draw(st.booleans()):
        for _, data in corpus:
            tree = _parse(data)
            if isinstance(tree, dict) and isinstance(tree.get("id"), str):
                mapping.setdefault(tree["id"], draw(st.sampled_from(IDS)))
    parts = []
    if corpus and draw(st.booleans()):
        # A run of consecutive real events: the fold sees a plausible stream.
        start = draw(st.integers(0, len(corpus) - 1))
        window = list(corpus[start : start + draw(st.integers(1, 30))])
    else:
        window = []
    count = draw(st.integers(0, 12))
    for _ in range(count):
        if corpus:
            window.insert(draw(st.integers(0, len(window))), draw(st.sampled_from(corpus)))
    for name, data in window:
        tree = _parse(data)
        if mapping and tree is not None:
            data = json.dumps(_retarget_ids(tree, mapping)).encode()
            tree = _parse(data)
        if wild:
            how = draw(st.sampled_from(["real", "real", "json", "bytes", "random", "rename"]))
            if how == "json" and tree is not None:
                data = json.dumps(draw(mutate_json(tree))).encode()
            elif how == "bytes":
                data = draw(mutated(st.just(data)))
            elif how == "random":
                data = json.dumps(draw(json_values)).encode()
            elif how == "rename":
                name = draw(st.sampled_from([*names, "thread.unknown", "x", "message", "done"]))
        parts.append(_encode(framing, name, data))
        if wild and draw(st.integers(0, 9)) == 0:
            parts.append(draw(st.sampled_from(_NOISES[framing])))
    body = b"".join(parts)
    if wild and draw(st.integers(0, 4)) == 0:
        body = body[: draw(st.integers(0, len(body)))]  # cut off anywhere
    return body


# -- recordings --------------------------------------------------------------------


@st.composite
def recording_files(draw: st.DrawFn) -> bytes:
    """A recording file, valid or damaged: lines dropped, cut, swapped, rewritten, bytes flipped."""
    files = targets.recording_files()
    lines = draw(st.sampled_from(files)).split(b"\n")
    # Keep files small: the head, some lines from anywhere, the tail.
    if len(lines) > 12:
        pick = sorted(draw(st.sets(st.integers(1, len(lines) - 2), max_size=8)))
        lines = [lines[0], *(lines[i] for i in pick), *lines[-2:]]
    for _ in range(draw(st.integers(0, 4))):
        op = draw(st.sampled_from(["drop", "dup", "swap", "json", "version", "dialect", "kind"]))
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        if not lines:
            break
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "json":
            tree = _parse(lines[i])
            if tree is not None:
                lines[i] = json.dumps(draw(mutate_json(tree))).encode()
        elif op == "version":
            lines[0] = json.dumps({"streamkit": draw(json_values)}).encode()
        elif op == "dialect":
            lines[0] = json.dumps(
                {"streamkit": 1, "dialect": draw(st.sampled_from(["chat", "nope", "", None, 3]))}
            ).encode()
        elif op == "kind":
            t = draw(st.sampled_from([0, -1, 1e308, "0", None]))
            kind = draw(st.sampled_from(["o", "b", "x", "s", "m", "", 1]))
            lines.insert(i, json.dumps([t, kind, draw(json_values)]).encode())
    data = b"\n".join(lines)
    return draw(mutated(st.just(data))) if draw(st.booleans()) else data
