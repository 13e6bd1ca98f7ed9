import type { DescMethod, Message } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { type Backend, type BackendStream, type CallOptions, FRAME_PREFIX_BYTES, type UnaryResult } from "./backend.js";
import { GatewayError, withHeaderMetadata } from "../gateway-error.js";
import { maxTimeoutMs } from "../protocol/deadline.js";
import { firstEvent } from "../protocol/first-event.js";
import { cancelWhenClientGoes } from "./client-gone.js";
import { checkRequestSize, codecFor, encodeRequest, type WireCodec } from "./method-codec.js";
import { errorFromCallEnd, type CallEnd, type GaveUp } from "./grpc-js-status.js";

/**
 * Reconnect backoff for {@link dialGrpcJs}'s channels, unless the options set their own. grpc-js
 * backs off up to 120 s by default and fails calls at once while it waits, so recovery after
 * a backend restart grew with the outage; retrying a lost backend every half second at most
 * brings it back within a second of it listening again, for one connection attempt per
 * half second while it is down.
 */
const reconnectBackoff: grpc.ClientOptions = {
  "grpc.initial_reconnect_backoff_ms": 100,
  "grpc.max_reconnect_backoff_ms": 500,
};

/** What {@link dialGrpcJs} returns: the grpc-js client it made, and a way to close it. */
export interface GrpcJsBackend extends Backend {
  readonly client: grpc.Client;
  /** Closes the client's channel (grpc-js's `close()`): calls under way run to their end, later calls fail UNAVAILABLE. */
  close(): void;
}

/** Opens a grpc-js client to `address` (insecure unless `credentials` say otherwise, e.g. `grpc.credentials.createSsl()`). */
export function dialGrpcJs(
  address: string,
  credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
  options: grpc.ClientOptions = {},
): GrpcJsBackend {
  const backend = fromClient(new grpc.Client(address, credentials, { ...reconnectBackoff, ...options }));
  return { ...backend, close: () => backend.client.close() };
}

/**
 * Sends calls through an existing grpc-js client or channel, sharing its connection. Told
 * apart by shape, not `instanceof`, since the app's grpc-js may be another copy than the
 * runtime's: a Client has `getChannel()`, a Channel `createCall()`. A Client of this copy
 * is called as it is, interceptors included; a Client of another copy lends its channel,
 * because its own methods would not recognise this copy's Metadata.
 */
export function fromClient(clientOrChannel: grpc.Client | grpc.Channel): Backend & { readonly client: grpc.Client } {
  const client = isClient(clientOrChannel)
    ? callsLikeThisCopy(clientOrChannel)
      ? clientOrChannel
      : overChannel(clientOrChannel.getChannel())
    : overChannel(clientOrChannel);
  return {
    client,
    unary: (method, request, options) => unaryOverChannel(client, method, request, options),
    unaryEncoded: (method, encoded, options) => unaryEncodedOverChannel(client, method, encoded, options),
    stream: (method, options) => streamOverChannel(client, method, options),
  };
}

function isClient(value: grpc.Client | grpc.Channel): value is grpc.Client {
  return typeof (value as Partial<grpc.Client>).getChannel === "function";
}

// grpc-js tells a call's metadata from its options with `instanceof Metadata`, so a client
// whose call methods are another copy's would take this copy's Metadata for options.
function callsLikeThisCopy(client: grpc.Client): boolean {
  const own = grpc.Client.prototype;
  return client.makeUnaryRequest === own.makeUnaryRequest && client.makeBidiStreamRequest === own.makeBidiStreamRequest;
}

function overChannel(channel: NonNullable<grpc.ClientOptions["channelOverride"]>): grpc.Client {
  return new grpc.Client("unused", grpc.credentials.createInsecure(), { channelOverride: channel });
}

function callOptionsOf(options: CallOptions): grpc.CallOptions {
  return options.deadline ? { deadline: options.deadline } : {};
}

// The request goes out already encoded: its size is checked against the limit first.
const passBytes = (bytes: Buffer): Buffer => bytes;

