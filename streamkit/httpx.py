"""httpx transports that replay cassettes and record live exchanges (``streamkit[httpx]``).

Hand an httpx client one of these transports::

    import httpx
    from streamkit.httpx import ReplayTransport

    client = httpx.Client(transport=ReplayTransport("cassettes/chat.ndjson"))

:class:`ReplayTransport` answers each request from a recording, matched on
the request; :class:`RecordingTransport` wraps a real transport and writes
every exchange into one cassette.  Both serve sync and async clients.  The
same classes for httpx2 (which the openai 3.x and anthropic 2.x SDKs use) are in
``streamkit.httpx2``.
"""

from __future__ import annotations

try:
    import httpx
except ImportError as exc:
    raise ImportError(
        "streamkit.httpx needs httpx: install it with `pip install 'streamkit[httpx]'`"
    ) from exc

from . import _transport
from ._transport import SyncClock
from .recording import ReplayExhausted, ReplayMismatch

__all__ = (
    "RecordingTransport",
    "ReplayExhausted",
    "ReplayMismatch",
    "ReplayTransport",
    "SyncClock",
)

_LIBRARY: _transport.Library[httpx.Request, httpx.Response] = _transport.Library(httpx)


class ReplayTransport(
    _transport.ReplayBase[httpx.Request, httpx.Response],
    httpx.BaseTransport,
    httpx.AsyncBaseTransport,
):
    __doc__ = _transport.REPLAY_DOC.format(library="httpx")
    _library = _LIBRARY


class RecordingTransport(
    _transport.RecordingBase[
        httpx.Request, httpx.Response, httpx.BaseTransport | httpx.AsyncBaseTransport
    ],
    httpx.BaseTransport,
    httpx.AsyncBaseTransport,
):
    __doc__ = _transport.RECORDING_DOC.format(library="httpx")
    _library = _LIBRARY
