import type { ServerResponse } from "node:http";
import { Code } from "../gen/google/rpc/code_pb.js";
import { writeError } from "../protocol/error-body.js";
import { GatewayError } from "../gateway-error.js";
import type { ErrorContext, ErrorHandler } from "../options.js";
import type { GatewaySettings } from "../settings.js";

/**
 * Answers a failed request through the user's hook, or the default status body. Once
 * headers are out there is no status left to send: the response is cut off instead, so
 * the client sees a broken reply rather than a truncated one that looks whole.
 */
export async function sendError(
  error: GatewayError,
  handler: ErrorHandler | undefined,
  where: Omit<ErrorContext, "writeDefault">,
  settings: GatewaySettings,
): Promise<void> {
  const { res } = where;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const writeDefault = () => writeError(res, error, settings.errorBody);
  try {
    if (handler === undefined) return writeDefault();
    await handler(error, { ...where, writeDefault });
    // A hook that returned without answering would leave the client waiting forever.
    if (!res.headersSent) writeDefault();
    else if (!res.writableEnded) res.end();
  } catch (failure) {
    // A broken hook or matcher is a server bug: answer 500 without its details, never hang.
    answerInternal(res, handler === undefined ? "writing the error response failed" : "error handler failed", failure, settings);
  }
}

/** The last resort for a failure in the gateway's own error path: a bare 500, or a cut connection. */
export function answerInternal(res: ServerResponse, message: string, cause: unknown, settings: GatewaySettings): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  try {
    writeError(res, new GatewayError(Code.INTERNAL, message, { cause }), { ...settings.errorBody, headerMatcher: undefined });
  } catch {
    res.destroy();
  }
}
