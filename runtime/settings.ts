import { createRegistry } from "@bufbuild/protobuf";
import type { BindingOptions } from "./binding/binding.js";
import { createJsonMarshaler } from "./marshal/json/marshaler.js";
import type { Marshaler } from "./marshal/marshaler.js";
import { createMarshalerRegistry, mediaType, wildcardMediaType, type MarshalerRegistry } from "./marshal/negotiation.js";
import type { MetadataFromRequestOptions } from "./protocol/request-metadata.js";
import { proxyTrust } from "./protocol/trusted-proxy.js";
import type { OutgoingHeaderMatcher } from "./protocol-http/response-metadata.js";
import type { ErrorHandler, GatewayOptions, ResponseHook, ResponseRewriter, StreamErrorHandler, TransportErrorHook } from "./options.js";
import { defaultTypeRegistry } from "./protocol/error-body.js";
import type { PipelineLimits } from "./protocol-http/connection-gate.js";
import type { WebSocketLiveness } from "./protocol-websocket/keepalive.js";
import type { WriteErrorOptions } from "./protocol-http/error-response.js";
import { type Unescaping, unescapingModes } from "./routing/router.js";

/** Default body limit: grpc's own default maximum message size. */
const defaultMaxRequestBytes = 4 * 1024 * 1024;
/** Default wait for a unary reply without a deadline: long enough for slow calls, but bounded. */
const defaultReplyTimeoutMs = 120_000;
/** Default wait for a backend connection (Envoy's default connect timeout). */
const defaultConnectTimeoutMs = 5_000;

/** Pipelined requests of one connection: served one at a time, as Go's net/http does, and held. */
const defaultPipelining: PipelineLimits = { inFlight: 1, queued: 4096 };

/** WebSocket calls: a ping every 30 s tells a dead peer from a quiet one; 5 minutes without a message closes. */
const defaultWebSocketLiveness: WebSocketLiveness = { pingIntervalMs: 30_000, idleTimeoutMs: 5 * 60_000 };

/** GatewayOptions with every default filled in, computed once per gateway. */
export interface GatewaySettings {
  readonly compat: boolean;
  readonly unescaping: Unescaping;
  readonly notFound: "next" | "error";
  readonly errorHandler: ErrorHandler | undefined;
  readonly routingErrorHandler: ErrorHandler | undefined;
  readonly streamErrorHandler: StreamErrorHandler | undefined;
  readonly responseHook: ResponseHook | undefined;
  readonly responseRewriter: ResponseRewriter | undefined;
  readonly marshalers: MarshalerRegistry;
  readonly defaultMarshaler: Marshaler;
  readonly binding: BindingOptions;
  /** How request headers become metadata: the header matcher and the annotator. */
  readonly requestMetadata: MetadataFromRequestOptions;
  readonly outgoingHeaderMatcher: OutgoingHeaderMatcher | undefined;
  readonly outgoingTrailerMatcher: OutgoingHeaderMatcher | undefined;
  readonly defaultTimeoutMs: number | undefined;
  readonly maxRequestBytes: number;
  readonly pipelining: PipelineLimits;
  readonly webSocket: WebSocketLiveness;
  /** 0 when off. */
  readonly replyTimeoutMs: number;
  /** 0 when off. */
  readonly connectTimeoutMs: number;
  readonly onTransportError: TransportErrorHook | undefined;
  /** How error bodies are written: details registry, JSON names, header matcher. */
  readonly errorBody: WriteErrorOptions;
}

