import type { IncomingMessage, ServerResponse } from "node:http";
import { Code } from "../gen/google/rpc/code_pb.js";
import type { UnaryResult } from "../backend/backend.js";
import type { CompiledRoute } from "../compile-route.js";
import { GatewayError } from "../gateway-error.js";
import type { Marshaler } from "../marshal/marshaler.js";
import { writeResponseHeaders, writeResponseTrailers } from "./response-metadata.js";
import type { ResponseContext } from "../options.js";
import type { GatewaySettings } from "../settings.js";

/**
 * Writes a successful unary reply: metadata headers, the hook's changes, the body,
 * trailers. Returns a promise only when a response hook runs.
 */
export function writeReply(
  compiled: CompiledRoute,
  result: UnaryResult,
  outbound: Marshaler,
  req: IncomingMessage,
  res: ServerResponse,
  settings: GatewaySettings,
): Promise<void> | undefined {
  writeResponseHeaders(res, result.headers, settings.outgoingHeaderMatcher);
  if (settings.responseHook === undefined) {
    writeBody(compiled, result, outbound, req, res, settings);
    return undefined;
  }
  const { route } = compiled;
  return runResponseHook({ req, res, route, message: result.message, headers: result.headers }, settings).then(() => {
    // The hook may have answered by itself.
    if (!res.headersSent) writeBody(compiled, result, outbound, req, res, settings);
  });
}

function writeBody(compiled: CompiledRoute, result: UnaryResult, outbound: Marshaler, req: IncomingMessage, res: ServerResponse, settings: GatewaySettings): void {
  const { reply } = compiled;
  if (res.statusCode === 204 || res.statusCode === 304) {
    // These statuses carry no content, so no Content-Type or Content-Length either (RFC 9110).
    res.end();
    return;
  }
  let payload: Uint8Array | string;
  if (reply.raw) {
    const { contentType, data } = reply.httpBody(result.message);
    if (contentType !== "") res.setHeader("Content-Type", contentType);
    payload = data;
  } else {
    payload = reply.marshal(outbound, result.message);
    res.setHeader("Content-Type", outbound.contentType);
  }
  res.setHeader("Content-Length", typeof payload === "string" ? Buffer.byteLength(payload) : payload.byteLength);
  writeResponseTrailers(req, res, result.trailers, settings.outgoingTrailerMatcher);
  res.end(payload);
}

/**
 * Lets the user's response hook adjust a successful reply. If it throws, the reply becomes
 * a 500 INTERNAL without the hook's message (which may hold anything) and without the
 * headers already set for the reply that will not be sent.
 */
export async function runResponseHook(context: ResponseContext, settings: GatewaySettings): Promise<void> {
  if (settings.responseHook === undefined) return;
  try {
    await settings.responseHook(context);
  } catch (failure) {
    if (!context.res.headersSent) for (const name of context.res.getHeaderNames()) context.res.removeHeader(name);
    throw new GatewayError(Code.INTERNAL, "response hook failed", { cause: failure });
  }
}