/** Calls a unary method through a grpc-js client, with headers and trailers. */
function unaryOverChannel(client: grpc.Client, method: DescMethod, request: Message, options: CallOptions): Promise<UnaryResult> {
  const codec = codecFor(method);
  let bytes: Buffer;
  try {
    bytes = encodeRequest(codec, request, options.maxRequestBytes);
  } catch (err) {
    return Promise.reject(err);
  }
  return unaryBytes(client, codec, bytes, options);
}

/** A unary call of a request encoded already (Backend.unaryEncoded): grpc-js frames it itself. */
function unaryEncodedOverChannel(client: grpc.Client, method: DescMethod, encoded: Buffer, options: CallOptions): Promise<UnaryResult> {
  const bytes = encoded.subarray(FRAME_PREFIX_BYTES);
  try {
    checkRequestSize(bytes.length, options.maxRequestBytes);
  } catch (err) {
    return Promise.reject(err);
  }
  return unaryBytes(client, codecFor(method), bytes, options);
}

function unaryBytes(client: grpc.Client, codec: WireCodec, bytes: Buffer, options: CallOptions): Promise<UnaryResult> {
  return new Promise((resolve, reject) => {
    let headers: grpc.Metadata | undefined;
    let gaveUp: GaveUp | undefined;
    const outcome = new UnaryOutcome();
    const call = client.makeUnaryRequest(codec.path, passBytes, codec.deserialize, bytes, options.metadata, callOptionsOf(options), outcome.callback);
    const stopWatching = cancelWhenClientGoes(options, () => {
      gaveUp = "client";
      call.cancel();
    });
    const stopLimits = watchLimits(client, options, true, (why) => {
      gaveUp = why;
      call.cancel();
    });
    call.on("metadata", (md) => (headers = md));
    // grpc-js reports the status (with the trailers) after the callback has run.
    call.on("status", (status) => {
      stopWatching();
      stopLimits();
      // grpc-js keeps a finished call's objects, and our listeners and callback with them,
      // as long as node keeps its closed HTTP/2 stream: through every scavenge until a full
      // GC. Let go of them, or they would hold the request and the reply that long.
      call.removeAllListeners("metadata");
      call.removeAllListeners("status");
      const { failure, reply } = outcome.take();
      if (failure === undefined && reply !== undefined) return resolve({ message: reply, headers: headers ?? new grpc.Metadata(), trailers: status.metadata });
      const end = { status: failure ?? status, headersReceived: headers !== undefined, gaveUp };
      reject(withHeaderMetadata(errorFromCallEnd(end, options), headers));
    });
  });
}

// What grpc-js's callback reports, kept apart from the call's promise so that the callback,
// which grpc-js holds on to, reaches nothing else; taken (and forgotten) once.
class UnaryOutcome {
  private failure: grpc.ServiceError | undefined;
  private reply: Message | undefined;
  readonly callback = (err: grpc.ServiceError | null, value?: Message): void => {
    if (err) this.failure = err;
    else this.reply = value;
  };

  take(): { failure: grpc.ServiceError | undefined; reply: Message | undefined } {
    const { failure, reply } = this;
    this.failure = this.reply = undefined;
    return { failure, reply };
  }
}

/**
 * Starts the gateway's own limits on a call, calling `giveUp` (once) when one is hit; returns
 * the function that stops them. The connect timeout fires only if the channel is still not
 * connected when it expires (grpc-js waits for a connection without limit, e.g. on a listener
 * that never completes the HTTP/2 handshake). The reply wait of a unary call starts here;
 * a stream's starts when its requests end (see `close` in {@link streamOverChannel}).
 */
function watchLimits(client: grpc.Client, options: CallOptions, unary: boolean, giveUp: (why: GaveUp) => void): () => void {
  let connectTimer: NodeJS.Timeout | undefined;
  let replyTimer: NodeJS.Timeout | undefined;
  const connectMs = options.connectTimeoutMs;
  if (connectMs !== undefined && connectMs > 0 && Number.isFinite(connectMs)) {
    const channel = client.getChannel();
    if (channel.getConnectivityState(false) !== grpc.connectivityState.READY) {
      connectTimer = setTimeout(
        () => {
          if (channel.getConnectivityState(false) !== grpc.connectivityState.READY) giveUp("connect");
        },
        Math.min(connectMs, maxTimeoutMs),
      );
    }
  }
  if (unary && options.replyTimeoutMs !== undefined) replyTimer = setTimeout(() => giveUp("reply"), options.replyTimeoutMs);
  if (connectTimer === undefined && replyTimer === undefined) return noop;
  return () => {
    clearTimeout(connectTimer);
    clearTimeout(replyTimer);
  };
}

