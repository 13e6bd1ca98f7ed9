import type { IncomingMessage, ServerResponse } from "node:http";
import { Code } from "../gen/google/rpc/code_pb.js";
import { errorBodyFromError, httpStatusFromError, type ErrorBodyOptions } from "../protocol/error-body.js";
import { GatewayError } from "../gateway-error.js";
import type { ErrorHandler, ResponseRewriter } from "../options.js";
import { rewrittenError } from "../protocol/response-rewriter.js";
import type { HttpRoute } from "../route.js";
import type { Marshaler } from "../marshal/marshaler.js";
import { statusBinary } from "../marshal/protobuf-marshaler.js";
import { writeResponseHeaders, writeResponseTrailers, type OutgoingHeaderMatcher } from "./response-metadata.js";

/** How {@link writeError} writes the response. */
export interface WriteErrorOptions extends ErrorBodyOptions {
  /** Which of the error's header metadata become headers; default `Grpc-Metadata-<k>`. */
  headerMatcher?: OutgoingHeaderMatcher | undefined;
  /** The reply's marshaler: a binary one writes the body as a binary `google.rpc.Status`. */
  marshaler?: Marshaler | undefined;
  /** Which of the error's trailer metadata become HTTP trailers (on `TE: trailers`); default `Grpc-Trailer-<k>`. */
  trailerMatcher?: OutgoingHeaderMatcher | undefined;
  /** The gateway's responseRewriter: it rewrites the body (the HTTP status stays the error's). */
  rewriter?: ResponseRewriter | undefined;
}

/** What the error path reads of the gateway's settings (typed so, as settings.ts imports this module). */
interface ErrorSettings {
  readonly errorBody: WriteErrorOptions;
}

/** The request a failure is answered on: an HttpCall, or what routing had before there was one. */
export interface HttpExchange {
  /** The request, as the error hook is told it. */
  readonly req: IncomingMessage;
  /** The response the error is written on. */
  readonly res: ServerResponse;
  /** The route that matched; undefined for routing errors. */
  readonly route: HttpRoute | undefined;
  /** How error bodies are written. */
  readonly settings: ErrorSettings;
  /** The reply's marshaler, once negotiated; a binary one answers errors in binary. */
  readonly outbound?: Marshaler | undefined;
}

/**
 * Answers a failed request through the user's hook, or the default status body. Once
 * headers are out there is no status left to send: the response is cut off instead, so
 * the client sees a broken reply rather than a truncated one that looks whole.
 */
export async function sendError(exchange: HttpExchange, error: GatewayError, handler: ErrorHandler | undefined): Promise<void> {
  const { req, res, route, settings } = exchange;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const options = exchange.outbound?.binary === true ? { ...settings.errorBody, marshaler: exchange.outbound } : settings.errorBody;
  const writeDefault = () => writeError(res, error, options);
  try {
    if (handler === undefined) return writeDefault();
    await handler(error, { req, res, route, writeDefault });
    // A hook that returned without answering would leave the client waiting forever.
    if (!res.headersSent) writeDefault();
    else if (!res.writableEnded) res.end();
  } catch (failure) {
    // A broken hook or matcher is a server bug: answer 500 without its details, never hang.
    answerInternal(res, handler === undefined ? "writing the error response failed" : "error handler failed", failure, settings);
  }
}

/** The last resort for a failure in the gateway's own error path: a bare 500, or a cut connection. */
export function answerInternal(res: ServerResponse, message: string, cause: unknown, settings: ErrorSettings): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  try {
    writeError(res, new GatewayError(Code.INTERNAL, message, { cause }), { ...settings.errorBody, headerMatcher: undefined, trailerMatcher: undefined });
  } catch {
    res.destroy();
  }
}

/**
 * grpc-gateway's default error response: the status mapped to HTTP, the error's header
 * metadata as `Grpc-Metadata-*` headers, `WWW-Authenticate` (the status message) on
 * UNAUTHENTICATED, the error's own headers last (so they can replace that challenge), the
 * {@link ErrorBody} as `application/json` (a binary `google.rpc.Status` in the marshaler's
 * type when the reply's marshaler is binary, as grpc-gateway marshals the status with the
 * negotiated marshaler), and the trailer metadata as `Grpc-Trailer-*` HTTP trailers when
 * the client sent `TE: trailers` (else dropped). Once headers are out the
 * status can no longer change, so the response is destroyed: the client sees a cut-off
 * reply instead of a truncated one that looks whole.
 */
export function writeError(res: ServerResponse, err: GatewayError, options: WriteErrorOptions = {}): void {
  if (res.writableEnded || res.destroyed) return;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // A Buffer, not a string: node then writes the header block as latin1, byte for byte, which
  // is what headerSafe relies on (with a string body it would re-encode the headers as UTF-8).
  const binary = options.marshaler?.binary === true ? options.marshaler : undefined;
  let status = httpStatusFromError(err);
  let body: Buffer;
  let contentType = binary?.contentType ?? "application/json";
  try {
    const rewritten = rewrittenError(options.rewriter, err, { req: res.req, route: undefined });
    const shown = rewritten !== undefined && "error" in rewritten ? rewritten.error : err;
    if (rewritten !== undefined && "json" in rewritten) {
      body = Buffer.from(rewritten.json);
      contentType = "application/json";
    } else {
      body = binary !== undefined ? Buffer.from(statusBinary(shown)) : Buffer.from(JSON.stringify(errorBodyFromError(shown, options)));
    }
  } catch (failure) {
    // grpc-gateway's answer when its rewriter fails on an error.
    const error = GatewayError.from(failure, Code.INTERNAL);
    status = 500;
    contentType = "application/json";
    body = Buffer.from(JSON.stringify({ code: error.code, message: error.rawMessage, details: [] }));
  }
  // Left over from a successful reply that was being prepared when the failure came.
  res.removeHeader("Trailer");
  // Only when set: removing it at all makes node refuse chunked encoding, and with it trailers.
  if (res.hasHeader("Transfer-Encoding")) res.removeHeader("Transfer-Encoding");
  writeResponseHeaders(res, err.metadata, options.headerMatcher);
  if (err.code === Code.UNAUTHENTICATED) res.setHeader("WWW-Authenticate", headerSafe(err.rawMessage));
  for (const [name, value] of Object.entries(err.headers)) {
    try {
      res.setHeader(name, value);
    } catch {
      // A header node refuses (bad name or value) must not turn an error response into a crash.
    }
  }
  res.statusCode = status;
  res.setHeader("Content-Type", contentType);
  res.setHeader("Content-Length", body.byteLength);
  // `res.req` is unset only for a response built by hand, which has no `TE` to honour.
  if (res.req !== undefined) writeResponseTrailers(res.req, res, err.trailers, options.trailerMatcher);
  res.end(body);
}

const controlCharacters = /[\x00-\x08\x0a-\x1f\x7f]/g;

// A status message as a header value: control characters (CR, LF ...) become spaces and
// non-ASCII text goes out as its UTF-8 bytes, which is what Go's net/http writes.
function headerSafe(text: string): string {
  return Buffer.from(text.replace(controlCharacters, " "), "utf8").toString("latin1");
}
