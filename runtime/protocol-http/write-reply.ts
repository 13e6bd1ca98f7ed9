import type { Message } from "@bufbuild/protobuf";
import type { Metadata } from "@grpc/grpc-js";
import { Code } from "../gen/google/rpc/code_pb.js";
import type { UnaryResult } from "../backend/backend.js";
import { EncodedReply } from "../backend/method-codec.js";
import { GatewayError } from "../gateway-error.js";
import { transcodersOf } from "../marshal/transcode/marshaler-transcoders.js";
import { rewrittenPayload } from "../protocol/response-rewriter.js";
import type { HttpCall } from "./http-call.js";
import { trailersWanted, writeResponseHeaders, writeResponseTrailers } from "./response-metadata.js";

/**
 * Writes a successful unary reply: metadata headers, the hook's changes, the body,
 * trailers. Returns a promise only when a response hook runs.
 */
export function writeReply(call: HttpCall, result: UnaryResult): Promise<void> | undefined {
  const { res, settings } = call;
  // Written from the reply's bytes where the call asked for them; where that cannot be done,
  // the message is decoded now, so that a malformed reply fails before anything is set.
  let written: Buffer | string | undefined;
  const encoded = call.options.replyAsBytes === true ? EncodedReply.bytesOf(result) : undefined;
  if (encoded !== undefined) {
    written = transcodersOf(call.outbound)?.reply.transcode(call.route.method.output, encoded);
    if (written === undefined) void result.message;
  }
  writeResponseHeaders(res, result.headers, settings.outgoingHeaderMatcher);
  // The route's declared status and headers come first, so a response hook sees and may change them.
  const success = call.compiled.success;
  if (success !== undefined) {
    res.statusCode = success.status;
    if (success.hasHeaders) for (const [name, value] of success.headers(result.message)) res.setHeader(name, value);
  }
  if (settings.responseHook === undefined) {
    writeBody(call, result, written);
    return undefined;
  }
  return runResponseHook(call, result.message, result.headers).then(() => {
    // The hook may have answered by itself.
    if (!res.headersSent) writeBody(call, result);
  });
}

/** `written`: the body's text, written from the reply's bytes already. */
function writeBody(call: HttpCall, result: UnaryResult, written?: Buffer | string): void {
  const { req, res, route, outbound, settings } = call;
  const { reply } = call.compiled;
  if (res.statusCode === 204 || res.statusCode === 205 || res.statusCode === 304) {
    // These statuses carry no content, so no Content-Type or Content-Length either (RFC 9110).
    res.end();
    return;
  }
  let payload: Uint8Array | string;
  let contentType: string;
  if (reply.raw) {
    const body = reply.httpBody(result.message);
    contentType = body.contentType;
    payload = body.data;
  } else if (written !== undefined) {
    payload = written;
    contentType = outbound.contentType;
  } else {
    const rewriter = settings.responseRewriter;
    payload =
      rewriter === undefined
        ? reply.marshal(outbound, result.message)
        : rewrittenPayload(rewriter, result.message, { req, route, kind: "reply" }, (m) => reply.marshal(outbound, m));
    contentType = outbound.contentType;
  }
  const length = typeof payload === "string" ? Buffer.byteLength(payload) : payload.byteLength;
  // Through the front door, with nothing set on the response yet and no trailers to declare
  // (nearly always), the headers go out in one writeHead with a list, node's cheapest way.
  // Not after middleware: one that wraps writeHead may not take a list (on-headers before
  // 1.1), and one that reads headers at 'finish' (a logger) would find none. Not for an
  // HttpBody's own content type either, which node may refuse after writeHead has begun.
  if (call.frontDoor && !reply.raw && res.getHeaderNames().length === 0 && !trailersWanted(req)) {
    res.writeHead(res.statusCode, ["Content-Type", contentType, "Content-Length", String(length)]);
    res.end(payload);
    return;
  }
  if (contentType !== "") res.setHeader("Content-Type", contentType);
  res.setHeader("Content-Length", length);
  writeResponseTrailers(req, res, result.trailers, settings.outgoingTrailerMatcher);
  res.end(payload);
}

/**
 * Lets the user's response hook adjust a successful reply (`message`, sent with the
 * `headers` metadata). If it throws, the reply becomes a 500 INTERNAL without the hook's
 * message (which may hold anything) and without the headers already set for the reply
 * that will not be sent.
 */
export async function runResponseHook(call: HttpCall, message: Message, headers: Metadata): Promise<void> {
  const hook = call.settings.responseHook;
  if (hook === undefined) return;
  const { req, res, route } = call;
  try {
    await hook({ req, res, route, message, headers });
  } catch (failure) {
    if (!res.headersSent) for (const name of res.getHeaderNames()) res.removeHeader(name);
    throw new GatewayError(Code.INTERNAL, "response hook failed", { cause: failure });
  }
}
