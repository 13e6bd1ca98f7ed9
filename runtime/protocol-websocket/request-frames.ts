import type { Message } from "@bufbuild/protobuf";
import type { RawData, WebSocket } from "ws";
import { Code } from "../gen/google/rpc/code_pb.js";
import type { BackendStream } from "../backend/backend.js";
import { GatewayError } from "../gateway-error.js";
import { protobufFrameReader } from "../marshal/protobuf.js";
import { bindStreamMessage, invalidStreamMessage } from "../protocol/stream-request.js";
import type { WebSocketCall } from "./websocket-call.js";

/**
 * How often a socket paused for a slow backend is pinged. Nothing is read while it is
 * paused, not even the end of the connection; writing to a client that is gone fails,
 * which closes the socket and cancels the call.
 */
const pausedProbeMs = 250;

/**
 * Feeds frames to the backend one at a time, in order. The socket is paused while a frame
 * waits for the backend, so a client sending faster than the backend reads is held back
 * by TCP instead of by memory here.
 */
export function readRequestFrames(ws: WebSocket, call: WebSocketCall, backend: BackendStream, fail: (error: GatewayError) => void): { stop(): void } {
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
        const why = !single
          ? "it came after the end of the request stream"
          : compiled.readsBody
            ? `${method.name} takes one request message`
            : `${method.name} takes its request from the URL`;
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
