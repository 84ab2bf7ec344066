"""msgspec types of the OpenAI Assistants API stream: objects, deltas and events.

Shapes follow the API objects field by field.  Enum-like values are plain
``str`` so new values decode; every tagged union also accepts :class:`Unknown`,
which :func:`~streamkit.dialects.assistants.decode_event` fills in for a
``type`` the dialect does not know.

A field the API may leave out of an object (some API versions do not send it,
or only some kinds of the object carry it) defaults to ``msgspec.UNSET``, so an
absent field stays absent and is distinguishable from ``null``: for a full
object, ``msgspec.to_builtins(obj)`` gives back exactly the JSON the server
sent (less any field this schema does not know).  A field the API always sends
is required, or has a default only where the Struct needs one.  In deltas every
field except ``index`` defaults to ``msgspec.UNSET``.
"""

from typing import Any, ClassVar, TypeAlias

import msgspec
from msgspec import UNSET, UnsetType, field

from streamkit.dialects._events import InvalidEvent, UnknownEvent
from streamkit.dialects._unknowns import Object as _Object, Tagged as _Tagged, Unknown

__all__ = (
    "Annotation",
    "AnnotationDelta",
    "AssistantStreamEvent",
    "AssistantTool",
    "Attachment",
    "CodeInterpreter",
    "CodeInterpreterDelta",
    "CodeInterpreterImageDelta",
    "CodeInterpreterImageFileDelta",
    "CodeInterpreterLogsDelta",
    "CodeInterpreterOutput",
    "CodeInterpreterOutputDelta",
    "CodeInterpreterOutputImage",
    "CodeInterpreterOutputImageFile",
    "CodeInterpreterOutputLogs",
    "CodeInterpreterResources",
    "CodeInterpreterTool",
    "CodeInterpreterToolCall",
    "CodeInterpreterToolCallDelta",
    "CompletionTokensDetails",
    "Done",
    "ErrorEvent",
    "ErrorObject",
    "FileCitation",
    "FileCitationAnnotation",
    "FileCitationDelta",
    "FileCitationDeltaAnnotation",
    "FilePath",
    "FilePathAnnotation",
    "FilePathDelta",
    "FilePathDeltaAnnotation",
    "FileSearch",
    "FileSearchHybridSearch",
    "FileSearchOptions",
    "FileSearchRankingOptions",
    "FileSearchResources",
    "FileSearchResult",
    "FileSearchResultContent",
    "FileSearchTool",
    "FileSearchToolCall",
    "FileSearchToolCallDelta",
    "FunctionCall",
    "FunctionCallDelta",
    "FunctionDefinition",
    "FunctionTool",
    "FunctionToolCall",
    "FunctionToolCallDelta",
    "ImageFile",
    "ImageFileContentBlock",
    "ImageFileDelta",
    "ImageFileDeltaBlock",
    "ImageURL",
    "ImageURLContentBlock",
    "ImageURLDelta",
    "ImageURLDeltaBlock",
    "IncompleteDetails",
    "InvalidEvent",
    "JSONSchema",
    "LastError",
    "Message",
    "MessageContent",
    "MessageContentDelta",
    "MessageCreation",
    "MessageCreationDelta",
    "MessageCreationStepDetails",
    "MessageCreationStepDetailsDelta",
    "MessageDelta",
    "MessageDeltaEvent",
    "PromptTokenDetails",
    "RefusalContentBlock",
    "RefusalDeltaBlock",
    "RequiredAction",
    "RequiredActionFunction",
    "RequiredActionFunctionToolCall",
    "ResponseFormat",
    "ResponseFormatJSONObject",
    "ResponseFormatJSONSchema",
    "ResponseFormatText",
    "Run",
    "RunStep",
    "RunStepDelta",
    "RunStepDeltaEvent",
    "StepDetails",
    "StepDetailsDelta",
    "SubmitToolOutputs",
    "Text",
    "TextContentBlock",
    "TextDelta",
    "TextDeltaBlock",
    "Thread",
    "ThreadCreated",
    "ThreadMessageCompleted",
    "ThreadMessageCreated",
    "ThreadMessageDelta",
    "ThreadMessageInProgress",
    "ThreadMessageIncomplete",
    "ThreadRunCancelled",
    "ThreadRunCancelling",
    "ThreadRunCompleted",
    "ThreadRunCreated",
    "ThreadRunExpired",
    "ThreadRunFailed",
    "ThreadRunInProgress",
    "ThreadRunIncomplete",
    "ThreadRunQueued",
    "ThreadRunRequiresAction",
    "ThreadRunStepCancelled",
    "ThreadRunStepCompleted",
    "ThreadRunStepCreated",
    "ThreadRunStepDelta",
    "ThreadRunStepExpired",
    "ThreadRunStepFailed",
    "ThreadRunStepInProgress",
    "ToolCall",
    "ToolCallDelta",
    "ToolCallsStepDetails",
    "ToolCallsStepDetailsDelta",
    "ToolChoice",
    "ToolChoiceFunction",
    "ToolResources",
    "TruncationStrategy",
    "Unknown",
    "UnknownEvent",
    "Usage",
)


