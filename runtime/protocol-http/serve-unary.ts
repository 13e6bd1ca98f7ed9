import { GatewayError } from "../gateway-error.js";
import { sendError } from "./error-response.js";
import type { HttpCall } from "./http-call.js";
import { bindRequest } from "./request-body.js";
import { writeReply } from "./write-reply.js";

/**
 * Serves one call of a unary method: bind, call, reply, or map the failure. Awaits only
 * what is pending (the body, the backend, a response hook): every extra await is a
 * microtask round on each request.
 */
export async function serveUnary(call: HttpCall): Promise<void> {
  try {
    const bound = bindRequest(call);
    const request = bound instanceof Promise ? await bound : bound;
    const result = await call.compiled.backend.unary(call.route.method, request, call.options);
    if (call.clientGone.gone) return;
    const writing = writeReply(call, result);
    if (writing !== undefined) await writing;
  } catch (err) {
    if (call.clientGone.gone && call.res.destroyed) return; // nobody is listening any more
    await sendError(call, GatewayError.from(err), call.settings.errorHandler);
  } finally {
    call.clientGone.dispose();
  }
}
