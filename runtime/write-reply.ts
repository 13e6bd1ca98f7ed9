import type { IncomingMessage, ServerResponse } from "node:http";
import type { Message } from "@bufbuild/protobuf";
import { status as Code } from "@grpc/grpc-js";
import type { UnaryResult } from "./backend.js";
import type { CompiledRoute } from "./compile-route.js";
import { GatewayError } from "./errors.js";
import { httpBodyContent } from "./http-body.js";
import type { Marshaler } from "./marshaler.js";
import { trailerHeadersFromMetadata, trailersWanted, writeResponseHeaders } from "./metadata.js";
import type { ResponseContext } from "./options.js";
import type { GatewaySettings } from "./settings.js";

/** Writes a successful unary reply: metadata headers, the hook's changes, the body, trailers. */
export async function writeReply(
  compiled: CompiledRoute,
  result: UnaryResult,
  outbound: Marshaler,
  req: IncomingMessage,
  res: ServerResponse,
  settings: GatewaySettings,
): Promise<void> {
  const { route, responseField } = compiled;
  writeResponseHeaders(res, result.headers, settings.outgoingHeaderMatcher);
  await runResponseHook({ req, res, route, message: result.message, headers: result.headers }, settings);
  // The hook may have answered by itself.
  if (res.headersSent) return;
  if (res.statusCode === 204 || res.statusCode === 304) {
    // These statuses carry no content, so no Content-Type or Content-Length either (RFC 9110).
    res.end();
    return;
  }
  let payload: Uint8Array | string;
  if (compiled.rawReply) {
    const httpBody = responseField === undefined ? result.message : (result.message as unknown as Record<string, Message | undefined>)[responseField.localName];
    const { contentType, data } = httpBody === undefined ? { contentType: "", data: new Uint8Array(0) } : httpBodyContent(httpBody);
    if (contentType !== "") res.setHeader("Content-Type", contentType);
    payload = data;
  } else {
    payload = outbound.marshal(route.method.output, result.message, responseField);
    res.setHeader("Content-Type", outbound.contentType);
  }
  const trailers = trailersWanted(req) ? trailerHeadersFromMetadata(result.trailers, settings.outgoingTrailerMatcher) : {};
  const trailerNames = Object.keys(trailers);
  if (trailerNames.length > 0) {
    // Trailers need chunked encoding, so no Content-Length; they are declared up front.
    res.setHeader("Trailer", trailerNames.join(", "));
    res.addTrailers(trailers);
  } else {
    res.setHeader("Content-Length", typeof payload === "string" ? Buffer.byteLength(payload) : payload.byteLength);
  }
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