# Shared pieces


class LastError(_Object, frozen=True, kw_only=True):
    """Why a run or run step failed."""

    code: str
    message: str


class IncompleteDetails(_Object, frozen=True, kw_only=True):
    """Why a run or message ended incomplete."""

    reason: str | None = None


class PromptTokenDetails(_Object, frozen=True, kw_only=True):
    """Breakdown of prompt tokens."""

    cached_tokens: int = 0


class CompletionTokensDetails(_Object, frozen=True, kw_only=True):
    """Breakdown of completion tokens."""

    reasoning_tokens: int = 0


class Usage(_Object, frozen=True, kw_only=True):
    """Token usage of a run or run step."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    prompt_token_details: PromptTokenDetails | UnsetType | None = UNSET
    completion_tokens_details: CompletionTokensDetails | UnsetType | None = UNSET


# Tools, tool resources, response format, tool choice


class CodeInterpreterTool(_Tagged, frozen=True, kw_only=True, tag="code_interpreter"):
    """The code interpreter tool."""

    type: ClassVar[str] = "code_interpreter"


class FileSearchHybridSearch(_Object, frozen=True, kw_only=True):
    """How reciprocal rank fusion weighs embedding matches against keyword matches."""

    embedding_weight: float
    text_weight: float


class FileSearchRankingOptions(_Object, frozen=True, kw_only=True):
    """Ranking options of a file search.

    ``hybrid_search`` is sent (often ``null``) in a run's tools by newer API
    versions, and not at all in a run step's file search call.
    """

    ranker: str | None = None
    score_threshold: float | None = None
    hybrid_search: FileSearchHybridSearch | UnsetType | None = UNSET


class FileSearchOptions(_Object, frozen=True, kw_only=True):
    """Overrides for the file search tool (``ranking_options`` since mid 2024)."""

    max_num_results: int | UnsetType | None = UNSET
    ranking_options: FileSearchRankingOptions | UnsetType | None = UNSET


class FileSearchTool(_Tagged, frozen=True, kw_only=True, tag="file_search"):
    """The file search tool (``file_search`` absent in early v2 and in attachments)."""

    type: ClassVar[str] = "file_search"
    file_search: FileSearchOptions | UnsetType | None = UNSET


class FunctionDefinition(_Object, frozen=True, kw_only=True):
    """A function the model may call."""

    name: str
    description: str | UnsetType | None = UNSET
    parameters: dict[str, Any] | UnsetType | None = UNSET
    strict: bool | UnsetType | None = UNSET


class FunctionTool(_Tagged, frozen=True, kw_only=True, tag="function"):
    """A function tool."""

    type: ClassVar[str] = "function"
    function: FunctionDefinition


AssistantTool: TypeAlias = CodeInterpreterTool | FileSearchTool | FunctionTool | Unknown


class CodeInterpreterResources(_Object, frozen=True, kw_only=True):
    """Files made available to the code interpreter."""

    file_ids: list[str] | None = None


class FileSearchResources(_Object, frozen=True, kw_only=True):
    """Vector stores made available to file search."""

    vector_store_ids: list[str] | None = None


class ToolResources(_Object, frozen=True, kw_only=True):
    """Resources made available to the tools: a key per tool that has some."""

    code_interpreter: CodeInterpreterResources | UnsetType | None = UNSET
    file_search: FileSearchResources | UnsetType | None = UNSET


class ResponseFormatText(_Tagged, frozen=True, kw_only=True, tag="text"):
    """Plain text output."""

    type: ClassVar[str] = "text"


class ResponseFormatJSONObject(_Tagged, frozen=True, kw_only=True, tag="json_object"):
    """JSON mode output."""

    type: ClassVar[str] = "json_object"


class JSONSchema(_Object, frozen=True, kw_only=True):
    """A JSON schema the output must follow."""

    name: str
    description: str | UnsetType | None = UNSET
    schema: dict[str, Any] | UnsetType | None = UNSET
    strict: bool | UnsetType | None = UNSET


class ResponseFormatJSONSchema(_Tagged, frozen=True, kw_only=True, tag="json_schema"):
    """Structured output following a JSON schema."""

    type: ClassVar[str] = "json_schema"
    json_schema: JSONSchema


ResponseFormat: TypeAlias = (
    ResponseFormatText | ResponseFormatJSONObject | ResponseFormatJSONSchema | Unknown
)


class ToolChoiceFunction(_Object, frozen=True, kw_only=True):
    """The function a tool choice names."""

    name: str


class ToolChoice(_Object, frozen=True, kw_only=True):
    """A specific tool the model must use (``function`` only when ``type`` is ``function``)."""

    type: str
    function: ToolChoiceFunction | UnsetType | None = UNSET


class TruncationStrategy(_Object, frozen=True, kw_only=True):
    """How the thread is truncated before a run."""

    type: str
    last_messages: int | None = None


# Thread and run


class Thread(_Object, frozen=True, kw_only=True):
    """A thread (``tool_resources`` since API v2)."""

    id: str
    object: str = "thread"
    created_at: int
    metadata: dict[str, str] | None = None
    tool_resources: ToolResources | UnsetType | None = UNSET


class RequiredActionFunction(_Object, frozen=True, kw_only=True):
    """The function call a run waits on."""

    name: str
    arguments: str


class RequiredActionFunctionToolCall(_Object, frozen=True, kw_only=True):
    """A tool call whose output the run waits for."""

    id: str
    type: str = "function"
    function: RequiredActionFunction


class SubmitToolOutputs(_Object, frozen=True, kw_only=True):
    """The tool calls whose outputs must be submitted."""

    tool_calls: list[RequiredActionFunctionToolCall] = field(default_factory=list)


class RequiredAction(_Object, frozen=True, kw_only=True):
    """What a ``requires_action`` run waits for."""

    type: str = "submit_tool_outputs"
    submit_tool_outputs: SubmitToolOutputs


class Run(_Object, frozen=True, kw_only=True):
    """A run of an assistant on a thread.

    The fields that default to ``UNSET`` came and went with API versions:
    ``file_ids`` is v1 only, ``tool_resources`` v2 only, the sampling and
    truncation settings arrived in April 2024, ``parallel_tool_calls`` and
    ``reasoning_effort`` later.
    """

    id: str
    object: str = "thread.run"
    created_at: int
    assistant_id: str
    thread_id: str
    status: str
    started_at: int | None = None
    expires_at: int | None = None
    cancelled_at: int | None = None
    failed_at: int | None = None
    completed_at: int | None = None
    required_action: RequiredAction | None = None
    last_error: LastError | None = None
    model: str
    instructions: str | None = None
    tools: list[AssistantTool] = field(default_factory=list)
    tool_resources: ToolResources | UnsetType | None = UNSET
    file_ids: list[str] | UnsetType = UNSET
    metadata: dict[str, str] | None = None
    temperature: float | UnsetType | None = UNSET
    top_p: float | UnsetType | None = UNSET
    reasoning_effort: str | UnsetType | None = UNSET
    max_completion_tokens: int | UnsetType | None = UNSET
    max_prompt_tokens: int | UnsetType | None = UNSET
    truncation_strategy: TruncationStrategy | UnsetType | None = UNSET
    incomplete_details: IncompleteDetails | UnsetType | None = UNSET
    usage: Usage | None = None
    response_format: str | ResponseFormat | UnsetType | None = UNSET
    tool_choice: str | ToolChoice | UnsetType | None = UNSET
    parallel_tool_calls: bool | UnsetType | None = UNSET


# Run steps


class MessageCreation(_Object, frozen=True, kw_only=True):
    """The message a step created."""

    message_id: str


class MessageCreationStepDetails(_Tagged, frozen=True, kw_only=True, tag="message_creation"):
    """Details of a step that created a message."""

    type: ClassVar[str] = "message_creation"
    message_creation: MessageCreation


class CodeInterpreterOutputLogs(_Tagged, frozen=True, kw_only=True, tag="logs"):
    """Text output of the code interpreter."""

    type: ClassVar[str] = "logs"
    logs: str


class CodeInterpreterOutputImageFile(_Object, frozen=True, kw_only=True):
    """The file of an image output."""

    file_id: str


class CodeInterpreterOutputImage(_Tagged, frozen=True, kw_only=True, tag="image"):
    """Image output of the code interpreter."""

    type: ClassVar[str] = "image"
    image: CodeInterpreterOutputImageFile


CodeInterpreterOutput: TypeAlias = CodeInterpreterOutputLogs | CodeInterpreterOutputImage | Unknown


class CodeInterpreter(_Object, frozen=True, kw_only=True):
    """Input and outputs of a code interpreter call."""

    input: str
    outputs: list[CodeInterpreterOutput] = field(default_factory=list)


class CodeInterpreterToolCall(_Tagged, frozen=True, kw_only=True, tag="code_interpreter"):
    """A code interpreter call."""

    type: ClassVar[str] = "code_interpreter"
    id: str
    code_interpreter: CodeInterpreter


class FileSearchResultContent(_Object, frozen=True, kw_only=True):
    """A piece of a file search result."""

    type: str | None = None
    text: str | None = None


class FileSearchResult(_Object, frozen=True, kw_only=True):
    """A file search result."""

    file_id: str
    file_name: str
    score: float
    attributes: dict[str, Any] | UnsetType | None = UNSET
    content: list[FileSearchResultContent] | UnsetType | None = UNSET


class FileSearch(_Object, frozen=True, kw_only=True):
    """Options and results of a file search call (early v2 sends ``{}``)."""

    ranking_options: FileSearchRankingOptions | UnsetType | None = UNSET
    results: list[FileSearchResult] | UnsetType | None = UNSET


class FileSearchToolCall(_Tagged, frozen=True, kw_only=True, tag="file_search"):
    """A file search call."""

    type: ClassVar[str] = "file_search"
    id: str
    file_search: FileSearch


class FunctionCall(_Object, frozen=True, kw_only=True):
    """Name, arguments and output of a function call."""

    name: str
    arguments: str
    output: str | None = None


class FunctionToolCall(_Tagged, frozen=True, kw_only=True, tag="function"):
    """A function call."""

    type: ClassVar[str] = "function"
    id: str
    function: FunctionCall


ToolCall: TypeAlias = CodeInterpreterToolCall | FileSearchToolCall | FunctionToolCall | Unknown


class ToolCallsStepDetails(_Tagged, frozen=True, kw_only=True, tag="tool_calls"):
    """Details of a step that called tools."""

    type: ClassVar[str] = "tool_calls"
    tool_calls: list[ToolCall] = field(default_factory=list)


StepDetails: TypeAlias = MessageCreationStepDetails | ToolCallsStepDetails | Unknown


class RunStep(_Object, frozen=True, kw_only=True):
    """A step of a run (``expired_at`` and ``metadata`` are documented but not sent)."""

    id: str
    object: str = "thread.run.step"
    created_at: int
    run_id: str
    assistant_id: str
    thread_id: str
    type: str
    status: str
    cancelled_at: int | None = None
    completed_at: int | None = None
    expires_at: int | None = None
    expired_at: int | UnsetType | None = UNSET
    failed_at: int | None = None
    last_error: LastError | None = None
    step_details: StepDetails
    usage: Usage | None = None
    metadata: dict[str, str] | UnsetType | None = UNSET


# Messages


class FileCitation(_Object, frozen=True, kw_only=True):
    """The file an annotation cites (``quote`` is v1 only)."""

    file_id: str
    quote: str | UnsetType | None = UNSET


class FileCitationAnnotation(_Tagged, frozen=True, kw_only=True, tag="file_citation"):
    """A citation of a file, within the message text."""

    type: ClassVar[str] = "file_citation"
    text: str
    start_index: int
    end_index: int
    file_citation: FileCitation


class FilePath(_Object, frozen=True, kw_only=True):
    """A file the code interpreter generated."""

    file_id: str


class FilePathAnnotation(_Tagged, frozen=True, kw_only=True, tag="file_path"):
    """A link to a generated file, within the message text."""

    type: ClassVar[str] = "file_path"
    text: str
    start_index: int
    end_index: int
    file_path: FilePath


Annotation: TypeAlias = FileCitationAnnotation | FilePathAnnotation | Unknown


class Text(_Object, frozen=True, kw_only=True):
    """Message text with its annotations."""

    value: str
    annotations: list[Annotation] = field(default_factory=list)


class TextContentBlock(_Tagged, frozen=True, kw_only=True, tag="text"):
    """Text content of a message."""

    type: ClassVar[str] = "text"
    text: Text


class ImageFile(_Object, frozen=True, kw_only=True):
    """An image file in a message."""

    file_id: str
    detail: str | UnsetType | None = UNSET


class ImageFileContentBlock(_Tagged, frozen=True, kw_only=True, tag="image_file"):
    """An image file content of a message."""

    type: ClassVar[str] = "image_file"
    image_file: ImageFile


class ImageURL(_Object, frozen=True, kw_only=True):
    """An image URL in a message."""

    url: str
    detail: str | UnsetType | None = UNSET


class ImageURLContentBlock(_Tagged, frozen=True, kw_only=True, tag="image_url"):
    """An image URL content of a message."""

    type: ClassVar[str] = "image_url"
    image_url: ImageURL


class RefusalContentBlock(_Tagged, frozen=True, kw_only=True, tag="refusal"):
    """A refusal by the model."""

    type: ClassVar[str] = "refusal"
    refusal: str


MessageContent: TypeAlias = (
    TextContentBlock | ImageFileContentBlock | ImageURLContentBlock | RefusalContentBlock | Unknown
)


class Attachment(_Object, frozen=True, kw_only=True):
    """A file attached to a message and the tools it is for."""

    file_id: str | None = None
    tools: list[AssistantTool] | None = None


class Message(_Object, frozen=True, kw_only=True):
    """A message in a thread (``file_ids`` is v1 only, ``attachments`` v2 only)."""

    id: str
    object: str = "thread.message"
    created_at: int
    assistant_id: str | None = None
    thread_id: str
    run_id: str | None = None
    status: str
    incomplete_details: IncompleteDetails | None = None
    incomplete_at: int | None = None
    completed_at: int | None = None
    role: str
    content: list[MessageContent] = field(default_factory=list)
    attachments: list[Attachment] | UnsetType | None = UNSET
    file_ids: list[str] | UnsetType = UNSET
    metadata: dict[str, str] | None = None


class ErrorObject(_Object, frozen=True, kw_only=True):
    """The payload of an ``error`` event."""

    message: str
    type: str | None = None
    code: str | None = None
    param: str | None = None


# Message deltas


class FileCitationDelta(_Object, frozen=True, kw_only=True):
    """Part of a cited file."""

    file_id: str | UnsetType = UNSET
    quote: str | UnsetType | None = UNSET


class FileCitationDeltaAnnotation(_Tagged, frozen=True, kw_only=True, tag="file_citation"):
    """Part of a file citation annotation."""

    type: ClassVar[str] = "file_citation"
    index: int
    text: str | UnsetType = UNSET
    start_index: int | UnsetType = UNSET
    end_index: int | UnsetType = UNSET
    file_citation: FileCitationDelta | UnsetType = UNSET


class FilePathDelta(_Object, frozen=True, kw_only=True):
    """Part of a generated file reference."""

    file_id: str | UnsetType = UNSET


class FilePathDeltaAnnotation(_Tagged, frozen=True, kw_only=True, tag="file_path"):
    """Part of a file path annotation."""

    type: ClassVar[str] = "file_path"
    index: int
    text: str | UnsetType = UNSET
    start_index: int | UnsetType = UNSET
    end_index: int | UnsetType = UNSET
    file_path: FilePathDelta | UnsetType = UNSET


AnnotationDelta: TypeAlias = FileCitationDeltaAnnotation | FilePathDeltaAnnotation | Unknown


class TextDelta(_Object, frozen=True, kw_only=True):
    """Part of message text."""

    value: str | UnsetType = UNSET
    annotations: list[AnnotationDelta] | UnsetType = UNSET


class TextDeltaBlock(_Tagged, frozen=True, kw_only=True, tag="text"):
    """Part of a text content block."""

    type: ClassVar[str] = "text"
    index: int
    text: TextDelta | UnsetType = UNSET


class ImageFileDelta(_Object, frozen=True, kw_only=True):
    """Part of an image file."""

    file_id: str | UnsetType = UNSET
    detail: str | UnsetType | None = UNSET


class ImageFileDeltaBlock(_Tagged, frozen=True, kw_only=True, tag="image_file"):
    """Part of an image file content block."""

    type: ClassVar[str] = "image_file"
    index: int
    image_file: ImageFileDelta | UnsetType = UNSET


class ImageURLDelta(_Object, frozen=True, kw_only=True):
    """Part of an image URL."""

    url: str | UnsetType = UNSET
    detail: str | UnsetType | None = UNSET


class ImageURLDeltaBlock(_Tagged, frozen=True, kw_only=True, tag="image_url"):
    """Part of an image URL content block."""

    type: ClassVar[str] = "image_url"
    index: int
    image_url: ImageURLDelta | UnsetType = UNSET


class RefusalDeltaBlock(_Tagged, frozen=True, kw_only=True, tag="refusal"):
    """Part of a refusal."""

    type: ClassVar[str] = "refusal"
    index: int
    refusal: str | UnsetType = UNSET


MessageContentDelta: TypeAlias = (
    TextDeltaBlock | ImageFileDeltaBlock | ImageURLDeltaBlock | RefusalDeltaBlock | Unknown
)


class MessageDelta(_Object, frozen=True, kw_only=True):
    """The fields of a message that changed."""

    role: str | UnsetType = UNSET
    content: list[MessageContentDelta] | UnsetType = UNSET


class MessageDeltaEvent(_Object, frozen=True, kw_only=True):
    """The payload of ``thread.message.delta``."""

    id: str
    object: str = "thread.message.delta"
    delta: MessageDelta


# Run step deltas


class MessageCreationDelta(_Object, frozen=True, kw_only=True):
    """Part of the message a step created."""

    message_id: str | UnsetType = UNSET


class MessageCreationStepDetailsDelta(_Tagged, frozen=True, kw_only=True, tag="message_creation"):
    """Part of the details of a message creation step."""

    type: ClassVar[str] = "message_creation"
    message_creation: MessageCreationDelta | UnsetType = UNSET


class CodeInterpreterLogsDelta(_Tagged, frozen=True, kw_only=True, tag="logs"):
    """Part of the text output of the code interpreter."""

    type: ClassVar[str] = "logs"
    index: int
    logs: str | UnsetType | None = UNSET


class CodeInterpreterImageFileDelta(_Object, frozen=True, kw_only=True):
    """Part of the file of an image output."""

    file_id: str | UnsetType = UNSET


class CodeInterpreterImageDelta(_Tagged, frozen=True, kw_only=True, tag="image"):
    """Part of an image output of the code interpreter."""

    type: ClassVar[str] = "image"
    index: int
    image: CodeInterpreterImageFileDelta | UnsetType = UNSET


CodeInterpreterOutputDelta: TypeAlias = (
    CodeInterpreterLogsDelta | CodeInterpreterImageDelta | Unknown
)


class CodeInterpreterDelta(_Object, frozen=True, kw_only=True):
    """Part of the input and outputs of a code interpreter call."""

    input: str | UnsetType = UNSET
    outputs: list[CodeInterpreterOutputDelta] | UnsetType = UNSET


class CodeInterpreterToolCallDelta(_Tagged, frozen=True, kw_only=True, tag="code_interpreter"):
    """Part of a code interpreter call."""

    type: ClassVar[str] = "code_interpreter"
    index: int
    id: str | UnsetType = UNSET
    code_interpreter: CodeInterpreterDelta | UnsetType = UNSET


class FileSearchToolCallDelta(_Tagged, frozen=True, kw_only=True, tag="file_search"):
    """Part of a file search call (its ``file_search`` is kept as raw JSON)."""

    type: ClassVar[str] = "file_search"
    index: int
    id: str | UnsetType = UNSET
    file_search: dict[str, Any] | UnsetType = UNSET


class FunctionCallDelta(_Object, frozen=True, kw_only=True):
    """Part of the name, arguments and output of a function call."""

    name: str | UnsetType = UNSET
    arguments: str | UnsetType = UNSET
    output: str | UnsetType | None = UNSET


class FunctionToolCallDelta(_Tagged, frozen=True, kw_only=True, tag="function"):
    """Part of a function call."""

    type: ClassVar[str] = "function"
    index: int
    id: str | UnsetType = UNSET
    function: FunctionCallDelta | UnsetType = UNSET


ToolCallDelta: TypeAlias = (
    CodeInterpreterToolCallDelta | FileSearchToolCallDelta | FunctionToolCallDelta | Unknown
)


class ToolCallsStepDetailsDelta(_Tagged, frozen=True, kw_only=True, tag="tool_calls"):
    """Part of the details of a tool calls step."""

    type: ClassVar[str] = "tool_calls"
    tool_calls: list[ToolCallDelta] | UnsetType = UNSET


StepDetailsDelta: TypeAlias = MessageCreationStepDetailsDelta | ToolCallsStepDetailsDelta | Unknown


class RunStepDelta(_Object, frozen=True, kw_only=True):
    """The fields of a run step that changed."""

    step_details: StepDetailsDelta | UnsetType = UNSET


class RunStepDeltaEvent(_Object, frozen=True, kw_only=True):
    """The payload of ``thread.run.step.delta``."""

    id: str
    object: str = "thread.run.step.delta"
    delta: RunStepDelta


# Events


# gc=False, as for every object of a dialect (see streamkit.dialects._unknowns.Object).
class _Event(msgspec.Struct, kw_only=True, frozen=True, tag_field="event", gc=False):
    """Base of the stream events: the SSE event name is the tag, the payload is ``data``."""


class ThreadCreated(_Event, frozen=True, kw_only=True, tag="thread.created"):
    """``thread.created``: a thread was created."""

    event: ClassVar[str] = "thread.created"
    data: Thread


class ThreadRunCreated(_Event, frozen=True, kw_only=True, tag="thread.run.created"):
    """``thread.run.created``."""

    event: ClassVar[str] = "thread.run.created"
    data: Run


class ThreadRunQueued(_Event, frozen=True, kw_only=True, tag="thread.run.queued"):
    """``thread.run.queued``."""

    event: ClassVar[str] = "thread.run.queued"
    data: Run


class ThreadRunInProgress(_Event, frozen=True, kw_only=True, tag="thread.run.in_progress"):
    """``thread.run.in_progress``."""

    event: ClassVar[str] = "thread.run.in_progress"
    data: Run


class ThreadRunRequiresAction(_Event, frozen=True, kw_only=True, tag="thread.run.requires_action"):
    """``thread.run.requires_action``: the run waits for tool outputs."""

    event: ClassVar[str] = "thread.run.requires_action"
    data: Run


class ThreadRunCompleted(_Event, frozen=True, kw_only=True, tag="thread.run.completed"):
    """``thread.run.completed``."""

    event: ClassVar[str] = "thread.run.completed"
    data: Run


class ThreadRunIncomplete(_Event, frozen=True, kw_only=True, tag="thread.run.incomplete"):
    """``thread.run.incomplete``."""

    event: ClassVar[str] = "thread.run.incomplete"
    data: Run


class ThreadRunFailed(_Event, frozen=True, kw_only=True, tag="thread.run.failed"):
    """``thread.run.failed``."""

    event: ClassVar[str] = "thread.run.failed"
    data: Run


class ThreadRunCancelling(_Event, frozen=True, kw_only=True, tag="thread.run.cancelling"):
    """``thread.run.cancelling``."""

    event: ClassVar[str] = "thread.run.cancelling"
    data: Run


class ThreadRunCancelled(_Event, frozen=True, kw_only=True, tag="thread.run.cancelled"):
    """``thread.run.cancelled``."""

    event: ClassVar[str] = "thread.run.cancelled"
    data: Run


class ThreadRunExpired(_Event, frozen=True, kw_only=True, tag="thread.run.expired"):
    """``thread.run.expired``."""

    event: ClassVar[str] = "thread.run.expired"
    data: Run


class ThreadRunStepCreated(_Event, frozen=True, kw_only=True, tag="thread.run.step.created"):
    """``thread.run.step.created``."""

    event: ClassVar[str] = "thread.run.step.created"
    data: RunStep


class ThreadRunStepInProgress(_Event, frozen=True, kw_only=True, tag="thread.run.step.in_progress"):
    """``thread.run.step.in_progress``."""

    event: ClassVar[str] = "thread.run.step.in_progress"
    data: RunStep


class ThreadRunStepDelta(_Event, frozen=True, kw_only=True, tag="thread.run.step.delta"):
    """``thread.run.step.delta``: part of a run step."""

    event: ClassVar[str] = "thread.run.step.delta"
    data: RunStepDeltaEvent


class ThreadRunStepCompleted(_Event, frozen=True, kw_only=True, tag="thread.run.step.completed"):
    """``thread.run.step.completed``."""

    event: ClassVar[str] = "thread.run.step.completed"
    data: RunStep


class ThreadRunStepFailed(_Event, frozen=True, kw_only=True, tag="thread.run.step.failed"):
    """``thread.run.step.failed``."""

    event: ClassVar[str] = "thread.run.step.failed"
    data: RunStep


class ThreadRunStepCancelled(_Event, frozen=True, kw_only=True, tag="thread.run.step.cancelled"):
    """``thread.run.step.cancelled``."""

    event: ClassVar[str] = "thread.run.step.cancelled"
    data: RunStep


class ThreadRunStepExpired(_Event, frozen=True, kw_only=True, tag="thread.run.step.expired"):
    """``thread.run.step.expired``."""

    event: ClassVar[str] = "thread.run.step.expired"
    data: RunStep


class ThreadMessageCreated(_Event, frozen=True, kw_only=True, tag="thread.message.created"):
    """``thread.message.created``."""

    event: ClassVar[str] = "thread.message.created"
    data: Message


class ThreadMessageInProgress(_Event, frozen=True, kw_only=True, tag="thread.message.in_progress"):
    """``thread.message.in_progress``."""

    event: ClassVar[str] = "thread.message.in_progress"
    data: Message


class ThreadMessageDelta(_Event, frozen=True, kw_only=True, tag="thread.message.delta"):
    """``thread.message.delta``: part of a message."""

    event: ClassVar[str] = "thread.message.delta"
    data: MessageDeltaEvent


class ThreadMessageCompleted(_Event, frozen=True, kw_only=True, tag="thread.message.completed"):
    """``thread.message.completed``."""

    event: ClassVar[str] = "thread.message.completed"
    data: Message


class ThreadMessageIncomplete(_Event, frozen=True, kw_only=True, tag="thread.message.incomplete"):
    """``thread.message.incomplete``."""

    event: ClassVar[str] = "thread.message.incomplete"
    data: Message


class ErrorEvent(_Event, frozen=True, kw_only=True, tag="error"):
    """``error``: the server reports an error in the stream (an event, not an exception)."""

    event: ClassVar[str] = "error"
    data: ErrorObject


class Done(_Event, frozen=True, kw_only=True, tag="done"):
    """``done``: the end of the stream; ``data`` is the payload text, normally ``[DONE]``."""

    event: ClassVar[str] = "done"
    data: str = "[DONE]"


AssistantStreamEvent: TypeAlias = (
    ThreadCreated
    | ThreadRunCreated
    | ThreadRunQueued
    | ThreadRunInProgress
    | ThreadRunRequiresAction
    | ThreadRunCompleted
    | ThreadRunIncomplete
    | ThreadRunFailed
    | ThreadRunCancelling
    | ThreadRunCancelled
    | ThreadRunExpired
    | ThreadRunStepCreated
    | ThreadRunStepInProgress
    | ThreadRunStepDelta
    | ThreadRunStepCompleted
    | ThreadRunStepFailed
    | ThreadRunStepCancelled
    | ThreadRunStepExpired
    | ThreadMessageCreated
    | ThreadMessageInProgress
    | ThreadMessageDelta
    | ThreadMessageCompleted
    | ThreadMessageIncomplete
    | ErrorEvent
    | Done
)
