// The lean node:http2 transport against real grpc-js servers: the four kinds, metadata, statuses.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { create, toBinary, type Message } from "@bufbuild/protobuf";
import { anyPack } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import { dial, type Http2Backend } from "grpc-gateway-express/runtime";
import { StatusSchema } from "../../runtime/gen/google/rpc/status_pb.js";
import { ErrorInfoSchema } from "../../runtime/gen/google/rpc/error_details_pb.js";
import { Everything, ScalarsSchema, type Scalars } from "../gen/testing/v1/everything_pb.js";
import { Streamer, StreamReplySchema, StreamRequestSchema, type StreamRequest } from "../gen/testing/v1/streaming_pb.js";
import { callOptions, startTestServer, type TestServer } from "../support/raw-grpc-server.js";
import { failure } from "../support/call-failure.js";

const echo = Everything.method.echo;
const { serverStream, clientStream, bidi } = Streamer.method;

describe("the four method kinds over node:http2", { timeout: 20_000 }, () => {
  let server: TestServer;
  let backend: Http2Backend;
  before(async () => {
    server = await startTestServer([
      [
        echo,
        (call: grpc.ServerUnaryCall<Scalars, Scalars>, callback: grpc.sendUnaryData<Scalars>) => {
          const request = call.request;
          const headers = new grpc.Metadata();
          headers.set("x-header", call.metadata.get("x-in")[0] ?? "none");
          headers.set("x-header-bin", Buffer.from([0, 1, 255]));
          call.sendMetadata(headers);
          if (request.stringValue === "fail") {
            const trailers = new grpc.Metadata();
            const info = create(ErrorInfoSchema, { reason: "NOPE", domain: "test" });
            const status = create(StatusSchema, { code: grpc.status.FAILED_PRECONDITION, message: "not now", details: [anyPack(ErrorInfoSchema, info)] });
            trailers.set("grpc-status-details-bin", Buffer.from(toBinary(StatusSchema, status)));
            trailers.set("x-trailer", "t");
            return callback({ code: grpc.status.FAILED_PRECONDITION, details: "not now: 100% sure", metadata: trailers });
          }
          const trailers = new grpc.Metadata();
          trailers.set("x-trailer", "done");
          trailers.set("x-trailer-bin", Buffer.from("bin"));
          callback(
            null,
            create(ScalarsSchema, { stringValue: `echo ${request.stringValue}`, bytesValue: call.metadata.get("x-in-bin")[0] as Buffer }),
            trailers,
          );
        },
      ],
      [
        serverStream,
        (call: grpc.ServerWritableStream<StreamRequest, Message>) => {
          for (let i = 0; i < call.request.count; i++) call.write(create(StreamReplySchema, { index: i, text: call.request.name }));
          if (call.request.failCode) call.emit("error", { code: call.request.failCode, details: "stream failed" });
          else call.end();
        },
      ],
      [
        clientStream,
        (call: grpc.ServerReadableStream<StreamRequest, Message>, callback: grpc.sendUnaryData<Message>) => {
          const names: string[] = [];
          call.on("data", (r: StreamRequest) => names.push(r.name));
          call.on("end", () => callback(null, create(StreamReplySchema, { text: names.join("+"), index: names.length })));
        },
      ],
      [
        bidi,
        (call: grpc.ServerDuplexStream<StreamRequest, Message>) => {
          call.on("data", (r: StreamRequest) => call.write(create(StreamReplySchema, { text: `re ${r.name}` })));
          call.on("end", () => call.end());
        },
      ],
    ]);
    backend = dial(server.address);
  });
  after(async () => {
    backend.close();
    await server.close();
  });

  test("unary: reply, header metadata and trailers apart, binary metadata both ways", async () => {
    const metadata = new grpc.Metadata();
    metadata.set("x-in", "hello");
    metadata.set("x-in-bin", Buffer.from([9, 8, 7]));
    const result = await backend.unary(echo, create(ScalarsSchema, { stringValue: "a" }), callOptions({ metadata }));
    const reply = result.message as Scalars;
    assert.equal(reply.stringValue, "echo a");
    assert.deepEqual([...reply.bytesValue], [9, 8, 7]);
    assert.deepEqual(result.headers.get("x-header"), ["hello"]);
    assert.deepEqual(result.headers.get("x-header-bin"), [Buffer.from([0, 1, 255])]);
    assert.deepEqual(result.trailers.get("x-trailer"), ["done"]);
    assert.deepEqual(result.trailers.get("x-trailer-bin"), [Buffer.from("bin")]);
    assert.deepEqual(result.trailers.get("grpc-status"), []);
    assert.deepEqual(result.headers.get("x-trailer"), []);
  });

  test("a failing status passes through: code, message, details, header metadata and trailers", async () => {
    const err = await failure(backend.unary(echo, create(ScalarsSchema, { stringValue: "fail" }), callOptions()));
    assert.equal(err.code, grpc.status.FAILED_PRECONDITION);
    assert.equal(err.rawMessage, "not now: 100% sure");
    assert.equal(err.details.length, 1);
    assert.equal(err.details[0]!.typeUrl, "type.googleapis.com/google.rpc.ErrorInfo");
    assert.deepEqual(err.metadata.get("x-header"), ["none"]);
    assert.deepEqual(err.trailers.get("x-trailer"), ["t"]);
  });

  test("server streaming: every message, then the trailers", async () => {
    const call = backend.stream(serverStream, callOptions());
    await call.send(create(StreamRequestSchema, { name: "s", count: 3 }));
    call.close();
    const got: number[] = [];
    for await (const m of call.replies) got.push((m as unknown as { index: number }).index);
    assert.deepEqual(got, [0, 1, 2]);
    assert.ok(await call.trailers);
  });

  test("server streaming that fails after messages throws the status after them", async () => {
    const call = backend.stream(serverStream, callOptions());
    await call.send(create(StreamRequestSchema, { name: "s", count: 2, failCode: grpc.status.ABORTED }));
    call.close();
    const got: number[] = [];
    const err = await failure(
      (async () => {
        for await (const m of call.replies) got.push((m as unknown as { index: number }).index);
      })(),
    );
    assert.deepEqual(got, [0, 1]);
    assert.equal(err.code, grpc.status.ABORTED);
    assert.equal(err.rawMessage, "stream failed");
  });

  test("client streaming: several requests, one reply", async () => {
    const call = backend.stream(clientStream, callOptions());
    for (const name of ["a", "b", "c"]) await call.send(create(StreamRequestSchema, { name }));
    call.close();
    const replies: string[] = [];
    for await (const m of call.replies) replies.push((m as unknown as { text: string }).text);
    assert.deepEqual(replies, ["a+b+c"]);
  });

  test("client streaming: requests larger than the stream's buffer each wait for its drain, and all arrive in order", async () => {
    const call = backend.stream(clientStream, callOptions());
    // 64 KiB each: node's HTTP/2 stream takes 16 KiB before write() says wait for 'drain'.
    const names = Array.from({ length: 40 }, (_, i) => `${i}`.padEnd(64 * 1024, "."));
    for (const name of names) await call.send(create(StreamRequestSchema, { name }));
    call.close();
    const replies: Array<{ text: string; index: number }> = [];
    for await (const m of call.replies) replies.push(m as unknown as { text: string; index: number });
    assert.equal(replies.length, 1);
    assert.equal(replies[0]!.index, names.length);
    assert.equal(replies[0]!.text, names.join("+"));
  });

  test("bidi: each reply arrives before the next request is sent", async () => {
    const call = backend.stream(bidi, callOptions());
    const it = call.replies[Symbol.asyncIterator]();
    for (const name of ["x", "y"]) {
      await call.send(create(StreamRequestSchema, { name }));
      const next = await it.next();
      assert.equal((next.value as unknown as { text: string }).text, `re ${name}`);
    }
    call.close();
    assert.equal((await it.next()).done, true);
  });

  test("an unimplemented method is UNIMPLEMENTED from the server", async () => {
    const err = await failure(backend.unary(Everything.method.ping, create(ScalarsSchema), callOptions()));
    assert.equal(err.code, grpc.status.UNIMPLEMENTED);
  });
});
