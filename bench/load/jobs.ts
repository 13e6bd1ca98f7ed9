/** What the harness asks the load generator to do, and what it reports back. */

/** One HTTP request of a load job. */
export interface HttpRequestSpec {
  readonly method: "GET" | "POST";
  /** Path and query. */
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** HTTP load through autocannon. */
export interface HttpJob {
  readonly kind: "http";
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Sent in turn on each connection (one entry: the same request every time). */
  readonly requests: readonly HttpRequestSpec[];
  readonly connections: number;
  /** Stop after this long ... */
  readonly durationSec?: number;
  /** ... or after this many requests. */
  readonly amount?: number;
}

/** gRPC load: a grpc-js client (ts-proto's) with `concurrency` calls in flight. */
export interface GrpcJob {
  readonly kind: "grpc";
  readonly address: string;
  readonly method: "getItem" | "createOrder";
  /** The order as JSON, for createOrder. */
  readonly body?: string;
  readonly concurrency: number;
  readonly durationSec: number;
}

/**
 * Server-streaming load over HTTP/1.1: `connections` callers on one keep-alive agent, each
 * making one call at a time, reading the whole reply and counting its messages.
 */
export interface HttpStreamJob {
  readonly kind: "http-stream";
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly request: HttpRequestSpec;
  /**
   * How the reply frames messages: one JSON value a line, or Connect streaming envelopes
   * (the request body is then sent as one envelope too).
   */
  readonly framing: "lines" | "connect";
  /** Messages every call must deliver; a call that delivers another count failed. */
  readonly messagesPerCall: number;
  readonly connections: number;
  readonly durationSec: number;
}

/** Server-streaming load over gRPC: ts-proto's grpc-js client calling ListItems, `concurrency` calls in flight. */
export interface GrpcStreamJob {
  readonly kind: "grpc-stream";
  readonly address: string;
  readonly shelf: string;
  /** Messages every call asks for and must deliver. */
  readonly messagesPerCall: number;
  readonly concurrency: number;
  readonly durationSec: number;
}

export type LoadJob = HttpJob | GrpcJob | HttpStreamJob | GrpcStreamJob;

/** What one load job measured. Latencies in milliseconds. */
export interface LoadResult {
  /** Successful (2xx / OK) replies. */
  readonly ok: number;
  /** Error replies and transport errors. */
  readonly failed: number;
  readonly elapsedSec: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** Body bytes of one reply, as a check that every target answers alike. */
  readonly replyBytes: number;
  /** Streaming jobs: messages delivered by the successful calls. */
  readonly messages?: number;
  /** Streaming jobs: why the first failed call failed (a short count, a status). */
  readonly firstFailure?: string;
}
