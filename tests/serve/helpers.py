"""Running ``streamkit serve`` and ``streamkit proxy`` as subprocesses on loopback ports.

``with running("serve", PATH, "--speed", "0") as server:`` starts the command
on 127.0.0.1 with ``--port 0``, reads the address from its first line of
output, and terminates it on leaving the block, whatever happened.  Every
server is bounded: it stops by itself after ``--max-seconds`` (the test's
own deadline) even if the test process dies.
"""

from __future__ import annotations

import contextlib
import select
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..cli_helpers import child_env

if TYPE_CHECKING:
    from collections.abc import Iterator

REPO = Path(__file__).resolve().parents[2]
RECORDINGS = REPO / "recordings"
STARTUP = 15.0  # seconds a server may take to print its address
LIFETIME = 60.0  # seconds a server lives at most


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def log(self) -> str:
        """What the server wrote on standard error so far (one line per request)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_for_log(self, needle: str, timeout: float = 5.0, count: int = 1) -> str:
        """The log once *needle* is in it (*count* times); fails after *timeout* seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log
            if text.count(needle) >= count:
                return text
            time.sleep(0.02)
        raise AssertionError(f"{needle!r} never appeared in the server's log:\n{self.log}")


@contextlib.contextmanager
def running(command: str, *args: str, lifetime: float = LIFETIME) -> Iterator[Server]:
    """Start ``streamkit COMMAND ARGS --port 0`` bound to 127.0.0.1; stop it afterwards."""
    with tempfile.TemporaryDirectory(prefix="streamkit-serve-") as tmp:
        log_path = Path(tmp) / "stderr.log"
        with open(log_path, "wb") as log:
            argv = [sys.executable, "-m", "streamkit", command, *args]
            argv += ["--host", "127.0.0.1", "--port", "0", "--max-seconds", str(lifetime)]
            process = subprocess.Popen(
                argv, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL, env=child_env()
            )
            try:
                assert process.stdout is not None
                ready, _, _ = select.select([process.stdout], [], [], STARTUP)
                line = process.stdout.readline().decode().strip() if ready else ""
                if not line.startswith("http://"):
                    process.kill()
                    process.wait(5)
                    raise AssertionError(
                        f"streamkit {command} printed {line!r} first; its log:\n"
                        + log_path.read_text(errors="replace")
                    )
                yield Server(line, process, log_path)
            finally:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)
                if process.stdout is not None:
                    process.stdout.close()


def free_port_url() -> str:
    """A loopback URL on which nothing listens (a port bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


__all__ = ("RECORDINGS", "REPO", "Server", "free_port_url", "running")
