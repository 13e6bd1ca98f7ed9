import type { Marshaler } from "./marshaler.js";

/** Picks the marshaler for a request's body and for its reply, by media type. */
export interface MarshalerRegistry {
  /** The marshaler for a request `Content-Type`; undefined when none is registered (415). */
  forRequest(contentType: string | undefined): Marshaler | undefined;
  /** The marshaler for a reply: the first registered type in `Accept`, else the request's. */
  forResponse(accept: string | undefined, inbound: Marshaler): Marshaler;
}

/** A registry over `marshalers` keyed by media type; `fallback` serves requests with no Content-Type. */
export function createMarshalerRegistry(marshalers: ReadonlyMap<string, Marshaler>, fallback: Marshaler): MarshalerRegistry {
  return {
    forRequest(contentType) {
      if (contentType === undefined || contentType === "") return fallback;
      return marshalers.get(mediaType(contentType));
    },
    forResponse(accept, inbound) {
      if (accept === undefined || accept === "" || accept === "*/*") return inbound;
      for (const part of accept.split(",")) {
        const found = marshalers.get(mediaType(part));
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
