/** A request target (`req.url`) split at its first `?`. */
export interface RequestTarget {
  /** The path, still percent-encoded: the router decodes it per segment. */
  readonly path: string;
  /** The query without `?`, still encoded; empty when there is none. */
  readonly rawQuery: string;
  /** Why the target is not one a server may route (answered 400), naming it; undefined when it is. */
  readonly invalid?: string | undefined;
}

/**
 * Splits a request's URL into path and query, for the HTTP router and the WebSocket handshake
 * alike. An absolute-form target (`http://host/path`, RFC 9112 3.2.2, which servers must
 * accept) is routed by its path, as Go's net/http does. Node passes on two targets no client
 * may send, which are `invalid` here rather than routed: one with a fragment (`#` is not part
 * of an origin-form or absolute-form target; clients strip the fragment) and an absolute-form
 * one whose scheme is not http or https.
 */
export function splitRequestTarget(url: string | undefined): RequestTarget {
  const raw = url ?? "/";
  if (raw.includes("#")) return invalidTarget(raw, 'has a fragment: "#" is not part of an HTTP request target');
  let target = raw;
  if (raw.charCodeAt(0) !== 0x2f) {
    const prefix = absoluteForm.exec(raw);
    if (prefix !== null) {
      const scheme = prefix[1]!.toLowerCase();
      if (scheme !== "http" && scheme !== "https") return invalidTarget(raw, `has the scheme "${scheme}": only http and https are served`);
      const rest = raw.slice(prefix[0].length);
      target = rest.startsWith("/") ? rest : `/${rest}`;
    }
  }
  const queryStart = target.indexOf("?");
  return queryStart === -1 ? { path: target, rawQuery: "" } : { path: target.slice(0, queryStart), rawQuery: target.slice(queryStart + 1) };
}

const absoluteForm = /^([a-z][a-z0-9+.-]*):\/\/[^/?#]*/i;

// Not routed: the path is empty, so no route matches it, and `invalid` says why.
function invalidTarget(target: string, why: string): RequestTarget {
  const shown = target.length > 200 ? `${target.slice(0, 200)}...` : target;
  return { path: "", rawQuery: "", invalid: `request target "${shown}" ${why}` };
}
