import type { IncomingMessage, ServerResponse } from "node:http";
import type { Message, Registry } from "@bufbuild/protobuf";
import type { Metadata } from "@grpc/grpc-js";
import type { GatewayError } from "./gateway-error.js";
import type { JsonMarshalerOptions } from "./marshal/json/marshaler.js";
import type { Marshaler } from "./marshal/marshaler.js";
import type { IncomingHeaderMatcher, MetadataAnnotator } from "./protocol/request-metadata.js";
import type { TrustProxy } from "./protocol/trusted-proxy.js";
import type { OutgoingHeaderMatcher } from "./protocol-http/response-metadata.js";
import type { HttpRoute } from "./route.js";
import type { Unescaping } from "./routing/router.js";

/** What an error hook is told besides the error itself. */
export interface ErrorContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The route that matched; undefined for routing errors (404, 405, malformed path). */
  readonly route: HttpRoute | undefined;
  /** Writes the default error response, for hooks that only adjust or log. */
  readonly writeDefault: () => void;
}

/** Decides the HTTP response for a failed call; must write and end `context.res`. */
export type ErrorHandler = (error: GatewayError, context: ErrorContext) => void | Promise<void>;

/** What a stream error hook is told besides the error. */
export interface StreamErrorContext {
  readonly req: IncomingMessage;
  readonly route: HttpRoute;
}

/** Decides the status written as the final error line (or SSE event, or close frame) of a stream. */
export type StreamErrorHandler = (error: GatewayError, context: StreamErrorContext) => GatewayError | Promise<GatewayError>;

/** What a response hook sees just before a successful reply is written. */
export interface ResponseContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly route: HttpRoute;
  /** The backend's reply. */
  readonly message: Message;
  /** Response metadata the backend sent (also forwarded as `Grpc-Metadata-*`). */
  readonly headers: Metadata;
}

/** Adjusts a successful response before it is written: status (201, 204 ...), headers. */
export type ResponseHook = (context: ResponseContext) => void | Promise<void>;

/** What a response rewriter is told besides the message. */
export interface RewriteContext {
  readonly req: IncomingMessage;
  /** The route that matched; undefined for an error written outside a route (routing errors). */
  readonly route: HttpRoute | undefined;
  /** A unary (or client-streaming) reply, one message of a server stream, or an error's `google.rpc.Status`. */
  readonly kind: "reply" | "stream-message" | "error";
}

/**
 * grpc-gateway's `WithForwardResponseRewriter`: rewrites each outgoing message before it is
 * marshaled. Returning the message (or another message of its type) writes it with the
 * negotiated marshaler; any other value is written as JSON. A rewriter that throws fails
 * the reply (a unary error, a stream's error frame, or a 500 for an error body); it never
 * cuts a stream.
 */
export type ResponseRewriter = (message: Message, context: RewriteContext) => unknown;

/** What a transport error hook is told besides the error. */
export interface TransportErrorContext {
  readonly req: IncomingMessage;
  readonly route: HttpRoute;
  /** The transport's own message, with the addresses and timings the client is not shown. */
  readonly detail: string;
}

/**
 * Told about each failure the gateway's own transport raised (no connection, a timeout, a
 * size limit), whose client got a generic message ("backend unavailable") instead of the
 * detail. For logging; what it returns or throws changes nothing.
 */
export type TransportErrorHook = (error: GatewayError, context: TransportErrorContext) => void;

