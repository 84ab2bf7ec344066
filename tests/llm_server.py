"""A local stand-in for the OpenAI and Anthropic APIs, serving real captures chunk by chunk.

``with LLMServer() as server:`` binds 127.0.0.1 on a free port, answers in a
thread, and stops on leaving the block.  It serves at most ``max_requests``
requests and stops by itself after ``timeout`` seconds, whatever the tests do.

Streaming requests get a real capture from ``tests/data/real/`` as a chunked
``text/event-stream`` body, cut into pieces of uneven sizes (so chunk
boundaries fall inside events) with ``delay`` seconds between them.  Other
requests get small JSON bodies in the API's shape, or a JSON error.
"""

from __future__ import annotations

import itertools
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, ClassVar

from .helpers import REAL

if TYPE_CHECKING:
    from types import TracebackType

CAPTURES = {
    "/v1/chat/completions": REAL / "chat" / "pydantic-ai_text-usage_2026-07-02.sse",
    "/v1/responses": REAL / "responses" / "openai-dotnet_text-gpt4o-mini_2025-09-16.sse",
    "/v1/messages": REAL / "anthropic" / "openllmetry_text-haiku3_2024-10-20.sse",
}
PIECES = (97, 256, 13, 512, 1)  # bytes per chunk, in turn

CHAT_COMPLETION = {
    "id": "chatcmpl-local",
    "object": "chat.completion",
    "created": 1782955818,
    "model": "gpt-4o-mini-2024-07-18",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Paris.", "refusal": None},
            "logprobs": None,
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11},
}
MESSAGE = {
    "id": "msg_local",
    "type": "message",
    "role": "assistant",
    "model": "claude-3-haiku-20240307",
    "content": [{"type": "text", "text": "Paris."}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 9, "output_tokens": 2},
}
MODELS = {
    "object": "list",
    "data": [{"id": "gpt-4o-mini", "object": "model", "created": 1, "owned_by": "openai"}],
}


def pieces(body: bytes) -> list[bytes]:
    """*body* cut into chunks of the sizes in :data:`PIECES`, in turn."""
    out: list[bytes] = []
    position = 0
    for size in itertools.cycle(PIECES):
        if position >= len(body):
            return out
        out.append(body[position : position + size])
        position += size
    raise AssertionError("unreachable")  # pragma: no cover


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 5  # an idle keep-alive connection is dropped after this
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._answer(None)

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self._answer(self.rfile.read(length))

    def _answer(self, body: bytes | None) -> None:
        server = self.server
        with server.lock:
            server.count += 1
            over = server.count > server.max_requests
            server.seen.append((self.command, self.path, dict(self.headers), body))
        if over:
            return self._json(503, {"error": {"message": "too many requests for this test server"}})
        path = self.path.partition("?")[0]
        request = json.loads(body) if body and body.startswith(b"{") else {}
        if request.get("stream") and path in CAPTURES:
            return self._stream(CAPTURES[path].read_bytes())
        if path == "/v1/chat/completions":
            return self._json(200, CHAT_COMPLETION)
        if path == "/v1/messages":
            return self._json(200, MESSAGE)
        if path == "/v1/models":
            return self._json(200, MODELS)
        if path == "/v1/files":
            return self._json(
                200,
                {
                    "id": "file-local",
                    "object": "file",
                    "bytes": len(body or b""),
                    "created_at": 1,
                    "filename": "notes.txt",
                    "purpose": "assistants",
                    "status": "processed",
                },
            )
        return self._json(404, {"error": {"message": f"no route {path}", "type": "not_found"}})

    def _json(self, status: int, value: Any) -> None:
        data = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("x-request-id", f"req_{self.server.count}")
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream; charset=utf-8")
        self.send_header("transfer-encoding", "chunked")
        self.send_header("x-request-id", f"req_{self.server.count}")
        self.send_header("set-cookie", "__cf_bm=server-secret; path=/")
        self.end_headers()
        for piece in pieces(body):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.flush()
            time.sleep(self.server.delay)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up early (an SDK stops reading at ``[DONE]``) is no error."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, ConnectionError | TimeoutError):
            super().handle_error(request, client_address)

    lock: threading.Lock
    count: int
    max_requests: int
    delay: float
    seen: list[tuple[str, str, dict[str, str], bytes | None]]


class LLMServer:
    """The server; ``url`` is its base URL, ``seen`` the requests it got."""

    captures: ClassVar = CAPTURES

    def __init__(
        self, *, delay: float = 0.001, max_requests: int = 40, timeout: float = 60.0
    ) -> None:
        self.delay = delay
        self.max_requests = max_requests
        self.timeout = timeout

    def __enter__(self) -> LLMServer:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.lock = threading.Lock()
        server.count = 0
        server.max_requests = self.max_requests
        server.delay = self.delay
        server.seen = []
        self._server = server
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.start()
        self._deadline = threading.Timer(self.timeout, server.shutdown)
        self._deadline.daemon = True
        self._deadline.start()
        return self

    @property
    def seen(self) -> list[tuple[str, str, dict[str, str], bytes | None]]:
        return self._server.seen

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self._deadline.cancel()
            self._server.shutdown()
        finally:
            self._server.server_close()
            self._thread.join(timeout=5)
