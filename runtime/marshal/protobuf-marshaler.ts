import { create, fromBinary, mergeFromBinary, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { reflect } from "@bufbuild/protobuf/reflect";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { Code } from "../gen/google/rpc/code_pb.js";
import { StatusSchema } from "../gen/google/rpc/status_pb.js";
import { GatewayError } from "../gateway-error.js";
import type { Marshaler } from "./marshaler.js";

/** Options of {@link createProtobufMarshaler}. */
export interface ProtobufMarshalerOptions {
  /**
   * The Content-Type written on replies. Default `application/x-protobuf`; grpc-gateway's
   * ProtoMarshaller writes `application/octet-stream` whatever type it is registered under.
   */
  readonly contentType?: string;
}

/**
 * Creates a protobuf binary marshaler, grpc-gateway's ProtoMarshaller: request bodies and
 * replies are the message's binary encoding (the whole message, or the message field a
 * rule's `body` / `response_body` names; other field kinds have no binary form of their own
 * and are refused, as ProtoMarshaller refuses a non-message value). Not registered by
 * default; register it under the media types it should answer:
 *
 * ```ts
 * createGateway({ marshalers: { "application/x-protobuf": createProtobufMarshaler() } });
 * ```
 *
 * Errors answered to a request whose reply marshaler is this one are a binary
 * `google.rpc.Status`; server streams are length-delimited frames (see {@link frameStreamMessage}).
 */
export function createProtobufMarshaler(options: ProtobufMarshalerOptions = {}): Marshaler {
  return {
    contentType: options.contentType ?? "application/x-protobuf",
    binary: true,
    unmarshal(body, schema, target, field) {
      try {
        if (field === undefined) {
          mergeFromBinary(schema, target as MessageShape<DescMessage>, body);
        } else if (field.fieldKind === "message") {
          reflect(schema, target).set(field, reflect(field.message, fromBinary(field.message, body)));
        } else {
          throw new GatewayError(Code.INVALID_ARGUMENT, `a protobuf binary body cannot carry the body field "${field.name}" (a ${field.fieldKind}); send JSON`);
        }
      } catch (err) {
        if (err instanceof GatewayError) throw err;
        throw new GatewayError(Code.INVALID_ARGUMENT, `malformed protobuf binary: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
    },
    marshal(schema, message, field) {
      if (field === undefined) return toBinary(schema, message);
      if (field.fieldKind === "message") {
        const child = reflect(schema, message, false).get(field);
        return toBinary(field.message, child.message);
      }
      throw new GatewayError(Code.INTERNAL, `the response_body field "${field.name}" (a ${field.fieldKind}) has no protobuf binary form`);
    },
  };
}

/** The error of a failed call as a binary `google.rpc.Status`, what grpc-gateway's error handler marshals. */
export function statusBinary(err: GatewayError): Uint8Array {
  return toBinary(StatusSchema, create(StatusSchema, { code: err.code, message: err.rawMessage, details: err.details }));
}

/**
 * One frame of a protobuf binary stream: the varint length of an envelope, then the
 * envelope, a message `{ bytes result = 1; google.rpc.Status error = 2; }`, the binary
 * counterpart of grpc-gateway's `{"result": ...}` / `{"error": ...}` stream objects. Each
 * frame is what protobuf's writeDelimited writes (protobuf-es's sizeDelimitedDecodeStream
 * reads it back); a client splits frames by the length and tells a reply (field 1) from
 * the final status (field 2) by the envelope's first byte, 0x0a or 0x12.
 */
export function frameStreamMessage(payload: Uint8Array): Uint8Array {
  return frame(1, payload);
}

/** The last frame of a failed protobuf binary stream: the envelope's field 2, a `google.rpc.Status`. */
export function frameStreamError(status: Uint8Array): Uint8Array {
  return frame(2, status);
}

function frame(fieldNo: number, payload: Uint8Array): Uint8Array {
  const envelope = new BinaryWriter().tag(fieldNo, WireType.LengthDelimited).bytes(payload).finish();
  return new BinaryWriter().bytes(envelope).finish();
}
