/** How a generated client reaches its gateway: set once, for every call. */
export interface ClientOptions {
  /** The gateway's origin and any path prefix, e.g. `https://api.example.com` (no trailing `/` needed). */
  readonly baseUrl: string;
  /** The fetch to call with; the global one by default (pass one to add credentials, retries, logging). */
  readonly fetch?: typeof globalThis.fetch;
  /** Headers sent on every call (e.g. `Authorization`); a call's own headers win. */
  readonly headers?: HeadersInit;
  /**
   * How server streams are read: `ndjson` (the default), the gateway's `{"result": ...}`
   * lines, or `sse`, Server-Sent Events.
   */
  readonly streamFormat?: "ndjson" | "sse";
  /**
   * The WebSocket constructor for client and bidirectional streams: the global one by
   * default (browsers, Node 22+); in Node 20 pass `WebSocket` from the `ws` package.
   */
  readonly webSocket?: WebSocketConstructor;
}

/** The constructor of a WHATWG-style WebSocket; `ws` takes the third argument for handshake headers. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[], options?: { headers?: Record<string, string> }) => WebSocketLike;

/** What the client uses of a WebSocket. */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open" | "message" | "close" | "error", listener: (event: never) => void): void;
}

/** Per call. */
export interface CallOptions {
  /** Headers for this call (the gateway turns them into metadata by its header matcher). */
  readonly headers?: HeadersInit;
  /** Metadata for this call, sent as `Grpc-Metadata-<key>` headers, which the gateway always forwards. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Cancels the call; the gateway cancels the backend call in turn. */
  readonly signal?: AbortSignal;
  /** The call's deadline in milliseconds, sent as `Grpc-Timeout`; the gateway answers DEADLINE_EXCEEDED (504) past it. */
  readonly timeoutMs?: number;
  /** Receives the response's header metadata (`Grpc-Metadata-*`, the prefix removed) once the headers arrive (not over WebSocket, where the gateway forwards none). */
  readonly onHeader?: (metadata: Headers) => void;
}

/** The headers of one call: the client's, the call's, its metadata and its deadline. */
export function requestHeaders(client: ClientOptions, call: CallOptions | undefined): Headers {
  const headers = new Headers(client.headers);
  new Headers(call?.headers).forEach((value, key) => {
    headers.set(key, value);
  });
  for (const [key, value] of Object.entries(call?.metadata ?? {})) headers.set(`Grpc-Metadata-${key}`, value);
  if (call?.timeoutMs !== undefined) headers.set("Grpc-Timeout", grpcTimeout(call.timeoutMs));
  return headers;
}

// Whole milliseconds, at most 8 digits as the header allows; longer deadlines in seconds.
function grpcTimeout(ms: number): string {
  const millis = Math.max(0, Math.ceil(ms));
  return millis < 1e8 ? `${millis}m` : `${Math.min(Math.ceil(millis / 1000), 99_999_999)}S`;
}

/** The `Grpc-Metadata-*` headers of a response, the prefix removed. */
export function responseMetadata(headers: Headers): Headers {
  const metadata = new Headers();
  headers.forEach((value, key) => {
    if (key.startsWith("grpc-metadata-")) metadata.append(key.slice("grpc-metadata-".length), value);
  });
  return metadata;
}
