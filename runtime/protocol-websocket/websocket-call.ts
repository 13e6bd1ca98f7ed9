import type { IncomingMessage } from "node:http";
import type { CompiledRoute } from "../compile-route.js";
import { inboundMarshaler } from "../marshal/negotiation.js";
import { Call, type ClientGone } from "../protocol/call.js";
import type { GatewaySettings } from "../settings.js";

/**
 * One call over WebSocket: the protocol-neutral {@link Call} as the handshake settled it.
 * Request messages are read as JSON text (or protobuf binary) frames, replies written as
 * JSON text; the client is gone when the socket closes before the call settled.
 */
export class WebSocketCall extends Call {
  declare readonly clientGone: SocketClosed;

  /** Opens the call for a handshake on a streaming route; throws a GatewayError as {@link Call} does. */
  constructor(compiled: CompiledRoute, pathParams: Readonly<Record<string, string>>, rawQuery: string, req: IncomingMessage, settings: GatewaySettings) {
    // A handshake carries no body, so its Content-Type says nothing about the frames.
    const inbound = inboundMarshaler(compiled, undefined, settings.marshalers);
    super(compiled, pathParams, rawQuery, req, settings, inbound, settings.defaultMarshaler, new SocketClosed());
  }
}

/** The client's going away over WebSocket, as an AbortSignal that the socket's closing aborts. */
class SocketClosed implements ClientGone {
  readonly #controller = new AbortController();

  get gone(): boolean {
    return this.#controller.signal.aborted;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  readonly onGone = (listener: () => void): (() => void) => {
    const { signal } = this.#controller;
    if (signal.aborted) {
      listener();
      return noop;
    }
    signal.addEventListener("abort", listener, { once: true });
    return () => signal.removeEventListener("abort", listener);
  };

  /** Marks the client gone, which cancels the backend call. */
  leave(): void {
    this.#controller.abort();
  }

  dispose(): void {}
}

const noop = (): void => {};
