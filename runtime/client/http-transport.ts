/**
 * Calls over fetch: unary calls, and server streams read as NDJSON (the gateway's
 * `{"result": ...}` / `{"error": ...}` lines) or Server-Sent Events, as they arrive.
 */
import type { JsonValue, Message } from "@bufbuild/protobuf";
import { Code } from "../gen/google/rpc/code_pb.js";
import { GatewayClientError } from "./client-error.js";
import { requestHeaders, responseMetadata, type CallOptions, type ClientOptions } from "./client-options.js";
import type { ReplyDecoder } from "./reply-decoding.js";
import type { EncodedRequest } from "./request-encoding.js";

/** Sends one request and returns the response once its status is 2xx; throws the error it answered otherwise. */
async function send(client: ClientOptions, httpMethod: string, request: EncodedRequest, call: CallOptions | undefined, accept: string): Promise<Response> {
  const headers = requestHeaders(client, call);
  headers.set("Accept", accept);
  if (request.body !== undefined) headers.set("Content-Type", request.body.contentType);
  const doFetch = client.fetch ?? globalThis.fetch;
  const response = await doFetch(joinUrl(client.baseUrl, request.target), {
    method: httpMethod,
    headers,
    ...(request.body !== undefined ? { body: request.body.data as BodyInit } : {}),
    ...(call?.signal !== undefined ? { signal: call.signal } : {}),
  });
  const metadata = responseMetadata(response.headers);
  call?.onHeader?.(metadata);
  if (!response.ok) throw await errorFromResponse(response, metadata);
  return response;
}

/** `baseUrl` and a request target, with one `/` between them. */
export function joinUrl(baseUrl: string, target: string): string {
  return baseUrl.replace(/\/+$/, "") + target;
}

// The status body the gateway writes; a stream failing before its first message answers
// one `{"error": status}` line instead, and anything else (a proxy's page) keeps the HTTP status.
async function errorFromResponse(response: Response, metadata: Headers): Promise<GatewayClientError> {
  const text = await response.text().catch(() => "");
  let json: unknown;
  try {
    json = JSON.parse(text.split("\n", 1)[0]!);
  } catch {
    json = undefined;
  }
  const status = typeof json === "object" && json !== null && "error" in json ? (json as { error: unknown }).error : json;
  return GatewayClientError.fromStatus(status, { httpStatus: response.status, metadata });
}

/** A unary call (or a server stream's whole reply, for HttpBody downloads). */
export async function unaryCall(
  client: ClientOptions,
  httpMethod: string,
  request: EncodedRequest,
  reply: ReplyDecoder,
  call: CallOptions | undefined,
): Promise<Message> {
  const response = await send(client, httpMethod, request, call, "application/json");
  if (reply.raw) {
    return reply.fromRaw(response.headers.get("Content-Type") ?? "", new Uint8Array(await response.arrayBuffer()));
  }
  const text = await response.text();
  let json: JsonValue;
  try {
    json = JSON.parse(text) as JsonValue;
  } catch (err) {
    throw new GatewayClientError(Code.INTERNAL, `the reply is not JSON: ${text.slice(0, 64)}`, { httpStatus: response.status, cause: err });
  }
  return reply.fromJson(json);
}

/** A server stream: each reply as it arrives; the stream's error, if it ends with one, is thrown. */
export async function* serverStream(
  client: ClientOptions,
  httpMethod: string,
  request: EncodedRequest,
  reply: ReplyDecoder,
  call: CallOptions | undefined,
): AsyncGenerator<Message> {
  const sse = client.streamFormat === "sse";
  const response = await send(client, httpMethod, request, call, sse ? "text/event-stream" : "application/json");
  if (response.body === null) return;
  const metadata = responseMetadata(response.headers);
  const fail = (status: unknown) => GatewayClientError.fromStatus(status, { httpStatus: response.status, metadata });
  const parse = (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new GatewayClientError(Code.INTERNAL, `malformed stream message: ${text.slice(0, 64)}`, { httpStatus: response.status, metadata, cause: err });
    }
  };
  if (sse) {
    for await (const event of sseEvents(lines(response.body))) {
      if (event.type === "error") throw fail(parse(event.data));
      yield reply.fromJson(parse(event.data) as JsonValue);
    }
    return;
  }
  for await (const line of lines(response.body)) {
    if (line.trim() === "") continue;
    const json = parse(line) as { result?: JsonValue; error?: unknown };
    if (json.error !== undefined) throw fail(json.error);
    yield reply.fromJson(json.result ?? {});
  }
}

/** The lines of a UTF-8 byte stream, without their `\n` (or `\r\n`). */
async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        yield buffered.slice(0, newline).replace(/\r$/, "");
        buffered = buffered.slice(newline + 1);
      }
    }
    buffered += decoder.decode();
    if (buffered !== "") yield buffered;
  } finally {
    // Stops the download when the caller stops iterating early.
    await reader.cancel().catch(() => {});
  }
}

/** Server-Sent Events: their type (`message` unless named) and data lines joined. */
async function* sseEvents(source: AsyncIterable<string>): AsyncGenerator<{ type: string; data: string }> {
  let type = "message";
  let data: string[] = [];
  for await (const line of source) {
    if (line === "") {
      if (data.length > 0) yield { type, data: data.join("\n") };
      type = "message";
      data = [];
    } else if (line.startsWith("data:")) {
      data.push(line.slice(5).replace(/^ /, ""));
    } else if (line.startsWith("event:")) {
      type = line.slice(6).trim();
    }
  }
  if (data.length > 0) yield { type, data: data.join("\n") };
}
