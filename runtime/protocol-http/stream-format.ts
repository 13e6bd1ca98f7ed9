import { mediaType } from "../marshal/negotiation.js";
import type { GatewayError } from "../gateway-error.js";
import type { Marshaler } from "../marshal/marshaler.js";
import { frameStreamError, frameStreamMessage, statusBinary } from "../marshal/protobuf-marshaler.js";
import { errorEnvelope } from "../protocol/stream-error.js";

/** How a stream of replies is framed on the HTTP response. */
export interface StreamFormat {
  /** The response Content-Type. */
  readonly contentType: string;
  /** Frames one marshaled reply. */
  message(payload: string | Uint8Array): string | Uint8Array;
  /** Frames the final error status (already marshaled as the status JSON body; `status` is the error itself). */
  error(statusJson: string, status: GatewayError): string | Uint8Array;
  /** Extra response headers the format needs. */
  readonly headers: Readonly<Record<string, string>>;
}

/** grpc-gateway's framing: one `{"result": ...}` object per line, `{"error": ...}` on failure. */
function resultLines(contentType: string): StreamFormat {
  return {
    contentType,
    message: (payload) => `{"result":${text(payload)}}\n`,
    error: (status) => `${errorEnvelope(status)}\n`,
    headers: {},
  };
}

/** Bare messages, one per line; the error line keeps grpc-gateway's `{"error": ...}` shape. */
const ndjson: StreamFormat = {
  contentType: "application/x-ndjson",
  message: (payload) => `${text(payload)}\n`,
  error: (status) => `${errorEnvelope(status)}\n`,
  headers: {},
};

/** Server-Sent Events: a `data:` event per message, an `error` event carrying the status. */
const serverSentEvents: StreamFormat = {
  contentType: "text/event-stream",
  message: (payload) => `data: ${text(payload)}\n\n`,
  error: (status) => `event: error\ndata: ${status}\n\n`,
  // Proxies such as nginx buffer responses unless told not to, which would hold the tokens back.
  headers: { "Cache-Control": "no-cache", "X-Accel-Buffering": "no" },
};

/**
 * A binary marshaler's stream: each reply a length-delimited frame, the final status a
 * frame of its own (see frameStreamMessage in marshal/protobuf-marshaler.ts).
 */
function lengthDelimited(contentType: string): StreamFormat {
  return {
    contentType,
    message: (payload) => frameStreamMessage(typeof payload === "string" ? Buffer.from(payload) : payload),
    error: (_json, status) => frameStreamError(statusBinary(status)),
    headers: {},
  };
}

function text(payload: string | Uint8Array): string {
  return typeof payload === "string" ? payload : Buffer.from(payload).toString("utf8");
}

/**
 * Picks the framing from `Accept`: `text/event-stream` gives SSE, `application/x-ndjson`
 * bare lines, a binary marshaler length-delimited frames, anything else grpc-gateway's
 * `{"result": ...}` lines in the marshaler's type.
 */
export function streamFormatFor(accept: string | undefined, marshaler: Pick<Marshaler, "contentType" | "binary">): StreamFormat {
  const marshalerContentType = marshaler.contentType;
  if (accept !== undefined && accept !== "") {
    for (const part of accept.split(",")) {
      const type = mediaType(part);
      if (type === "text/event-stream") return serverSentEvents;
      if (type === "application/x-ndjson") return ndjson;
    }
  }
  return marshaler.binary === true ? lengthDelimited(marshalerContentType) : resultLines(marshalerContentType);
}
