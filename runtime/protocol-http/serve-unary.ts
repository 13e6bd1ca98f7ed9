import type { IncomingMessage, ServerResponse } from "node:http";
import { bindRequest, callOptionsFor } from "../protocol/call-setup.js";
import { inboundMarshaler, outboundMarshaler } from "../marshal/negotiation.js";
import { ClientDisconnect } from "./client-disconnect.js";
import type { CompiledRoute } from "../compile-route.js";
import { GatewayError } from "../gateway-error.js";
import { sendError } from "./error-response.js";
import type { GatewaySettings } from "../settings.js";
import { writeReply } from "./write-reply.js";

/**
 * Serves one matched request of a unary method: bind, call, reply, or map the failure.
 * Awaits only what is pending (the body, the backend, a response hook): every extra await
 * is a microtask round on each request.
 */
export async function serveUnary(
  compiled: CompiledRoute,
  pathParams: Record<string, string>,
  rawQuery: string,
  req: IncomingMessage,
  res: ServerResponse,
  settings: GatewaySettings,
): Promise<void> {
  const disconnect = new ClientDisconnect(res);
  try {
    const inbound = inboundMarshaler(compiled, req.headers["content-type"], settings.marshalers);
    const outbound = outboundMarshaler(compiled, req.headers.accept, inbound, settings.marshalers);
    const options = callOptionsFor(req, settings, disconnect);
    const bound = bindRequest(compiled, pathParams, rawQuery, req, inbound, options.deadline, settings);
    const request = bound instanceof Promise ? await bound : bound;
    const result = await compiled.backend.unary(compiled.route.method, request, options);
    if (disconnect.gone) return;
    const writing = writeReply(compiled, result, outbound, req, res, settings);
    if (writing !== undefined) await writing;
  } catch (err) {
    if (disconnect.gone && res.destroyed) return; // nobody is listening any more
    await sendError(GatewayError.from(err), settings.errorHandler, { req, res, route: compiled.route }, settings);
  } finally {
    disconnect.dispose();
  }
}
