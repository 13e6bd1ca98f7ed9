import type { Marshaler } from "./marshaler.js";
import { createProtobufMarshaler } from "./protobuf-marshaler.js";

const binary = createProtobufMarshaler();

/**
 * Reads a binary WebSocket frame as protobuf binary, as the protobuf marshaler reads a body:
 * the whole request message, or the message in the rule's body field (a body field of
 * another kind has no binary form of its own, so such a frame is refused). Read-only:
 * replies always go out as JSON text.
 */
export const protobufFrameReader: Marshaler = {
  contentType: binary.contentType,
  unmarshal: binary.unmarshal,
  marshal(): never {
    throw new Error("protobuf frames are only read; replies are JSON text frames");
  },
};
