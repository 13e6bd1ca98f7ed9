import type { DescMethod, Message } from "@bufbuild/protobuf";
import { Metadata } from "@grpc/grpc-js";
import { type GatewayError, withHeaderMetadata } from "../../gateway-error.js";
import { Code } from "../../gen/google/rpc/code_pb.js";
import type { CallOptions, UnaryResult } from "../backend.js";
import { FRAME_PREFIX_BYTES } from "../backend.js";
import { checkRequestSize, codecFor, EncodedReply, encodeRequest, type WireCodec } from "../method-codec.js";
import { withFramePrefix } from "./framing.js";
import { fireAt } from "./long-timeout.js";
import { type CallListener, ClientCall } from "./call.js";
import type { Http2Settings } from "./options.js";
import type { Pool } from "./pool.js";
import { malformedReply, replyTimedOut, transportError } from "./status.js";

/** A unary call: one framed request, exactly one reply, its header and trailer metadata. */
export function unaryCall(pool: Pool, settings: Http2Settings, method: DescMethod, request: Message, options: CallOptions): Promise<UnaryResult> {
  const codec = codecFor(method);
  let frame: Buffer;
  try {
    frame = encodeRequest(codec, request, options.maxRequestBytes, true);
  } catch (err) {
    return Promise.reject(err);
  }
  // Nothing made below refers to `request`: a closure that did (the reply timer's) would keep
  // the whole message tree alive, and copied by every scavenge, until the reply came.
  return new Promise((resolve, reject) => startUnary(pool, settings, codec, frame, options, resolve, reject));
}

/** A unary call of a request encoded already, FRAME_PREFIX_BYTES free at its start (Backend.unaryEncoded). */
export function unaryEncodedCall(pool: Pool, settings: Http2Settings, method: DescMethod, encoded: Buffer, options: CallOptions): Promise<UnaryResult> {
  try {
    checkRequestSize(encoded.length - FRAME_PREFIX_BYTES, options.maxRequestBytes);
  } catch (err) {
    return Promise.reject(err);
  }
  const codec = codecFor(method);
  return new Promise((resolve, reject) => startUnary(pool, settings, codec, withFramePrefix(encoded), options, resolve, reject));
}

function startUnary(
  pool: Pool,
  settings: Http2Settings,
  codec: WireCodec,
  frame: Buffer,
  options: CallOptions,
  resolve: (result: UnaryResult) => void,
  reject: (error: unknown) => void,
): void {
  const unary = new UnaryListener(codec, options.replyAsBytes === true, resolve, reject);
  const call = new ClientCall(pool, codec.path, options, settings, unary);
  unary.call = call;
  // The gateway's wait limit for a call without a deadline: never sent, only enforced here.
  if (options.replyTimeoutMs !== undefined) unary.stopReplyWait = fireAt(Date.now() + options.replyTimeoutMs, () => call.fail(replyTimedOut()));
  call.start();
  call.write(frame, noop);
  call.end();
}

// The call's listener as one object with its methods on the prototype: no closures per call.
class UnaryListener implements CallListener {
  call: ClientCall | undefined;
  stopReplyWait = noop;
  private reply: Buffer | undefined;

  constructor(
    private readonly codec: WireCodec,
    private readonly asBytes: boolean,
    private readonly resolve: (result: UnaryResult) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  onHeaders(): void {}

  onMessage(payload: Buffer): void {
    if (this.reply !== undefined) return this.call!.abort(Code.UNIMPLEMENTED, "backend sent more than one reply");
    this.reply = payload;
  }

  onEnd(error: GatewayError | undefined, trailers: Metadata, headers: Metadata | undefined): void {
    this.stopReplyWait();
    if (error !== undefined) return this.reject(withHeaderMetadata(error, headers));
    const reply = this.reply;
    if (reply === undefined) return this.reject(withHeaderMetadata(transportError(Code.UNIMPLEMENTED, "backend sent no reply"), headers));
    if (this.asBytes) return this.resolve(new EncodedReply(this.codec, reply, headers ?? new Metadata(), trailers));
    let message: Message;
    try {
      message = this.codec.deserialize(reply);
    } catch (err) {
      return this.reject(malformedReply(err, headers));
    }
    this.resolve({ message, headers: headers ?? new Metadata(), trailers });
  }
}

const noop = (): void => {};
