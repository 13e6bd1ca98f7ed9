import type { DescMethod, Message } from "@bufbuild/protobuf";
import type { Metadata } from "@grpc/grpc-js";
import { GatewayError } from "../gateway-error.js";
import { Code } from "../gen/google/rpc/code_pb.js";
import { decodeBinary } from "../marshal/binary/decoder.js";
import { encodeBinary } from "../marshal/binary/encoder.js";
import type { UnaryResult } from "./backend.js";
import { withFramePrefix } from "./http2/framing.js";
import { malformedReply } from "./http2/status.js";

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

/**
 * A unary reply kept as its bytes (`CallOptions.replyAsBytes`): its message is decoded when
 * first read, and a malformed reply fails there, as the call would have failed. Once the
 * message has been read the bytes are let go: whoever read it may change it, and then only
 * the message is the reply. `message` is an own enumerable accessor, so that a backend
 * wrapping another may spread the result (`{ ...result, headers }`) and get the message; the
 * accessor is one for every reply, added with defineProperty (see BackendCallOptions in
 * protocol/call.ts for why). Setting `message` (the gateway's release of a written reply)
 * lets go of both.
 */
export class EncodedReply implements UnaryResult {
  declare message: Message;
  readonly headers: Metadata;
  readonly trailers: Metadata;
  readonly #codec: WireCodec;
  #encoded: Buffer | undefined;
  #message: Message | undefined;

  static readonly #messageProperty: PropertyDescriptor = {
    get(this: EncodedReply): Message | undefined {
      const encoded = this.#encoded;
      if (encoded !== undefined) {
        this.#encoded = undefined;
        try {
          this.#message = this.#codec.deserialize(encoded);
        } catch (err) {
          // Read again, it fails again.
          this.#encoded = encoded;
          throw malformedReply(err, this.headers);
        }
      }
      return this.#message;
    },
    set(this: EncodedReply, message: Message | undefined): void {
      this.#message = message;
      this.#encoded = undefined;
    },
    enumerable: true,
    configurable: true,
  };

  constructor(codec: WireCodec, encoded: Buffer, headers: Metadata, trailers: Metadata) {
    this.headers = headers;
    this.trailers = trailers;
    this.#codec = codec;
    this.#encoded = encoded;
    Object.defineProperty(this, "message", EncodedReply.#messageProperty);
  }

  /** The reply's bytes, while they are all of it: `result`'s own, from the transport, its message never read. */
  static bytesOf(result: UnaryResult): Buffer | undefined {
    return result instanceof EncodedReply ? result.#encoded : undefined;
  }
}