/** Options shared by every service registered on one gateway. */
export interface GatewayOptions {
  /** Turns a failed call into the HTTP response. Default: grpc-gateway's status JSON body. */
  errorHandler?: ErrorHandler;
  /** Decides what the error line of a stream that fails after its first message holds. */
  streamErrorHandler?: StreamErrorHandler;
  /** Turns routing failures (404 with `notFound: "error"`, 405, malformed path) into the response. */
  routingErrorHandler?: ErrorHandler;
  /** Changes a successful response before it is written. */
  responseHook?: ResponseHook;
  /** Rewrites every outgoing message: unary replies, each stream message, error bodies. */
  responseRewriter?: ResponseRewriter;
  /** No route matches: `"next"` (default) passes to the rest of the app, `"error"` answers 404. */
  notFound?: "next" | "error";
  /**
   * `"grpc-gateway"` restores grpc-gateway's own choices for teams migrating: legacy path
   * unescaping (unless `unescaping` says otherwise), 501 instead of 405 for a known path with the wrong method, unknown
   * query parameters ignored, and any unregistered request Content-Type read as JSON.
   */
  compat?: "grpc-gateway";
  /**
   * How path variables are percent-decoded. `"spec"` (default; `"legacy"` with compat) follows
   * google.api.http: a single-segment variable fully decoded, a multi-segment one keeping
   * RFC 6570 reserved escapes such as `%2F`. The others are grpc-gateway's WithUnescapingMode:
   * `"legacy"` (UnescapingModeLegacy, its default: the whole path decoded before routing, so
   * `%2F` splits segments), `"all-except-reserved"`, `"all-except-slash"` and `"all-characters"`
   * (`*` and single-segment variables fully decoded; the `**` part of a variable keeps reserved
   * escapes, keeps `%2F`, or keeps none, and `"all-characters"` also splits the path on `%2F`).
   */
  unescaping?: Unescaping;
  /** Unknown query parameters: `"error"` (default, 400) or `"ignore"`. */
  unknownQueryParameters?: "error" | "ignore";
  /** Options of the default JSON marshaler. */
  json?: JsonMarshalerOptions;
  /**
   * Extra or replacement marshalers, keyed by media type (`application/json` replaces the
   * default). The key `"*"` (grpc-gateway's MIMEWildcard) serves requests whose
   * Content-Type no other key matches, or that have none, instead of 415.
   */
  marshalers?: Record<string, Marshaler>;
  /** Which incoming headers become metadata, and under what key. */
  incomingHeaderMatcher?: IncomingHeaderMatcher;
  /** Which response header metadata becomes HTTP headers, and under what name. */
  outgoingHeaderMatcher?: OutgoingHeaderMatcher;
  /** Which trailer metadata becomes HTTP trailers, and under what name. */
  outgoingTrailerMatcher?: OutgoingHeaderMatcher;
  /**
   * Which peers are proxies whose X-Forwarded-For and X-Forwarded-Host reach the backend.
   * Default false: the backend gets `x-forwarded-host` from the Host header and
   * `x-forwarded-for` as the peer address, whatever the client sent. `true` trusts every peer
   * (grpc-gateway: the client's values pass, the peer appended to X-Forwarded-For); a list of
   * addresses and CIDR ranges, or a function of the peer address, trusts those peers alone.
   */
  trustProxy?: TrustProxy;
  /** Adds metadata computed from the request (auth, tracing ...). */
  metadataAnnotator?: MetadataAnnotator;
  /** Deadline for calls whose request sends no `Grpc-Timeout`, in milliseconds; sent to the backend as `grpc-timeout`. */
  defaultTimeoutMs?: number;
  /**
   * How long the gateway waits for the reply of a call that has no deadline (no
   * `Grpc-Timeout`, no `defaultTimeoutMs`), in milliseconds: past it the client gets 504 and
   * the backend call is cancelled. Not sent to the backend. A stream waits this long for its
   * response headers or first message, counted from the end of its requests; after that it
   * may stay quiet (a WebSocket is bounded by its idle timeout).
   * Default 120000 (2 minutes); 0 or Infinity turns it off.
   */
  replyTimeoutMs?: number;
  /**
   * How long a call waits for a connection to the backend, in milliseconds: a backend that
   * cannot be reached, or that accepts TCP but never completes the HTTP/2 handshake, answers
   * 503 after it. Applies to streams too. Default 5000; 0 or Infinity turns it off.
   */
  connectTimeoutMs?: number;
  /**
   * Largest request body accepted, in bytes (413 beyond), and largest request message as
   * encoded for the backend (413 too, before it is sent). Default 4 MiB, grpc's own message limit.
   */
  maxRequestBytes?: number;
  /**
   * Requests of one HTTP/1.1 connection whose backend calls run at once (default 1, as Go's
   * net/http serves a connection); later pipelined requests wait unstarted, the connection
   * no longer read meanwhile.
   */
  maxInFlightPerConnection?: number;
  /**
   * Pipelined requests one connection may have waiting (default 4096): one more closes the
   * connection, unanswered. Node parses up to 64 KiB of a connection at a time, so a client
   * reaches this only by ignoring its replies.
   */
  maxQueuedPerConnection?: number;
  /**
   * How often a WebSocket call's peer is pinged, in milliseconds (default 30,000; 0 disables):
   * a peer that has not answered one ping by the next is dropped and its backend stream
   * cancelled.
   */
  webSocketPingIntervalMs?: number;
  /**
   * How long a WebSocket call may go without a message either way, in milliseconds
   * (default 300,000; 0 disables; pings do not count): then the backend stream is cancelled
   * and the socket closed with 1001 and the reason `idle timeout`.
   */
  webSocketIdleTimeoutMs?: number;
  /** Told the detail of each failure the gateway's transport raised; default: nothing is logged. */
  onTransportError?: TransportErrorHook;
  /** Types to render error details with, beyond `google.rpc` ones. */
  typeRegistry?: Registry;
}
