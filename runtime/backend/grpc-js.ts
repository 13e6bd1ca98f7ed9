import type { DescMethod, Message } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import type { Backend, BackendStream, CallOptions, UnaryResult } from "./backend.js";
import { GatewayError, withHeaderMetadata } from "../gateway-error.js";
import { firstEvent } from "../protocol/first-event.js";
import { cancelWhenClientGoes } from "./client-gone.js";
import { codecFor } from "./method-codec.js";

/** Opens a grpc-js client to `address` (insecure unless credentials say otherwise, e.g. `grpc.credentials.createSsl()`). */
export function dial(
  address: string,
  credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
  options: grpc.ClientOptions = {},
): Backend & { readonly client: grpc.Client } {
  return fromClient(new grpc.Client(address, credentials, options));
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

/** Calls a unary method through a grpc-js client, with headers and trailers. */
function unaryOverChannel(client: grpc.Client, method: DescMethod, request: Message, options: CallOptions): Promise<UnaryResult> {
  const codec = codecFor(method);
  return new Promise((resolve, reject) => {
    let headers: grpc.Metadata | undefined;
    let reply: Message | undefined;
    let failure: grpc.ServiceError | undefined;
    const call = client.makeUnaryRequest(codec.path, codec.serialize, codec.deserialize, request, options.metadata, callOptionsOf(options), (err, value) => {
      if (err) failure = err;
      else reply = value;
    });
    const stopWatching = cancelWhenClientGoes(options, () => call.cancel());
    call.on("metadata", (md) => (headers = md));
    // grpc-js reports the status (with the trailers) after the callback has run.
    call.on("status", (status) => {
      stopWatching();
      if (failure !== undefined || reply === undefined) reject(withHeaderMetadata(GatewayError.from(failure ?? status), headers));
      else resolve({ message: reply, headers: headers ?? new grpc.Metadata(), trailers: status.metadata });
    });
  });
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
  const stopWatching = cancelWhenClientGoes(options, () => call.cancel());
  // Kept apart from the promise: a failure carries the header metadata that came before it.
  let received: grpc.Metadata | undefined;
  call.on("metadata", (md: grpc.Metadata) => {
    received = md;
    gotHeaders(md);
  });
  let finished = false;
  call.on("status", (s: grpc.StatusObject) => {
    finished = true;
    stopWatching();
    gotHeaders(new grpc.Metadata());
    gotStatus(s);
  });
  // The failure is reported through `replies`; without a listener node would throw it.
  call.on("error", () => {});

  async function* replies(): AsyncGenerator<Message> {
    try {
      for await (const message of call as AsyncIterable<Message>) yield message;
    } catch (err) {
      throw withHeaderMetadata(GatewayError.from(err), received);
    }
    const final = await status;
    if (final.code !== grpc.status.OK) throw withHeaderMetadata(GatewayError.from(final), received);
  }

  return {
    send: (message) =>
      new Promise<void>((resolve) => {
        // After the status there is nobody to wait for: the write is dropped, as grpc-js does.
        if (call.write(message) || finished) return resolve();
        // Wait for room, but never past the end of the call.
        void firstEvent(call, ["drain", "status"]).then(resolve);
      }),
    close: () => call.end(),
    cancel: () => call.cancel(),
    replies: replies(),
    headers,
    trailers: status.then((s) => s.metadata),
  };
}
