import type * as grpc from "@grpc/grpc-js";
import { dialGrpcJs, type GrpcJsBackend } from "./grpc-js.js";
import { dialHttp2, type Http2Backend } from "./http2/dial.js";
import type { Http2BackendOptions } from "./http2/options.js";

/** Options of {@link dial} for the lean transport, the default: gRPC written directly on node:http2. */
export interface DialOptions extends Http2BackendOptions {
  readonly transport?: "http2";
}

/** Options of {@link dial} for grpc-js, for what the lean transport leaves out: xDS, service config, retries. */
export interface GrpcJsDialOptions {
  readonly transport: "grpc-js";
  /** Plaintext when absent; `grpc.credentials.createSsl(...)` for TLS. */
  readonly credentials?: grpc.ChannelCredentials;
  /** grpc-js channel options (`"grpc.max_receive_message_length"`, `"grpc.service_config"`, ...). */
  readonly channelOptions?: grpc.ClientOptions;
}

/**
 * Opens a backend at `address`: `host:port`, `dns:///host:port`, `ipv4:a:p,b:p`, `ipv6:[a]:p`
 * or `unix:/path`. Calls go over the lean node:http2 transport unless the options name
 * `transport: "grpc-js"`; either way `close()` lets its connections go.
 */
export function dial(address: string, options?: DialOptions): Http2Backend;
export function dial(address: string, options: GrpcJsDialOptions): GrpcJsBackend;
export function dial(address: string, options: DialOptions | GrpcJsDialOptions = {}, ...rest: unknown[]): Http2Backend | GrpcJsBackend {
  // From JavaScript, the grpc-js-era call dial(address, credentials, channelOptions) would
  // otherwise dial plaintext over node:http2, its credentials and options unread.
  if (rest.length > 0 || typeof (options as { compose?: unknown }).compose === "function") {
    throw new TypeError('dial(address, credentials, options) is now dial(address, { transport: "grpc-js", credentials, channelOptions })');
  }
  switch (options.transport) {
    case "grpc-js":
      return dialGrpcJs(address, options.credentials, options.channelOptions);
    case undefined:
    case "http2":
      return dialHttp2(address, options);
    default:
      // Reached from JavaScript only, where a misspelt transport would otherwise dial the default.
      throw new RangeError(`unknown transport ${JSON.stringify((options as { transport: unknown }).transport)}: expected "http2" or "grpc-js"`);
  }
}
