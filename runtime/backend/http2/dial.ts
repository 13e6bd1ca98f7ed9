import type { Backend } from "../backend.js";
import { parseTarget } from "./address.js";
import { settingsOf, type Http2BackendOptions } from "./options.js";
import { Pool } from "./pool.js";
import { streamCall } from "./stream.js";
import { unaryCall, unaryEncodedCall } from "./unary.js";

/** A backend reached by the lean transport, with a way to let its connections go. */
export interface Http2Backend extends Backend {
  /** Closes every connection now; calls in flight fail UNAVAILABLE, later calls too. */
  close(): void;
}

/**
 * Sends calls over gRPC written directly on node:http2: `address` is `host:port`,
 * `dns:///host:port` (every address record, round robin), `ipv4:a:p,b:p`, `ipv6:[a]:p`, or
 * `unix:/path`. Connections open when the first call needs them.
 */
export function dialHttp2(address: string, options: Http2BackendOptions = {}): Http2Backend {
  const settings = settingsOf(options);
  const pool = new Pool(parseTarget(address), settings);
  return {
    unary: (method, request, callOptions) => unaryCall(pool, settings, method, request, callOptions),
    unaryEncoded: (method, encoded, callOptions) => unaryEncodedCall(pool, settings, method, encoded, callOptions),
    stream: (method, callOptions) => streamCall(pool, settings, method, callOptions),
    close: () => pool.close(),
  };
}
