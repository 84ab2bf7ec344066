"""Every input that crashed the atheris campaign, run again on its target (now passing).

Files in ``crashes/`` are named ``TARGET-HASH`` (``sse``, ``recording`` or
``dialect-NAME``), as libFuzzer wrote them; ``tests/reliability/test_regressions.py``
has a minimal, readable test for each.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from . import targets

CRASHES = sorted((Path(__file__).parent / "crashes").iterdir())


@pytest.mark.parametrize("path", CRASHES, ids=[path.name for path in CRASHES])
def test_crash_input(path: Path) -> None:
    target = path.name.rpartition("-")[0]
    targets.run_input(target, path.read_bytes())
