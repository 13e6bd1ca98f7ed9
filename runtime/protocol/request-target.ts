/** A request target (`req.url`) split at its first `?`. */
export interface RequestTarget {
  /** The path, still percent-encoded: the router decodes it per segment. */
  readonly path: string;
  /** The query without `?`, still encoded; empty when there is none. */
  readonly rawQuery: string;
}

/**
 * Splits a request's URL into path and query, for the HTTP router and the WebSocket handshake
 * alike. An absolute-form target (`http://host/path`, RFC 9112 3.2.2, which servers must
 * accept) is routed by its path, as Go's net/http does.
 */
export function splitRequestTarget(url: string | undefined): RequestTarget {
  const target = originForm(url ?? "/");
  const queryStart = target.indexOf("?");
  return queryStart === -1 ? { path: target, rawQuery: "" } : { path: target.slice(0, queryStart), rawQuery: target.slice(queryStart + 1) };
}

const absoluteForm = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;

// The path and query of a target; origin-form (the usual `/...`) as it is.
function originForm(target: string): string {
  if (target.charCodeAt(0) === 0x2f) return target;
  const prefix = absoluteForm.exec(target);
  if (prefix === null) return target;
  const rest = target.slice(prefix[0].length);
  return rest.startsWith("/") ? rest : `/${rest}`;
}
