import type { DescMethod, Message } from "@bufbuild/protobuf";
import { Metadata } from "@grpc/grpc-js";
import { withHeaderMetadata } from "../../gateway-error.js";
import { Code } from "../../gen/google/rpc/code_pb.js";
import type { CallOptions, UnaryResult } from "../backend.js";
import { codecFor, encodeRequest } from "../method-codec.js";
import { fireAt } from "./long-timeout.js";
import { ClientCall } from "./call.js";
import type { Http2Settings } from "./options.js";
import type { Pool } from "./pool.js";
import { replyTimedOut, transportError } from "./status.js";

/** A unary call: one framed request, exactly one reply, its header and trailer metadata. */
export function unaryCall(pool: Pool, settings: Http2Settings, method: DescMethod, request: Message, options: CallOptions): Promise<UnaryResult> {
  const codec = codecFor(method);
  return new Promise((resolve, reject) => {
    let reply: Buffer | undefined;
    let stopReplyWait = noop;
    const call = new ClientCall(pool, codec.path, options, settings, {
      onHeaders: noop,
      onMessage(payload) {
        if (reply !== undefined) return call.abort(Code.UNIMPLEMENTED, "backend sent more than one reply");
        reply = payload;
      },
      onEnd(error, trailers, headers) {
        stopReplyWait();
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
      frame = encodeRequest(codec, request, options.maxRequestBytes, true);
    } catch (err) {
      return reject(err);
    }
    // The gateway's wait limit for a call without a deadline: never sent, only enforced here.
    if (options.replyTimeoutMs !== undefined) stopReplyWait = fireAt(Date.now() + options.replyTimeoutMs, () => call.fail(replyTimedOut()));
    call.start();
    call.write(frame, noop);
    call.end();
  });
}

const noop = (): void => {};
