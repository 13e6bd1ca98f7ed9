import type { DescMethod, Message } from "@bufbuild/protobuf";
import { Metadata } from "@grpc/grpc-js";
import { withHeaderMetadata, type GatewayError } from "../../gateway-error.js";
import { Code } from "../../gen/google/rpc/code_pb.js";
import type { BackendStream, CallOptions } from "../backend.js";
import { codecFor } from "../method-codec.js";
import { ClientCall } from "./call.js";
import { fireAt } from "./long-timeout.js";
import type { Http2Settings } from "./options.js";
import type { Pool } from "./pool.js";
import { malformedReply, replyTimedOut, transportError } from "./status.js";

// Replies buffered ahead of the reader before the stream is paused; HTTP/2 flow control then holds the server.
const highWaterBytes = 64 * 1024;

const done: IteratorResult<Message> = { done: true, value: undefined };

/**
 * Any streaming call (server, client or bidirectional: on the wire they differ only in
 * how many messages flow). Replies wait in a short queue; past a high-water mark the HTTP/2
 * stream is paused until the reader catches up. Leaving the iteration early cancels the call.
 */
export function streamCall(pool: Pool, settings: Http2Settings, method: DescMethod, options: CallOptions): BackendStream {
  const codec = codecFor(method);
  const queue: Buffer[] = [];
  let queuedBytes = 0;
  // undefined while running; null once ended OK; the error once failed (reported once).
  let ended: GatewayError | null | undefined;
  let reader: { resolve: (r: IteratorResult<Message>) => void; reject: (e: unknown) => void } | undefined;
  let gotHeaders: (md: Metadata) => void = noop;
  let gotTrailers: (md: Metadata) => void = noop;
  const headers = new Promise<Metadata>((resolve) => (gotHeaders = resolve));
  const trailers = new Promise<Metadata>((resolve) => (gotTrailers = resolve));

  // The reply wait: from the end of the requests to the response headers, for a call without a deadline.
  let stopReplyWait: (() => void) | undefined;
  const call = new ClientCall(pool, codec.path, options, settings, {
    onHeaders: (md) => {
      stopReplyWait?.();
      gotHeaders(md);
    },
    onMessage(payload) {
      if (reader !== undefined) {
        const waiting = reader;
        reader = undefined;
        deliver(payload, waiting);
        return;
      }
      queue.push(payload);
      queuedBytes += payload.length;
      if (queuedBytes > highWaterBytes) call.pause();
    },
    onEnd(error, md, received) {
      stopReplyWait?.();
      ended = error === undefined ? null : withHeaderMetadata(error, received);
      gotHeaders(received ?? new Metadata());
      gotTrailers(md);
      if (reader !== undefined && queue.length === 0) {
        const waiting = reader;
        reader = undefined;
        settle(waiting);
      }
    },
  });

  function deliver(payload: Buffer, to: NonNullable<typeof reader>): void {
    let message: Message;
    try {
      message = codec.deserialize(payload);
    } catch (err) {
      call.abort(Code.INTERNAL, "backend sent a malformed reply", err);
      ended = null;
      return to.reject(malformedReply(err, call.headers));
    }
    to.resolve({ done: false, value: message });
  }

  // The end, once: an error is thrown by one `next`, later ones are done.
  function settle(to: NonNullable<typeof reader>): void {
    const error = ended;
    ended = null;
    if (error) to.reject(error);
    else to.resolve(done);
  }

  const iterator: AsyncIterator<Message> = {
    next() {
      return new Promise((resolve, reject) => {
        const to = { resolve, reject };
        const payload = queue.shift();
        if (payload !== undefined) {
          queuedBytes -= payload.length;
          if (queue.length === 0) call.resume();
          return deliver(payload, to);
        }
        if (ended !== undefined) return settle(to);
        reader = to;
      });
    },
    return() {
      // A reader that leaves early ends the call: the backend sees the cancellation.
      call.cancel();
      queue.length = 0;
      ended = null;
      return Promise.resolve(done);
    },
  };

  call.start();
  return {
    send: (message) =>
      new Promise<void>((resolve, reject) => {
        let frame: Buffer;
        try {
          frame = codec.frame(message);
        } catch (err) {
          return reject(transportError(Code.INTERNAL, "request could not be encoded", err));
        }
        call.write(frame, resolve);
      }),
    close: () => {
      call.end();
      const ms = options.replyTimeoutMs;
      if (ms === undefined || call.headers !== undefined || ended !== undefined || stopReplyWait !== undefined) return;
      stopReplyWait = fireAt(Date.now() + ms, () => call.fail(replyTimedOut()));
    },
    cancel: () => call.cancel(),
    replies: { [Symbol.asyncIterator]: () => iterator },
    headers,
    trailers,
  };
}

const noop = (): void => {};
