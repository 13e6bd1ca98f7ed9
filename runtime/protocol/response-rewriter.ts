import { create, isMessage, type Message } from "@bufbuild/protobuf";
import { Code } from "../gen/google/rpc/code_pb.js";
import { StatusSchema } from "../gen/google/rpc/status_pb.js";
import { GatewayError } from "../gateway-error.js";
import type { ResponseRewriter, RewriteContext } from "../options.js";

/**
 * The payload of an outgoing message after the user's rewriter (grpc-gateway's
 * ForwardResponseRewriter): `marshal` of the message it returns when that is a message of
 * the same type, else the returned value as JSON. A throwing rewriter is an INTERNAL error
 * without its message, which may hold anything. Callers without a rewriter marshal directly,
 * so the hot path allocates no context or closure for it.
 */
export function rewrittenPayload(
  rewriter: ResponseRewriter,
  message: Message,
  context: RewriteContext,
  marshal: (message: Message) => string | Uint8Array,
): string | Uint8Array {
  const value = callRewriter(rewriter, message, context);
  if (isMessage(value) && value.$typeName === message.$typeName) return marshal(value);
  return jsonOf(value);
}

/**
 * An error body after the rewriter, which sees the error as a `google.rpc.Status` (as
 * grpc-gateway's DefaultHTTPErrorHandler passes `s.Proto()`): undefined when it returned
 * that status unchanged (write the default body), the rewritten status as an error, or JSON.
 */
export function rewrittenError(
  rewriter: ResponseRewriter | undefined,
  err: GatewayError,
  context: Omit<RewriteContext, "kind">,
): { error: GatewayError } | { json: string } | undefined {
  if (rewriter === undefined) return undefined;
  const status = create(StatusSchema, { code: err.code, message: err.rawMessage, details: err.details });
  const value = callRewriter(rewriter, status, { ...context, kind: "error" });
  if (value === status) return undefined;
  if (isMessage(value, StatusSchema)) return { error: new GatewayError(value.code, value.message, { details: value.details }) };
  return { json: jsonOf(value) };
}

function callRewriter(rewriter: ResponseRewriter, message: Message, context: RewriteContext): unknown {
  try {
    return rewriter(message, context);
  } catch (failure) {
    throw new GatewayError(Code.INTERNAL, context.kind === "error" ? "failed to rewrite error message" : "failed to rewrite response message", {
      cause: failure,
    });
  }
}

// 64-bit integers as decimal strings, as proto3 JSON writes them.
function jsonOf(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ?? "null";
}
