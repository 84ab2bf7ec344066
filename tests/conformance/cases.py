"""Every dialect's entry in the conformance kit: ``tests/dialects/<name>/case.py``.

A new dialect gets the whole contract checked by adding that one file (a
module ``case`` with a :class:`~tests.conformance.kit.Case` named ``CASE``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from streamkit import dialects

if TYPE_CHECKING:
    from tests.conformance.kit import Case


def _cases() -> tuple[Case, ...]:
    out = []
    for name in dialects.names():
        try:
            module = importlib.import_module(f"tests.dialects.{name}.case")
        except ModuleNotFoundError:  # a dialect with no entry: the kit test says so
            continue
        out.append(module.CASE)
    return tuple(out)


CASES = _cases()
"""Every dialect the kit checks."""
