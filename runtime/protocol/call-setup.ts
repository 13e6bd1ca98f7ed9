import type { IncomingMessage } from "node:http";
import type { Message } from "@bufbuild/protobuf";
import { Code } from "../gen/google/rpc/code_pb.js";
import type { CallOptions } from "../backend/backend.js";
import { ClientDisconnect } from "../protocol-http/client-disconnect.js";
import type { CompiledRoute } from "../compile-route.js";
import { GatewayError } from "../gateway-error.js";
import { httpBodyUnmarshaler } from "../binding/http-body.js";
import type { Marshaler } from "../marshal/marshaler.js";
import { mediaType } from "../marshal/negotiation.js";
import { deadlineFromRequest } from "./deadline.js";
import { metadataFromRequest } from "./request-metadata.js";
import { readRequestBody } from "../protocol-http/request-body.js";
import type { GatewaySettings } from "../settings.js";

/** The marshaler for the request body; 415 when its Content-Type is not registered. */
export function inboundMarshaler(compiled: CompiledRoute, contentType: string | undefined, settings: GatewaySettings): Marshaler {
  if (compiled.rawRequestBody) return httpBodyUnmarshaler(contentType ?? "application/octet-stream");
  // A route without a body never looks at the body, so its Content-Type does not matter.
  if (!compiled.readsBody) return settings.defaultMarshaler;
  // A stream of JSON messages is newline-delimited JSON; each line is read as JSON.
  if (compiled.streamsRequest && contentType !== undefined && mediaType(contentType) === "application/x-ndjson") return settings.defaultMarshaler;
  const marshaler = settings.marshalers.forRequest(contentType);
  if (marshaler === undefined) {
    throw new GatewayError(Code.INVALID_ARGUMENT, `unsupported Content-Type "${contentType}"`, { httpStatus: 415 });
  }
  return marshaler;
}

/**
 * The longest timeout passed on: 2^31-1 ms (24.8 days). Node timers and grpc-js servers
 * overflow beyond it and fire at once, so `Grpc-Timeout: 99999999H` would time out
 * immediately instead of meaning "a long time".
 */
export const maxTimeoutMs = 0x7fffffff;

/**
 * Metadata and deadline of the backend call, from the request headers and the settings,
 * and how it learns that the client went away: from the request's ClientDisconnect (whose
 * signal is made only if a backend reads it), or from a signal of the caller's.
 */
export function callOptionsFor(req: IncomingMessage, settings: GatewaySettings, disconnect: ClientDisconnect | AbortSignal): CallOptions {
  const metadata = metadataFromRequest(req, {
    incomingHeaderMatcher: settings.incomingHeaderMatcher,
    annotator: settings.metadataAnnotator,
  });
  const requested = deadlineFromRequest(req, settings.defaultTimeoutMs);
  const latest = Date.now() + maxTimeoutMs;
  const deadline = requested !== undefined && requested.getTime() > latest ? new Date(latest) : requested;
  if (!(disconnect instanceof ClientDisconnect)) return { metadata, deadline, signal: disconnect };
  return {
    metadata,
    deadline,
    get signal() {
      return disconnect.signal;
    },
    onClientGone: disconnect.onGone,
  };
}

/**
 * Reads the request body, but no longer than the call's deadline: a client that stops
 * sending half-way would otherwise hold the request open until node's own timeout.
 */
export async function readBodyWithin(req: IncomingMessage, limit: number, deadline: Date | undefined): Promise<Uint8Array> {
  const reading = readRequestBody(req, limit);
  if (deadline === undefined) return reading;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new GatewayError(Code.DEADLINE_EXCEEDED, "deadline exceeded while reading the request body", { headers: { Connection: "close" } }));
    }, Math.max(0, deadline.getTime() - Date.now()));
  });
  try {
    return await Promise.race([reading, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** The marshaler for the reply: from `Accept`, else the request's own format. */
export function outboundMarshaler(compiled: CompiledRoute, req: IncomingMessage, inbound: Marshaler, settings: GatewaySettings): Marshaler {
  return settings.marshalers.forResponse(req.headers.accept, compiled.rawRequestBody ? settings.defaultMarshaler : inbound);
}

/**
 * Binds body, path and query into one request message, reading the body first (within
 * the deadline) when the route has one. Without a body it binds at once, with no promise.
 */
export function bindRequest(
  compiled: CompiledRoute,
  pathParams: Record<string, string>,
  rawQuery: string,
  req: IncomingMessage,
  inbound: Marshaler,
  deadline: Date | undefined,
  settings: GatewaySettings,
): Message | Promise<Message> {
  if (!compiled.readsBody) return compiled.binding.bind({ pathParams, rawQuery, body: undefined, marshaler: inbound });
  return readBodyWithin(req, settings.maxRequestBytes, deadline).then((body) => compiled.binding.bind({ pathParams, rawQuery, body, marshaler: inbound }));
}
