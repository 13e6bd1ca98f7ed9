import { PassThrough } from "node:stream";
import {
  create,
  isMessage,
  type DescMessage,
  type DescMethod,
  type DescService,
  type Message,
  type MessageInitShape,
  type MessageShape,
} from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import type { Backend, BackendStream, CallOptions } from "./backend.js";
import { msUntil } from "../protocol/deadline.js";
import { GatewayError, withHeaderMetadata } from "../gateway-error.js";
import { firstEvent } from "../protocol/first-event.js";

/** What an in-process implementation receives beside the request. */
export interface InProcessContext {
  /** Request metadata, as a remote server would receive it. */
  readonly metadata: grpc.Metadata;
  /** Aborted on client disconnect, cancellation or deadline. */
  readonly signal: AbortSignal;
  /** The call's deadline, if any. */
  readonly deadline: Date | undefined;
  /** Metadata to send as response headers (`Grpc-Metadata-*`). */
  readonly responseHeaders: grpc.Metadata;
  /** Metadata to send as trailers (`Grpc-Trailer-*`). */
  readonly responseTrailers: grpc.Metadata;
}

type Reply<O extends DescMessage> = MessageInitShape<O>;

/** The function implementing one method, by its kind (the shapes connect-es uses too). */
type MethodImpl<M> = M extends { methodKind: infer K; input: infer I extends DescMessage; output: infer O extends DescMessage }
  ? K extends "unary"
    ? (request: MessageShape<I>, context: InProcessContext) => Promise<Reply<O>> | Reply<O>
    : K extends "server_streaming"
      ? (request: MessageShape<I>, context: InProcessContext) => AsyncIterable<Reply<O>>
      : K extends "client_streaming"
        ? (requests: AsyncIterable<MessageShape<I>>, context: InProcessContext) => Promise<Reply<O>> | Reply<O>
        : (requests: AsyncIterable<MessageShape<I>>, context: InProcessContext) => AsyncIterable<Reply<O>>
  : never;

/** An implementation of a service, keyed by the methods' local names; any method may be left out. */
export type ServiceImplementation<S extends DescService> = {
  [K in keyof S["method"]]?: MethodImpl<S["method"][K]>;
};

type AnyImpl = (input: unknown, context: InProcessContext) => unknown;

/**
 * Calls an implementation in this process, with no network hop and no serialization, for
 * all four method kinds. Methods it does not implement answer UNIMPLEMENTED; what it
 * throws becomes the status (a GatewayError keeps its code, anything else is UNKNOWN).
 */
export function inProcess<S extends DescService>(service: S, implementation: ServiceImplementation<S>): Backend {
  const impls = implementation as Record<string, AnyImpl | undefined>;
  const find = (method: DescMethod): AnyImpl => {
    const impl = method.parent.typeName === service.typeName ? impls[method.localName] : undefined;
    if (impl === undefined) throw new GatewayError(grpc.status.UNIMPLEMENTED, `method ${method.parent.typeName}.${method.name} is not implemented`);
    return impl;
  };
  return {
    async unary(method, request, options) {
      const context = contextFor(options, new AbortController(), options.replyTimeoutMs);
      try {
        const value = await abortable(Promise.resolve(find(method)(request, context)), context.signal);
        return { message: toMessage(method.output, value), headers: context.responseHeaders, trailers: context.responseTrailers };
      } catch (err) {
        throw withMetadata(err, context);
      }
    },
    stream: (method, options) => streamInProcess(method, () => find(method), options),
  };
}

