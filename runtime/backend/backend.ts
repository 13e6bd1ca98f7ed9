import type { DescMethod, Message } from "@bufbuild/protobuf";
import type * as grpc from "@grpc/grpc-js";
import type { GatewayError } from "../gateway-error.js";

/** What the gateway hands a backend for one call. */
export interface CallOptions {
  /** Request metadata, built from the HTTP headers. */
  readonly metadata: grpc.Metadata;
  /** When the call must have finished, if anyone set a limit. */
  readonly deadline: Date | undefined;
  /** Aborted when the HTTP client goes away; the backend call is cancelled with it. */
  readonly signal: AbortSignal;
  /**
   * The same event without an AbortSignal: calls `cancel` once when the HTTP client goes
   * away (at once if it has), until the returned function is called. Set by the gateway;
   * see `cancelWhenClientGoes`.
   */
  readonly onClientGone?: ((cancel: () => void) => () => void) | undefined;
  /**
   * For calls without a deadline: how long the gateway waits for the backend to respond
   * (then DEADLINE_EXCEEDED, 504, and the call cancelled). A unary call must have its reply
   * within it; a stream its response headers or first message, counted from the end of the
   * request messages, so a bidi server waiting for the client is never cut off while the
   * client may still speak. Enforced by the backend's transport; never sent to the backend.
   */
  readonly replyTimeoutMs?: number | undefined;
  /** How long a call may wait for a connection to the backend before it fails UNAVAILABLE (503); none if undefined. */
  readonly connectTimeoutMs?: number | undefined;
  /** Largest request message, as encoded for the backend, in bytes (413 beyond); none if undefined. */
  readonly maxRequestBytes?: number | undefined;
  /**
   * Told about a failure the transport itself raised (no connection, its own deadline, a
   * size limit), with the transport's own message: the client gets a generic one instead.
   */
  readonly onTransportError?: ((error: GatewayError, detail: string) => void) | undefined;
  /**
   * Set by the gateway where it can write a unary reply from its bytes (nothing of the route's
   * or the operator's reads the message): the lean transport then resolves with a result
   * that keeps the bytes and decodes `message` only when it is first read, so a malformed
   * reply fails there, with the error the call would have failed with. Any backend may ignore it.
   */
  readonly replyAsBytes?: boolean | undefined;
}

/**
 * A unary reply with the metadata that came with it. The gateway owns a result it is given:
 * once the reply is written it sets `message` to undefined (unless the result is frozen), so
 * that nothing still holding the result holds the message tree.
 */
export interface UnaryResult {
  readonly message: Message;
  readonly headers: grpc.Metadata;
  readonly trailers: grpc.Metadata;
}

/**
 * A streaming call in flight, whatever its kind: a server-streaming call gets one
 * `send` then `close`; a client-streaming call yields one reply.
 */
export interface BackendStream {
  /** Sends one request message; resolves when the transport can take the next one. */
  send(message: Message): Promise<void>;
  /** Says no more request messages will come. */
  close(): void;
  /** Ends the call at once, reporting `reason` to the backend as a cancellation. */
  cancel(): void;
  /** Reply messages as they arrive; the iteration throws a GatewayError when the call fails. */
  readonly replies: AsyncIterable<Message>;
  /** Header metadata, once the backend sent it (empty if the call ended without). */
  readonly headers: Promise<grpc.Metadata>;
  /** Trailer metadata, once the call ended. */
  readonly trailers: Promise<grpc.Metadata>;
}

/** The bytes an encoded request leaves free at its start for a gRPC frame's prefix (flag, length). */
export const FRAME_PREFIX_BYTES = 5;

/** Where the gateway sends calls: a grpc-js channel, or an implementation in this process. */
export interface Backend {
  /** Calls a unary method; rejects with a GatewayError carrying the backend's status. */
  unary(method: DescMethod, request: Message, options: CallOptions): Promise<UnaryResult>;
  /**
   * Optional: a unary call whose request is already encoded, after FRAME_PREFIX_BYTES the
   * backend may write a gRPC frame's prefix into. The gateway sends a request bound straight
   * from its body this way (BindingPlan.frame), and calls `unary` with the message otherwise.
   */
  unaryEncoded?(method: DescMethod, encoded: Buffer, options: CallOptions): Promise<UnaryResult>;
  /** Opens a streaming call (server, client or bidirectional). */
  stream(method: DescMethod, options: CallOptions): BackendStream;
}
