import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { DescService } from "@bufbuild/protobuf";
import type { Backend } from "./backend/backend.js";
import { compileRoute, type CompiledRoute } from "./compile-route.js";
import type { GatewayOptions } from "./options.js";
import { parsePathTemplate } from "./routing/path-template.js";
import type { HttpRoute } from "./route.js";
import { createRouter } from "./routing/router.js";
import { routingError, type RoutingFailure } from "./routing/routing-error.js";
import { resolveSettings, type GatewaySettings } from "./settings.js";
import { splitRequestTarget } from "./protocol/request-target.js";
import { GatewayError } from "./gateway-error.js";
import { answerInternal, sendError } from "./protocol-http/error-response.js";
import { createConnectionGates } from "./protocol-http/connection-gate.js";
import { HttpCall } from "./protocol-http/http-call.js";
import { serveStream } from "./protocol-http/serve-stream.js";
import { serveUnary } from "./protocol-http/serve-unary.js";
import { createWebSocketUpgrade } from "./protocol-websocket/serve-websocket.js";

/** Express's `next`; absent when the gateway is a plain node:http handler. */
type Next = (err?: unknown) => void;

/**
 * The gateway: one Express-compatible middleware (also a plain node:http handler) that
 * serves the HTTP routes of every service registered on it, with shared options.
 */
export interface Gateway {
  (req: IncomingMessage, res: ServerResponse, next?: Next): void;
  /** Serves `routes` of `service` (as generated), sending calls to `backend`. */
  register(service: DescService, routes: readonly HttpRoute[], backend: Backend): void;
  /** Takes a WebSocket handshake for a streaming route (see serve-websocket.ts); false when none matches, for other upgrade handlers. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /**
   * The front door: a node:http request listener that serves the gateway's routes before
   * `app` (an Express app, or any listener) sees the request, and hands every request no
   * route matches to `app`, untouched. `http.createServer(gateway.fallback(app))` spares the
   * gateway's requests Express's per-request work; `app.use(gateway)` keeps working.
   */
  fallback(app: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void;
}

/** Creates a gateway holding the options all its services share (like grpc-gateway's ServeMux). */
export function createGateway(options: GatewayOptions = {}): Gateway {
  const settings = resolveSettings(options);
  const router = createRouter<CompiledRoute>({ unescaping: settings.unescaping });
  const admit = createConnectionGates(settings.pipelining);

  // `frontDoor`: called by `fallback`, the request's first handler; nothing has wrapped or watched the response.
  const serve = (req: IncomingMessage, res: ServerResponse, next: Next | undefined, frontDoor: boolean): void => {
    const { path, rawQuery, invalid } = splitRequestTarget(req.url);
    const method = req.method ?? "GET";
    // A target no client may send is answered as a malformed path is, whichever app it was for.
    if (invalid !== undefined) return sendRoutingError({ kind: "bad-path", message: invalid });
    let match = router.match(method, path);
    // HEAD is GET without a body, as everywhere else in HTTP (node drops the body itself).
    if (method === "HEAD" && match.kind === "method-not-allowed" && match.allow.includes("GET")) {
      match = router.match("GET", path);
    }
    switch (match.kind) {
      case "match":
        admit(req, res, () => void serveMatched(match.value, match.params, rawQuery, req, res, settings, frontDoor).catch(lastResort));
        return;
      case "not-found":
        if (settings.notFound === "next" && next !== undefined) return next();
        return sendRoutingError(match);
      case "method-not-allowed":
      case "bad-path":
        return sendRoutingError(match);
    }

    // Nothing thrown while serving may escape as an unhandled rejection and end the process.
    function lastResort(err: unknown): void {
      answerInternal(res, "internal error", err, settings);
    }

    function sendRoutingError(failure: RoutingFailure): void {
      const error = routingError(failure, method, path, settings.compat);
      sendError({ req, res, route: undefined, settings }, error, settings.routingErrorHandler).catch(lastResort);
    }
  };

  const gateway = (req: IncomingMessage, res: ServerResponse, next?: Next): void => serve(req, res, next, false);

  const register = (service: DescService, routes: readonly HttpRoute[], backend: Backend): void => {
    // Compile everything first, so a bad route leaves the gateway as it was.
    const compiled = routes.map((route) => {
      if (route.method.parent.typeName !== service.typeName) {
        throw new Error(`route ${route.httpMethod} ${route.path} calls ${route.method.parent.typeName}, not ${service.typeName}`);
      }
      return { route, template: parsePathTemplate(route.path), value: compileRoute(route, backend, settings) };
    });
    for (const { route, template, value } of compiled) router.add(route.httpMethod, template, value);
  };

  // With notFound "error" the gateway answers 404 itself and `app` never runs, as when mounted last.
  const fallback = (app: (req: IncomingMessage, res: ServerResponse) => void) => (req: IncomingMessage, res: ServerResponse) =>
    serve(req, res, () => app(req, res), true);

  return Object.assign(gateway, { register, upgrade: createWebSocketUpgrade(router, settings), fallback });
}

/**
 * Opens the call of a matched request and serves it, unary or streaming. A request that
 * cannot be called (415, a malformed Grpc-Timeout, a failing annotator) is answered with
 * its error at once.
 */
function serveMatched(
  compiled: CompiledRoute,
  pathParams: Record<string, string>,
  rawQuery: string,
  req: IncomingMessage,
  res: ServerResponse,
  settings: GatewaySettings,
  frontDoor: boolean,
): Promise<void> {
  let call: HttpCall;
  try {
    call = new HttpCall(compiled, pathParams, rawQuery, req, res, settings, frontDoor);
  } catch (err) {
    if (res.destroyed) return Promise.resolve(); // nobody is listening any more
    return sendError({ req, res, route: compiled.route, settings }, GatewayError.from(err), settings.errorHandler);
  }
  return compiled.route.method.methodKind === "unary" ? serveUnary(call) : serveStream(call);
}
