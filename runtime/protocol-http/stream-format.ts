import { mediaType } from "../marshal/negotiation.js";
import { errorEnvelope } from "../protocol/stream-error.js";

/** How a stream of replies is framed on the HTTP response. */
export interface StreamFormat {
  /** The response Content-Type. */
  readonly contentType: string;
  /** Frames one marshaled reply. */
  message(payload: string): string;
  /** Frames the final error status (already marshaled as the status JSON body). */
  error(status: string): string;
  /** Extra response headers the format needs. */
  readonly headers: Readonly<Record<string, string>>;
}

/** grpc-gateway's framing: one `{"result": ...}` object per line, `{"error": ...}` on failure. */
function resultLines(contentType: string): StreamFormat {
  return {
    contentType,
    message: (payload) => `{"result":${payload}}\n`,
    error: (status) => `${errorEnvelope(status)}\n`,
    headers: {},
  };
}

/** Bare messages, one per line; the error line keeps grpc-gateway's `{"error": ...}` shape. */
const ndjson: StreamFormat = {
  contentType: "application/x-ndjson",
  message: (payload) => `${payload}\n`,
  error: (status) => `${errorEnvelope(status)}\n`,
  headers: {},
};

/** Server-Sent Events: a `data:` event per message, an `error` event carrying the status. */
const serverSentEvents: StreamFormat = {
  contentType: "text/event-stream",
  message: (payload) => `data: ${payload}\n\n`,
  error: (status) => `event: error\ndata: ${status}\n\n`,
  // Proxies such as nginx buffer responses unless told not to, which would hold the tokens back.
  headers: { "Cache-Control": "no-cache", "X-Accel-Buffering": "no" },
};

/**
 * Picks the framing from `Accept`: `text/event-stream` gives SSE, `application/x-ndjson`
 * bare lines, anything else grpc-gateway's `{"result": ...}` lines in the marshaler's type.
 */
export function streamFormatFor(accept: string | undefined, marshalerContentType: string): StreamFormat {
  if (accept !== undefined && accept !== "") {
    for (const part of accept.split(",")) {
      const type = mediaType(part);
      if (type === "text/event-stream") return serverSentEvents;
      if (type === "application/x-ndjson") return ndjson;
    }
  }
  return resultLines(marshalerContentType);
}
