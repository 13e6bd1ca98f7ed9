import { create, fromBinary, toBinary, type DescMethod, type Message } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { firstEvent } from "../../runtime/protocol/first-event.js";
import { HttpBodySchema, type HttpBody } from "../gen/google/api/httpbody_pb.js";
import { Streamer, StreamReplySchema, type StreamReply, type StreamRequest } from "../gen/testing/v1/streaming_pb.js";

/** One streaming call as the backend saw it. */
export interface StreamerCall {
  readonly method: string;
  readonly metadata: grpc.Metadata;
  readonly requests: StreamRequest[];
  /** Replies written so far; stops growing while the transport pushes back. */
  produced: number;
  /** Resolves when the call ended: true if the client cancelled it. */
  readonly cancelled: Promise<boolean>;
  /** Called by the implementation just before it ends the call itself (so `cancelled` is false). */
  readonly finishing: () => void;
}

/** A real grpc-js server implementing testing.v1.Streamer, recording what it sees. */
export interface StreamerBackend {
  readonly address: string;
  readonly calls: StreamerCall[];
  close(): Promise<void>;
  /** Stops at once, cutting every call in flight, as a killed process would. */
  kill(): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function reply(index: number, text: string, payloadBytes = 0): StreamReply {
  return create(StreamReplySchema, { index, text, payload: "x".repeat(payloadBytes) });
}

function failure(code: number, message: string): Partial<grpc.StatusObject> {
  return { code, details: message, metadata: new grpc.Metadata() };
}

function headerMetadata(name: string): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set("x-stream", name);
  return md;
}

type AnyCall =
  | grpc.ServerWritableStream<StreamRequest, StreamReply>
  | grpc.ServerWritableStream<StreamRequest, HttpBody>
  | grpc.ServerDuplexStream<StreamRequest, StreamReply>
  | grpc.ServerReadableStream<StreamRequest, StreamReply>;

function record(calls: StreamerCall[], method: string, call: AnyCall, onCall: (call: StreamerCall) => void): StreamerCall {
  // grpc-js may report 'finish' or 'close' before 'cancelled' on the same call, so the
  // verdict waits a moment after the call closed. It also emits 'cancelled' (and sets
  // `call.cancelled`) after sending a status of its own, so a call the implementation ended
  // is settled as not cancelled first, by `finishing`.
  let settle: (cancelled: boolean) => void = () => {};
  const cancelled = new Promise<boolean>((resolve) => {
    settle = resolve;
    call.on("cancelled", () => resolve(true));
    call.on("close", () => setTimeout(() => resolve(call.cancelled), 50));
  });
  const recorded: StreamerCall = { method, metadata: call.metadata, requests: [], produced: 0, cancelled, finishing: () => settle(false) };
  calls.push(recorded);
  onCall(recorded);
  return recorded;
}

