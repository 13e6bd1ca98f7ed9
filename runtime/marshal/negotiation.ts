import { Code } from "../gen/google/rpc/code_pb.js";
import { GatewayError } from "../gateway-error.js";
import { httpBodyUnmarshaler } from "../binding/http-body.js";
import type { Marshaler } from "./marshaler.js";

/** Picks the marshaler for a request's body and for its reply, by media type. */
export interface MarshalerRegistry {
  /** The marshaler for a request `Content-Type`; undefined when none is registered (415). */
  forRequest(contentType: string | undefined): Marshaler | undefined;
  /** The marshaler for a reply: the first registered type in `Accept`, else the request's. */
  forResponse(accept: string | undefined, inbound: Marshaler): Marshaler;
  /** The marshaler of requests without a Content-Type, and of bodies nobody reads: `"*"` when registered, else JSON. */
  readonly bodilessMarshaler: Marshaler;
  /** The JSON marshaler (`application/json`), for NDJSON lines and raw HttpBody requests. */
  readonly defaultMarshaler: Marshaler;
  /** The media types registered by name (not `"*"`), `application/json` first, for the 415 message. */
  readonly accepted: readonly string[];
}

/** The key of grpc-gateway's MIMEWildcard: the marshaler of any Content-Type no other matches. */
export const wildcardMediaType = "*";

/**
 * A registry over `marshalers` keyed by media type; `fallback` (JSON) serves requests with
 * no Content-Type unless `"*"` is registered, which then serves those and every
 * Content-Type no other key matches, as grpc-gateway's MIMEWildcard does.
 */
export function createMarshalerRegistry(marshalers: ReadonlyMap<string, Marshaler>, fallback: Marshaler): MarshalerRegistry {
  const wildcard = marshalers.get(wildcardMediaType);
  const accepted = [...marshalers.keys()].filter((type) => type !== wildcardMediaType);
  return {
    defaultMarshaler: fallback,
    bodilessMarshaler: wildcard ?? fallback,
    accepted,
    forRequest(contentType) {
      if (contentType === undefined || contentType === "") return wildcard ?? fallback;
      return marshalers.get(mediaType(contentType)) ?? wildcard;
    },
    forResponse(accept, inbound) {
      if (accept === undefined || accept === "" || accept === "*/*") return inbound;
      for (const part of accept.split(",")) {
        const type = mediaType(part);
        const found = type === wildcardMediaType ? undefined : marshalers.get(type);
        if (found !== undefined) return found;
      }
      // Like grpc-gateway: an Accept we cannot honour gets the request's format, not a 406.
      return inbound;
    },
  };
}

/** The bare media type of a Content-Type or Accept entry: no parameters, lower case. */
export function mediaType(value: string): string {
  const semicolon = value.indexOf(";");
  return (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase();
}

/** What the choice of a request's marshalers needs to know of its route (a CompiledRoute has it). */
export interface RequestBodyShape {
  /** True when the rule has a body; otherwise the request body is never read. */
  readonly readsBody: boolean;
  /** True for client and bidirectional streaming: the body is a stream of messages. */
  readonly streamsRequest: boolean;
  /** True when the body lands in a `google.api.HttpBody` and is taken raw. */
  readonly rawRequestBody: boolean;
}

/** The marshaler for the request body; 415 when its Content-Type is not registered. */
export function inboundMarshaler(route: RequestBodyShape, contentType: string | undefined, marshalers: MarshalerRegistry): Marshaler {
  if (route.rawRequestBody) return httpBodyUnmarshaler(contentType ?? "application/octet-stream");
  // A route without a body never looks at the body, so its Content-Type does not matter.
  if (!route.readsBody) return marshalers.bodilessMarshaler;
  // A stream of JSON messages is newline-delimited JSON; each line is read as JSON.
  if (route.streamsRequest && contentType !== undefined && mediaType(contentType) === "application/x-ndjson") {
    return checkUtf8(marshalers.defaultMarshaler, contentType);
  }
  const marshaler = marshalers.forRequest(contentType);
  if (marshaler === undefined) {
    const others = marshalers.accepted.filter((type) => type !== "application/json");
    const also = others.length === 0 ? "" : ` (or one of: ${others.join(", ")})`;
    throw new GatewayError(
      Code.INVALID_ARGUMENT,
      `unsupported Content-Type "${contentType}": send application/json${also}, e.g. curl -H 'Content-Type: application/json'`,
      { httpStatus: 415 },
    );
  }
  return marshaler === marshalers.defaultMarshaler && contentType !== undefined ? checkUtf8(marshaler, contentType) : marshaler;
}

// JSON is UTF-8 (RFC 8259 8.1) and the JSON marshaler decodes nothing else: another declared
// charset would be read wrongly, so it is refused as an unsupported media type. US-ASCII (its
// IANA name) is a subset of UTF-8, so a body in it reads the same.
function checkUtf8(marshaler: Marshaler, contentType: string): Marshaler {
  const charset = charsetOf(contentType);
  if (charset === undefined || charset === "utf-8" || charset === "utf8" || charset === "us-ascii") return marshaler;
  throw new GatewayError(Code.INVALID_ARGUMENT, `unsupported charset "${charset.slice(0, 40)}" in Content-Type: JSON must be sent as UTF-8`, {
    httpStatus: 415,
  });
}

/** The `charset` parameter of a media type, lower case and unquoted; undefined without one. */
function charsetOf(contentType: string): string | undefined {
  if (!contentType.includes(";")) return undefined;
  for (const parameter of contentType.split(";").slice(1)) {
    const equals = parameter.indexOf("=");
    if (equals === -1 || parameter.slice(0, equals).trim().toLowerCase() !== "charset") continue;
    const value = parameter.slice(equals + 1).trim();
    return (value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value).toLowerCase();
  }
  return undefined;
}

/** The marshaler for the reply: from `Accept`, else the request's own format (JSON for a raw HttpBody request). */
export function outboundMarshaler(route: RequestBodyShape, accept: string | undefined, inbound: Marshaler, marshalers: MarshalerRegistry): Marshaler {
  return marshalers.forResponse(accept, route.rawRequestBody ? marshalers.defaultMarshaler : inbound);
}
