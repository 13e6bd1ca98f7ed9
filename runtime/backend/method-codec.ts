import { fromBinary, toBinary, type DescMethod, type Message } from "@bufbuild/protobuf";

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
