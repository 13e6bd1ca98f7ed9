import {
  create,
  fromBinary,
  isMessage,
  toBinary,
  type DescMethod,
  type DescService,
  type Message,
  type MessageInitShape,
  type MessageShape,
} from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { GatewayError } from "./errors.js";

/** What the gateway hands a backend for one call. */
export interface CallOptions {
  /** Request metadata, built from the HTTP headers. */
  readonly metadata: grpc.Metadata;
  /** When the call must have finished, if anyone set a limit. */
  readonly deadline: Date | undefined;
  /** Aborted when the HTTP client goes away; the backend call is cancelled with it. */
  readonly signal: AbortSignal;
}

/** A unary reply with the metadata that came with it. */
export interface UnaryResult {
  readonly message: Message;
  readonly headers: grpc.Metadata;
  readonly trailers: grpc.Metadata;
}

/** Where the gateway sends calls: a grpc-js channel, or an implementation in this process. */
export interface Backend {
  /** Calls a unary method; rejects with a GatewayError carrying the backend's status. */
  unary(method: DescMethod, request: Message, options: CallOptions): Promise<UnaryResult>;
}

/** Opens a grpc-js client to `address` (insecure unless credentials say otherwise, e.g. `grpc.credentials.createSsl()`). */
export function dial(
  address: string,
  credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
  options: grpc.ClientOptions = {},
): Backend & { readonly client: grpc.Client } {
  return fromClient(new grpc.Client(address, credentials, options));
}

/** Sends calls through an existing grpc-js client or channel, sharing its connection. */
export function fromClient(clientOrChannel: grpc.Client | grpc.Channel): Backend & { readonly client: grpc.Client } {
  const client =
    clientOrChannel instanceof grpc.Client
      ? clientOrChannel
      : new grpc.Client("unused", grpc.credentials.createInsecure(), { channelOverride: clientOrChannel });
  return {
    client,
    unary: (method, request, options) => unaryOverChannel(client, method, request, options),
  };
}

interface WireCodec {
  readonly path: string;
  readonly serialize: (message: Message) => Buffer;
  readonly deserialize: (bytes: Buffer) => Message;
}

// Built once per method: the path string and the two closures are the same for every call.
const codecs = new WeakMap<DescMethod, WireCodec>();

function codecFor(method: DescMethod): WireCodec {
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

function unaryOverChannel(
  client: grpc.Client,
  method: DescMethod,
  request: Message,
  options: CallOptions,
): Promise<UnaryResult> {
  const codec = codecFor(method);
  return new Promise((resolve, reject) => {
    let headers = new grpc.Metadata();
    let reply: Message | undefined;
    let failure: grpc.ServiceError | undefined;
    const callOptions: grpc.CallOptions = options.deadline ? { deadline: options.deadline } : {};
    const call = client.makeUnaryRequest(
      codec.path,
      codec.serialize,
      codec.deserialize,
      request,
      options.metadata,
      callOptions,
      (err, value) => {
        if (err) failure = err;
        else reply = value;
      },
    );
    const onAbort = () => call.cancel();
    options.signal.addEventListener("abort", onAbort, { once: true });
    call.on("metadata", (md) => (headers = md));
    // grpc-js reports the status (with the trailers) after the callback has run.
    call.on("status", (status) => {
      options.signal.removeEventListener("abort", onAbort);
      if (failure !== undefined || reply === undefined) {
        reject(GatewayError.from(failure ?? status));
      } else {
        resolve({ message: reply, headers, trailers: status.metadata });
      }
    });
  });
}

/** What an in-process implementation receives beside the request. */
export interface InProcessContext {
  /** Request metadata, as a remote server would receive it. */
  readonly metadata: grpc.Metadata;
  /** Aborted on client disconnect or deadline. */
  readonly signal: AbortSignal;
  /** The call's deadline, if any. */
  readonly deadline: Date | undefined;
  /** Metadata to send as response headers (`Grpc-Metadata-*`). */
  readonly responseHeaders: grpc.Metadata;
  /** Metadata to send as trailers (`Grpc-Trailer-*`). */
  readonly responseTrailers: grpc.Metadata;
}

type UnaryImpl<M extends DescMethod> = M extends { methodKind: "unary"; input: infer I; output: infer O }
  ? I extends Parameters<typeof create>[0]
    ? O extends Parameters<typeof create>[0]
      ? (request: MessageShape<I>, context: InProcessContext) => Promise<MessageInitShape<O>> | MessageInitShape<O>
      : never
    : never
  : never;

/** An implementation of a service's unary methods, keyed by the methods' local names. */
export type ServiceImplementation<S extends DescService> = {
  [K in keyof S["method"]]?: S["method"][K] extends DescMethod ? UnaryImpl<S["method"][K]> : never;
};

type AnyUnaryImpl = (request: Message, context: InProcessContext) => unknown;

/**
 * Calls an implementation in this process, with no network hop and no serialization.
 * Methods it does not implement answer UNIMPLEMENTED; what it throws becomes the status
 * (a GatewayError keeps its code, anything else is UNKNOWN).
 */
export function inProcess<S extends DescService>(service: S, implementation: ServiceImplementation<S>): Backend {
  const impls = implementation as Record<string, AnyUnaryImpl | undefined>;
  return {
    async unary(method, request, options) {
      const impl = method.parent.typeName === service.typeName ? impls[method.localName] : undefined;
      if (impl === undefined) {
        throw new GatewayError(grpc.status.UNIMPLEMENTED, `method ${method.parent.typeName}.${method.name} is not implemented`);
      }
      const context = inProcessContext(options);
      try {
        const value = await withDeadline(Promise.resolve(impl(request, context)), context.signal);
        const message = isMessage(value, method.output) ? value : create(method.output, value as MessageInitShape<typeof method.output>);
        return { message, headers: context.responseHeaders, trailers: context.responseTrailers };
      } catch (err) {
        const error = GatewayError.from(err);
        for (const [key, value] of Object.entries(context.responseTrailers.getMap())) error.metadata.set(key, value);
        throw error;
      }
    },
  };
}

function inProcessContext(options: CallOptions): InProcessContext {
  const signals = [options.signal];
  if (options.deadline !== undefined) signals.push(AbortSignal.timeout(Math.max(0, options.deadline.getTime() - Date.now())));
  return {
    metadata: options.metadata,
    signal: signals.length === 1 ? options.signal : AbortSignal.any(signals),
    deadline: options.deadline,
    responseHeaders: new grpc.Metadata(),
    responseTrailers: new grpc.Metadata(),
  };
}

// An implementation that ignores its signal still loses the race against the deadline.
function withDeadline<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function abortError(signal: AbortSignal): GatewayError {
  const reason: unknown = signal.reason;
  const timedOut = reason instanceof DOMException && reason.name === "TimeoutError";
  return timedOut
    ? new GatewayError(grpc.status.DEADLINE_EXCEEDED, "Deadline exceeded")
    : new GatewayError(grpc.status.CANCELLED, "Cancelled by the client");
}
