"""The model families of InvokeModelWithResponseStream that the fold reads best-effort.

A model invoked directly streams its own JSON.  Anthropic models stream
Anthropic Messages events (the ``anthropic`` dialect's, see the fold) and
Amazon Nova models ConverseStream events wrapped by name
(``{"contentBlockDelta": {...}}``, folded by the Converse rules).  For the
others, what a chunk says is read by its family, told by the keys of its
JSON:

``llama`` (Meta Llama), told by ``generation``
    text ``generation``; stop ``stop_reason``; tokens ``prompt_token_count``,
    ``generation_token_count``.
``mistral``, told by ``outputs``
    text ``outputs[0].text``; stop ``outputs[0].stop_reason``.
``cohere``, told by ``event_type`` or ``is_finished``
    text ``text`` of the text generation chunks; stop ``finish_reason``; the
    ``stream-end`` chunk's ``response`` is the whole response.
``titan`` (Amazon Titan Text), told by ``outputText``
    text ``outputText``; stop ``completionReason``; tokens
    ``inputTextTokenCount``, ``totalOutputTextTokenCount``.
``anthropic-text`` (Anthropic's legacy Text Completions), told by ``completion``
    text ``completion``; stop ``stop_reason`` (and the ``stop`` sequence).
``openai`` (gpt-oss, DeepSeek and other OpenAI-style models), told by ``choices``
    text ``choices[0].delta.content`` (or ``choices[0].text``); stop
    ``choices[0].finish_reason`` (or ``stop_reason``); tokens ``usage``.

Any other JSON is family ``"unknown"``: no text, only what Bedrock's
invocation metrics say.  :class:`ModelFold` folds one family's chunks into
the model's own non-streaming response (as builtins): Llama's
``{"generation", "prompt_token_count", "generation_token_count",
"stop_reason"}``, Mistral's ``{"outputs": [{"text", "stop_reason"}]}``,
Cohere's ``response`` (or ``{"text", "finish_reason"}`` until
``stream-end``), Titan's ``{"inputTextTokenCount", "results":
[{"tokenCount", "outputText", "completionReason"}]}``, the legacy
completion's ``{"type": "completion", "completion", "stop_reason",
"stop"}``, and the OpenAI style's ``{"choices": [{"index": 0, "message":
{"role": "assistant", "content"}, "finish_reason"}]}``.
"""

from __future__ import annotations

from typing import Any, Final

from streamkit.dialects._builders import Fragments

__all__ = ("CONVERSE_KEYS", "FAMILIES", "ModelFold", "family_of", "text_of")

CONVERSE_KEYS: Final = frozenset(
    {
        "messageStart",
        "contentBlockStart",
        "contentBlockDelta",
        "contentBlockStop",
        "messageStop",
        "metadata",
    }
)
"""The keys of an Amazon Nova chunk: a ConverseStream event, wrapped by its name."""

FAMILIES: Final = (
    "anthropic",
    "nova",
    "llama",
    "mistral",
    "cohere",
    "titan",
    "anthropic-text",
    "openai",
    "unknown",
)
"""Every family an InvokeModel stream's chunks can be read as."""


def family_of(payload: dict[str, Any]) -> str:
    """The family of a model chunk's JSON (not an Anthropic Messages event)."""
    for key in payload:
        if key in CONVERSE_KEYS:
            return "nova"
    if "generation" in payload:
        return "llama"
    if "outputs" in payload:
        return "mistral"
    if "event_type" in payload or "is_finished" in payload:
        return "cohere"
    if "outputText" in payload:
        return "titan"
    if "completion" in payload:
        return "anthropic-text"
    if "choices" in payload:
        return "openai"
    return "unknown"


def _str(value: Any) -> str | None:
    return value if type(value) is str else None


def _int(value: Any) -> int | None:
    return value if type(value) is int else None


def _first(value: Any) -> dict[str, Any]:
    """The first item of a list when it is an object, else an empty one."""
    if type(value) is list and value and type(value[0]) is dict:
        return value[0]
    return {}


def _openai_text(choice: dict[str, Any]) -> str | None:
    delta = choice.get("delta")
    if type(delta) is dict:
        return _str(delta.get("content"))
    return _str(choice.get("text"))