// A grpc-js client that cancels closes its HTTP/2 stream, and Node sends END_STREAM before
// the RST_STREAM; so the server sees an 'end' of the requests first and 'cancelled' only when
// it reads the reset. That takes at most an event-loop turn or two, but on a loaded machine a
// bare timer can fire before the turn that reads it; so 'end' is taken for a half-close only
// once several turns (each polling the sockets) and some milliseconds have passed.
async function cancelledAfterEnd(call: AnyCall): Promise<boolean> {
  const since = performance.now();
  for (let turns = 0; !call.cancelled && (turns < 5 || performance.now() - since < 10); turns++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  return call.cancelled;
}

// Writes with the transport's back-pressure, as a well-behaved server does.
async function write(
  call: grpc.ServerWritableStream<StreamRequest, StreamReply> | grpc.ServerDuplexStream<StreamRequest, StreamReply>,
  message: StreamReply,
): Promise<void> {
  if (!call.write(message)) await firstEvent(call, ["drain", "cancelled"]);
}

/** Starts the Streamer backend on 127.0.0.1, port 0; `onCall` is told of each call as it starts. */
export async function startStreamerBackend(onCall: (call: StreamerCall) => void = () => {}): Promise<StreamerBackend> {
  const calls: StreamerCall[] = [];
  const server = new grpc.Server();
  const definition: Record<string, grpc.MethodDefinition<Message, Message>> = {};
  for (const method of Streamer.methods as readonly DescMethod[]) {
    definition[method.name] = {
      path: `/${Streamer.typeName}/${method.name}`,
      requestStream: method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming",
      responseStream: method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming",
      requestSerialize: (m: Message) => Buffer.from(toBinary(method.input, m)),
      requestDeserialize: (b: Buffer) => fromBinary(method.input, b),
      responseSerialize: (m: Message) => Buffer.from(toBinary(method.output, m)),
      responseDeserialize: (b: Buffer) => fromBinary(method.output, b),
    };
  }
  server.addService(definition, {
    async ServerStream(call: grpc.ServerWritableStream<StreamRequest, StreamReply>) {
      const seen = record(calls, "ServerStream", call, onCall);
      const req = call.request;
      seen.requests.push(req);
      let live = true;
      call.on("cancelled", () => (live = false));
      if (req.sendHeaders) call.sendMetadata(headerMetadata(req.name));
      for (let i = 0; i < req.count && live; i++) {
        if (req.delayMs > 0) await sleep(req.delayMs);
        await write(call, reply(i, `${req.name} #${i}`, req.payloadBytes));
        seen.produced++;
      }
      if (!live) return;
      seen.finishing();
      // grpc-js turns an emitted error into the call's status.
      if (req.failCode !== 0) call.emit("error", failure(req.failCode, `failed after ${req.count}`));
      else call.end();
    },
    // Chunk i is `name` with content type text/plain;part=i (only the first one's should count).
    async Download(call: grpc.ServerWritableStream<StreamRequest, HttpBody>) {
      const seen = record(calls, "Download", call, onCall);
      const req = call.request;
      seen.requests.push(req);
      let live = true;
      call.on("cancelled", () => (live = false));
      if (req.sendHeaders) call.sendMetadata(headerMetadata(req.name));
      for (let i = 0; i < req.count && live; i++) {
        if (req.delayMs > 0) await sleep(req.delayMs);
        const chunk = create(HttpBodySchema, { contentType: `text/plain;part=${i}`, data: Buffer.from(req.name) });
        if (!call.write(chunk)) await firstEvent(call, ["drain", "cancelled"]);
        seen.produced++;
      }
      if (!live) return;
      seen.finishing();
      if (req.failCode !== 0) call.emit("error", failure(req.failCode, `failed after ${req.count}`));
      else call.end();
    },
    ClientStream(call: grpc.ServerReadableStream<StreamRequest, StreamReply>, callback: grpc.sendUnaryData<StreamReply>) {
      const seen = record(calls, "ClientStream", call, onCall);
      call.on("data", (req: StreamRequest) => seen.requests.push(req));
      call.on("end", async () => {
        if (await cancelledAfterEnd(call)) return;
        seen.finishing();
        const failed = seen.requests.find((r) => r.failCode !== 0);
        if (failed) return callback(failure(failed.failCode, `refused ${failed.name}`));
        callback(null, reply(seen.requests.length, seen.requests.map((r) => r.name).join(",")));
      });
    },
    Bidi(call: grpc.ServerDuplexStream<StreamRequest, StreamReply>) {
      const seen = record(calls, "Bidi", call, onCall);
      let chain = Promise.resolve();
      call.on("data", (req: StreamRequest) => {
        seen.requests.push(req);
        chain = chain.then(async () => {
          if (req.failCode !== 0) {
            seen.finishing();
            call.emit("error", failure(req.failCode, `refused ${req.name}`));
            return;
          }
          if (req.delayMs > 0) await sleep(req.delayMs);
          await write(call, reply(seen.requests.indexOf(req), `echo ${req.name}`, req.payloadBytes));
          seen.produced++;
        });
      });
      call.on(
        "end",
        () =>
          void chain.then(async () => {
            if (await cancelledAfterEnd(call)) return;
            seen.finishing();
            call.end();
          }),
      );
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    address: `127.0.0.1:${port}`,
    calls,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
    kill: () => server.forceShutdown(),
  };
}