/**
 * Opens any streaming call through a grpc-js client. All three kinds go over one
 * bidirectional call object: on the wire they differ only in how many messages flow.
 */
function streamOverChannel(client: grpc.Client, method: DescMethod, options: CallOptions): BackendStream {
  const codec = codecFor(method);
  const call = client.makeBidiStreamRequest(codec.path, codec.serialize, codec.deserialize, options.metadata, callOptionsOf(options));
  let gotHeaders: (md: grpc.Metadata) => void = () => {};
  let gotStatus: (status: grpc.StatusObject) => void = () => {};
  const headers = new Promise<grpc.Metadata>((resolve) => (gotHeaders = resolve));
  const status = new Promise<grpc.StatusObject>((resolve) => (gotStatus = resolve));
  let gaveUp: GaveUp | undefined;
  const stopWatching = cancelWhenClientGoes(options, () => {
    gaveUp = "client";
    call.cancel();
  });
  const stopLimits = watchLimits(client, options, false, (why) => {
    gaveUp = why;
    call.cancel();
  });
  // Kept apart from the promise: a failure carries the header metadata that came before it.
  let received: grpc.Metadata | undefined;
  // The reply wait: from the end of the requests to the response headers (grpc-js reports
  // them before the first message), for a call without a deadline.
  let replyTimer: NodeJS.Timeout | undefined;
  call.on("metadata", (md: grpc.Metadata) => {
    received = md;
    clearTimeout(replyTimer);
    gotHeaders(md);
  });
  let finished = false;
  call.on("status", (s: grpc.StatusObject) => {
    finished = true;
    stopWatching();
    stopLimits();
    clearTimeout(replyTimer);
    gotHeaders(new grpc.Metadata());
    gotStatus(s);
  });
  // The failure is reported through `replies`; without a listener node would throw it.
  call.on("error", () => {});

  async function* replies(): AsyncGenerator<Message> {
    const failed = (s: CallEnd["status"]) =>
      withHeaderMetadata(errorFromCallEnd({ status: s, headersReceived: received !== undefined, gaveUp }, options), received);
    let read = false;
    try {
      for await (const message of call as AsyncIterable<Message>) yield message;
      read = true;
    } catch (err) {
      read = true;
      throw isStatus(err) ? failed(err) : GatewayError.from(err);
    } finally {
      // A consumer that stops reading early (break, return, a throw in its loop) is done with
      // the call: grpc-js's own iterator would wait for the backend to finish instead.
      if (!read && !finished) {
        gaveUp ??= "client";
        call.cancel();
      }
    }
    const final = await status;
    if (final.code !== grpc.status.OK) throw failed(final);
  }

  return {
    send: (message) =>
      new Promise<void>((resolve) => {
        // After the status there is nobody to wait for: the write is dropped, as grpc-js does.
        if (call.write(message) || finished) return resolve();
        // Wait for room, but never past the end of the call.
        void firstEvent(call, ["drain", "status"]).then(resolve);
      }),
    close: () => {
      call.end();
      const ms = options.replyTimeoutMs;
      if (ms === undefined || received !== undefined || finished || replyTimer !== undefined) return;
      replyTimer = setTimeout(() => {
        gaveUp ??= "reply";
        call.cancel();
      }, ms);
    },
    cancel: () => {
      gaveUp ??= "client";
      call.cancel();
    },
    replies: replies(),
    headers,
    trailers: status.then((s) => s.metadata),
  };
}

const noop = (): void => {};

function isStatus(err: unknown): err is CallEnd["status"] {
  return typeof err === "object" && err !== null && typeof (err as { code?: unknown }).code === "number";
}