def text_of(family: str, payload: dict[str, Any]) -> str | None:
    """The answer text one chunk of *family* carries (``None`` where it carries none)."""
    if family == "llama":
        return _str(payload.get("generation"))
    if family == "mistral":
        return _str(_first(payload.get("outputs")).get("text"))
    if family == "cohere":
        kind = payload.get("event_type")
        if kind == "text-generation" or (kind is None and payload.get("is_finished") is False):
            return _str(payload.get("text"))
        return None
    if family == "titan":
        return _str(payload.get("outputText"))
    if family == "anthropic-text":
        return _str(payload.get("completion"))
    if family == "openai":
        return _openai_text(_first(payload.get("choices")))
    return None


def _stop_of(family: str, payload: dict[str, Any]) -> str | None:
    if family == "llama":
        return _str(payload.get("stop_reason"))
    if family == "mistral":
        return _str(_first(payload.get("outputs")).get("stop_reason"))
    if family == "cohere":
        return _str(payload.get("finish_reason"))
    if family == "titan":
        return _str(payload.get("completionReason"))
    if family == "anthropic-text":
        return _str(payload.get("stop_reason"))
    if family == "openai":
        choice = _first(payload.get("choices"))
        return _str(choice.get("finish_reason")) or _str(choice.get("stop_reason"))
    return None


class ModelFold:
    """One model family's chunks folded: the text, the stop reason, the token counts."""

    __slots__ = ("family", "finished", "input_tokens", "output_tokens", "response", "stop", "text")

    def __init__(self, family: str) -> None:
        self.family = family
        self.text = Fragments([])
        #: The stop reason, once a chunk said it.
        self.stop: str | None = None
        #: The family says it is finished (a stop reason, Cohere's ``is_finished``).
        self.finished = False
        self.input_tokens: int | None = None
        self.output_tokens: int | None = None
        #: What the model's chunks carry besides: Cohere's ``response``, the
        #: legacy completion's ``stop``, an OpenAI-style ``usage``.
        self.response: dict[str, Any] = {}

    def feed(self, payload: dict[str, Any]) -> None:
        family = self.family
        text = text_of(family, payload)
        if text:
            self.text.add(text)
        stop = _stop_of(family, payload)
        if stop is not None:
            self.stop = stop
            self.finished = True
        if family == "llama":
            self._counts(payload.get("prompt_token_count"), payload.get("generation_token_count"))
        elif family == "titan":
            self._counts(
                payload.get("inputTextTokenCount"), payload.get("totalOutputTextTokenCount")
            )
        elif family == "cohere":
            if payload.get("is_finished") is True:
                self.finished = True
            response = payload.get("response")
            if payload.get("event_type") == "stream-end" and type(response) is dict:
                self.response = response
        elif family == "anthropic-text":
            if "stop" in payload:
                self.response["stop"] = payload["stop"]
        elif family == "openai":
            usage = payload.get("usage")
            if type(usage) is dict:
                self.response["usage"] = usage
                self._counts(usage.get("prompt_tokens"), usage.get("completion_tokens"))

    def _counts(self, input_tokens: Any, output_tokens: Any) -> None:
        if type(input_tokens) is int:
            self.input_tokens = input_tokens
        if type(output_tokens) is int:
            self.output_tokens = output_tokens

    def result(self) -> dict[str, Any]:
        """The model's own non-streaming response, as far as the chunks built it."""
        family = self.family
        text = self.text.text()
        stop = self.stop
        if family == "llama":
            return {
                "generation": text,
                "prompt_token_count": self.input_tokens,
                "generation_token_count": self.output_tokens,
                "stop_reason": stop,
            }
        if family == "mistral":
            return {"outputs": [{"text": text, "stop_reason": stop}]}
        if family == "cohere":
            return dict(self.response) if self.response else {"text": text, "finish_reason": stop}
        if family == "titan":
            result = {
                "tokenCount": self.output_tokens,
                "outputText": text,
                "completionReason": stop,
            }
            return {"inputTextTokenCount": self.input_tokens, "results": [result]}
        if family == "anthropic-text":
            return {
                "type": "completion",
                "completion": text,
                "stop_reason": stop,
                "stop": self.response.get("stop"),
            }
        if family == "openai":
            message = {"role": "assistant", "content": text}
            out: dict[str, Any] = {
                "choices": [{"index": 0, "message": message, "finish_reason": stop}]
            }
            if "usage" in self.response:
                out["usage"] = self.response["usage"]
            return out
        return {}
