"""The pytest plugin: every HTTP exchange of a test in one cassette (``streamkit[pytest]``).

A test marked ``@pytest.mark.streamkit``, or one that asks for the
``streamkit_cassette`` fixture, runs with every httpx and httpx2 client of
the process routed through the cassette
``<test file dir>/cassettes/<test module>/<test name>.ndjson``: the clients
the openai and anthropic SDKs make included, since routing sits in the
library's own HTTP transport (``HTTPTransport`` and ``AsyncHTTPTransport``).
A client given a transport of its own (``MockTransport``, say) is left alone.

``--streamkit-record-mode`` is one of pytest-recording's modes: ``none`` (the
default: replay only, never touch the network), ``once``, ``new_episodes``,
``all``.  Replay is instant unless ``--streamkit-speed`` says otherwise.  The
marker takes ``cassette=`` (a name in that directory, or a path),
``record_mode=``, ``speed=``, ``rechunk=``, ``faults=``, ``redact=``,
``match=`` and ``dialect=``, as :class:`~streamkit.recording.Cassette` does.

A request the cassette cannot answer raises
:class:`~streamkit.ReplayMismatch` in the client, and fails the test even
when the code under test swallowed the error (SDKs turn transport errors
into their own).  A library that is not installed is not routed.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ._transport import Library, Router
from .recording import Cassette

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ("cassette_path", "streamkit_cassette")

_MODES = ("none", "once", "new_episodes", "all")
_LIBRARIES = ("httpx", "httpx2")
_MARKER_KEYS = frozenset(
    {"cassette", "record_mode", "speed", "rechunk", "faults", "redact", "match", "dialect"}
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("streamkit", "streamkit cassettes")
    group.addoption(
        "--streamkit-record-mode",
        choices=_MODES,
        default="none",
        help="none: replay only (default); once: record missing cassettes;"
        " new_episodes: record what a cassette does not answer; all: record everything",
    )
    group.addoption(
        "--streamkit-speed",
        type=float,
        default=0.0,
        metavar="X",
        help="replay at X times the recorded pace (default 0: at once)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "streamkit(cassette=None, record_mode=None, speed=None, rechunk=None, faults=None,"
        " redact=(), match=None, dialect='auto'): route every httpx and httpx2 client"
        " through the test's streamkit cassette",
    )


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


_UNSAFE = re.compile(r"[^\w.\-\[\]=,]+")


def cassette_path(node: pytest.Item, name: str | None = None) -> Path:
    """Where *node*'s cassette lives: ``<dir>/cassettes/<module>/<[Class.]test>.ndjson``.

    *name*, when given, replaces the test's name (an absolute path is used as is).
    """
    path = Path(node.path)
    directory = path.parent / "cassettes" / path.stem
    if name is None:
        cls = getattr(node, "cls", None)
        name = f"{cls.__name__}.{node.name}" if cls is not None else node.name
        name = _UNSAFE.sub("-", name)
    if os.path.isabs(name):
        return Path(name)
    if not name.endswith((".ndjson", ".ndjson.gz")):
        name += ".ndjson"
    return directory / name


def _libraries() -> list[Any]:
    """The installed HTTP libraries, each once (httpx2 can alias itself as httpx)."""
    modules: list[Any] = []
    for name in _LIBRARIES:
        try:
            if importlib.util.find_spec(name) is None:
                continue
            module = importlib.import_module(name)
        except ImportError:
            continue
        if not any(module.HTTPTransport is m.HTTPTransport for m in modules):
            modules.append(module)
    return modules


def _route(module: Any, router: Any) -> Callable[[], None]:
    """Send every request of *module*'s own transports through *router*; returns the undo."""
    sync_cls, async_cls = module.HTTPTransport, module.AsyncHTTPTransport
    sync_original = sync_cls.__dict__["handle_request"]
    async_original = async_cls.__dict__["handle_async_request"]

    def handle_request(self: Any, request: Any) -> Any:
        return router.handle(request, functools.partial(sync_original, self))

    async def handle_async_request(self: Any, request: Any) -> Any:
        return await router.ahandle(request, functools.partial(async_original, self))

    sync_cls.handle_request = handle_request
    async_cls.handle_async_request = handle_async_request

    def undo() -> None:
        sync_cls.handle_request = sync_original
        async_cls.handle_async_request = async_original

    return undo


@pytest.fixture
def streamkit_cassette(request: pytest.FixtureRequest) -> Iterator[Cassette]:
    """The test's cassette; while it lives, every httpx and httpx2 client goes through it.

    Assert on what it holds: ``streamkit_cassette.fold(0).result`` is the
    final object of stream 0, ``.streams`` the recorded streams, ``.requests``
    what the test sent, ``.replayed`` and ``.recorded`` the streams it
    replayed and wrote.
    """
    marker = request.node.get_closest_marker("streamkit")
    options: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    if marker is not None and marker.args:
        raise pytest.UsageError("@pytest.mark.streamkit takes keyword arguments only")
    unknown = set(options) - _MARKER_KEYS
    if unknown:
        raise pytest.UsageError(
            f"@pytest.mark.streamkit got unknown arguments {sorted(unknown)}"
            f" (known: {', '.join(sorted(_MARKER_KEYS))})"
        )
    config = request.config
    mode = options.pop("record_mode", None) or config.getoption("streamkit_record_mode")
    if mode not in _MODES:
        raise pytest.UsageError(f"record_mode must be one of {_MODES}, not {mode!r}")
    speed = options.pop("speed", None)
    speed = config.getoption("streamkit_speed") if speed is None else speed
    path = cassette_path(request.node, options.pop("cassette", None))
    if mode == "none" and not path.exists():
        pytest.fail(
            f"streamkit: no cassette at {path}; record it with --streamkit-record-mode=once",
            pytrace=False,
        )
    if options.get("match", ...) is None:
        options.pop("match")  # the marker's default: match on the request
    cassette = Cassette(path, record_mode=mode, **options)
    cassette.hint = (
        "streamkit: record what is missing with --streamkit-record-mode=new_episodes,"
        " or everything again with --streamkit-record-mode=all"
    )
    undo: list[Callable[[], None]] = []
    try:
        for module in _libraries():
            library: Library[Any, Any] = Library(module)
            router = Router(library, cassette, speed=speed)
            undo.append(_route(module, router))
        yield cassette
    finally:
        for step in reversed(undo):
            step()
        cassette.close()
    if cassette.mismatches and not request.node.stash.get(_CALL_FAILED, False):
        # The code under test swallowed the error (an SDK turns it into its own): say it here.
        first = cassette.mismatches[0]
        more = len(cassette.mismatches) - 1
        also = f"\n(and {more} more request{'s' if more > 1 else ''} it could not answer)"
        hint = f"\n{cassette.hint}"
        pytest.fail(f"streamkit: {first}{also if more else ''}{hint}", pytrace=False)


@pytest.fixture(autouse=True)
def _streamkit_marker(request: pytest.FixtureRequest) -> None:
    """Gives a test marked ``@pytest.mark.streamkit`` its cassette."""
    if request.node.get_closest_marker("streamkit") is not None:
        request.getfixturevalue("streamkit_cassette")
