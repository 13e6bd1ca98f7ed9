import { fromBinary, toBinary, type DescMethod, type Message } from "@bufbuild/protobuf";
import { GatewayError } from "../gateway-error.js";
import { Code } from "../gen/google/rpc/code_pb.js";

/** How one method's messages go on the wire: its path, and its request and reply codecs. */
export interface WireCodec {
  readonly path: string;
  readonly serialize: (message: Message) => Buffer;
  readonly deserialize: (bytes: Buffer) => Message;
}

// Built once per method: the path string and the two closures are the same for every call.
const codecs = new WeakMap<DescMethod, WireCodec>();

/** The codec of `method`, built once and shared by every backend that speaks gRPC. */
export function codecFor(method: DescMethod): WireCodec {
  let codec = codecs.get(method);
  if (codec === undefined) {
    codec = {
      path: `/${method.parent.typeName}/${method.name}`,
      serialize: (message) => {
        const bytes = toBinary(method.input, message);
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      },
      deserialize: (bytes) => fromBinary(method.output, bytes),
    };
    codecs.set(method, codec);
  }
  return codec;
}

/**
 * A unary request encoded for the backend, refused with 413 when the encoding is over the
 * gateway's request message limit: a JSON body within the body limit can encode larger.
 */
export function encodeRequest(codec: WireCodec, request: Message, maxRequestBytes: number | undefined): Buffer {
  let bytes: Buffer;
  try {
    bytes = codec.serialize(request);
  } catch (err) {
    throw GatewayError.from(err, Code.INTERNAL);
  }
  if (maxRequestBytes !== undefined && bytes.length > maxRequestBytes) {
    throw new GatewayError(Code.RESOURCE_EXHAUSTED, `request message is ${bytes.length} bytes encoded, over the limit of ${maxRequestBytes} bytes`, {
      httpStatus: 413,
    });
  }
  return bytes;
}
