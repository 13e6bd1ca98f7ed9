import type { IncomingMessage, ServerResponse } from "node:http";
import { status as Code } from "@grpc/grpc-js";
import type { CompiledRoute } from "./compile-route.js";
import { GatewayError } from "./errors.js";
import { httpBodyUnmarshaler } from "./http-body.js";
import type { Marshaler } from "./marshaler.js";
import { deadlineFromRequest, metadataFromRequest } from "./metadata.js";
import { readRequestBody } from "./request-body.js";
import { writeReply } from "./write-reply.js";
import { sendError } from "./send-error.js";
import type { GatewaySettings } from "./settings.js";

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
  const abort = new AbortController();
  // A client that goes away before its reply is written cancels the backend call.
  const onClose = () => {
    if (!res.writableFinished) abort.abort();
  };
  res.once("close", onClose);
  try {
    const contentType = req.headers["content-type"];
    const inbound = inboundMarshaler(compiled, contentType, settings);
    const body = compiled.readsBody ? await readRequestBody(req, settings.maxRequestBytes) : emptyBody;
    const outbound = settings.marshalers.forResponse(req.headers.accept, compiled.rawRequestBody ? settings.defaultMarshaler : inbound);
    const request = compiled.binding.bind({ pathParams, rawQuery, body, marshaler: inbound });
    const metadata = metadataFromRequest(req, {
      incomingHeaderMatcher: settings.incomingHeaderMatcher,
      annotator: settings.metadataAnnotator,
    });
    const deadline = deadlineFromRequest(req, settings.defaultTimeoutMs);
    const result = await compiled.backend.unary(compiled.route.method, request, { metadata, deadline, signal: abort.signal });
    if (abort.signal.aborted) return;
    await writeReply(compiled, result, outbound, req, res, settings);
  } catch (err) {
    if (abort.signal.aborted && res.destroyed) return; // nobody is listening any more
    await sendError(GatewayError.from(err), settings.errorHandler, { req, res, route: compiled.route }, settings);
  } finally {
    res.off("close", onClose);
  }
}

function inboundMarshaler(compiled: CompiledRoute, contentType: string | undefined, settings: GatewaySettings): Marshaler {
  if (compiled.rawRequestBody) return httpBodyUnmarshaler(contentType ?? "application/octet-stream");
  // A route without a body never looks at the body, so its Content-Type does not matter.
  if (!compiled.readsBody) return settings.defaultMarshaler;
  const marshaler = settings.marshalers.forRequest(contentType);
  if (marshaler === undefined) {
    throw new GatewayError(Code.INVALID_ARGUMENT, `unsupported Content-Type "${contentType}"`, { httpStatus: 415 });
  }
  return marshaler;
}
