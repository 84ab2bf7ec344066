"""Run command lines one after another in one process: ``python tests/cli_batch.py``.

The CLI tests start a process per command line where the process matters
(exit statuses through the console script, pacing, signals, live
recording); the rest are sent here, which saves an interpreter start and
streamkit's import per call.  Each call is ``streamkit.cli.main`` run as the
console script runs it, with its own standard input, output and error, and
``SystemExit`` read as the exit status.

Each line of standard input is a call, ``{"argv": [...], "stdin": base64 or
null}``; each line of standard output the result of one, ``{"code",
"stdout", "stderr"}`` (base64), written as soon as the call returns.  The
process ends with its input.
"""

from __future__ import annotations

import base64
import io
import json
import sys
from typing import Any

from streamkit.cli import main


def _run(argv: list[str], stdin: bytes) -> dict[str, Any]:
    real = sys.stdin, sys.stdout, sys.stderr
    out, err = io.BytesIO(), io.BytesIO()
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    sys.stderr = io.TextIOWrapper(err, encoding="utf-8", write_through=True)
    try:
        code: Any = main(argv)
    except SystemExit as exc:
        code = exc.code
    finally:
        for stream in (sys.stdin, sys.stdout, sys.stderr):
            stream.flush()
            stream.detach()  # keep the BytesIO open when the wrapper goes
        sys.stdin, sys.stdout, sys.stderr = real
    if not isinstance(code, int):
        code = 0 if code is None else 1
    return {
        "code": code,
        "stdout": base64.b64encode(out.getvalue()).decode(),
        "stderr": base64.b64encode(err.getvalue()).decode(),
    }


def serve() -> None:
    out = sys.stdout
    for line in sys.stdin:
        call = json.loads(line)
        stdin = base64.b64decode(call["stdin"]) if call["stdin"] else b""
        out.write(json.dumps(_run(call["argv"], stdin)) + "\n")
        out.flush()


if __name__ == "__main__":
    serve()
