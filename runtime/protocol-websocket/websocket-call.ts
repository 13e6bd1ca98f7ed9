import type { IncomingMessage } from "node:http";
import type { Message } from "@bufbuild/protobuf";
import { Code } from "../gen/google/rpc/code_pb.js";
import { WebSocket, type RawData } from "ws";
import type { BackendStream } from "../backend/backend.js";
import { inboundMarshaler } from "../marshal/negotiation.js";
import type { CompiledRoute } from "../compile-route.js";
import { Call, type ClientGone } from "../protocol/call.js";
import { errorEnvelope, streamErrorJson } from "../protocol/stream-error.js";
import { bindStreamMessage, invalidStreamMessage } from "../protocol/stream-request.js";
import { GatewayError } from "../gateway-error.js";
import { protobufFrameReader } from "../marshal/protobuf.js";
import type { GatewaySettings } from "../settings.js";

/** Past this many unsent bytes on the socket, no reply is taken from the backend until they leave. */
const replyBacklogBytes = 64 * 1024;

/**
 * How often a socket paused for a slow backend is pinged. Nothing is read while it is
 * paused, not even the end of the connection; writing to a client that is gone fails,
 * which closes the socket and cancels the call.
 */
const pausedProbeMs = 250;

/** Longest close reason a close frame can carry, in bytes (RFC 6455 5.5: 125 minus the code). */
const maxCloseReasonBytes = 123;

/**
 * One call over WebSocket: the protocol-neutral {@link Call} as the handshake settled it.
 * Request messages are read as JSON text (or protobuf binary) frames, replies written as
 * JSON text; the client is gone when the socket closes before the call settled.
 */
export class WebSocketCall extends Call {
  declare readonly clientGone: SocketClosed;

  /** Opens the call for a handshake on a streaming route; throws a GatewayError as {@link Call} does. */
  constructor(compiled: CompiledRoute, pathParams: Readonly<Record<string, string>>, rawQuery: string, req: IncomingMessage, settings: GatewaySettings) {
    // A handshake carries no body, so its Content-Type says nothing about the frames.
    const inbound = inboundMarshaler(compiled, undefined, settings.marshalers);
    super(compiled, pathParams, rawQuery, req, settings, inbound, settings.defaultMarshaler, new SocketClosed());
  }
}

/** The client's going away over WebSocket, as an AbortSignal that the socket's closing aborts. */
class SocketClosed implements ClientGone {
  readonly #controller = new AbortController();

  get gone(): boolean {
    return this.#controller.signal.aborted;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  readonly onGone = (listener: () => void): (() => void) => {
    const { signal } = this.#controller;
    if (signal.aborted) {
      listener();
      return noop;
    }
    signal.addEventListener("abort", listener, { once: true });
    return () => signal.removeEventListener("abort", listener);
  };

  /** Marks the client gone, which cancels the backend call. */
  leave(): void {
    this.#controller.abort();
  }

  dispose(): void {}
}

const noop = (): void => {};

/** Runs one streaming call over an open WebSocket, as serve-websocket.ts describes. */
export async function serveWebSocketCall(ws: WebSocket, call: WebSocketCall): Promise<void> {
  const { compiled } = call;
  const method = compiled.route.method;
  let settled = false;
  ws.on("error", () => {}); // always followed by 'close', which is where the call is cancelled
  ws.once("close", () => {
    if (!settled) call.clientGone.leave();
  });
  let backend: BackendStream | undefined;
  let inputError: GatewayError | undefined;
  let requests: { stop(): void } | undefined;
  let succeeded = false;
  try {
    const stream = compiled.backend.stream(method, call.options);
    backend = stream;
    requests = readRequests(ws, call, stream, (error) => {
      inputError ??= error;
      stream.cancel();
    });
    let replies = 0;
    for await (const message of stream.replies) {
      if (ws.readyState !== WebSocket.OPEN) return;
      replies++;
      await sendFrame(ws, compiled.reply.text(call.outbound, message));
    }
    if (method.methodKind === "client_streaming" && replies === 0) throw new GatewayError(Code.INTERNAL, "the backend ended the call without a reply");
    succeeded = true;
    if (ws.readyState === WebSocket.OPEN) ws.close(1000);
  } catch (err) {
    if (ws.readyState !== WebSocket.OPEN) return; // nobody is listening any more
    await closeWithError(ws, inputError ?? GatewayError.from(err), call);
  } finally {
    settled = true;
    requests?.stop();
    if (!succeeded) backend?.cancel();
  }
}

