import { Code } from "../gen/google/rpc/code_pb.js";
import { codeFromHttpStatus } from "../http-status.js";

/** Where a failed call's status came from. */
export interface ClientErrorInit {
  /** The HTTP status of the response; 0 when none came (a WebSocket closed, a stream ended early). */
  readonly httpStatus: number;
  /** The status's `details`, as the gateway wrote them (JSON `Any` objects with `@type`). */
  readonly details?: readonly unknown[];
  /** The response's header metadata (`Grpc-Metadata-*`, the prefix removed), where there was a response. */
  readonly metadata?: Headers;
  readonly cause?: unknown;
}

/**
 * The one error a generated client throws for a failed call: the gRPC status the gateway
 * answered (code, message, details) and the HTTP status it came with. An aborted call
 * rejects with the signal's reason instead, and a network failure with fetch's TypeError.
 */
export class GatewayClientError extends Error {
  override readonly name = "GatewayClientError";
  /** The gRPC status code. */
  readonly code: Code;
  readonly httpStatus: number;
  readonly details: readonly unknown[];
  readonly metadata: Headers;

  constructor(code: Code, message: string, init: ClientErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    this.httpStatus = init.httpStatus;
    this.details = init.details ?? [];
    this.metadata = init.metadata ?? new Headers();
  }

  /** The code's name, e.g. `NOT_FOUND`. */
  get codeName(): string {
    return Code[this.code] ?? String(this.code);
  }

  /** The error a `google.rpc.Status` JSON object (or anything else a gateway answered) stands for. */
  static fromStatus(status: unknown, init: ClientErrorInit): GatewayClientError {
    const s = typeof status === "object" && status !== null ? (status as Record<string, unknown>) : {};
    const code = typeof s.code === "number" && Code[s.code] !== undefined ? (s.code as Code) : codeFromHttpStatus(init.httpStatus);
    const message = typeof s.message === "string" ? s.message : `HTTP ${init.httpStatus}`;
    const details = Array.isArray(s.details) ? s.details : [];
    return new GatewayClientError(code, message, { ...init, details });
  }
}
