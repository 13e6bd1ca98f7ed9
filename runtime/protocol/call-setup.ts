import type { IncomingMessage } from "node:http";
import type { Message } from "@bufbuild/protobuf";
import type { CallOptions } from "../backend/backend.js";
import { ClientDisconnect } from "../protocol-http/client-disconnect.js";
import type { CompiledRoute } from "../compile-route.js";
import type { Marshaler } from "../marshal/marshaler.js";
import { callDeadline } from "./deadline.js";
import { metadataFromRequest } from "./request-metadata.js";
import { readBodyWithin } from "../protocol-http/request-body.js";
import type { GatewaySettings } from "../settings.js";

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
  const deadline = callDeadline(req, settings.defaultTimeoutMs);
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
