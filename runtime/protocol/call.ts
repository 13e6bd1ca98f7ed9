import type { IncomingMessage } from "node:http";
import type { CallOptions } from "../backend/backend.js";
import type { CompiledRoute } from "../compile-route.js";
import type { Marshaler } from "../marshal/marshaler.js";
import type { HttpRoute } from "../route.js";
import type { GatewaySettings } from "../settings.js";
import type { GatewayError } from "../gateway-error.js";
import { transcodersOf } from "../marshal/transcode/marshaler-transcoders.js";
import { callDeadline, replyTimeout } from "./deadline.js";
import { metadataFromRequest } from "./request-metadata.js";

/**
 * How a call learns that its client went away: over HTTP the response closing before it
 * is complete (protocol-http/client-disconnect.ts), over WebSocket the socket closing.
 */
export interface ClientGone {
  /** Whether the client has gone. */
  readonly gone: boolean;
  /** Aborted when the client goes; an implementation may make it only when first read. */
  readonly signal: AbortSignal;
  /** Calls `listener` once when the client goes (at once if it has), until the returned function is called. */
  readonly onGone: (listener: () => void) => () => void;
  /** Stops watching; called once the call is over. */
  dispose(): void;
}

/**
 * One call, whatever protocol carries it: what routing found, what the request's headers
 * settled, and how the client's going away is observed. Each protocol's call extends it
 * with what only that protocol has (HttpCall: the response; WebSocketCall: the socket's
 * closing) and is built once per request; every field is set once, in the constructor. A
 * value every call needs (a logger, a trace span) is added here and nowhere else.
 */
export class Call {
  /** The matched route as compiled at registration: backend, binding plan, reply body. */
  readonly compiled: CompiledRoute;
  /** The route as generated, as hooks are told it. */
  readonly route: HttpRoute;
  /** The gateway's options with their defaults filled in. */
  readonly settings: GatewaySettings;
  /** Path variables by their dotted proto field path, percent-decoded. */
  readonly pathParams: Readonly<Record<string, string>>;
  /** The query string without `?`, still encoded. */
  readonly rawQuery: string;
  /** The HTTP request that opened the call (for WebSocket, the handshake), as hooks and the annotator see it. */
  readonly req: IncomingMessage;
  /** Reads the request body, or each request message. */
  readonly inbound: Marshaler;
  /** Writes the replies. */
  readonly outbound: Marshaler;
  /** How the call learns that its client went away. */
  readonly clientGone: ClientGone;
  /**
   * What the backend is handed: request metadata, the deadline, and the client's going
   * away (as an AbortSignal only if the backend reads it, else through `onClientGone`).
   */
  readonly options: CallOptions;

  /**
   * Works out the request metadata and the deadline from `req`. Throws a GatewayError when
   * the request cannot be called (a malformed `Grpc-Timeout` is 400; a failing metadata
   * annotator is what it threw), and then stops watching `clientGone`.
   */
  constructor(
    compiled: CompiledRoute,
    pathParams: Readonly<Record<string, string>>,
    rawQuery: string,
    req: IncomingMessage,
    settings: GatewaySettings,
    inbound: Marshaler,
    outbound: Marshaler,
    clientGone: ClientGone,
  ) {
    this.compiled = compiled;
    this.route = compiled.route;
    this.settings = settings;
    this.pathParams = pathParams;
    this.rawQuery = rawQuery;
    this.req = req;
    this.inbound = inbound;
    this.outbound = outbound;
    this.clientGone = clientGone;
    try {
      const metadata = metadataFromRequest(req, settings.requestMetadata);
      const deadline = callDeadline(req, settings.defaultTimeoutMs);
      this.options = new BackendCallOptions(metadata, deadline, clientGone, settings, this.#transportHook(), this.#replyAsBytes());
    } catch (err) {
      clientGone.dispose();
      throw err;
    }
  }

  // A unary reply nothing reads but the outbound marshaler, which can write it from its bytes.
  #replyAsBytes(): boolean {
    const { compiled, settings } = this;
    return (
      compiled.replyFromBytes &&
      compiled.route.method.methodKind === "unary" &&
      settings.responseHook === undefined &&
      settings.responseRewriter === undefined &&
      transcodersOf(this.outbound) !== undefined
    );
  }

  // Made only when the operator set a hook: the closure would otherwise cost every request.
  #transportHook(): CallOptions["onTransportError"] {
    const hook = this.settings.onTransportError;
    if (hook === undefined) return undefined;
    return (error: GatewayError, detail: string) => hook(error, { req: this.req, route: this.route, detail });
  }
}

/**
 * What the backend is handed. Every property is its own, so a backend that wraps another
 * may spread it (`{ ...options, metadata }`); `signal` is an own enumerable getter that
 * makes the signal only when read. The getter is one function for every call, added with
 * defineProperty: a getter written in an object literal is a new closure on each call and
 * leaves the object in dictionary mode, which made the literal cost ~0.35 µs to build
 * (against ~0.12) and every read of it by the backend a hash lookup.
 */
class BackendCallOptions implements CallOptions {
  readonly metadata: CallOptions["metadata"];
  readonly deadline: Date | undefined;
  readonly replyTimeoutMs: number | undefined;
  readonly connectTimeoutMs: number;
  readonly maxRequestBytes: number | undefined;
  readonly onTransportError: CallOptions["onTransportError"];
  readonly onClientGone: ClientGone["onGone"];
  readonly replyAsBytes: boolean;
  declare readonly signal: AbortSignal;
  readonly #clientGone: ClientGone;

  static readonly #signal: PropertyDescriptor = {
    get(this: BackendCallOptions): AbortSignal {
      return this.#clientGone.signal;
    },
    enumerable: true,
    configurable: true,
  };

  constructor(
    metadata: CallOptions["metadata"],
    deadline: Date | undefined,
    clientGone: ClientGone,
    settings: GatewaySettings,
    onTransportError: CallOptions["onTransportError"],
    replyAsBytes: boolean,
  ) {
    this.metadata = metadata;
    this.deadline = deadline;
    this.replyTimeoutMs = replyTimeout(deadline, settings.replyTimeoutMs);
    this.connectTimeoutMs = settings.connectTimeoutMs;
    this.maxRequestBytes = settings.maxRequestBytes;
    this.onTransportError = onTransportError;
    this.onClientGone = clientGone.onGone;
    this.replyAsBytes = replyAsBytes;
    this.#clientGone = clientGone;
    Object.defineProperty(this, "signal", BackendCallOptions.#signal);
  }
}
