import type { ServerResponse } from "node:http";
import { createRegistry, toJson, type JsonValue, type JsonWriteOptions, type Registry } from "@bufbuild/protobuf";
import { AnySchema, type Any } from "@bufbuild/protobuf/wkt";
import { Code } from "../gen/google/rpc/code_pb.js";
import type { GatewayError } from "../gateway-error.js";
import { file_google_rpc_error_details } from "../gen/google/rpc/error_details_pb.js";
import { file_google_rpc_status } from "../gen/google/rpc/status_pb.js";
import { httpStatusFromCode } from "../http-status.js";
import { writeResponseHeaders, type OutgoingHeaderMatcher } from "../protocol-http/response-metadata.js";

/**
 * The types error details are rendered with when nobody says otherwise: google.rpc.Status
 * and every google/rpc/error_details message (ErrorInfo, BadRequest, RetryInfo, ...).
 * Extend it with `createRegistry(defaultTypeRegistry, ...yours)`.
 */
export const defaultTypeRegistry: Registry = createRegistry(file_google_rpc_status, file_google_rpc_error_details);

/**
 * The JSON body of a failed call: `google.rpc.Status` in proto3 JSON. Its three keys are
 * single words, so they read the same under JSON names and proto names (`useProtoFieldName`);
 * all three are always present, as grpc-gateway's marshaler emits unpopulated fields.
 */
export interface ErrorBody {
  /** The gRPC status code, as a number. */
  code: number;
  /** The status message. */
  message: string;
  /** Each `Any` detail in proto3 JSON, with its `@type`. */
  details: JsonValue[];
}

/** How error details are rendered. */
export interface ErrorBodyOptions {
  /** Types to render details with; default {@link defaultTypeRegistry} (a given one replaces it). */
  registry?: Registry | undefined;
  /** The rest of the JSON options of the gateway's marshaler (`useProtoFieldName` ...), applied to details. */
  json?: Omit<Partial<JsonWriteOptions>, "registry"> | undefined;
}

/** How {@link writeError} writes the response. */
export interface WriteErrorOptions extends ErrorBodyOptions {
  /** Which of the error's metadata become headers; default `Grpc-Metadata-<k>`. */
  headerMatcher?: OutgoingHeaderMatcher | undefined;
}

/**
 * The body for an error. A detail whose type the registry does not know (or whose bytes do
 * not decode) is rendered as `{"@type": url, "value": "<base64>"}`, the proto3 JSON shape of
 * an opaque Any, rather than failing the whole response.
 */
export function errorBodyFromError(err: GatewayError, options: ErrorBodyOptions = {}): ErrorBody {
  const json: Partial<JsonWriteOptions> = { ...options.json, registry: options.registry ?? defaultTypeRegistry };
  return { code: err.code, message: err.rawMessage, details: err.details.map((detail) => detailToJson(detail, json)) };
}

function detailToJson(detail: Any, json: Partial<JsonWriteOptions>): JsonValue {
  try {
    return toJson(AnySchema, detail, json);
  } catch {
    return { "@type": detail.typeUrl, value: Buffer.from(detail.value).toString("base64") };
  }
}

/** The HTTP status for an error: its own override when it is a valid status, else the code's mapping. */
export function httpStatusFromError(err: GatewayError): number {
  const override = err.httpStatus;
  const valid = override !== undefined && Number.isInteger(override) && override >= 100 && override <= 599;
  return valid ? override : httpStatusFromCode(err.code);
}

/**
 * grpc-gateway's default error response: the status mapped to HTTP, the error's metadata as
 * `Grpc-Metadata-*` headers, `WWW-Authenticate` (the status message) on UNAUTHENTICATED,
 * the error's own headers last (so they can replace that challenge), and the {@link ErrorBody}
 * as `application/json`. Trailers are never sent with an error. Once headers are out the
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
  const body = Buffer.from(JSON.stringify(errorBodyFromError(err, options)));
  // Left over from a successful reply that was being prepared when the failure came.
  res.removeHeader("Trailer");
  res.removeHeader("Transfer-Encoding");
  writeResponseHeaders(res, err.metadata, options.headerMatcher);
  if (err.code === Code.UNAUTHENTICATED) res.setHeader("WWW-Authenticate", headerSafe(err.rawMessage));
  for (const [name, value] of Object.entries(err.headers)) {
    try {
      res.setHeader(name, value);
    } catch {
      // A header node refuses (bad name or value) must not turn an error response into a crash.
    }
  }
  res.statusCode = httpStatusFromError(err);
  res.setHeader("Content-Type", "application/json");
  res.setHeader("Content-Length", body.byteLength);
  res.end(body);
}

const controlCharacters = /[\x00-\x08\x0a-\x1f\x7f]/g;

// A status message as a header value: control characters (CR, LF ...) become spaces and
// non-ASCII text goes out as its UTF-8 bytes, which is what Go's net/http writes.
function headerSafe(text: string): string {
  return Buffer.from(text.replace(controlCharacters, " "), "utf8").toString("latin1");
}
