import { status as Code } from "@grpc/grpc-js";
import { writeError } from "./error-body.js";
import { GatewayError } from "./errors.js";
import type { ErrorContext, ErrorHandler } from "./options.js";
import type { GatewaySettings } from "./settings.js";

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
  if (handler === undefined) return writeDefault();
  try {
    await handler(error, { ...where, writeDefault });
  } catch (hookFailure) {
    // A broken hook is a server bug: answer 500 without its stack, never hang.
    if (res.headersSent) res.destroy();
    else writeError(res, new GatewayError(Code.INTERNAL, "error handler failed", { cause: hookFailure }), settings.errorBody);
  }
}
