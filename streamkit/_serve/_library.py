"""What ``streamkit serve`` serves: the recorded exchanges, and how a request finds one.

Every stream of every recording given (a file, or a folder searched for
``*.ndjson``, ``*.ndjson.gz`` and ``*.sse``) is one :class:`Entry`.  A
request is answered by the entries that *answer its path* — the path the
exchange was recorded on, or the provider's usual endpoint for its dialect
(:data:`ENDPOINTS`) — and among them, as
:class:`~streamkit.recording.Cassette` chooses for ``ReplayTransport``: the
first whose recorded request matches on the match fields (method, path,
query and JSON body by default; a stream recorded without a request matches
any request), not served yet.  So a client that replays a session against
the server gets the answers ``ReplayTransport`` would give it.  Once every
match has been served, they are served again in the same order, so a load
test can send a recording as often as it likes.  With ``cycle`` the request
is not looked at: the entries that answer the path are served in turn.

A request that no entry matches gets a 404 naming the closest recorded
request and how it differs, in :class:`~streamkit.ReplayMismatch`'s words.
A non-streaming request (``"stream": false``, or Gemini's
``:generateContent``) that only a recorded stream matches is answered with
that stream's fold: the final object, shaped as the API's non-streaming
response.
"""

from __future__ import annotations

import os
import re
import threading
import urllib.parse
import warnings
from typing import TYPE_CHECKING, Any, Final

import attrs
import msgspec

