// Reads a UI message stream with the AI SDK's own client code and prints the message it builds.
//
//   node read-ui-stream.mjs BODY HEADERS_JSON
//
// BODY is a file of the bytes a backend sent; HEADERS_JSON the response headers as a JSON
// object.  The bytes go through DefaultChatTransport, the transport useChat uses (given a
// fetch that answers with them), and readUIMessageStream; the last message is printed as JSON.
import { readFileSync } from "node:fs";
import { DefaultChatTransport, readUIMessageStream } from "ai";

const [body, headers] = process.argv.slice(2);
const bytes = readFileSync(body);
const transport = new DefaultChatTransport({
  api: "http://backend.invalid/api/chat",
  fetch: async () => new Response(bytes, { status: 200, headers: JSON.parse(headers) }),
});
const chunks = await transport.sendMessages({
  chatId: "chat",
  messages: [],
  trigger: "submit-message",
  messageId: undefined,
  abortSignal: undefined,
});
const errors = [];
let last = null;
for await (const message of readUIMessageStream({
  stream: chunks,
  onError: (error) => errors.push(String(error)),
})) {
  last = message;
}
process.stdout.write(JSON.stringify({ message: last, errors }) + "\n");
