/**
 * Client and bidirectional streams over the gateway's WebSocket protocol
 * (protocol-websocket/serve-websocket.ts): each request one JSON text frame, an empty text
 * frame to half-close, each reply one text frame, `{"error": status}` and close code
 * 4000 + the gRPC code on failure, 1000 on success.
 */
import type { JsonValue, Message } from "@bufbuild/protobuf";
import { Code } from "../gen/google/rpc/code_pb.js";
import { GatewayClientError } from "./client-error.js";
import { requestHeaders, type CallOptions, type ClientOptions } from "./client-options.js";
import { joinUrl } from "./http-transport.js";
import type { ReplyDecoder } from "./reply-decoding.js";

/** Opens the call's socket, sends `requests` as they come (each already JSON text), and yields every reply. */
export async function* webSocketStream(
  client: ClientOptions,
  target: string,
  requests: AsyncIterable<string>,
  reply: ReplyDecoder,
  call: CallOptions | undefined,
): AsyncGenerator<Message> {
  const WebSocket = client.webSocket ?? (globalThis as { WebSocket?: ClientOptions["webSocket"] }).WebSocket;
  if (WebSocket === undefined) throw new Error("no WebSocket constructor: pass one as the client's webSocket option (e.g. WebSocket of the ws package)");
  const signal = call?.signal;
  signal?.throwIfAborted();
  const url = joinUrl(client.baseUrl, target).replace(/^http/, "ws");
  // Browsers cannot set handshake headers and ignore the third argument; `ws` sends them.
  const headers: Record<string, string> = {};
  requestHeaders(client, call).forEach((value, key) => {
    headers[key] = value;
  });
  const socket = new WebSocket(url, [], { headers });

  // Frames and the close, queued until the consumer asks for them.
  const queue: string[] = [];
  let closed: { code: number; reason: string } | undefined;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  socket.addEventListener("message", (event: { data: unknown }) => {
    queue.push(typeof event.data === "string" ? event.data : new TextDecoder().decode(event.data as ArrayBuffer));
    notify();
  });
  socket.addEventListener("close", (event: { code: number; reason: string }) => {
    closed = { code: event.code, reason: event.reason };
    notify();
  });
  socket.addEventListener("error", () => {
    failure ??= new GatewayClientError(Code.UNAVAILABLE, `WebSocket connection to ${url} failed`, { httpStatus: 0 });
    notify();
  });
  const onAbort = () => {
    failure ??= signal!.reason;
    socket.close(1000);
    notify();
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  const opened = new Promise<boolean>((resolve) => {
    socket.addEventListener("open", () => resolve(true));
    socket.addEventListener("close", () => resolve(false));
  });
  const sending = (async () => {
    if (!(await opened)) return;
    try {
      for await (const request of requests) {
        if (closed !== undefined || failure !== undefined) return;
        socket.send(request);
      }
      if (closed === undefined) socket.send("");
    } catch (err) {
      failure ??= err;
      socket.close(1000);
      notify();
    }
  })();

  let errorStatus: unknown;
  try {
    for (;;) {
      const frame = queue.shift();
      if (frame !== undefined) {
        const json = parseFrame(frame);
        if (typeof json === "object" && json !== null && "error" in json && Object.keys(json).length === 1) errorStatus = json.error;
        else yield reply.fromJson(json);
        continue;
      }
      if (failure !== undefined) throw failure;
      if (closed !== undefined) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    if (closed.code === 1000 && errorStatus === undefined) return;
    if (errorStatus !== undefined) throw GatewayClientError.fromStatus(errorStatus, { httpStatus: 0 });
    const code = closed.code >= 4000 && closed.code <= 4016 ? ((closed.code - 4000) as Code) : Code.UNAVAILABLE;
    throw new GatewayClientError(code, closed.reason || `WebSocket closed with ${closed.code}`, { httpStatus: 0 });
  } finally {
    signal?.removeEventListener("abort", onAbort);
    // Leaving early (break, a throw in the loop body) ends the call, which cancels the backend.
    if (closed === undefined) socket.close(1000);
    void sending; // not awaited: it may wait on a request iterable that never ends
  }
}

function parseFrame(frame: string): JsonValue {
  try {
    return JSON.parse(frame) as JsonValue;
  } catch (err) {
    throw new GatewayClientError(Code.INTERNAL, `malformed WebSocket reply: ${frame.slice(0, 64)}`, { httpStatus: 0, cause: err });
  }
}