from ..recording import (
    DEFAULT_MATCH,
    RecordedRequest,
    RecordedStream,
    RecordingWarning,
    Replayer,
)
from ..recording._cassette import (
    MATCH_FIELDS,
    _check_match,
    _differences,
    _media_type,
    _same,
    is_streaming,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = ("ENDPOINTS", "Choice", "Entry", "Library", "Mismatch", "load")

#: The providers' usual streaming endpoints: (method, path pattern, dialect, streams by default).
ENDPOINTS: Final = (
    ("POST", re.compile(r"^(?:/openai)?(?:/v1)?/chat/completions$"), "chat", False),
    ("POST", re.compile(r"^(?:/openai)?(?:/v1)?/responses$"), "responses", False),
    ("POST", re.compile(r"^(?:/v1)?/messages$"), "anthropic", False),
    (
        "POST",
        re.compile(r"^(?:/v1)?/threads(?:/[^/]+)?/runs(?:/[^/]+/submit_tool_outputs)?$"),
        "assistants",
        False,
    ),
    (
        "POST",
        re.compile(r"^/v1(?:beta|alpha)?/models/[^/]+:streamGenerateContent$"),
        "gemini",
        True,
    ),
    ("POST", re.compile(r"^/v1(?:beta|alpha)?/models/[^/]+:generateContent$"), "gemini", False),
    ("POST", re.compile(r"^/api/(?:chat|generate)$"), "ollama", True),
    (
        "POST",
        re.compile(r"^/model/[^/]+/(?:converse-stream|invoke-with-response-stream)$"),
        "bedrock",
        True,
    ),
)
SUFFIXES: Final = (".ndjson", ".ndjson.gz", ".sse", ".sse.gz")


def endpoint(method: str, path: str) -> tuple[str, bool] | None:
    """The dialect whose usual endpoint *path* is, and whether it streams without being asked."""
    for want, pattern, dialect, streams in ENDPOINTS:
        if method == want and pattern.match(path):
            return dialect, streams
    return None


def _path(url: str) -> str:
    return urllib.parse.urlsplit(url).path or "/"


@attrs.define(eq=False)
class Entry:
    """One recorded exchange the server can answer with."""

    file: str  # as shown: relative to the path it was found under
    index: int  # its stream number in that file
    stream: RecordedStream
    request: RecordedRequest | None
    dialect: str | None
    served: int = 0

    @property
    def name(self) -> str:
        return f"{self.file}#{self.index}"

    @property
    def status(self) -> int:
        status = (self.stream.response or {}).get("status", 200)
        return status if isinstance(status, int) else 200

    @property
    def headers(self) -> list[tuple[str, str]]:
        raw = (self.stream.response or {}).get("headers") or {}
        items = raw.items() if isinstance(raw, dict) else raw
        return [(str(k), str(v)) for k, v in items]

    @property
    def content_type(self) -> str | None:
        for name, value in self.headers:
            if name.lower() == "content-type":
                return value
        return None

    @property
    def is_stream(self) -> bool:
        """Whether the body is a stream (recorded chunk by chunk), not a JSON document."""
        content_type = self.content_type
        if content_type is None:
            return self.dialect is not None
        return is_streaming(content_type)

    @property
    def paths(self) -> list[str]:
        """The paths this exchange answers on, beside its dialect's usual endpoint."""
        return [_path(self.request.url)] if self.request is not None else []

    def answers(self, method: str, path: str) -> bool:
        """Whether a request for *path* may be answered by this exchange."""
        if self.request is not None and _path(self.request.url) == path:
            return self.request.method in ("", method)
        found = endpoint(method, path)
        return found is not None and found[0] == self.dialect

    def describe(self) -> dict[str, Any]:
        """This exchange as ``GET /_streamkit/recordings`` lists it."""
        stream = self.stream
        times = [t for t, _ in stream.chunks]
        end = stream.end_t if stream.end_t is not None else (times[-1] if times else stream.t0)
        return {
            "recording": self.name,
            "file": self.file,
            "stream": self.index,
            "dialect": self.dialect,
            "method": self.request.method if self.request is not None else None,
            "path": _path(self.request.url) if self.request is not None else None,
            "endpoint": next((p.pattern for _, p, d, _ in ENDPOINTS if d == self.dialect), None),
            "status": self.status,
            "stream_body": self.is_stream,
            "chunks": len(stream.chunks),
            "bytes": sum(len(c) for _, c in stream.chunks),
            "duration": round(max(0.0, end - stream.t0), 6),
            "end": stream.end,
            "served": self.served,
        }


@attrs.frozen
class Choice:
    """The exchange that answers a request, and how."""

    entry: Entry
    as_json: bool = False  # a non-streaming request answered with the stream's fold


class Mismatch(Exception):
    """No exchange answers a request; ``message`` names the closest, ``closest`` is it."""

    def __init__(self, message: str, closest: Entry | None, differences: Sequence[str]) -> None:
        super().__init__(message)
        self.closest = closest
        self.differences = tuple(differences)


def _wants_stream(info: RecordedRequest, body: bytes, default: bool) -> bool:
    """Whether the request asks for a stream: its JSON body's ``stream``, else *default*."""
    value = info.json if info.body == "json" else None
    if value is None and body[:1] == b"{":  # JSON sent without saying so (curl -d)
        try:
            value = msgspec.json.decode(body)
        except (msgspec.DecodeError, UnicodeDecodeError):
            value = None
    if isinstance(value, dict) and "stream" in value:
        return bool(value["stream"])
    return default


def _without_stream(info: RecordedRequest) -> RecordedRequest:
    """*info* with its body's ``stream`` and ``stream_options`` left out (JSON bodies only)."""
    if info.body != "json" or not isinstance(info.json, dict):
        return info
    body = {k: v for k, v in info.json.items() if k not in ("stream", "stream_options")}
    return attrs.evolve(info, json=body)


class Library:
    """The exchanges served, and the choice of one for each request (thread-safe)."""

    def __init__(
        self,
        entries: Iterable[Entry],
        *,
        match: Sequence[str] = DEFAULT_MATCH,
        cycle: bool = False,
    ) -> None:
        self.entries = list(entries)
        fields = _check_match(match)
        assert fields is not None
        self.match = fields
        self.cycle = cycle
        self._lock = threading.Lock()

    def _matches(self, live: RecordedRequest, entry: Entry, fields: Sequence[str]) -> bool:
        recorded = entry.request
        if recorded is None:
            return True
        for name in fields:
            if name == "path":
                continue  # answers() has decided on the path
            if name == "body" and live.body == recorded.body == "json":
                if not _same(_without_stream(live), _without_stream(recorded), name):
                    return False
                continue
            if not _same(live, recorded, name):
                return False
        return True

    def choose(self, info: RecordedRequest, body: bytes = b"") -> Choice:
        """The exchange that answers *info* (its *body* as sent) and count it served.

        Raises :class:`Mismatch` when none does.
        """
        path = _path(info.url)
        found = endpoint(info.method, path)
        wants = _wants_stream(info, body, found[1] if found else True)
        with self._lock:
            candidates = [e for e in self.entries if e.answers(info.method, path)]
            if self.cycle:
                matched = candidates
            else:
                exact = [e for e in candidates if self._exact(info, e)]
                matched = exact or [
                    e for e in candidates if self._matches(info, e, self.match) and e.is_stream
                ]
            if not matched:
                raise self._mismatch(info, candidates)
            entry = min(matched, key=lambda e: e.served)  # the first of the least served
            entry.served += 1
        as_json = entry.is_stream and not wants and entry.dialect is not None
        return Choice(entry, as_json)

    def _exact(self, info: RecordedRequest, entry: Entry) -> bool:
        """The match ``ReplayTransport`` makes (the path aside: ``answers`` decided on it)."""
        recorded = entry.request
        if recorded is None:
            return True
        return all(_same(info, recorded, name) for name in self.match if name != "path")

    def _mismatch(self, info: RecordedRequest, candidates: list[Entry]) -> Mismatch:
        requested = f"{info.method} {_path(info.url)}"
        pool = [e for e in (candidates or self.entries) if e.request is not None]
        if not pool:
            if not self.entries:
                return Mismatch(f"{requested}: the server holds no recording", None, ())
            paths = sorted({p for e in self.entries for p in e.paths} | self._endpoints())
            shown = ", ".join(paths[:8]) + (", …" if len(paths) > 8 else "")
            return Mismatch(
                f"{requested}: no recording answers this path (served: {shown})", None, ()
            )
        fields = self.match or MATCH_FIELDS
        assert all(e.request is not None for e in pool)
        closest = max(
            pool,
            key=lambda e: sum(_same(info, e.request, f) for f in fields),  # type: ignore[arg-type]
        )
        assert closest.request is not None
        differences = _differences(info, closest.request, fields)
        how = ", ".join(fields)
        return Mismatch(
            f"{requested} matches no recorded exchange (matched on {how}); the closest is"
            f" {closest.name}, {closest.request}, which differs in "
            + "; ".join(differences or ["what the matcher looks at"]),
            closest,
            differences,
        )

    def _endpoints(self) -> set[str]:
        dialects = {e.dialect for e in self.entries}
        return {p.pattern for _, p, d, _ in ENDPOINTS if d in dialects}


def _files(path: str) -> list[tuple[str, str]]:
    """``(shown name, real path)`` of every recording under *path* (a file or a folder)."""
    if os.path.isdir(path):
        found = []
        for root, dirs, names in os.walk(path):
            dirs.sort()
            for name in sorted(names):
                if name.endswith(SUFFIXES) and not name.startswith("."):
                    real = os.path.join(root, name)
                    found.append((os.path.relpath(real, path), real))
        return found
    if not os.path.exists(path):
        raise FileNotFoundError(2, "no such file or folder", path)
    return [(os.path.basename(path), path)]


def load(paths: Iterable[str], *, dialect: str | None = None) -> tuple[list[Entry], list[str]]:
    """The exchanges of every recording under *paths*, and warnings met reading them."""
    entries: list[Entry] = []
    notes: list[str] = []
    for path in paths:
        files = _files(path)
        if not files:
            notes.append(f"{path}: holds no recording (*.ndjson, *.ndjson.gz, *.sse)")
        for shown, real in files:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", RecordingWarning)
                replayer = Replayer.open(real, dialect=dialect)
            notes.extend(str(w.message) for w in caught)
            for index, stream in enumerate(replayer.streams):
                request = (
                    RecordedRequest.from_record(stream.request)
                    if isinstance(stream.request, dict)
                    else None
                )
                name = stream.dialect or _detect(stream)
                entries.append(Entry(shown, index, stream, request, name))
    return entries, notes


def _detect(stream: RecordedStream) -> str | None:
    """The dialect a stream recorded without one speaks, from its first event."""
    content_type = (stream.response or {}).get("headers") or {}
    media = _media_type(
        next((v for k, v in dict(content_type).items() if k.lower() == "content-type"), None)
    )
    if media and not is_streaming(media):
        return None
    from ..recording._record import DialectProbe

    probe = DialectProbe()
    probe.feed(stream.body)
    probe.close()
    return probe.dialect
