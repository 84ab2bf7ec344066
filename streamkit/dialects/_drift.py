"""Drift: how what the deltas built differs from the server's final object, one rule for all.

Several APIs send the full value of what the deltas built once more at the
end (a ``*.done`` event, a completed message, the final response).  A fold
compares the two with :func:`diff`, records each difference as a
:class:`~streamkit.Drift`, and keeps the server's value.

What counts as *different* is decided here once, for every dialect:

- an absent value, ``null``, ``""``, ``[]`` and ``{}`` are all *empty*, and
  two empty values are the same: a field no delta sent is no drift when the
  final object has it empty, as schemas fill such fields in;
- numbers compare by value, whatever their JSON spelling: ``1`` and ``1.0``
  are the same number (JSON has one number type);
- a boolean is not a number: ``true`` and ``1`` differ;
- anything else is the same only when it is the same JSON type and equal.

A difference is ``"only_in_final"`` when the folded side is empty,
``"only_in_fold"`` when the final side is, and a ``"conflict"`` otherwise.
Objects are compared key by key and lists item by item, so a difference is
reported at the deepest path where it lies.
"""

from __future__ import annotations

from typing import Any, Final

from ._builders import ByIndex, Fragments, materialize
from ._face import Drift, DriftKind

__all__ = ("MISSING", "diff", "is_empty", "same")

MISSING: Final = object()
"""Stands for a value that is absent (a key not in an object, an item past a list's end)."""

_EMPTY_TYPES: Final = (str, list, dict)


def is_empty(value: Any) -> bool:
    """Whether *value* is empty: absent, ``None``, ``""``, ``[]`` or ``{}``."""
    if value is MISSING or value is None:
        return True
    return type(value) in _EMPTY_TYPES and not value


def same(a: Any, b: Any) -> bool:
    """Whether two JSON values (builtins) are the same by the rule of this module."""
    if is_empty(a) or is_empty(b):
        return is_empty(a) and is_empty(b)
    ta, tb = type(a), type(b)
    if ta is bool or tb is bool:
        return ta is tb and a == b
    if ta in (int, float) and tb in (int, float):
        return bool(a == b)
    if ta is not tb:
        return False
    if ta is dict:
        return all(same(a.get(key, MISSING), b.get(key, MISSING)) for key in {**a, **b})
    if ta is list:
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def diff(object_id: str, path: str, folded: Any, final: Any, out: list[Drift]) -> None:
    """Append to *out* every difference between a folded tree and a final value.

    *folded* may be a fold's tree as it lies (strings still in
    :class:`Fragments`, lists still :class:`ByIndex`): a string in fragments
    is compared piece by piece, never joined, so the check costs no copy of
    the text.  *final* is builtins.  Either may be :data:`MISSING`.
    """
    kind = type(folded)
    if kind is Fragments:
        if type(final) is str and folded.equals(final):
            return
        folded = folded.text()
    elif kind is ByIndex:
        folded = [folded[index] for index in sorted(folded)]
    if type(folded) is dict and type(final) is dict:
        for key in {**folded, **final}:
            diff(object_id, f"{path}.{key}", folded.get(key, MISSING), final.get(key, MISSING), out)
        return
    if type(folded) is list and type(final) is list:
        for i in range(max(len(folded), len(final))):
            a = folded[i] if i < len(folded) else MISSING
            b = final[i] if i < len(final) else MISSING
            diff(object_id, f"{path}[{i}]", a, b, out)
        return
    folded = MISSING if folded is MISSING else materialize(folded)
    if same(folded, final):
        return
    drift: DriftKind
    if is_empty(folded):
        drift = "only_in_final"
    elif is_empty(final):
        drift = "only_in_fold"
    else:
        drift = "conflict"
    shown_fold = None if folded is MISSING else folded
    shown_final = None if final is MISSING else final
    out.append(Drift(object_id, path, shown_fold, shown_final, drift))
