import type { IncomingMessage } from "node:http";
import { Code } from "../gen/google/rpc/code_pb.js";
import { GatewayError } from "../gateway-error.js";
import { headerText } from "./request-metadata.js";

const grpcTimeoutPattern = /^(\d{1,8})([HMSmun])$/;
const millisPerUnit: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 };

/**
 * Parses a `Grpc-Timeout` value (1 to 8 digits and a unit: H, M, S, m, u, n) into
 * milliseconds, fractional below one. Malformed is INVALID_ARGUMENT (HTTP 400).
 */
export function parseGrpcTimeout(value: string): number {
  const match = grpcTimeoutPattern.exec(value);
  if (match === null) {
    throw new GatewayError(Code.INVALID_ARGUMENT, `invalid Grpc-Timeout header ${JSON.stringify(value)}: want 1 to 8 digits and a unit (H, M, S, m, u or n)`);
  }
  return Number(match[1]) * millisPerUnit[match[2]!]!;
}

/**
 * The call's deadline. As in grpc-gateway, a `Grpc-Timeout` header wins when present (even
 * if longer than the default); otherwise `defaultTimeoutMs` applies when positive; otherwise
 * there is none. `0S` is a deadline that has already passed, as a gRPC server reads it.
 */
export function deadlineFromRequest(req: IncomingMessage, defaultTimeoutMs?: number): Date | undefined {
  const header = headerText(req, "grpc-timeout");
  if (header !== undefined && header !== "") return new Date(Date.now() + parseGrpcTimeout(header));
  if (defaultTimeoutMs !== undefined && defaultTimeoutMs > 0) return new Date(Date.now() + defaultTimeoutMs);
  return undefined;
}

/**
 * The longest timeout passed on: 2^31-1 ms (24.8 days). Node timers and grpc-js servers
 * overflow beyond it and fire at once, so `Grpc-Timeout: 99999999H` would time out
 * immediately instead of meaning "a long time".
 */
export const maxTimeoutMs = 0x7fffffff;

/** The deadline a call is given: {@link deadlineFromRequest}, but never more than {@link maxTimeoutMs} away. */
export function callDeadline(req: IncomingMessage, defaultTimeoutMs: number | undefined): Date | undefined {
  const requested = deadlineFromRequest(req, defaultTimeoutMs);
  if (requested === undefined) return undefined;
  const latest = Date.now() + maxTimeoutMs;
  return requested.getTime() > latest ? new Date(latest) : requested;
}
