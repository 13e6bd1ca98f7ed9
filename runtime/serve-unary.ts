import type { IncomingMessage, ServerResponse } from "node:http";
import { bindRequest, callOptionsFor, inboundMarshaler, outboundMarshaler, watchDisconnect } from "./call-setup.js";
import type { CompiledRoute } from "./compile-route.js";
import { GatewayError } from "./errors.js";
import { sendError } from "./send-error.js";
import type { GatewaySettings } from "./settings.js";
import { writeReply } from "./write-reply.js";

/** Serves one matched request of a unary method: bind, call, reply, or map the failure. */
export async function serveUnary(
  compiled: CompiledRoute,
  pathParams: Record<string, string>,
  rawQuery: string,
  req: IncomingMessage,
  res: ServerResponse,
  settings: GatewaySettings,
): Promise<void> {
  const disconnect = watchDisconnect(res);
  try {
    const inbound = inboundMarshaler(compiled, req.headers["content-type"], settings);
    const outbound = outboundMarshaler(compiled, req, inbound, settings);
    const options = callOptionsFor(req, settings, disconnect.signal);
    const request = await bindRequest(compiled, pathParams, rawQuery, req, inbound, options.deadline, settings);
    const result = await compiled.backend.unary(compiled.route.method, request, options);
    if (disconnect.signal.aborted) return;
    await writeReply(compiled, result, outbound, req, res, settings);
  } catch (err) {
    if (disconnect.signal.aborted && res.destroyed) return; // nobody is listening any more
    await sendError(GatewayError.from(err), settings.errorHandler, { req, res, route: compiled.route }, settings);
  } finally {
    disconnect.dispose();
  }
}
