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
 * The longest timeout passed on: 2,147,483 s (24.8 days), the largest that every backend
 * honours. A grpc-js client sends a timeout this long in whole seconds, rounded up, and a
 * grpc-js server turns it back into milliseconds with `(s * 1000) | 0`, which wraps to a
 * negative number past 2^31-1 ms: `2147484S` (what 2^31-1 ms is sent as) or `597H`
 * expired on arrival. Node timers have the same 2^31-1 ms ceiling, so no local timer
 * fires early either. grpc-go reads any 8-digit value.
 */
export const maxTimeoutMs = 2_147_483_000;

/** The deadline a call is given: {@link deadlineFromRequest}, but never more than {@link maxTimeoutMs} away. */
export function callDeadline(req: IncomingMessage, defaultTimeoutMs: number | undefined): Date | undefined {
  const requested = deadlineFromRequest(req, defaultTimeoutMs);
  if (requested === undefined) return undefined;
  const latest = Date.now() + maxTimeoutMs;
  return requested.getTime() > latest ? new Date(latest) : requested;
}

/**
 * How long the gateway waits for the backend to respond to a call without a deadline
 * (`replyTimeoutMs`, capped as deadlines are), never sent to the backend: grpc-gateway sends
 * no deadline the client did not ask for, and backends may rely on that. None with a
 * deadline, or when the limit is off (0 or Infinity).
 */
export function replyTimeout(deadline: Date | undefined, replyTimeoutMs: number): number | undefined {
  if (deadline !== undefined || !(replyTimeoutMs > 0 && Number.isFinite(replyTimeoutMs))) return undefined;
  return Math.min(replyTimeoutMs, maxTimeoutMs);
}

/** Milliseconds until `deadline`, as a timer can wait for them (0 when past, never beyond {@link maxTimeoutMs}). */
export function msUntil(deadline: Date): number {
  return Math.min(maxTimeoutMs, Math.max(0, deadline.getTime() - Date.now()));
}