/** Fills in the defaults of `options`. */
export function resolveSettings(options: GatewayOptions): GatewaySettings {
  checkPositive("defaultTimeoutMs", options.defaultTimeoutMs);
  checkPositive("maxRequestBytes", options.maxRequestBytes);
  checkCount("maxInFlightPerConnection", options.maxInFlightPerConnection, 1);
  checkCount("maxQueuedPerConnection", options.maxQueuedPerConnection, 0);
  checkCount("json.maxDepth", options.json?.maxDepth, 1);
  checkCount("webSocketPingIntervalMs", options.webSocketPingIntervalMs, 0);
  checkCount("webSocketIdleTimeoutMs", options.webSocketIdleTimeoutMs, 0);
  checkLimit("replyTimeoutMs", options.replyTimeoutMs);
  checkLimit("connectTimeoutMs", options.connectTimeoutMs);
  const compat = options.compat === "grpc-gateway";
  const typeRegistry = options.typeRegistry ? createRegistry(defaultTypeRegistry, options.typeRegistry) : defaultTypeRegistry;
  const json = createJsonMarshaler({ registry: typeRegistry, ...options.json });
  const byType = new Map<string, Marshaler>([["application/json", json]]);
  for (const [type, marshaler] of Object.entries(options.marshalers ?? {})) byType.set(mediaType(type), marshaler);
  const defaultMarshaler = byType.get("application/json")!;
  // grpc-gateway reads any Content-Type it has no marshaler for as JSON (its MIMEWildcard default).
  if (compat && !byType.has(wildcardMediaType)) byType.set(wildcardMediaType, defaultMarshaler);
  const unescaping = options.unescaping ?? (compat ? "legacy" : "spec");
  if (!unescapingModes.includes(unescaping)) {
    throw new TypeError(
      `createGateway: option unescaping must be one of ${unescapingModes.map((m) => JSON.stringify(m)).join(", ")}, not ${JSON.stringify(unescaping)}`,
    );
  }
  return {
    compat,
    unescaping,
    notFound: options.notFound ?? "next",
    errorHandler: options.errorHandler,
    routingErrorHandler: options.routingErrorHandler,
    streamErrorHandler: options.streamErrorHandler,
    responseHook: options.responseHook,
    responseRewriter: options.responseRewriter,
    marshalers: createMarshalerRegistry(byType, defaultMarshaler),
    defaultMarshaler,
    binding: { unknownQueryParameters: options.unknownQueryParameters ?? (compat ? "ignore" : "error") },
    requestMetadata: {
      incomingHeaderMatcher: options.incomingHeaderMatcher,
      annotator: options.metadataAnnotator,
      trustedProxy: proxyTrust(options.trustProxy),
    },
    outgoingHeaderMatcher: options.outgoingHeaderMatcher,
    outgoingTrailerMatcher: options.outgoingTrailerMatcher,
    defaultTimeoutMs: options.defaultTimeoutMs,
    maxRequestBytes: options.maxRequestBytes ?? defaultMaxRequestBytes,
    webSocket: {
      pingIntervalMs: options.webSocketPingIntervalMs ?? defaultWebSocketLiveness.pingIntervalMs,
      idleTimeoutMs: options.webSocketIdleTimeoutMs ?? defaultWebSocketLiveness.idleTimeoutMs,
    },
    pipelining: {
      inFlight: options.maxInFlightPerConnection ?? defaultPipelining.inFlight,
      queued: options.maxQueuedPerConnection ?? defaultPipelining.queued,
    },
    replyTimeoutMs: limitOrOff(options.replyTimeoutMs ?? defaultReplyTimeoutMs),
    connectTimeoutMs: limitOrOff(options.connectTimeoutMs ?? defaultConnectTimeoutMs),
    onTransportError: options.onTransportError,
    errorBody: {
      rewriter: options.responseRewriter,
      registry: typeRegistry,
      headerMatcher: options.outgoingHeaderMatcher,
      trailerMatcher: options.outgoingTrailerMatcher,
      json: {
        useProtoFieldName: options.json?.useProtoNames ?? false,
        enumAsInteger: options.json?.enumsAsNumbers ?? false,
        // grpc-gateway marshals the status with its marshaler, EmitUnpopulated reaching into each detail.
        alwaysEmitImplicit: options.json?.emitUnpopulated ?? true,
      },
    },
  };
}

// A misspelt limit would otherwise surface as every call failing (Infinity, NaN) at request time.
function checkPositive(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw new TypeError(`createGateway: option ${name} must be a positive finite number, got ${value}`);
  }
}

function checkCount(name: string, value: number | undefined, least: number): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= least)) {
    throw new TypeError(`createGateway: option ${name} must be an integer of at least ${least}, got ${value}`);
  }
}

// A limit may also be 0 or Infinity, both meaning off.
function checkLimit(name: string, value: number | undefined): void {
  if (value !== undefined && !(typeof value === "number" && value >= 0)) {
    throw new TypeError(`createGateway: option ${name} must be a number of milliseconds, 0 or Infinity (off), got ${value}`);
  }
}

function limitOrOff(ms: number): number {
  return Number.isFinite(ms) ? ms : 0;
}
