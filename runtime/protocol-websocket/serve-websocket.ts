/**
 * Streaming methods over WebSocket (package `ws`), on the same routes as over HTTP, full
 * duplex: replies flow while requests are still being sent.
 *
 * - The handshake is the call's HTTP request, whatever the route's verb (a handshake is
 *   always a GET): its headers become metadata and `Grpc-Timeout` the deadline, as for
 *   any call; a malformed `Grpc-Timeout`, path variable or query parameter refuses the
 *   handshake with 400 and the status JSON. Unary methods are not served over WebSocket:
 *   `Gateway.upgrade` declines them (so does it paths with no streaming route), and
 *   {@link attachWebSockets} answers 404.
 * - Each text frame is one request message in JSON, bound like the body of a unary call,
 *   with the handshake URL's path variables and query parameters bound into every message.
 *   A binary frame is one request message in protobuf binary (the whole message with
 *   `body: "*"`, else the message-typed body field).
 * - An empty text frame ends the request stream (half-close); replies keep flowing.
 * - Server streaming takes its one request from the first frame, or, when its rule has no
 *   body, from the handshake URL alone, calling the backend as soon as the socket opens.
 * - Each reply is one text frame: the bare JSON message (its `response_body` field if set).
 * - Success closes with 1000. Failure sends `{"error": <status JSON>}` (through the stream
 *   error hook) as a last text frame, then closes with 4000 + the gRPC code and the status
 *   message as the reason, cut to 123 bytes.
 * - A malformed frame, or a message after the request stream ended, ends the call with
 *   INVALID_ARGUMENT naming it (`invalid request message #3: ...`) and cancels the
 *   backend; so does a frame larger than `maxRequestBytes` (close 1009). A client that
 *   closes or drops the connection cancels the backend call at once.
 * - Back-pressure both ways: the socket is not read while the backend has not taken the
 *   last message, and no reply is taken from the backend while the socket has a backlog.
 * - Liveness (keepalive.ts): a ping every `webSocketPingIntervalMs` (30 s); a peer that has
 *   not answered by the next is terminated (1006 at the client). No message either way for
 *   `webSocketIdleTimeoutMs` (5 min) closes with 1001 `idle timeout`. Both cancel the backend.
 * - Response metadata (headers, trailers) has nowhere to go after the handshake and is not
 *   forwarded; the response hook does not run.
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { CompiledRoute } from "../compile-route.js";
import { GatewayError } from "../gateway-error.js";
import { splitRequestTarget } from "../protocol/request-target.js";
import type { Router } from "../routing/router.js";
import type { GatewaySettings } from "../settings.js";
import { refuseHandshake, writeAndClose } from "./error-response.js";
import { serveWebSocketStream } from "./serve-stream.js";
import { WebSocketCall } from "./websocket-call.js";

/** Takes an HTTP upgrade request; false when it is not this handler's to serve. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

/** The upgrade entry point of one gateway, with its own WebSocketServer created on first use. */
export function createWebSocketUpgrade(router: Router<CompiledRoute>, settings: GatewaySettings): UpgradeHandler {
  let server: WebSocketServer | undefined;
  return (req, socket, head) => {
    if (!isWebSocketHandshake(req)) return false;
    const { path, rawQuery, invalid } = splitRequestTarget(req.url);
    if (invalid !== undefined) return false; // as a malformed path is: not a route of this gateway
    const found = findStreamingRoute(router, path);
    if (found === undefined) return false;
    let call: WebSocketCall;
    try {
      call = new WebSocketCall(found.value, found.params, rawQuery, req, settings);
      // Bound once now so that a bad URL refuses the handshake instead of failing message #1.
      call.compiled.binding.bind({ pathParams: call.pathParams, rawQuery, body: undefined, marshaler: call.inbound });
    } catch (err) {
      refuseHandshake(socket, GatewayError.from(err), settings);
      return true;
    }
    server ??= new WebSocketServer({
      noServer: true,
      clientTracking: false,
      // Compression would cost every frame CPU and latency; the gateway's frames are small JSON.
      perMessageDeflate: false,
      maxPayload: settings.maxRequestBytes,
    });
    server.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      void serveWebSocketStream(ws, call);
    });
    return true;
  };
}

/**
 * Serves the gateway's streaming routes over WebSocket on `server`; refuses any other
 * upgrade with 404. To share the server with other WebSocket endpoints, call
 * `gateway.upgrade` from your own `upgrade` listener instead. (Typed by what it uses of
 * the Gateway, so that this module does not import gateway.ts, which imports it.)
 */
export function attachWebSockets(server: Server, gateway: { readonly upgrade: UpgradeHandler }): void {
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (gateway.upgrade(req, socket, head)) return;
    writeAndClose(socket, 404, "");
  });
}

function isWebSocketHandshake(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? "").toLowerCase() === "websocket";
}

type RouteFound = { value: CompiledRoute; params: Record<string, string> };

// A handshake is a GET but streaming routes are mostly POST: the path decides, and among
// the routes on that path the streaming one is taken, the GET one first.
function findStreamingRoute(router: Router<CompiledRoute>, path: string): RouteFound | undefined {
  const own = router.match("GET", path);
  if (own.kind === "match" && isStreaming(own.value)) return own;
  // No route has the empty method, so this lists every verb the path is served with.
  const any = router.match("", path);
  if (any.kind !== "method-not-allowed") return undefined;
  for (const verb of any.allow) {
    if (verb === "GET") continue;
    const match = router.match(verb, path);
    if (match.kind === "match" && isStreaming(match.value)) return match;
  }
  return undefined;
}

function isStreaming(compiled: CompiledRoute): boolean {
  return compiled.route.method.methodKind !== "unary";
}
