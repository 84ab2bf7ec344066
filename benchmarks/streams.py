"""Deterministic, realistic OpenAI Assistants API streams, as the bytes of an SSE body.

The payloads copy the field order and shapes of the real recordings in
``tests/data/real/assistants/`` (API v2, late 2025): the same objects, the
same ``event: X\\ndata: {json}\\n\\n`` framing with LF line endings, compact JSON
with raw UTF-8, and made-up ids of the real lengths (``msg_`` + 24 characters).

One stream is one run:

- ``thread.created`` (optional), ``thread.run.created``, ``queued``, ``in_progress``;
- a ``tool_calls`` step with one ``code_interpreter`` call: input deltas, then a
  ``logs`` output delta, then ``thread.run.step.completed``;
- a ``tool_calls`` step with one ``function`` call: argument deltas, then
  ``thread.run.requires_action``. The real API ends the HTTP response there and
  sends the rest after ``submit_tool_outputs`` in a second response (which
  begins with ``thread.run.step.completed`` carrying the output, then
  ``thread.run.queued`` and ``thread.run.in_progress``). Here both bodies are
  concatenated without the first ``done``, which is what an accumulator fed
  both streams of the run sees;
- ``messages`` ``message_creation`` steps, each holding one message:
  ``thread.message.created``, ``in_progress``, many ``thread.message.delta`` of a
  few words (ASCII, accented, CJK, emoji, JSON escapes), some carrying a
  ``file_citation`` annotation, then ``thread.message.completed`` whose text is
  the concatenation of the deltas;
- ``thread.run.completed``, then ``event: done`` / ``data: [DONE]``.

Annotation ``start_index``/``end_index`` count code points of the message text.
"""

from __future__ import annotations

import json
import random
import string
from typing import Any, Literal, NamedTuple, TypedDict

__all__ = ("Finals", "Script", "chunked", "generate", "generate_with_finals")

JSON = dict[str, Any]


class Finals(TypedDict):
    """The last object of each kind the stream carried, as the API sent it."""

    thread: JSON | None
    run: JSON
    run_steps: dict[str, JSON]  # by id, in creation order
    messages: dict[str, JSON]  # by id, in creation order


_ALNUM = string.ascii_letters + string.digits

_WORDS = (
    "the", "stream", "of", "events", "is", "parsed", "incrementally", "and", "each",
    "delta", "carries", "a", "few", "tokens", "model", "answer", "data", "table", "result",
    "shows", "that", "we", "can", "compute", "value", "for", "this", "with", "in", "to",
    "report", "quarter", "revenue", "growth", "users", "latency", "percent", "however",
    "because", "function", "file", "citation", "summary", "important", "first", "second",
)  # fmt: skip
_ACCENTED = (
    "café", "naïve", "déjà", "Straße", "über", "façade", "São", "Paulo", "niño", "Zürich",
    "crème", "brûlée", "smörgåsbord", "Ελληνικά", "привет", "mañana", "Øresund",
)  # fmt: skip
_CJK = ("東京", "日本語", "の", "データ", "数据", "处理", "结果", "한국어", "。", "、")
_EMOJI = ("🙂", "🚀", "✅", "📈", "👍🏽", "🇫🇷", "🧑‍💻")
_PUNCT = (",", ".", ":", ";", "!", "?", ' "', '"', " (", ")", "\n\n", "\n- ", " —", " \\")
_FILES = ("favorite_foods.txt", "Q3-report.pdf", "会議メモ.docx", "résumé.md")
_LATIN1 = tuple(word for word in _ACCENTED if max(word) <= "\xff")

Script = Literal["astral", "bmp", "latin-1"]


class _Alphabet(NamedTuple):
    """What the text of one `Script` is drawn from."""

    accented: tuple[str, ...]
    cjk: tuple[str, ...]
    emoji: tuple[str, ...]
    punct: tuple[str, ...]
    files: tuple[str, ...]
    marker: str  # the citation marker put in the text, as a format string