function streamInProcess(method: DescMethod, find: () => AnyImpl, options: CallOptions): BackendStream {
  const cancelled = new AbortController();
  const context = contextFor(options, cancelled, undefined);
  // Bounded, so a client that sends faster than the implementation reads is held back.
  const requests = new PassThrough({ objectMode: true, highWaterMark: 16 });
  let ended: () => void = () => {};
  const end = new Promise<void>((resolve) => (ended = resolve));
  let responded = false;
  let replyTimer: NodeJS.Timeout | undefined;
  let started: () => void = () => {};
  const headersReady = new Promise<void>((resolve) => (started = resolve));
  const respond = (): void => {
    responded = true;
    clearTimeout(replyTimer);
    started();
  };

  async function* replies(): AsyncGenerator<Message> {
    try {
      const impl = find();
      const input = requests as AsyncIterable<Message>;
      let output: AsyncIterable<unknown>;
      if (method.methodKind === "server_streaming") output = impl(await firstOf(input, context.signal), context) as AsyncIterable<unknown>;
      else if (method.methodKind === "bidi_streaming") output = impl(input, context) as AsyncIterable<unknown>;
      else output = once(impl(input, context));
      for await (const value of abortableIterable(output, context.signal)) {
        respond();
        yield toMessage(method.output, value);
      }
    } catch (err) {
      throw withMetadata(err, context);
    } finally {
      respond();
      ended();
      requests.destroy();
    }
  }

  return {
    send: (message) =>
      new Promise<void>((resolve) => {
        if (requests.destroyed || requests.write(message)) return resolve();
        void firstEvent(requests, ["drain", "close"]).then(resolve);
      }),
    close: () => {
      requests.end();
      // The reply wait of a call without a deadline, as over the network: from the end of the requests to the first reply.
      const ms = options.replyTimeoutMs;
      if (ms === undefined || responded || replyTimer !== undefined) return;
      replyTimer = setTimeout(() => cancelled.abort(new DOMException("reply timeout", "TimeoutError")), ms);
    },
    cancel: () => cancelled.abort(),
    replies: replies(),
    headers: headersReady.then(() => context.responseHeaders),
    trailers: end.then(() => context.responseTrailers),
  };
}

// The reply wait (given here for unary calls) aborts the implementation as the deadline does,
// but is not shown to it as `deadline`: a remote backend would not have been told it either.
function contextFor(options: CallOptions, cancelled: AbortController, replyTimeoutMs: number | undefined): InProcessContext {
  const signals = [options.signal, cancelled.signal];
  if (options.deadline !== undefined) signals.push(AbortSignal.timeout(msUntil(options.deadline)));
  if (replyTimeoutMs !== undefined) signals.push(AbortSignal.timeout(replyTimeoutMs));
  return {
    metadata: options.metadata,
    signal: AbortSignal.any(signals),
    deadline: options.deadline,
    responseHeaders: new grpc.Metadata(),
    responseTrailers: new grpc.Metadata(),
  };
}

function toMessage(schema: DescMessage, value: unknown): Message {
  return isMessage(value, schema) ? value : create(schema, value as MessageInitShape<DescMessage>);
}

// What the implementation set on its context goes out with the failure, as a remote server's would.
function withMetadata(err: unknown, context: InProcessContext): GatewayError {
  const error = withHeaderMetadata(GatewayError.from(err), context.responseHeaders);
  for (const [key, value] of Object.entries(context.responseTrailers.getMap())) error.trailers.set(key, value);
  return error;
}

async function* once(value: unknown): AsyncGenerator<unknown> {
  yield await value;
}

async function firstOf(requests: AsyncIterable<Message>, signal: AbortSignal): Promise<Message> {
  for await (const request of abortableIterable(requests, signal)) return request;
  throw new GatewayError(grpc.status.INVALID_ARGUMENT, "the stream carried no request message");
}

// An implementation that ignores its signal still loses the race against the deadline.
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

async function* abortableIterable<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await abortable(iterator.next(), signal);
      if (next.done === true) return;
      yield next.value;
    }
  } finally {
    void iterator.return?.()?.catch(() => {});
  }
}

function abortError(signal: AbortSignal): GatewayError {
  const reason: unknown = signal.reason;
  const timedOut = reason instanceof DOMException && reason.name === "TimeoutError";
  return timedOut ? new GatewayError(grpc.status.DEADLINE_EXCEEDED, "Deadline exceeded") : new GatewayError(grpc.status.CANCELLED, "Cancelled");
}
