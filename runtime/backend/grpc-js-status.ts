import * as grpc from "@grpc/grpc-js";
import { GatewayError } from "../gateway-error.js";
import type { CallOptions } from "./backend.js";

/** Why the gateway itself cancelled a call: its client left, or one of its limits was hit. */
export type GaveUp = "client" | "connect" | "reply";

/** What the transport knew when a call ended. */
export interface CallEnd {
  /** The status grpc-js reported. */
  readonly status: Partial<grpc.StatusObject> & { code: number };
  /** Whether the backend sent response headers. */
  readonly headersReceived: boolean;
  /** Set when the gateway cancelled the call. */
  readonly gaveUp: GaveUp | undefined;
}

/**
 * Messages grpc-js makes up itself once the response headers have arrived: a dropped
 * connection, a reset stream, a reply over the receive limit or that does not parse, its
 * own deadline or cancellation. Before the headers every status without trailers is its own.
 */
const localAfterHeaders = [
  "Received message larger than max",
  "Received message that decompresses",
  "Received RST_STREAM",
  "Connection dropped",
  "Failed to parse server response",
  "Response message parsing error",
  "Deadline exceeded after",
  "Cancelled on client",
  "Call cancelled",
];

/**
 * Whether grpc-js made the status up rather than reading it from the backend's trailers.
 * A status the backend sent comes either as a trailers-only response, whose metadata always
 * holds at least its `content-type`, or in trailers after the response headers. So: any
 * metadata means the backend; no headers and no metadata means grpc-js; after the headers
 * (with empty trailers) grpc-js's own messages tell.
 */
function raisedByTransport(end: CallEnd): boolean {
  const { metadata, details = "" } = end.status;
  if (metadata !== undefined && Object.keys(metadata.getMap()).length > 0) return false;
  if (!end.headersReceived) return true;
  return localAfterHeaders.some((prefix) => details.startsWith(prefix));
}

/**
 * The error a failed call answers with. A status the backend sent passes through as is. One
 * the transport raised gets a generic message, without addresses or timings, and the detail
 * goes to `onTransportError`; a reply over the receive limit is 502 (the backend sent what the
 * gateway cannot take) and a request whose headers the backend refused for size is 431.
 */
export function errorFromCallEnd(end: CallEnd, options: CallOptions): GatewayError {
  const { status } = end;
  const detail = status.details ?? "";
  if (end.gaveUp === "connect")
    return transportError(
      grpc.status.UNAVAILABLE,
      "backend unavailable",
      `no connection to the backend within ${options.connectTimeoutMs} ms`,
      status,
      options,
    );
  if (end.gaveUp === "reply")
    return transportError(grpc.status.DEADLINE_EXCEEDED, "deadline exceeded: the backend did not reply in time", "reply timeout", status, options);
  if (!raisedByTransport(end)) return GatewayError.from(status);
  switch (status.code) {
    case grpc.status.UNAVAILABLE:
      return transportError(status.code, "backend unavailable", detail, status, options);
    case grpc.status.DEADLINE_EXCEEDED:
      return transportError(status.code, "deadline exceeded", detail, status, options);
    case grpc.status.CANCELLED:
      if (end.gaveUp === "client") return new GatewayError(status.code, "cancelled", { cause: status });
      // Nobody here cancelled it: the backend reset the stream, e.g. a server shutting down.
      return transportError(grpc.status.UNAVAILABLE, "backend unavailable", detail, status, options);
    case grpc.status.RESOURCE_EXHAUSTED:
      if (detail.startsWith("Received message"))
        return transportError(status.code, "backend reply exceeds the gateway's size limit", detail, status, options, 502);
      // The backend reset the stream before answering: its limit on request headers (HTTP/2 ENHANCE_YOUR_CALM).
      if (!end.headersReceived) return transportError(status.code, "request headers too large for the backend", detail, status, options, 431);
      return transportError(status.code, "resource exhausted", detail, status, options);
    default:
      return transportError(status.code, "backend call failed", detail, status, options);
  }
}

function transportError(code: number, message: string, detail: string, cause: unknown, options: CallOptions, httpStatus?: number): GatewayError {
  const error = new GatewayError(code, message, httpStatus === undefined ? { cause } : { cause, httpStatus });
  try {
    options.onTransportError?.(error, detail);
  } catch {
    // A failing log hook must not change what the client gets.
  }
  return error;
}
