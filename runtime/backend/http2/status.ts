import type { IncomingHttpHeaders } from "node:http2";
import { constants } from "node:http2";
import { Metadata } from "@grpc/grpc-js";
import { GatewayError, withHeaderMetadata } from "../../gateway-error.js";
import { Code } from "../../gen/google/rpc/code_pb.js";

/**
 * An error the transport raises itself: a generic message a client may see, the detail
 * (an errno, an address, what went wrong) kept as the cause for logs only.
 */
export function transportError(code: Code, message: string, cause?: unknown, httpStatus?: number): GatewayError {
  const error = new GatewayError(code, message, httpStatus === undefined ? { cause } : { cause, httpStatus });
  raisedHere.add(error);
  return error;
}

// The errors transportError made, told apart from statuses the server sent for the operator's log hook.
const raisedHere = new WeakSet<GatewayError>();

/** Whether the transport raised `error` itself (rather than reading it from the server's trailers). */
export function isTransportError(error: GatewayError): boolean {
  return raisedHere.has(error);
}

/** A reply message that does not decode as the method's reply type, with the header metadata sent before it. */
export function malformedReply(cause: unknown, headers: Metadata | undefined): GatewayError {
  return withHeaderMetadata(transportError(Code.INTERNAL, "backend sent a malformed reply", cause), headers);
}

/** A reply over the receive limit: the backend sent what the gateway cannot take, 502. */
export function replyTooLarge(cause: unknown): GatewayError {
  return transportError(Code.RESOURCE_EXHAUSTED, "backend reply exceeds the gateway's size limit", cause, 502);
}

/** The gateway's reply wait ran out (`replyTimeoutMs`, calls without a deadline), 504. */
export function replyTimedOut(): GatewayError {
  return transportError(Code.DEADLINE_EXCEEDED, "deadline exceeded: the backend did not reply in time", "reply timeout");
}

/** Metadata of a header block, pseudo-headers left out (grpc-js's own conversion). */
export function metadataOf(headers: IncomingHttpHeaders): Metadata {
  return Metadata.fromHttp2Headers(headers);
}

/** The trailer metadata of a trailer block: the block without its pseudo-headers, `grpc-status` and `grpc-message`. */
export function trailerMetadataOf(headers: IncomingHttpHeaders): Metadata {
  // Nearly every block is the status alone: no conversion to add its keys only to remove them.
  if (onlyStatus(headers)) return new Metadata();
  const trailers = metadataOf(headers);
  trailers.remove("grpc-status");
  trailers.remove("grpc-message");
  return trailers;
}

function onlyStatus(headers: IncomingHttpHeaders): boolean {
  for (const key in headers) if (!key.startsWith(":") && key !== "grpc-status" && key !== "grpc-message") return false;
  return true;
}

/**
 * The status a trailer block (or a trailers-only header block) carries, as grpc-js reports
 * it: the code and message the server sent unchanged, the rest of the block (`trailers`,
 * from {@link trailerMetadataOf}) as trailers (`grpc-status-details-bin` decoded into
 * details by `GatewayError.from`). Undefined for OK.
 */
export function statusFromTrailers(headers: IncomingHttpHeaders, trailers: Metadata): GatewayError | undefined {
  const raw = headers["grpc-status"];
  const code = typeof raw === "string" ? Number.parseInt(raw, 10) : Number.NaN;
  // Any integer passes unchanged, as grpc-js does (an unknown code is answered 500 upstream).
  if (!Number.isInteger(code)) {
    return new GatewayError(Code.UNKNOWN, "backend sent no valid status", { trailers, cause: { grpcStatus: raw } });
  }
  if (code === Code.OK) return undefined;
  return GatewayError.from({ code, details: decodeMessage(headers["grpc-message"]), metadata: trailers });
}

/** Whether a trailer block says OK (the fast path: no error object for a success). */
export function isOk(headers: IncomingHttpHeaders): boolean {
  return headers["grpc-status"] === "0";
}

// grpc-message is percent-encoded; a malformed escape keeps the text as sent.
function decodeMessage(value: string | string[] | undefined): string {
  if (typeof value !== "string" || value === "") return "";
  if (!value.includes("%")) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The error for a stream the server reset before it sent a status, as the grpc-js path
 * words it (grpc-js-status.ts): the gateway's own cancels never get here, so a CANCEL is
 * the server going away (503), and ENHANCE_YOUR_CALM before any response headers is the
 * server's limit on request headers (431).
 */
export function resetError(rstCode: number, headersReceived: boolean): GatewayError {
  const cause = { rstCode };
  switch (rstCode) {
    case constants.NGHTTP2_REFUSED_STREAM:
    case constants.NGHTTP2_CANCEL:
      return transportError(Code.UNAVAILABLE, "backend unavailable", cause);
    case constants.NGHTTP2_ENHANCE_YOUR_CALM:
      if (!headersReceived) return transportError(Code.RESOURCE_EXHAUSTED, "request headers too large for the backend", cause, 431);
      return transportError(Code.RESOURCE_EXHAUSTED, "resource exhausted", cause);
    case constants.NGHTTP2_INADEQUATE_SECURITY:
      return transportError(Code.PERMISSION_DENIED, "backend call failed", cause);
    default:
      return transportError(Code.INTERNAL, "backend call failed", cause);
  }
}
