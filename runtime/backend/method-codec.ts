import type { DescMethod, Message } from "@bufbuild/protobuf";
import { GatewayError } from "../gateway-error.js";
import { Code } from "../gen/google/rpc/code_pb.js";
import { decodeBinary } from "../marshal/binary/decoder.js";
import { encodeBinary } from "../marshal/binary/encoder.js";
import { withFramePrefix } from "./http2/framing.js";

/** How one method's messages go on the wire: its path, and its request and reply codecs. */
export interface WireCodec {
  readonly path: string;
  readonly serialize: (message: Message) => Buffer;
  /** The request as one uncompressed gRPC frame: the 5-byte prefix and the message, encoded into one buffer. */
  readonly frame: (message: Message) => Buffer;
  readonly deserialize: (bytes: Buffer) => Message;
}

// Built once per method: the path string and the closures are the same for every call.
const codecs = new WeakMap<DescMethod, WireCodec>();

/** The codec of `method`, built once and shared by every backend that speaks gRPC. */
export function codecFor(method: DescMethod): WireCodec {
  let codec = codecs.get(method);
  if (codec === undefined) {
    codec = {
      path: `/${method.parent.typeName}/${method.name}`,
      serialize: (message) => encodeBinary(method.input, message),
      frame: (message) => withFramePrefix(encodeBinary(method.input, message, 5)),
      deserialize: (bytes) => decodeBinary(method.output, bytes),
    };
    codecs.set(method, codec);
  }
  return codec;
}

/**
 * A unary request encoded for the backend (`framed`: as one gRPC frame), refused with 413
 * when the message is over the gateway's request message limit: a JSON body within the
 * body limit can encode larger.
 */
export function encodeRequest(codec: WireCodec, request: Message, maxRequestBytes: number | undefined, framed = false): Buffer {
  let bytes: Buffer;
  try {
    bytes = framed ? codec.frame(request) : codec.serialize(request);
  } catch (err) {
    throw GatewayError.from(err, Code.INTERNAL);
  }
  checkRequestSize(framed ? bytes.length - 5 : bytes.length, maxRequestBytes);
  return bytes;
}

/** Refuses with 413 a request message of `length` bytes encoded over the gateway's limit. */
export function checkRequestSize(length: number, maxRequestBytes: number | undefined): void {
  if (maxRequestBytes !== undefined && length > maxRequestBytes) {
    throw new GatewayError(Code.RESOURCE_EXHAUSTED, `request message is ${length} bytes encoded, over the limit of ${maxRequestBytes} bytes`, {
      httpStatus: 413,
    });
  }
}
