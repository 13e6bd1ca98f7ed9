import type { DescField, DescMessage, Message } from "@bufbuild/protobuf";

/**
 * Turns request bodies into messages and messages into response bodies for one media
 * type. The gateway picks one per request from `Content-Type` (in) and `Accept` (out).
 */
export interface Marshaler {
  /** The media type written in `Content-Type`, e.g. `application/json`. */
  readonly contentType: string;
  /**
   * True when replies are bytes rather than text (protobuf binary): error replies are then
   * a binary `google.rpc.Status` and server streams length-delimited frames, not JSON lines.
   */
  readonly binary?: boolean;
  /**
   * Reads `body` into `target`, a message of `schema`: the whole message, or only its
   * field `field` when the rule's `body` names one. Throws a GatewayError
   * (INVALID_ARGUMENT) naming the offending field on malformed input.
   */
  unmarshal(body: Uint8Array, schema: DescMessage, target: Message, field?: DescField): void;
  /** Writes `message` of `schema`, or only its field `field` when `response_body` names one. */
  marshal(schema: DescMessage, message: Message, field?: DescField): Uint8Array | string;
}
