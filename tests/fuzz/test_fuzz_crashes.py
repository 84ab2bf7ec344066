"""Every input that crashed the atheris campaign, run again on its target (now passing).

Files in ``crashes/`` are named ``TARGET-HASH`` (``sse``, ``eventstream``,
``ndjson``, ``jsonarray``, ``recording`` or ``dialect-NAME``), as libFuzzer wrote them;
``tests/reliability/test_regressions.py`` has a minimal, readable test for each.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from . import targets, wire_targets

CRASHES = sorted((Path(__file__).parent / "crashes").iterdir())


@pytest.mark.parametrize("path", CRASHES, ids=[path.name for path in CRASHES])
def test_crash_input(path: Path) -> None:
    target = path.name.rpartition("-")[0]
    run = wire_targets.run_input if target in wire_targets.TARGETS else targets.run_input
    run(target, path.read_bytes())
