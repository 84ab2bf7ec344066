"""A fold read through the common face, as the documents ``fold`` and ``inspect`` print.

Nothing here knows a dialect: every fold has the properties of
:class:`streamkit.Fold`, read the same way.  A fold that lacks one (a
dialect registered by its user, half done) reads as ``None`` there.  What a
fold holds beyond the face (the Assistants dialect's thread, run, messages
and run steps) is its ``detail``: its public properties and attributes that
the face does not name.
"""

from __future__ import annotations

from typing import Any

import msgspec

from ._output import plain

__all__ = ("FACE", "fold_document", "model_of", "outcome_document", "usage_document")

#: The names of the common face (:class:`streamkit.Fold`), and the options of every fold.
FACE = frozenset(
    {
        "result",
        "done",
        "outcome",
        "text",
        "refusal",
        "tool_calls",
        "usage",
        "warnings",
        "warnings_dropped",
        "errors",
        "drift",
        "strict",
        "feed",
    }
)

_COUNTS = (
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "cached_input_tokens",
    "reasoning_tokens",
)

#: Keys of a final object that name the model, the first found wins.
MODEL_KEYS = ("model", "modelVersion", "model_id")


def _records(values: object) -> list[Any]:
    return [plain(value) for value in values] if isinstance(values, list) else []


def outcome_document(outcome: object) -> dict[str, Any]:
    """``{"kind", "reason", "error"}`` of an :class:`~streamkit.Outcome`."""
    error = getattr(outcome, "error", None)
    return {
        "kind": getattr(outcome, "kind", None),
        "reason": getattr(outcome, "reason", None),
        "error": None if error is None else plain(error),
    }


def usage_document(usage: object, *, raw: bool = True) -> dict[str, Any]:
    """The token counts of a :class:`~streamkit.Usage` (and its ``raw`` object when *raw*)."""
    doc = {name: getattr(usage, name, None) for name in _COUNTS}
    if raw:
        value = getattr(usage, "raw", None)
        doc["raw"] = None if value is None else plain(value)
    return doc


def tool_calls_document(calls: object) -> list[dict[str, Any]]:
    """The :class:`~streamkit.ToolCall`\\ s as ``{"id", "name", "arguments", "index"}``."""
    return _records(calls)


def detail(acc: object) -> dict[str, Any]:
    """What *acc* holds beyond the face: its other public properties and attributes."""
    names = list(getattr(acc, "__dict__", {}))
    names += [
        name
        for cls in reversed(type(acc).__mro__)
        for name, value in vars(cls).items()
        if isinstance(value, property)
    ]
    doc: dict[str, Any] = {}
    for name in dict.fromkeys(names):
        if name.startswith("_") or name in FACE:
            continue
        value = getattr(acc, name)
        doc[name] = _records(value) if isinstance(value, list) else plain(value)
    return doc


def fold_document(dialect: str, acc: object) -> dict[str, Any]:
    """The ``fold`` document of *acc*, the fold of a *dialect* stream."""
    doc: dict[str, Any] = {
        "dialect": dialect,
        "result": plain(getattr(acc, "result", None)),
        "outcome": outcome_document(getattr(acc, "outcome", None)),
        "text": getattr(acc, "text", None),
        "refusal": getattr(acc, "refusal", None),
        "tool_calls": tool_calls_document(getattr(acc, "tool_calls", None)),
        "usage": usage_document(getattr(acc, "usage", None)),
        "warnings": _records(getattr(acc, "warnings", None)),
        "warnings_dropped": getattr(acc, "warnings_dropped", 0),
        "drift": _records(getattr(acc, "drift", None)),
        "errors": _records(getattr(acc, "errors", None)),
    }
    extra = detail(acc)
    if extra:
        doc["detail"] = extra
    return doc


def model_of(result: object) -> str | None:
    """The model a final object names: the first of :data:`MODEL_KEYS` in its JSON form.

    The common face has no model; every API's final object says which model
    answered, under one of these keys at its top level.
    """
    if result is None:
        return None
    try:
        tree = msgspec.to_builtins(result, enc_hook=str)
    except (TypeError, ValueError):
        return None
    if isinstance(tree, dict):
        for key in MODEL_KEYS:
            value = tree.get(key)
            if isinstance(value, str) and value:
                return value
    return None
