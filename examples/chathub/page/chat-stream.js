// Reads a streamed ChatHub reply with fetch: the gateway's server streaming as
// Server-Sent Events or newline-delimited JSON, token by token as each arrives.

/** gRPC status code names, to show a failure the way the status body means it. */
const codeNames = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
];

/** A failed call: the HTTP answer's status body, or the stream's final error. */
export class ChatError extends Error {
  /**
   * @param {string} message what the gateway said
   * @param {{ code?: number, httpStatus?: number, midStream?: boolean }} info
   */
  constructor(message, { code, httpStatus, midStream = false }) {
    super(message);
    this.code = code;
    this.httpStatus = httpStatus;
    this.midStream = midStream;
  }

  /** The gRPC code's name, when the gateway gave one. */
  get codeName() {
    return this.code === undefined ? undefined : (codeNames[this.code] ?? `code ${this.code}`);
  }
}

/** The Accept header that asks the gateway for each format. */
const accepts = { sse: "text/event-stream", ndjson: "application/x-ndjson" };

/**
 * Sends `request` (a ChatRequest as JSON) to POST /v1/chat:stream and calls `onToken`
 * with each token's text as it arrives. Resolves when the reply is complete; rejects
 * with a ChatError when the gateway or the model fails, or with an AbortError on `signal`.
 *
 * @param {object} request
 * @param {"sse" | "ndjson"} format
 * @param {AbortSignal} signal
 * @param {(token: string) => void} onToken
 */
export async function streamChat(request, format, signal, onToken) {
  const response = await fetch("/v1/chat:stream", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: accepts[format] },
    body: JSON.stringify(request),
    signal,
  });
  if (!response.ok) throw await httpError(response);
  const frames = format === "sse" ? "\n\n" : "\n";
  const handle = format === "sse" ? handleEvent : handleLine;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      // SSE allows CRLF line ends; the gateway sends LF, but a proxy may not.
      buffer += value.replaceAll("\r\n", "\n");
      let end;
      while ((end = buffer.indexOf(frames)) !== -1) {
        handle(buffer.slice(0, end), onToken);
        buffer = buffer.slice(end + frames.length);
      }
    }
    if (buffer.trim() !== "") handle(buffer, onToken);
  } catch (err) {
    // Stop reading, so a reply we gave up on does not keep the model talking.
    reader.cancel().catch(() => {});
    throw err;
  }
}

// One SSE event: `data:` lines make the payload; `event: error` carries the status.
function handleEvent(block, onToken) {
  let event = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line === "" || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (data.length === 0) return;
  const payload = JSON.parse(data.join("\n"));
  if (event === "error") throw streamError(payload);
  onToken(payload.response ?? "");
}

// One NDJSON line: a bare ChatReply, grpc-gateway's {"result": ...}, or {"error": status}.
function handleLine(line, onToken) {
  if (line.trim() === "") return;
  const payload = JSON.parse(line);
  if ("error" in payload) throw streamError(payload.error);
  const reply = "result" in payload ? payload.result : payload;
  onToken(reply.response ?? "");
}

function streamError(status) {
  return new ChatError(status.message ?? "the stream failed", { code: status.code, midStream: true });
}

// A failure before the first token is an HTTP error with a google.rpc.Status-shaped body.
async function httpError(response) {
  const text = await response.text();
  try {
    const status = JSON.parse(text);
    return new ChatError(status.message ?? text, { code: status.code, httpStatus: response.status });
  } catch {
    return new ChatError(text || response.statusText, { httpStatus: response.status });
  }
}
