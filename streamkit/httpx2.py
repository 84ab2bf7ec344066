"""httpx2 transports that replay cassettes and record live exchanges (``streamkit[httpx2]``).

The official ``openai`` (3.x) and ``anthropic`` (2.x) SDKs are built on
httpx2; hand them a client with one of these transports::

    import anthropic, httpx2
    from streamkit.httpx2 import ReplayTransport

    http_client = httpx2.Client(transport=ReplayTransport("cassettes/chat.ndjson"))
    client = anthropic.Anthropic(api_key="test", http_client=http_client)

:class:`ReplayTransport` answers each request from a recording, matched on
the request; :class:`RecordingTransport` wraps a real transport and writes
every exchange into one cassette.  Both serve sync and async clients.  The
same classes for httpx are in ``streamkit.httpx``.
"""

from __future__ import annotations

try:
    import httpx2
except ImportError as exc:
    raise ImportError(
        "streamkit.httpx2 needs httpx2: install it with `pip install 'streamkit[httpx2]'`"
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

_LIBRARY: _transport.Library[httpx2.Request, httpx2.Response] = _transport.Library(httpx2)


class ReplayTransport(
    _transport.ReplayBase[httpx2.Request, httpx2.Response],
    httpx2.BaseTransport,
    httpx2.AsyncBaseTransport,
):
    __doc__ = _transport.REPLAY_DOC.format(library="httpx2")
    _library = _LIBRARY


class RecordingTransport(
    _transport.RecordingBase[
        httpx2.Request, httpx2.Response, httpx2.BaseTransport | httpx2.AsyncBaseTransport
    ],
    httpx2.BaseTransport,
    httpx2.AsyncBaseTransport,
):
    __doc__ = _transport.RECORDING_DOC.format(library="httpx2")
    _library = _LIBRARY
