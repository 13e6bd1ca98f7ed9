import { maxTimerMs } from "./long-timeout.js";

/** TLS for the connection; present (even empty) means `https` with the system's roots unless `ca` says otherwise. */
export interface Http2TlsOptions {
  /** Trusted root certificates (PEM); the system's when absent. */
  readonly ca?: string | Buffer | Array<string | Buffer>;
  /** The client certificate chain (PEM), for mTLS. */
  readonly cert?: string | Buffer;
  /** The client's private key (PEM), for mTLS. */
  readonly key?: string | Buffer;
  /** The name the server certificate must carry; the target's host when absent. */
  readonly serverName?: string;
}

/** Options of {@link dialHttp2}; every one has a default. */
export interface Http2BackendOptions {
  /** TLS, or plaintext when absent. */
  readonly tls?: Http2TlsOptions;
  /**
   * How long one connection attempt may take, TCP and TLS and the server's first SETTINGS
   * frame, before the calls waiting on it fail UNAVAILABLE. Default 5000 ms; at most 2^31-1
   * (`Infinity` waits that long). The gateway's `connectTimeoutMs` bounds a call's wait apart.
   */
  readonly connectTimeoutMs?: number;
  /** The first delay before reconnecting to an endpoint that failed, doubled on each failure. Default 100 ms. */
  readonly initialReconnectBackoffMs?: number;
  /** The longest delay before reconnecting; at most 1000 ms, so a backend back up is reached within a second. Default 1000 ms. */
  readonly maxReconnectBackoffMs?: number;
  /**
   * How often a connection with calls in flight is pinged; 0 turns keepalive off. Default
   * 300000 ms, the least grpc-go servers accept by default. A server that answers GOAWAY
   * `too_many_pings` gets pinged half as often on the next connections, as grpc-js and grpc-go do.
   */
  readonly keepaliveTimeMs?: number;
  /** Ping connections with no call in flight too. Default false: grpc-go servers by default close a connection pinged while idle more than twice in two hours. */
  readonly keepalivePermitWithoutCalls?: boolean;
  /** How long a ping may go unanswered before the connection is dropped. Default 20000 ms. */
  readonly keepaliveTimeoutMs?: number;
  /** The largest reply message accepted, in bytes (after decompression); larger is RESOURCE_EXHAUSTED. Default 4 MiB, as grpc-js. */
  readonly maxReceiveMessageLength?: number;
  /** The largest request message sent, in bytes; larger is RESOURCE_EXHAUSTED. Default unlimited, as grpc-js. */
  readonly maxSendMessageLength?: number;
  /** The `user-agent` sent with every call. */
  readonly userAgent?: string;
}

/** The options with every default filled in, once per dialed backend. */
export interface Http2Settings {
  readonly tls: Http2TlsOptions | undefined;
  readonly connectTimeoutMs: number;
  readonly initialReconnectBackoffMs: number;
  readonly maxReconnectBackoffMs: number;
  readonly keepaliveTimeMs: number;
  readonly keepaliveTimeoutMs: number;
  readonly keepalivePermitWithoutCalls: boolean;
  readonly maxReceiveMessageLength: number;
  readonly maxSendMessageLength: number;
  readonly userAgent: string;
}

export function settingsOf(options: Http2BackendOptions): Http2Settings {
  const maxBackoff = Math.min(duration(options.maxReconnectBackoffMs, 1000), 1000);
  return {
    tls: options.tls,
    connectTimeoutMs: duration(options.connectTimeoutMs, 5000),
    initialReconnectBackoffMs: Math.min(duration(options.initialReconnectBackoffMs, 100), maxBackoff),
    maxReconnectBackoffMs: maxBackoff,
    keepaliveTimeMs: options.keepaliveTimeMs === 0 ? 0 : duration(options.keepaliveTimeMs, 300_000),
    keepaliveTimeoutMs: duration(options.keepaliveTimeoutMs, 20_000),
    keepalivePermitWithoutCalls: options.keepalivePermitWithoutCalls === true,
    maxReceiveMessageLength: positive(options.maxReceiveMessageLength, 4 * 1024 * 1024),
    maxSendMessageLength: positive(options.maxSendMessageLength, Number.POSITIVE_INFINITY),
    userAgent: options.userAgent ?? "grpc-gateway-express",
  };
}

// A delay for setTimeout, which fires at once past 2^31-1 ms: longer ones (Infinity included) wait that long, 24.8 days.
function duration(value: number | undefined, fallback: number): number {
  return Math.min(positive(value, fallback), maxTimerMs);
}

function positive(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value > 0)) throw new RangeError(`expected a positive number, got ${value}`);
  return value;
}
