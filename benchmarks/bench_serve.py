"""``streamkit serve`` under load, and the latency ``streamkit proxy`` adds per chunk.

Two measurements, each with the servers as subprocesses on loopback:

1. Concurrent streams held: ``streamkit serve`` (one process, one core) on a
   bundled chat recording (19 chunks over 1.46 s) at the recorded pace, and
   N clients (1,000, 2,000 and 5,000; ``--quick``: 200) that connect at
   once, each reading one stream to the end on raw asyncio sockets.
   Reported: how long the whole run took against one stream's recorded
   time, the slowest stream's time, the server's CPU time (from
   ``/proc``), and that every body was the recorded bytes.
2. Added latency per chunk: an upstream on loopback (a bare asyncio HTTP
   server in its own process) sends 400 SSE chunks (``--quick``: 100), 5 ms
   apart, each holding the moment it was written (``CLOCK_MONOTONIC``,
   shared by the processes).  A client reads them directly and through
   ``streamkit proxy``; the difference of the two delays, chunk by chunk
   quantiles, is what the proxy adds.
"""

from __future__ import annotations

import asyncio
import os
import select
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from streamkit.recording import Replayer

if TYPE_CHECKING:
    import argparse

RECORDING = Path(__file__).resolve().parent.parent / "recordings" / "chat" / "text-usage.ndjson"
REQUEST = (
    b"POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
    b"connection: close\r\ncontent-length: 15\r\n\r\n" + b'{"stream":true}'
)

UPSTREAM = textwrap.dedent(
    """
    import asyncio, sys, time
    COUNT, GAP = int(sys.argv[1]), float(sys.argv[2])
    async def handle(reader, writer):
        await reader.readuntil(b"\\r\\n\\r\\n")
        writer.write(b"HTTP/1.1 200 OK\\r\\ncontent-type: text/event-stream\\r\\n"
                     b"transfer-encoding: chunked\\r\\nconnection: close\\r\\n\\r\\n")
        await writer.drain()
        for _ in range(COUNT):
            await asyncio.sleep(GAP)
            data = b"data: %d\\n\\n" % time.monotonic_ns()
            writer.write(b"%x\\r\\n%s\\r\\n" % (len(data), data))
            await writer.drain()
        writer.write(b"0\\r\\n\\r\\n")
        await writer.drain()
        writer.close()
    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        print("http://127.0.0.1:%d" % server.sockets[0].getsockname()[1], flush=True)
        async with server:
            await asyncio.sleep(120)
    asyncio.run(main())
    """
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--streams", type=int, nargs="*", help="concurrent streams to try")


def _start(argv: list[str]) -> tuple[subprocess.Popen[bytes], str]:
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 20)
    line = process.stdout.readline().decode().strip() if ready else ""
    if not line.startswith("http://"):
        process.kill()
        raise RuntimeError(f"{argv[:4]} did not start: {line!r}")
    return process, line


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _dechunk(data: bytes) -> bytes:
    _, _, rest = data.partition(b"\r\n\r\n")
    out = bytearray()
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        out += rest[:size]
        rest = rest[size + 2 :]


async def _one(host: str, port: int) -> tuple[bytes, float]:
    started = time.monotonic()
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(REQUEST)
        await writer.drain()
        data = await reader.read(-1)
    finally:
        writer.close()
    return _dechunk(data), time.monotonic() - started


async def _many(url: str, count: int) -> tuple[list[tuple[bytes, float]], float]:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    started = time.monotonic()
    results = await asyncio.gather(*(_one(host, int(port)) for _ in range(count)))
    return results, time.monotonic() - started


def _held(count: int) -> list[str]:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2 * count + 256:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 2 * count + 256), hard))
    recorded = Replayer.open(RECORDING).streams[0]
    duration = recorded.end_t or recorded.chunks[-1][0]
    argv = [sys.executable, "-m", "streamkit", "serve", str(RECORDING), "--quiet", "--port", "0"]
    process, url = _start([*argv, "--max-requests", str(count), "--max-seconds", "120"])
    try:
        cpu0 = _cpu(process.pid)
        results, elapsed = asyncio.run(_many(url, count))
        cpu = _cpu(process.pid) - cpu0
    finally:
        _stop(process)
    correct = sum(body == recorded.body for body, _ in results)
    slowest = max(t for _, t in results)
    return [
        f"| {count:,} | {correct:,} | {duration:.2f} s"
        f" | {elapsed:.2f} s ({elapsed / duration:.2f}x) | {slowest:.2f} s"
        f" | {cpu:.2f} s ({cpu / elapsed:.0%} of one core) |"
    ]


async def _delays(url: str) -> list[float]:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        b"POST /stream HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}"
    )
    await writer.drain()
    delays: list[float] = []
    buffer = b""
    while True:
        data = await reader.read(65536)
        now = time.monotonic_ns()
        if not data:
            break
        buffer += data
        while b"\n\n" in buffer:
            line, _, buffer = buffer.partition(b"\n\n")
            start = line.rfind(b"data: ")
            if start >= 0:
                delays.append((now - int(line[start + 6 :])) / 1e3)  # microseconds
    writer.close()
    return delays


def _quantiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    return (
        statistics.median(ordered),
        ordered[int(0.9 * (len(ordered) - 1))],
        ordered[int(0.99 * (len(ordered) - 1))],
    )


def _proxy_latency(count: int) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "upstream.py"
        script.write_text(UPSTREAM)
        upstream, up_url = _start([sys.executable, str(script), str(count), "0.005"])
        argv = [sys.executable, "-m", "streamkit", "proxy", "--upstream", up_url]
        proxy, proxy_url = _start(
            [*argv, "--record", tmp, "--quiet", "--port", "0", "--max-seconds", "120"]
        )
        try:
            asyncio.run(_delays(up_url))  # warm up both
            asyncio.run(_delays(proxy_url))
            direct = asyncio.run(_delays(up_url))
            proxied = asyncio.run(_delays(proxy_url))
        finally:
            _stop(proxy)
            _stop(upstream)
    d, p = _quantiles(direct), _quantiles(proxied)
    return [
        "| path | chunks | p50 | p90 | p99 |",
        "|---|---:|---:|---:|---:|",
        f"| direct | {len(direct)} | {d[0]:.0f} µs | {d[1]:.0f} µs | {d[2]:.0f} µs |",
        f"| through the proxy | {len(proxied)} | {p[0]:.0f} µs | {p[1]:.0f} µs | {p[2]:.0f} µs |",
        f"| **added by the proxy** | | **{p[0] - d[0]:.0f} µs** | {p[1] - d[1]:.0f} µs"
        f" | {p[2] - d[2]:.0f} µs |",
    ]


def main(args: Any) -> str:
    counts = args.streams or ([200] if args.quick else [1_000, 2_000, 5_000])
    rows = [
        "### Concurrent streams held by `streamkit serve` (one process), at the recorded pace",
        "",
        "| streams | bodies exact | one stream recorded | all done in | slowest stream"
        " | server CPU |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for count in counts:
        rows += _held(count)
    rows += [
        "",
        "### Latency per chunk, upstream to client on loopback, direct and through"
        " `streamkit proxy`",
        "",
        *_proxy_latency(100 if args.quick else 400),
    ]
    return "\n".join(rows)
