"""The library as it was at a git revision, for a benchmark to run beside today's.

Not a benchmark itself. :func:`library_at` extracts ``streamkit/`` at a
revision (``git archive``) into a temporary folder; :func:`run_child` runs
a benchmark's measuring function in a child process whose ``streamkit`` is
that one (or today's, given no folder), with the benchmark code of today, and
returns what the function returned (JSON). A revision has no compiled
tokenizer unless it was built there, so it runs on its pure-Python one.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

__all__ = ("PURE", "alternating", "library_at", "run_child")

REPO = Path(__file__).resolve().parent.parent
PURE: Mapping[str, str] = {"STREAMKIT_PURE_PYTHON": "1"}
"""The environment of a child on the pure-Python tokenizer."""


@contextlib.contextmanager
def library_at(rev: str) -> Iterator[Path]:
    """A temporary folder holding ``streamkit/`` as it was at git revision *rev*."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev, "streamkit"],
        cwd=REPO,
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        raise SystemExit(f"git archive {rev} failed: {archive.stderr.decode().strip()}")
    with tempfile.TemporaryDirectory(prefix=f"streamkit-{rev}-") as folder:
        with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
            # our own archive; the "data" filter where this Python has it (3.11.4 and later)
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(folder, **safe)  # type: ignore[arg-type]
        yield Path(folder)


def run_child(
    function: str,
    argument: Any,
    *,
    library: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Any:
    """``module:name(argument)`` in a child process, its streamkit from *library* (else today's).

    *argument* and the result travel as JSON; the child imports the function
    from today's ``benchmarks`` package and prints nothing else on stdout.
    """
    module, _, name = function.partition(":")
    child_env = {**os.environ, **(env or {})}
    if library is not None:  # before today's, which the venv's editable install provides
        child_env["PYTHONPATH"] = os.pathsep.join([str(library), str(REPO)])
    else:
        child_env["PYTHONPATH"] = str(REPO)
    code = (
        "import importlib, json, sys\n"
        f"f = getattr(importlib.import_module({module!r}), {name!r})\n"
        "sys.stdout.write(json.dumps(f(json.loads(sys.stdin.read()))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(argument).encode(),
        capture_output=True,
        env=child_env,
        cwd=REPO,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{function} failed in its child process:\n{done.stderr.decode()}")
    return json.loads(done.stdout)


def alternating(
    function: str,
    argument: Any,
    runs: Mapping[str, tuple[Path | None, Mapping[str, str]]],
    rounds: int,
) -> dict[str, list[Any]]:
    """Every result of :func:`run_child` for each of *runs*, over *rounds* alternating rounds.

    *runs* names each contender: its library folder (``None``: today's) and
    the environment it adds. Each round runs every contender once, in order,
    so that none runs alone in a quieter or busier spell of the machine.
    """
    results: dict[str, list[Any]] = {who: [] for who in runs}
    for round_ in range(rounds):
        print(f"  round {round_ + 1} of {rounds}", file=sys.stderr)
        for who, (library, env) in runs.items():
            results[who].append(run_child(function, argument, library=library, env=env))
    return results
