// A finished call of the lean transport lets go of its HTTP/2 stream. Node keeps a closed
// stream's objects until a full GC, and a scavenge counts the stream's native handle as a
// root, so anything the stream still reached (the call, its options, the whole HTTP
// exchange behind them) outlived every scavenge until then: a third of a GET's allocation,
// measured. Here the test itself keeps the streams, as node does, and the call's options
// must still be collectable once the call is over.
import assert from "node:assert/strict";
import { type ClientHttp2Session, type ClientHttp2Stream, connect } from "node:http2";
import { setImmediate as tick } from "node:timers/promises";
import { after, before, describe, test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { create, type Message } from "@bufbuild/protobuf";
import type * as grpc from "@grpc/grpc-js";
import { type Backend, type CallOptions, dial, type Http2Backend } from "grpc-gateway-express/runtime";
import { Everything, ScalarsSchema, type Scalars } from "../gen/testing/v1/everything_pb.js";
import { Streamer, StreamReplySchema, StreamRequestSchema, type StreamRequest } from "../gen/testing/v1/streaming_pb.js";
import { callOptions, startTestServer, type TestServer } from "../support/raw-grpc-server.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const echo = Everything.method.echo;
const { serverStream } = Streamer.method;

// Whether the object behind `ref` goes once the GC has had a few chances.
async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 10 && ref.deref() !== undefined; i++) {
    await tick();
    gc();
  }
  return ref.deref() === undefined;
}

describe("a finished call lets go of its HTTP/2 stream", { timeout: 20_000 }, () => {
  let server: TestServer;
  let backend: Http2Backend;
  let viaGrpcJs: Backend & { close(): void };
  let probe: ClientHttp2Session;
  let restore: () => void;
  // Every stream the transport opens, held as node holds a closed one until a full GC.
  const streams: ClientHttp2Stream[] = [];
  before(async () => {
    server = await startTestServer([
      [echo, (call: grpc.ServerUnaryCall<Scalars, Scalars>, callback: grpc.sendUnaryData<Scalars>) => callback(null, call.request)],
      [
        serverStream,
        (call: grpc.ServerWritableStream<StreamRequest, Message>) => {
          for (let i = 0; i < call.request.count; i++) call.write(create(StreamReplySchema, { index: i }));
          call.end();
        },
      ],
    ]);
    // The transport's sessions share this prototype: its request() is where streams are born.
    probe = connect(`http://${server.address}`);
    probe.on("error", () => {});
    const prototype = Object.getPrototypeOf(probe) as { request: (...args: unknown[]) => ClientHttp2Stream };
    const request = prototype.request;
    prototype.request = function (this: ClientHttp2Session, ...args: unknown[]) {
      const stream = request.apply(this, args);
      streams.push(stream);
      return stream;
    };
    restore = () => {
      prototype.request = request;
    };
    backend = dial(server.address);
    viaGrpcJs = dial(server.address, { transport: "grpc-js" });
  });
  after(async () => {
    restore();
    probe.close();
    backend.close();
    viaGrpcJs.close();
    await server.close();
  });

  test("unary: the call's options are collectable while its closed stream is kept", async () => {
    let options: CallOptions | undefined = callOptions({ replyTimeoutMs: 60_000 });
    const watched = new WeakRef(options);
    const before = streams.length;
    const result = await backend.unary(echo, create(ScalarsSchema, { stringValue: "a" }), options);
    assert.equal((result.message as Scalars).stringValue, "a");
    options = undefined;
    assert.equal(streams.length, before + 1);
    const stream = streams.at(-1)!;
    await tick();
    assert.equal(stream.closed, true);
    assert.equal(await collected(watched), true, "the closed stream still reaches the call's options");
  });

  test("server streaming: the same once every reply is read", async () => {
    // The call object itself is the caller's: only what it started is watched, from outside.
    const watched = await (async () => {
      const options = callOptions();
      const call = backend.stream(serverStream, options);
      await call.send(create(StreamRequestSchema, { count: 3 }));
      call.close();
      let count = 0;
      for await (const _ of call.replies) count++;
      assert.equal(count, 3);
      await call.trailers;
      return new WeakRef(options);
    })();
    await tick();
    assert.equal(streams.at(-1)!.closed, true);
    assert.equal(await collected(watched), true, "the closed stream still reaches the call's options");
  });

  test("unary over grpc-js: the gateway's callback and listeners let go of the call too", async () => {
    const before = streams.length;
    const watched = await (async () => {
      const options = callOptions({ replyTimeoutMs: 60_000 });
      const result = await viaGrpcJs.unary(echo, create(ScalarsSchema, { stringValue: "b" }), options);
      assert.equal((result.message as Scalars).stringValue, "b");
      return new WeakRef(options);
    })();
    await tick();
    assert.ok(streams.length > before, "grpc-js opened its stream through node:http2");
    assert.equal(streams.at(-1)!.closed, true);
    assert.equal(await collected(watched), true, "grpc-js's closed stream still reaches the call's options");
  });
});
