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

export type LoadJob = HttpJob | GrpcJob;

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
}
