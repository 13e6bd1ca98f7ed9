import { fromBinary, mergeFromBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { reflect } from "@bufbuild/protobuf/reflect";
import { Code } from "../gen/google/rpc/code_pb.js";
import { GatewayError } from "../gateway-error.js";
import type { Marshaler } from "./marshaler.js";

/**
 * Reads a binary WebSocket frame as protobuf binary: the whole request message, or the
 * message in the rule's body field (a body field of another kind has no binary form of
 * its own, so such a frame is refused). Read-only: replies always go out as JSON text.
 */
export const protobufFrameReader: Marshaler = {
  contentType: "application/x-protobuf",
  unmarshal(body, schema, target, field) {
    try {
      if (field === undefined) {
        mergeFromBinary(schema, target as MessageShape<DescMessage>, body);
      } else if (field.fieldKind === "message") {
        reflect(schema, target).set(field, reflect(field.message, fromBinary(field.message, body)));
      } else {
        throw new GatewayError(Code.INVALID_ARGUMENT, `a binary frame cannot carry the body field "${field.name}" (a ${field.fieldKind}); send JSON text`);
      }
    } catch (err) {
      if (err instanceof GatewayError) throw err;
      throw new GatewayError(Code.INVALID_ARGUMENT, `malformed protobuf binary: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  },
  marshal(): never {
    throw new Error("protobuf frames are only read; replies are JSON text frames");
  },
};
