import type { Message } from "@bufbuild/protobuf";
import { Code } from "../gen/google/rpc/code_pb.js";
import { GatewayError } from "../gateway-error.js";
import type { Marshaler } from "../marshal/marshaler.js";
import type { Call } from "./call.js";

/**
 * Binds message #`index` (from 1) of a request stream, an NDJSON line or a WebSocket frame,
 * like the body of a unary call, with the call's path variables and query bound into it.
 * A bad one is INVALID_ARGUMENT naming it: `invalid request message #3: <why>`.
 */
export function bindStreamMessage(call: Call, index: number, body: Uint8Array, marshaler: Marshaler): Message {
  try {
    return call.compiled.binding.bind({ pathParams: call.pathParams, rawQuery: call.rawQuery, body, marshaler });
  } catch (err) {
    const cause = GatewayError.from(err, Code.INVALID_ARGUMENT);
    throw invalidStreamMessage(index, cause.rawMessage, cause);
  }
}

/** The INVALID_ARGUMENT that ends a call over request message #`index` (from 1), saying why. */
export function invalidStreamMessage(index: number, why: string, cause?: unknown): GatewayError {
  return new GatewayError(Code.INVALID_ARGUMENT, `invalid request message #${index}: ${why}`, cause === undefined ? {} : { cause });
}