_MARKER = "【{}:{}†{}】"
_ALPHABETS: dict[str, _Alphabet] = {
    "astral": _Alphabet(_ACCENTED, _CJK, _EMOJI, _PUNCT, _FILES, _MARKER),
    # Accented words stand in for the emoji.
    "bmp": _Alphabet(_ACCENTED, _CJK, _ACCENTED, _PUNCT, _FILES, _MARKER),
    # Latin-1 accented words stand in for everything wider, and the citation
    # markers are plain brackets.
    "latin-1": _Alphabet(
        _LATIN1,
        _LATIN1,
        _LATIN1,
        tuple(p.replace("—", "-") for p in _PUNCT),
        (*(f for f in _FILES if max(f) <= "\xff"), "meeting-notes.docx"),
        "[{}:{}:{}]",
    ),
}

_CODE = (
    "import pandas as pd\n\n"
    "# Load the data\n"
    "df = pd.read_csv('/mnt/data/sales.csv')\n\n"
    "# Revenue growth per quarter\n"
    "growth = df.groupby('quarter')['revenue'].sum().pct_change() * 100\n"
    'print(growth.round(2).to_string(header=False))\n'
)  # fmt: skip
_LOGS = "Q1     NaN\nQ2    4.17\nQ3   12.50\nQ4   -3.08\n"
_FUNCTION = {
    "name": "get_current_weather",
    "description": "Gets the user's current weather",
    "parameters": {
        "type": "object",
        "properties": {
            "location": {"type": "string", "description": "City and country, e.g. Zürich, CH"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["location"],
    },
    "strict": False,
}
_ARGUMENTS = '{"location":"Zürich, CH","unit":"celsius"}'
_OUTPUT = "12 °C, light rain 🌧️"


def chunked(data: bytes, size: int) -> list[bytes]:
    """Split ``data`` into chunks of ``size`` bytes (the last one may be shorter)."""
    return [data[i : i + size] for i in range(0, len(data), size)]


def generate(
    n_deltas: int = 5000,
    *,
    seed: int = 0,
    messages: int = 4,
    thread: bool = True,
    script: Script = "astral",
) -> bytes:
    """Return the body of one run's stream with ``n_deltas`` ``thread.message.delta`` events.

    The same arguments always give the same bytes, about 200 per delta.
    """
    return generate_with_finals(
        n_deltas, seed=seed, messages=messages, thread=thread, script=script
    )[0]


def generate_with_finals(
    n_deltas: int = 5000,
    *,
    seed: int = 0,
    messages: int = 4,
    thread: bool = True,
    script: Script = "astral",
) -> tuple[bytes, Finals]:
    """Like `generate`, and also return the final objects the stream carried.

    *script* says how wide the message text's characters get: ``"astral"``
    has emoji (CPython stores such a string at 4 bytes a character),
    ``"bmp"`` stops at CJK (2 bytes), ``"latin-1"`` at accented Latin
    letters (1 byte).
    """
    if messages < 1 or n_deltas < messages:
        raise ValueError("need messages >= 1 and n_deltas >= messages")
    return _Run(random.Random(seed), _ALPHABETS[script]).generate(n_deltas, messages, thread)


def _usage(rng: random.Random, completion_tokens: int) -> JSON:
    prompt_tokens = rng.randint(200, 2000)
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "prompt_token_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0},
    }


def _split(rng: random.Random, text: str, longest: int) -> list[str]:
    """Cut ``text`` into pieces of 1 to ``longest`` characters, like tokens."""
    pieces = []
    i = 0
    while i < len(text):
        n = rng.randint(1, longest)
        pieces.append(text[i : i + n])
        i += n
    return pieces


class _Run:
    """Builds one run's events; `generate` is the whole story, top to bottom."""

    def __init__(self, rng: random.Random, alphabet: _Alphabet) -> None:
        self.rng = rng
        self.alphabet = alphabet
        self.out: list[bytes] = []
        self.now = 1761861632 + rng.randrange(10_000_000)
        self.thread_id = self.new_id("thread_")
        self.assistant_id = self.new_id("asst_")
        self.run_id = self.new_id("run_")
        self.file_ids = [self.new_id("file-", 22) for _ in _FILES]
        self.run_created_at = self.tick()

    # -- helpers ---------------------------------------------------------------

    def new_id(self, prefix: str, n: int = 24) -> str:
        return prefix + "".join(self.rng.choices(_ALNUM, k=n))

    def tick(self) -> int:
        self.now += self.rng.randint(0, 2)
        return self.now

    def emit(self, event: str, data: JSON | str) -> None:
        if not isinstance(data, str):
            data = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        self.out.append(f"event: {event}\ndata: {data}\n\n".encode())

    def run_obj(self, status: str, **fields: Any) -> JSON:
        obj: JSON = {
            "id": self.run_id,
            "object": "thread.run",
            "created_at": self.run_created_at,
            "assistant_id": self.assistant_id,
            "thread_id": self.thread_id,
            "status": status,
            "started_at": None,
            "expires_at": self.run_created_at + 600,
            "cancelled_at": None,
            "failed_at": None,
            "completed_at": None,
            "required_action": None,
            "last_error": None,
            "model": "gpt-4o",
            "instructions": "Answer with citations. Use the tools when they help.",
            "tools": [
                {"type": "code_interpreter"},
                {
                    "type": "file_search",
                    "file_search": {
                        "ranking_options": {
                            "ranker": "default_2024_08_21",
                            "score_threshold": 0.0,
                            "hybrid_search": None,
                        }
                    },
                },
                {"type": "function", "function": _FUNCTION},
            ],
            "tool_resources": {"code_interpreter": {"file_ids": []}},
            "metadata": {},
            "temperature": 1.0,
            "top_p": 1.0,
            "reasoning_effort": None,
            "max_completion_tokens": None,
            "max_prompt_tokens": None,
            "truncation_strategy": {"type": "auto", "last_messages": None},
            "incomplete_details": None,
            "usage": None,
            "response_format": "auto",
            "tool_choice": "auto",
            "parallel_tool_calls": True,
        }
        obj.update(fields)
        return obj

    def step_obj(self, step_id: str, created_at: int, details: JSON, **fields: Any) -> JSON:
        obj: JSON = {
            "id": step_id,
            "object": "thread.run.step",
            "created_at": created_at,
            "run_id": self.run_id,
            "assistant_id": self.assistant_id,
            "thread_id": self.thread_id,
            "type": details["type"],
            "status": "in_progress",
            "cancelled_at": None,
            "completed_at": None,
            "expires_at": self.run_created_at + 600,
            "failed_at": None,
            "last_error": None,
            "step_details": details,
            "usage": None,
        }
        obj.update(fields)
        return obj

    def message_obj(self, msg_id: str, created_at: int, **fields: Any) -> JSON:
        obj: JSON = {
            "id": msg_id,
            "object": "thread.message",
            "created_at": created_at,
            "assistant_id": self.assistant_id,
            "thread_id": self.thread_id,
            "run_id": self.run_id,
            "status": "in_progress",
            "incomplete_details": None,
            "incomplete_at": None,
            "completed_at": None,
            "role": "assistant",
            "content": [],
            "attachments": [],
            "metadata": {},
        }
        obj.update(fields)
        return obj

    def step_delta(self, step_id: str, tool_call: JSON) -> None:
        self.emit(
            "thread.run.step.delta",
            {
                "id": step_id,
                "object": "thread.run.step.delta",
                "delta": {"step_details": {"type": "tool_calls", "tool_calls": [tool_call]}},
            },
        )

    def delta_text(self, first: bool) -> str:
        rng = self.rng
        if first:
            return rng.choice(_WORDS).capitalize()
        parts = []
        alphabet = self.alphabet
        for _ in range(rng.randint(1, 3)):
            r = rng.random()
            if r < 0.70:
                parts.append(" " + rng.choice(_WORDS))
            elif r < 0.80:
                parts.append(" " + rng.choice(alphabet.accented))
            elif r < 0.88:
                parts.append("".join(rng.choices(alphabet.cjk, k=rng.randint(1, 3))))
            elif r < 0.92:
                parts.append(" " + rng.choice(alphabet.emoji))
            else:
                parts.append(rng.choice(alphabet.punct))
        return "".join(parts)

    # -- the story -------------------------------------------------------------

    def generate(self, n_deltas: int, n_messages: int, thread: bool) -> tuple[bytes, Finals]:
        rng = self.rng
        steps: dict[str, JSON] = {}
        msgs: dict[str, JSON] = {}
        thread_obj: JSON | None = None

        if thread:
            thread_obj = {
                "id": self.thread_id,
                "object": "thread",
                "created_at": self.run_created_at,
                "metadata": {},
                "tool_resources": {"code_interpreter": {"file_ids": []}},
            }
            self.emit("thread.created", thread_obj)
        self.emit("thread.run.created", self.run_obj("queued"))
        self.emit("thread.run.queued", self.run_obj("queued"))
        started_at = self.tick()
        self.emit("thread.run.in_progress", self.run_obj("in_progress", started_at=started_at))

        # A code_interpreter call: input deltas, then its logs.
        step_id, created_at, call_id = self.new_id("step_"), self.tick(), self.new_id("call_")
        empty: JSON = {"type": "tool_calls", "tool_calls": []}
        for event in ("thread.run.step.created", "thread.run.step.in_progress"):
            self.emit(event, self.step_obj(step_id, created_at, empty))
        ci_call: JSON = {"index": 0, "id": call_id, "type": "code_interpreter"}
        self.step_delta(step_id, {**ci_call, "code_interpreter": {"input": "", "outputs": []}})
        code_pieces = _split(rng, _CODE, 6)
        for piece in code_pieces:
            ci_delta: JSON = {"index": 0, "type": "code_interpreter"}
            self.step_delta(step_id, {**ci_delta, "code_interpreter": {"input": piece}})
        logs: JSON = {"index": 0, "type": "logs", "logs": _LOGS}
        self.step_delta(step_id, {**ci_delta, "code_interpreter": {"outputs": [logs]}})
        ci_final: JSON = {"input": _CODE, "outputs": [{"type": "logs", "logs": _LOGS}]}
        details: JSON = {
            "type": "tool_calls",
            "tool_calls": [
                {"id": call_id, "type": "code_interpreter", "code_interpreter": ci_final}
            ],
        }
        done = self.step_obj(
            step_id,
            created_at,
            details,
            status="completed",
            completed_at=self.tick(),
            usage=_usage(rng, len(code_pieces)),
        )
        self.emit("thread.run.step.completed", done)
        steps[step_id] = done

        # A function call: argument deltas, requires_action, then (second
        # response) the completed step with its output and the resumed run.
        step_id, created_at, call_id = self.new_id("step_"), self.tick(), self.new_id("call_")
        for event in ("thread.run.step.created", "thread.run.step.in_progress"):
            self.emit(event, self.step_obj(step_id, created_at, empty))
        name = _FUNCTION["name"]
        first_fn: JSON = {"name": name, "arguments": "", "output": None}
        self.step_delta(
            step_id, {"index": 0, "id": call_id, "type": "function", "function": first_fn}
        )
        arg_pieces = _split(rng, _ARGUMENTS, 4)
        for piece in arg_pieces:
            self.step_delta(
                step_id, {"index": 0, "type": "function", "function": {"arguments": piece}}
            )
        fn_call: JSON = {"name": name, "arguments": _ARGUMENTS}
        required_action = {
            "type": "submit_tool_outputs",
            "submit_tool_outputs": {
                "tool_calls": [{"id": call_id, "type": "function", "function": fn_call}]
            },
        }
        self.emit(
            "thread.run.requires_action",
            self.run_obj("requires_action", started_at=started_at, required_action=required_action),
        )
        details = {
            "type": "tool_calls",
            "tool_calls": [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {**fn_call, "output": _OUTPUT},
                }
            ],
        }
        done = self.step_obj(
            step_id,
            created_at,
            details,
            status="completed",
            completed_at=self.tick(),
            usage=_usage(rng, len(arg_pieces)),
        )
        self.emit("thread.run.step.completed", done)
        steps[step_id] = done
        self.emit("thread.run.queued", self.run_obj("queued", started_at=started_at))
        started_at = self.tick()
        self.emit("thread.run.in_progress", self.run_obj("in_progress", started_at=started_at))

        # The messages, one message_creation step each.
        weights = [rng.uniform(0.5, 1.5) for _ in range(n_messages)]
        counts = [max(1, int(n_deltas * w / sum(weights))) for w in weights]
        counts[-1] += n_deltas - sum(counts)
        for msg_no, count in enumerate(counts):
            msg_id, step_id, created_at = self.new_id("msg_"), self.new_id("step_"), self.tick()
            details = {"type": "message_creation", "message_creation": {"message_id": msg_id}}
            for event in ("thread.run.step.created", "thread.run.step.in_progress"):
                self.emit(event, self.step_obj(step_id, created_at, details))
            for event in ("thread.message.created", "thread.message.in_progress"):
                self.emit(event, self.message_obj(msg_id, created_at))

            texts: list[str] = []
            length = 0  # of the text so far, in code points
            annotations: list[JSON] = []
            for i in range(count):
                text: JSON
                if i > 0 and rng.random() < 0.01:
                    files = self.alphabet.files
                    k = rng.randrange(len(files))
                    marker = self.alphabet.marker.format(msg_no + 4, len(annotations), files[k])
                    citation: JSON = {
                        "type": "file_citation",
                        "text": marker,
                        "start_index": length,
                        "end_index": length + len(marker),
                        "file_citation": {"file_id": self.file_ids[k]},
                    }
                    # The delta numbers its annotation and has an empty quote;
                    # the final message has neither (as the real API does).
                    annotation = {"index": len(annotations), **citation}
                    annotation["file_citation"] = {"file_id": self.file_ids[k], "quote": ""}
                    annotations.append(citation)
                    value = marker
                    text = {"value": value, "annotations": [annotation]}
                else:
                    value = self.delta_text(first=i == 0)
                    text = {"value": value, "annotations": []} if i == 0 else {"value": value}
                texts.append(value)
                length += len(value)
                self.emit(
                    "thread.message.delta",
                    {
                        "id": msg_id,
                        "object": "thread.message.delta",
                        "delta": {"content": [{"index": 0, "type": "text", "text": text}]},
                    },
                )

            completed_at = self.tick()
            content = [
                {"type": "text", "text": {"value": "".join(texts), "annotations": annotations}}
            ]
            message = self.message_obj(
                msg_id,
                created_at,
                status="completed",
                completed_at=completed_at,
                content=content,
            )
            self.emit("thread.message.completed", message)
            msgs[msg_id] = message
            done = self.step_obj(
                step_id,
                created_at,
                details,
                status="completed",
                completed_at=completed_at,
                usage=_usage(rng, count),
            )
            self.emit("thread.run.step.completed", done)
            steps[step_id] = done

        usage: JSON = {
            key: sum(step["usage"][key] for step in steps.values())
            for key in ("prompt_tokens", "completion_tokens", "total_tokens")
        }
        usage["prompt_token_details"] = {"cached_tokens": 0}
        usage["completion_tokens_details"] = {"reasoning_tokens": 0}
        run = self.run_obj(
            "completed",
            started_at=started_at,
            expires_at=None,
            completed_at=self.tick(),
            usage=usage,
        )
        self.emit("thread.run.completed", run)
        self.emit("done", "[DONE]")
        finals: Finals = {"thread": thread_obj, "run": run, "run_steps": steps, "messages": msgs}
        return b"".join(self.out), finals
