"""The command line: ``streamkit COMMAND …`` or ``python -m streamkit COMMAND …``.

Commands (``streamkit COMMAND --help`` for the options of each):

``replay FILE``
    Play a stream back: what a chat user would have seen (``--text``, the
    default: the dialect's transcript of the assistant's text, reasoning,
    tool calls and how the stream ended), its typed events (``--events``)
    or its raw bytes (``--raw``), at the recorded pace scaled by ``--speed``
    (``0``: no waiting).
``events FILE``
    One JSON line per typed event, without waiting.
``fold FILE``
    The fold of every event as one JSON document: the common face (result,
    outcome, text, tool calls, usage, warnings, drift, errors) for every
    dialect, and the dialect's own state beyond it under ``detail``.
``inspect FILE``
    Dialect, model, event counts by name and lane, sizes, timing (time to
    first event, to first content, gaps, stalls), the outcome, usage, tool
    calls and warnings; ``--json`` for a JSON document, ``--html OUT`` for a
    self-contained page with a timeline chart.
``convert IN OUT``
    Raw body to recording and back, or a recording copied (the format of
    OUT follows its suffix; ``-`` is standard output).
``record --url URL -o FILE``
    Record a live endpoint (needs httpx: ``pip install 'streamkit[httpx]'``).

FILE and the dialect are read as :mod:`streamkit.cli._sources` says: a
recording or a raw body (``-`` for standard input); the dialect named with
``--dialect``, else (``auto``) the recording's, else the one that claims
the first event.  The commands know no dialect by name: every one is read
through the registry and the common face.

User mistakes (a missing or corrupt file, an unknown dialect, a stream of no
event of its dialect, bad input under ``--on-error raise``) print one line,
``streamkit: error: …``, on standard error and exit with status 1; argument
errors exit with status 2, as does ``streamkit`` without a command (it
prints the help on standard error).
"""

from ._main import main

__all__ = ("main",)
