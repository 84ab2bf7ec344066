"""Running an ASGI app of this package on uvicorn, the address it listens on said first.

The socket is bound (port 0: the system picks a free one) and listening
before anything is printed, so the first line of standard output is an
address that already accepts connections.  The server stops on SIGINT or
SIGTERM, and by itself after ``max_requests`` requests or ``max_seconds``
seconds when given (what a test or a CI job wants: a server that cannot
outlive it).
"""

from __future__ import annotations

import logging
import socket
import sys
import threading
from typing import TYPE_CHECKING, Any, Final, TextIO

from ._app import Dropped

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._asgi import Receive, Scope, Send

__all__ = ("address", "bind", "run")

BACKLOG: Final = 4096
GRACE: Final = 2  # seconds open streams get to finish when the server stops


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on *host*:*port* (IPv6 when *host* is an IPv6 address)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def address(sock: socket.socket) -> str:
    """The base URL *sock* answers on: ``http://127.0.0.1:8080``, ``http://[::1]:8080``."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class _QuietDrops(logging.Filter):
    """The server's log, less the connections broken on purpose (the ``drop`` fault)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, Dropped)


def run(
    app: Any,
    sock: socket.socket,
    *,
    out: TextIO | None = None,
    max_requests: int | None = None,
    max_seconds: float | None = None,
) -> None:
    """Serve *app* on *sock* with uvicorn until stopped; print the address first."""
    try:
        import uvicorn
    except ImportError:
        raise ImportError(
            "streamkit serve and proxy need uvicorn: pip install 'streamkit[serve]'"
        ) from None
    logging.getLogger("uvicorn.error").addFilter(_QuietDrops())
    counted = _Counted(app, max_requests) if max_requests else None
    config = uvicorn.Config(
        counted or app,
        log_level="warning",
        access_log=False,
        server_header=False,
        date_header=False,
        lifespan="off",
        backlog=BACKLOG,
        timeout_graceful_shutdown=GRACE,
        timeout_keep_alive=30,
        limit_max_requests=None,
    )
    server = uvicorn.Server(config)
    if counted is not None:
        counted.stop = lambda: setattr(server, "should_exit", True)
    timer: threading.Timer | None = None
    if max_seconds:
        timer = threading.Timer(max_seconds, lambda: setattr(server, "should_exit", True))
        timer.daemon = True
        timer.start()
    stream = out or sys.stdout
    stream.write(address(sock) + "\n")
    stream.flush()
    try:
        server.run(sockets=[sock])
    finally:
        if timer is not None:
            timer.cancel()
        sock.close()


class _Counted:
    """*app*, stopping the server once *limit* requests have been answered."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.count = 0
        self.limit = limit
        self.stop: Callable[[], None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.count += 1
            if self.count >= self.limit and self.stop is not None:
                self.stop()
