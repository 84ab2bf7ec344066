"""AWS Bedrock runtime streams: ConverseStream and InvokeModelWithResponseStream.

Both APIs stream in the binary AWS event stream framing
(``application/vnd.amazon.eventstream``); ``decode_event(name, data)`` turns
one message into a typed event (a ConverseStream event, an exception, or an
InvokeModel ``chunk`` with the model's own JSON decoded), and one
:class:`Accumulator` folds either API's events::

    import streamkit
    from streamkit.dialects import bedrock

    acc = bedrock.Accumulator()
    for event in streamkit.iter_events(response_body_chunks, dialect="bedrock"):
        acc.feed(event)
    acc.result      # ConverseStream: a bedrock.ConverseResponse (Converse's own shape)
    acc.outcome, acc.text, acc.tool_calls, acc.usage

An InvokeModel stream of an Anthropic model folds to the Anthropic
``Message``; other model families fold best-effort (see ``_models``).
"""

from typing import get_args

from streamkit.dialects._registry import Dialect

from . import _face, _schema
from ._decode import CONVERSE_EVENTS, EVENT_NAMES, EXCEPTIONS, decode_event, looks_like_bedrock
from ._fold import MAX_INDEX, MERGE, STOP_REASONS, Accumulator
from ._models import FAMILIES
from ._schema import *  # noqa: F403  # every type of the schema, listed once in its __all__

DIALECT: Dialect[_schema.BedrockStreamEvent] = Dialect(
    name="bedrock",
    decode=decode_event,
    accumulator=Accumulator,
    events=get_args(_schema.BedrockStreamEvent),
    encode=_face.encode,
    kind=_face.kind,
    deltas=_face.deltas,
    is_keepalive=_face.is_keepalive,
    detect=looks_like_bedrock,
    framing="eventstream",
)
"""The Bedrock dialect, as the stream layer and the registry know it."""

__all__ = (
    "CONVERSE_EVENTS",
    "DIALECT",
    "EVENT_NAMES",
    "EXCEPTIONS",
    "FAMILIES",
    "MAX_INDEX",
    "MERGE",
    "STOP_REASONS",
    "Accumulator",
    "decode_event",
    "looks_like_bedrock",
    *_schema.__all__,
)
