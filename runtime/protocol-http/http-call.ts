import type { IncomingMessage, ServerResponse } from "node:http";
import type { CompiledRoute } from "../compile-route.js";
import { inboundMarshaler, outboundMarshaler } from "../marshal/negotiation.js";
import { Call } from "../protocol/call.js";
import type { GatewaySettings } from "../settings.js";
import { ClientDisconnect } from "./client-disconnect.js";

/**
 * One call over plain HTTP: the protocol-neutral {@link Call} plus the response it is
 * answered on, with the client's going away observed on that response.
 */
export class HttpCall extends Call {
  /** The response the call is answered on. */
  readonly res: ServerResponse;
  /**
   * Served through the front door (`gateway.fallback`): the gateway is the request's first
   * handler, so no middleware has wrapped the response's methods or watches its headers,
   * and a reply may take node's shortest way out.
   */
  readonly frontDoor: boolean;

  /**
   * Opens the call for a matched request. Throws a GatewayError when it cannot be served:
   * 415 for a Content-Type without a marshaler, then what {@link Call} checks.
   */
  constructor(
    compiled: CompiledRoute,
    pathParams: Readonly<Record<string, string>>,
    rawQuery: string,
    req: IncomingMessage,
    res: ServerResponse,
    settings: GatewaySettings,
    frontDoor: boolean,
  ) {
    const inbound = inboundMarshaler(compiled, req.headers["content-type"], settings.marshalers);
    const outbound = outboundMarshaler(compiled, req.headers.accept, inbound, settings.marshalers);
    super(compiled, pathParams, rawQuery, req, settings, inbound, outbound, new ClientDisconnect(res));
    this.res = res;
    this.frontDoor = frontDoor;
  }
}
