import type { Message } from "@bufbuild/protobuf";
import { WebSocket } from "ws";
import { Code } from "../gen/google/rpc/code_pb.js";
import type { BackendStream } from "../backend/backend.js";
import { GatewayError } from "../gateway-error.js";
import { rewrittenPayload } from "../protocol/response-rewriter.js";
import { closeWithError } from "./error-response.js";
import { watchLiveness } from "./keepalive.js";
import { readRequestFrames } from "./request-frames.js";
import type { WebSocketCall } from "./websocket-call.js";

/** Past this many unsent bytes on the socket, no reply is taken from the backend until they leave. */
const replyBacklogBytes = 64 * 1024;

/** Runs one streaming call over an open WebSocket, as serve-websocket.ts describes. */
export async function serveWebSocketStream(ws: WebSocket, call: WebSocketCall): Promise<void> {
  const { compiled } = call;
  const method = compiled.route.method;
  let settled = false;
  ws.on("error", () => {}); // always followed by 'close', which is where the call is cancelled
  ws.once("close", () => {
    if (!settled) call.clientGone.leave();
  });
  const liveness = watchLiveness(ws, call.settings.webSocket, () => {
    if (!settled) call.clientGone.leave();
  });
  let backend: BackendStream | undefined;
  let inputError: GatewayError | undefined;
  let requests: { stop(): void } | undefined;
  let succeeded = false;
  try {
    const stream = compiled.backend.stream(method, call.options);
    backend = stream;
    requests = readRequestFrames(ws, call, stream, (error) => {
      inputError ??= error;
      stream.cancel();
    });
    const rewriter = call.settings.responseRewriter;
    const rewriteContext = { req: call.req, route: call.route, kind: "stream-message" } as const;
    const marshalText = (m: Message) => compiled.reply.text(call.outbound, m);
    let replies = 0;
    for await (const message of stream.replies) {
      if (ws.readyState !== WebSocket.OPEN) return;
      replies++;
      const text = rewriter === undefined ? compiled.reply.text(call.outbound, message) : rewrittenPayload(rewriter, message, rewriteContext, marshalText);
      liveness.activity();
      await sendFrame(ws, typeof text === "string" ? text : Buffer.from(text).toString());
    }
    if (method.methodKind === "client_streaming" && replies === 0) throw new GatewayError(Code.INTERNAL, "the backend ended the call without a reply");
    succeeded = true;
    if (ws.readyState === WebSocket.OPEN) ws.close(1000);
  } catch (err) {
    if (ws.readyState !== WebSocket.OPEN) return; // nobody is listening any more
    await closeWithError(ws, inputError ?? GatewayError.from(err), call);
  } finally {
    settled = true;
    liveness.stop();
    requests?.stop();
    if (!succeeded) backend?.cancel();
  }
}

// Resolves at once while the socket keeps up; past the backlog, once this frame has left.
function sendFrame(ws: WebSocket, text: string): Promise<void> {
  return new Promise((resolve) => {
    ws.send(text, () => resolve());
    if (ws.bufferedAmount < replyBacklogBytes) resolve();
  });
}
