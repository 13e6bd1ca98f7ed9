import type { DescMethod, Message } from "@bufbuild/protobuf";
import { Metadata } from "@grpc/grpc-js";
import { withHeaderMetadata } from "../../gateway-error.js";
import { Code } from "../../gen/google/rpc/code_pb.js";
import type { CallOptions, UnaryResult } from "../backend.js";
import { codecFor } from "../method-codec.js";
import { ClientCall } from "./call.js";
import { encodeFrame } from "./framing.js";
import type { Http2Settings } from "./options.js";
import type { Pool } from "./pool.js";
import { transportError } from "./status.js";

/** A unary call: one framed request, exactly one reply, its header and trailer metadata. */
export function unaryCall(pool: Pool, settings: Http2Settings, method: DescMethod, request: Message, options: CallOptions): Promise<UnaryResult> {
  const codec = codecFor(method);
  return new Promise((resolve, reject) => {
    let reply: Buffer | undefined;
    const call = new ClientCall(pool, codec.path, options, settings, {
      onHeaders: noop,
      onMessage(payload) {
        if (reply !== undefined) return call.abort(Code.UNIMPLEMENTED, "backend sent more than one reply");
        reply = payload;
      },
      onEnd(error, trailers, headers) {
        if (error !== undefined) return reject(withHeaderMetadata(error, headers));
        if (reply === undefined) return reject(withHeaderMetadata(transportError(Code.UNIMPLEMENTED, "backend sent no reply"), headers));
        let message: Message;
        try {
          message = codec.deserialize(reply);
        } catch (err) {
          return reject(withHeaderMetadata(transportError(Code.INTERNAL, "backend sent a malformed reply", err), headers));
        }
        resolve({ message, headers: headers ?? new Metadata(), trailers });
      },
    });
    let frame: Buffer;
    try {
      frame = encodeFrame(codec.serialize(request));
    } catch (err) {
      return reject(transportError(Code.INTERNAL, "request could not be encoded", err));
    }
    call.start();
    call.write(frame, noop);
    call.end();
  });
}

const noop = (): void => {};
