import type { IncomingMessage, ServerResponse } from "node:http";
import type { Message } from "@bufbuild/protobuf";
import type { UnaryResult } from "./backend.js";
import type { CompiledRoute } from "./compile-route.js";
import { httpBodyContent } from "./http-body.js";
import type { Marshaler } from "./marshaler.js";
import { trailerHeadersFromMetadata, trailersWanted, writeResponseHeaders } from "./metadata.js";
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
  if (settings.responseHook !== undefined) {
    await settings.responseHook({ req, res, route, message: result.message, headers: result.headers });
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
