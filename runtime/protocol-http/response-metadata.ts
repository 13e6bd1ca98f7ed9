import type { IncomingMessage, ServerResponse } from "node:http";
import type { Metadata } from "@grpc/grpc-js";
import { headerText, hopByHopHeaders, isProtocolKey, metadataHeaderPrefix } from "../protocol/request-metadata.js";

/** The response trailer prefix for trailer metadata (`Grpc-Trailer-<k>`). */
export const metadataTrailerPrefix = "Grpc-Trailer-";

/** Maps a response metadata key to the HTTP header (or trailer) name to send it as, or undefined to drop it. */
export type OutgoingHeaderMatcher = (metadataKey: string) => string | undefined;

/** The default for response header metadata: `<k>` is sent as `Grpc-Metadata-<k>`. */
export const defaultOutgoingHeaderMatcher: OutgoingHeaderMatcher = (key) => metadataHeaderPrefix + key;

/** The default for trailer metadata: `<k>` is sent as the HTTP trailer `Grpc-Trailer-<k>`. */
export const defaultOutgoingTrailerMatcher: OutgoingHeaderMatcher = (key) => metadataTrailerPrefix + key;

// Response metadata keys that describe the gRPC hop, not the application: they would only
// confuse an HTTP client (grpc-gateway's `Grpc-Metadata-Content-Type: application/grpc`).
const transportResponseKeys = new Set([...hopByHopHeaders, "content-type", "content-length", "date"]);

/**
 * Sets response header metadata as HTTP headers (`Grpc-Metadata-<k>` by default; binary
 * values in base64). Transport keys (`content-type`, `date`, `grpc-*` ...) are not forwarded.
 * Once headers are sent it does nothing: there is nowhere left to put them.
 */
export function writeResponseHeaders(res: ServerResponse, headerMetadata: Metadata, matcher: OutgoingHeaderMatcher = defaultOutgoingHeaderMatcher): void {
  if (res.headersSent) return;
  for (const [name, values] of httpFieldsFromMetadata(headerMetadata, matcher)) res.appendHeader(name, values);
}

/**
 * Whether the client accepts trailers (`TE: trailers`); without it RFC 9110 says not to
 * send trailers it needs, so grpc-gateway drops them, and so do we.
 */
export function trailersWanted(req: IncomingMessage): boolean {
  const te = headerText(req, "te");
  return te?.toLowerCase().includes("trailers") === true;
}

/** Trailer metadata as HTTP trailer fields (`Grpc-Trailer-<k>` by default), ready for `res.addTrailers`. */
export function trailerHeadersFromMetadata(
  trailerMetadata: Metadata,
  matcher: OutgoingHeaderMatcher = defaultOutgoingTrailerMatcher,
): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [name, values] of httpFieldsFromMetadata(trailerMetadata, matcher)) {
    fields[name] = values.length === 1 ? values[0]! : values;
  }
  return fields;
}

/**
 * Adds trailer metadata as HTTP trailers when the client sent `TE: trailers`; call it just
 * before `res.end()`. Before headers are out it declares them in `Trailer` and drops
 * `Content-Length`, which makes node use chunked encoding (trailers need it); after, it only
 * adds them to a response that is already chunked. Returns whether trailers will be sent.
 */
export function writeResponseTrailers(req: IncomingMessage, res: ServerResponse, trailerMetadata: Metadata, matcher?: OutgoingHeaderMatcher): boolean {
  if (!trailersWanted(req) || res.writableEnded) return false;
  const trailers = trailerHeadersFromMetadata(trailerMetadata, matcher);
  const names = Object.keys(trailers);
  if (names.length === 0) return false;
  if (!res.headersSent) {
    res.setHeader("Trailer", names.join(", "));
    res.removeHeader("Content-Length");
  } else if (!res.chunkedEncoding) {
    return false;
  }
  res.addTrailers(trailers);
  return true;
}

const httpToken = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const httpFieldValue = /^[\t\x20-\x7e\x80-\xff]*$/;

// Metadata -> HTTP fields with canonical names (`Grpc-Metadata-X-Request-Id`, as Go writes
// them), values of names that collide merged, and anything node would throw on left out.
function httpFieldsFromMetadata(md: Metadata, matcher: OutgoingHeaderMatcher): ReadonlyMap<string, string[]> {
  // A reply's metadata is usually only the transport's own (content-type, grpc-encoding ...):
  // walk the keys without building entry pairs, and the result only if something passes.
  let fields: Map<string, string[]> | undefined;
  const all = md.toJSON();
  // Own keys only: a `__proto__` key became the object's prototype (grpc-js's own
  // conversions drop it the same way), and a for-in would walk what it points to.
  for (const key of Object.keys(all)) {
    if (transportResponseKeys.has(key) || isProtocolKey(key)) continue;
    const mapped = matcher(key);
    if (mapped === undefined || !httpToken.test(mapped)) continue;
    const name = canonicalHeaderName(mapped);
    const texts = all[key]!.map((v) => (typeof v === "string" ? v : v.toString("base64"))).filter((v) => httpFieldValue.test(v));
    if (texts.length === 0) continue;
    fields ??= new Map();
    const existing = fields.get(name);
    if (existing === undefined) fields.set(name, texts);
    else existing.push(...texts);
  }
  return fields ?? noFields;
}

const noFields: ReadonlyMap<string, string[]> = new Map();

/** `grpc-metadata-x-id` -> `Grpc-Metadata-X-Id`: Go's canonical MIME header form. */
function canonicalHeaderName(name: string): string {
  let out = "";
  let upper = true;
  for (const ch of name) {
    out += upper ? ch.toUpperCase() : ch.toLowerCase();
    upper = ch === "-";
  }
  return out;
}
