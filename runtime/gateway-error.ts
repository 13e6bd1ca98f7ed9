import { fromBinary } from "@bufbuild/protobuf";
import type { Any } from "@bufbuild/protobuf/wkt";
import { Metadata } from "@grpc/grpc-js";
import { Code } from "./gen/google/rpc/code_pb.js";
import { StatusSchema } from "./gen/google/rpc/status_pb.js";

/** The metadata key grpc carries a serialized `google.rpc.Status` in. */
export const statusDetailsKey = "grpc-status-details-bin";

/** Fields of a {@link GatewayError} beyond its code and message. */
export interface GatewayErrorInit {
  /** `google.rpc.Status.details`: typed error details as `Any`. */
  details?: Any[];
  /** Header metadata the backend sent before failing; written as `Grpc-Metadata-<k>` headers. */
  metadata?: Metadata;
  /** Trailer metadata the status came with; written as `Grpc-Trailer-<k>` HTTP trailers when the client sent `TE: trailers`. */
  trailers?: Metadata;
  /** An HTTP status that overrides the code's mapping (405, 413, 415 ...). */
  httpStatus?: number;
  /** HTTP headers to send with the error response, e.g. `Allow` on a 405. */
  headers?: Record<string, string>;
  /** What was thrown or reported underneath. */
  cause?: unknown;
}

/**
 * The one error type of the runtime: a gRPC status (code, message, details) plus what the
 * HTTP side needs. Everything that fails, in the gateway or in the backend, becomes one.
 */
export class GatewayError extends Error {
  override readonly name = "GatewayError";
  /** The gRPC status code. */
  readonly code: number;
  /** The status message without decoration. */
  readonly rawMessage: string;
  /** `google.rpc.Status.details`, decoded from `grpc-status-details-bin` when present. */
  readonly details: Any[];
  /** Header metadata the backend sent before the status (`Grpc-Metadata-<k>` on the error response). */
  readonly metadata: Metadata;
  /** Trailer metadata the status came with (`Grpc-Trailer-<k>` HTTP trailers, only on `TE: trailers`). */
  readonly trailers: Metadata;
  /** An HTTP status that overrides the mapping of {@link code}. */
  readonly httpStatus: number | undefined;
  /** HTTP headers to add to the error response. */
  readonly headers: Record<string, string>;

  constructor(code: number, message: string, init: GatewayErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    this.rawMessage = message;
    this.details = init.details ?? [];
    this.metadata = init.metadata ?? new Metadata();
    this.trailers = init.trailers ?? new Metadata();
    this.httpStatus = init.httpStatus;
    this.headers = init.headers ?? {};
  }

  /**
   * Turns anything thrown or reported into a GatewayError: a GatewayError as is, a grpc-js
   * status (its metadata taken as the trailers, `grpc-status-details-bin` decoded into
   * details), anything else as
   * `fallbackCode` (UNKNOWN unless told) keeping the original as the cause.
   */
  static from(reason: unknown, fallbackCode: number = Code.UNKNOWN): GatewayError {
    if (reason instanceof GatewayError) return reason;
    if (isGrpcStatus(reason)) return fromGrpcStatus(reason);
    const message = reason instanceof Error ? reason.message : String(reason);
    return new GatewayError(fallbackCode, message, { cause: reason });
  }
}

/** The shape grpc-js reports a status in (`ServiceError`, `StatusObject`). */
interface GrpcStatusLike {
  code: number;
  details?: string;
  metadata?: Metadata;
}

function isGrpcStatus(reason: unknown): reason is GrpcStatusLike {
  if (typeof reason !== "object" || reason === null) return false;
  const r = reason as Partial<GrpcStatusLike>;
  return typeof r.code === "number" && (isMetadata(r.metadata) || typeof r.details === "string");
}

/**
 * Whether `value` is a grpc-js Metadata, told by its shape rather than `instanceof`: an app
 * may hold a second copy of grpc-js, whose Metadata is not this copy's class but reads the same.
 */
export function isMetadata(value: unknown): value is Metadata {
  if (typeof value !== "object" || value === null) return false;
  const m = value as Partial<Record<keyof Metadata, unknown>>;
  return typeof m.get === "function" && typeof m.getMap === "function" && typeof m.toJSON === "function" && typeof m.set === "function";
}

function fromGrpcStatus(s: GrpcStatusLike): GatewayError {
  const trailers = s.metadata ?? new Metadata();
  let message = s.details ?? "";
  let details: Any[] = [];
  const [bin] = trailers.get(statusDetailsKey);
  if (bin instanceof Buffer) {
    try {
      const decoded = fromBinary(StatusSchema, bin);
      details = decoded.details;
      if (message === "") message = decoded.message;
    } catch {
      // A malformed details trailer must not hide the status itself.
    }
  }
  return new GatewayError(s.code, message, { details, trailers, cause: s });
}

/**
 * Adds the header metadata a backend sent before failing to `error` (which may be one the
 * implementation threw, with header metadata of its own), and returns it.
 */
export function withHeaderMetadata(error: GatewayError, headers: Metadata | undefined): GatewayError {
  if (headers !== undefined) for (const [key, values] of Object.entries(headers.toJSON())) for (const value of values) error.metadata.add(key, value);
  return error;
}
