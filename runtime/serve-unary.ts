import type { IncomingMessage, ServerResponse } from "node:http";
import { callOptionsFor, inboundMarshaler, readBodyWithin, watchDisconnect } from "./call-setup.js";
import type { CompiledRoute } from "./compile-route.js";
import { GatewayError } from "./errors.js";
import { sendError } from "./send-error.js";
import type { GatewaySettings } from "./settings.js";
import { writeReply } from "./write-reply.js";

const emptyBody = new Uint8Array(0);

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
    const options = callOptionsFor(req, settings, disconnect.signal);
    const body = compiled.readsBody ? await readBodyWithin(req, settings.maxRequestBytes, options.deadline) : emptyBody;
    const outbound = settings.marshalers.forResponse(req.headers.accept, compiled.rawRequestBody ? settings.defaultMarshaler : inbound);
    const request = compiled.binding.bind({ pathParams, rawQuery, body, marshaler: inbound });
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