/**
 * Feeds frames to the backend one at a time, in order. The socket is paused while a frame
 * waits for the backend, so a client sending faster than the backend reads is held back
 * by TCP instead of by memory here.
 */
function readRequests(ws: WebSocket, call: WebSocketCall, backend: BackendStream, fail: (error: GatewayError) => void): { stop(): void } {
  const { compiled, pathParams, rawQuery } = call;
  const method = compiled.route.method;
  const single = method.methodKind === "server_streaming";
  const text = call.inbound;
  // HttpBody requests take the frame's bytes as they are, whichever the frame type.
  const binary = compiled.rawRequestBody ? text : protobufFrameReader;
  let queue = Promise.resolve();
  let waiting = 0;
  let probe: NodeJS.Timeout | undefined;
  const pause = () => {
    ws.pause();
    probe ??= setInterval(() => ws.ping(), pausedProbeMs).unref();
  };
  const resume = () => {
    clearInterval(probe);
    probe = undefined;
    ws.resume();
  };
  let count = 0;
  let ended = false;
  let stopped = false;

  const enqueue = (step: () => Promise<void>) => {
    waiting++;
    pause();
    queue = queue
      .then(() => (stopped ? undefined : step()))
      .catch((err: unknown) => {
        stopped = true;
        fail(GatewayError.from(err, Code.INVALID_ARGUMENT));
      })
      .finally(() => {
        if (--waiting === 0 && !stopped) resume();
      });
  };
  const sendOne = async (message: Message) => {
    await backend.send(message);
    if (single) endRequests();
  };
  const endRequests = () => {
    ended = true;
    backend.close();
  };
  const onFrame = (data: RawData, isBinary: boolean) => {
    const bytes = frameBytes(data);
    if (!isBinary && bytes.length === 0) {
      return enqueue(async () => {
        if (ended) return;
        if (single) throw new GatewayError(Code.INVALID_ARGUMENT, `the request stream ended before the request message of ${method.name}`);
        endRequests();
      });
    }
    const index = ++count;
    enqueue(async () => {
      if (ended) {
        const why = !single ? "it came after the end of the request stream" : compiled.readsBody ? `${method.name} takes one request message` : `${method.name} takes its request from the URL`;
        throw invalidStreamMessage(index, why);
      }
      await sendOne(bindStreamMessage(call, index, bytes, isBinary ? binary : text));
    });
  };

  ws.on("message", onFrame);
  // Nothing in a frame would be bound, so the URL is the whole request.
  if (single && !compiled.readsBody) enqueue(() => sendOne(compiled.binding.bind({ pathParams, rawQuery, body: undefined, marshaler: text })));
  return {
    stop() {
      stopped = true;
      ws.off("message", onFrame);
      // The closing handshake still needs the client's close frame to be read.
      resume();
    },
  };
}

function frameBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

// Resolves at once while the socket keeps up; past the backlog, once this frame has left.
function sendFrame(ws: WebSocket, text: string): Promise<void> {
  return new Promise((resolve) => {
    ws.send(text, () => resolve());
    if (ws.bufferedAmount < replyBacklogBytes) resolve();
  });
}

async function closeWithError(ws: WebSocket, error: GatewayError, call: WebSocketCall): Promise<void> {
  const { status, json } = await streamErrorJson(call, error);
  if (ws.readyState !== WebSocket.OPEN) return;
  ws.send(errorEnvelope(json));
  ws.close(closeCodeFor(status.code), closeReason(status.rawMessage));
}

// 4000-4999 is the range RFC 6455 leaves to applications; a status code fits with room to spare.
function closeCodeFor(code: number): number {
  return Number.isInteger(code) && code >= 0 && code <= 999 ? 4000 + code : 4000 + Code.UNKNOWN;
}

// Cut on a character boundary: a close reason must be valid UTF-8 or the client fails the connection.
function closeReason(message: string): string {
  const bytes = Buffer.from(message, "utf8");
  if (bytes.length <= maxCloseReasonBytes) return message;
  let end = maxCloseReasonBytes;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString("utf8");
}
