/** A request target (`req.url`) split at its first `?`. */
export interface RequestTarget {
  /** The path, still percent-encoded: the router decodes it per segment. */
  readonly path: string;
  /** The query without `?`, still encoded; empty when there is none. */
  readonly rawQuery: string;
}

/** Splits a request's URL into path and query, for the HTTP router and the WebSocket handshake alike. */
export function splitRequestTarget(url: string | undefined): RequestTarget {
  const target = url ?? "/";
  const queryStart = target.indexOf("?");
  return queryStart === -1 ? { path: target, rawQuery: "" } : { path: target.slice(0, queryStart), rawQuery: target.slice(queryStart + 1) };
}
