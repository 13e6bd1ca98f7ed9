import { create, fromBinary, isMessage, toBinary, type DescMethod, type DescService, type Message } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";

/** One call as the backend received it. */
export interface RecordedCall {
  readonly method: DescMethod;
  readonly request: Message;
  readonly metadata: grpc.Metadata;
  readonly deadline: grpc.Deadline;
  /** Resolves when the call ended, with true if the client cancelled it. */
  readonly cancelled: Promise<boolean>;
}

/** What a test's handler returns: the reply, plus metadata to send with it. */
export interface HandlerReply {
  reply?: unknown;
  headers?: Record<string, string | Buffer>;
  trailers?: Record<string, string | Buffer>;
}

/**
 * Decides what the backend answers; throw `{ code, details, metadata }` to fail the call
 * (`metadata` goes out as trailers), with `headers` to send header metadata before failing.
 */
export type CallHandler = (call: RecordedCall) => HandlerReply | Promise<HandlerReply>;

/** A real grpc-js server on loopback that records every call it receives. */
export interface RecordingBackend {
  readonly address: string;
  readonly calls: RecordedCall[];
  /** Replaces the handler (default: echo the request when the types match, else an empty reply). */
  handle(handler: CallHandler): void;
  close(): Promise<void>;
  /** Stops at once, cutting every call in flight, as a killed process would. */
  kill(): void;
}

/**
 * Starts a grpc-js server on 127.0.0.1 (`port`, default any) serving `services` generically; plaintext
 * unless `credentials` say otherwise (e.g. `grpc.ServerCredentials.createSsl(...)`).
 */
export async function startRecordingBackend(
  services: DescService[],
  credentials: grpc.ServerCredentials = grpc.ServerCredentials.createInsecure(),
  port = 0,
  serverOptions: grpc.ServerOptions = {},
): Promise<RecordingBackend> {
  const server = new grpc.Server(serverOptions);
  const calls: RecordedCall[] = [];
  let handler: CallHandler = echo;
  for (const service of services) {
    const definition: Record<string, grpc.MethodDefinition<Message, Message>> = {};
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const method of service.methods) {
      definition[method.name] = {
        path: `/${service.typeName}/${method.name}`,
        requestStream: false,
        responseStream: false,
        requestSerialize: (m: Message) => Buffer.from(toBinary(method.input, m)),
        requestDeserialize: (b: Buffer) => fromBinary(method.input, b),
        responseSerialize: (m: Message) => Buffer.from(toBinary(method.output, m)),
        responseDeserialize: (b: Buffer) => fromBinary(method.output, b),
        originalName: method.localName,
      };
      implementation[method.name] = (call: grpc.ServerUnaryCall<Message, Message>, callback: grpc.sendUnaryData<Message>) => {
        // grpc-js emits 'cancelled' after every call, answered or not: only one before the answer is a cancel.
        let answered = false;
        let ended: (cancelled: boolean) => void = () => {};
        const cancelled = new Promise<boolean>((resolve) => (ended = resolve));
        call.on("cancelled", () => ended(!answered));
        const answer: grpc.sendUnaryData<Message> = (...args) => {
          answered = true;
          callback(...(args as Parameters<typeof callback>));
          ended(false);
        };
        const recorded: RecordedCall = { method, request: call.request, metadata: call.metadata, deadline: call.getDeadline(), cancelled };
        calls.push(recorded);
        Promise.resolve()
          .then(() => handler(recorded))
          .then(
            ({ reply, headers, trailers }) => {
              if (headers) call.sendMetadata(toMetadata(headers));
              const message = isMessage(reply) ? reply : create(method.output, (reply ?? {}) as never);
              answer(null, message, trailers ? toMetadata(trailers) : undefined);
            },
            (err: Partial<grpc.StatusObject> & { headers?: Record<string, string | Buffer> }) => {
              if (err.headers) call.sendMetadata(toMetadata(err.headers));
              answer({ code: err.code ?? grpc.status.UNKNOWN, details: err.details ?? String(err), metadata: err.metadata ?? new grpc.Metadata() });
            },
          );
      };
    }
    server.addService(definition, implementation);
  }
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, credentials, (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    address: `127.0.0.1:${bound}`,
    calls,
    handle: (h) => (handler = h),
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
    kill: () => server.forceShutdown(),
  };
}

function echo(call: RecordedCall): HandlerReply {
  return { reply: call.method.input.typeName === call.method.output.typeName ? call.request : undefined };
}

function toMetadata(values: Record<string, string | Buffer>): grpc.Metadata {
  const md = new grpc.Metadata();
  for (const [key, value] of Object.entries(values)) md.set(key, value);
  return md;
}
