// The generated clients against a real gateway (Express, attachWebSockets) in front of real
// grpc-js backends: server streams in both formats, client and bidi streams over WebSocket,
// the typed error, cancellation, deadlines, and metadata both ways.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { anyPack } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import express from "express";
import { attachWebSockets, createGateway, dial, type Backend } from "grpc-gateway-express/runtime";
import { Code, GatewayClientError, type ClientOptions } from "grpc-gateway-express/client";
import { WebSocket } from "ws";
import { BadRequestSchema } from "../../runtime/gen/google/rpc/error_details_pb.js";
import { StatusSchema } from "../../runtime/gen/google/rpc/status_pb.js";
import { Everything, type UploadRequest } from "../gen/testing/v1/everything_pb.js";
import { registerEverythingGateway } from "../gen/testing/v1/everything_gateway.js";
import { createEverythingClient } from "../gen/testing/v1/everything_client.js";
import { registerStreamerGateway } from "../gen/testing/v1/streaming_gateway.js";
import { createStreamerClient } from "../gen/testing/v1/streaming_client.js";
import { startRecordingBackend, type RecordingBackend } from "../support/recording-backend.js";
import { startStreamerBackend, type StreamerBackend } from "../support/streamer-backend.js";

let streamer: StreamerBackend;
let recording: RecordingBackend;
let server: Server;
let baseUrl: string;
const channels: Array<Backend & { close(): void }> = [];

before(async () => {
  streamer = await startStreamerBackend();
  recording = await startRecordingBackend([Everything]);
  const gateway = createGateway();
  const streamerChannel = dial(streamer.address);
  const everythingChannel = dial(recording.address);
  channels.push(streamerChannel, everythingChannel);
  registerStreamerGateway(gateway, streamerChannel);
  registerEverythingGateway(gateway, everythingChannel);
  server = createServer(express().use(gateway));
  attachWebSockets(server, gateway);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  for (const channel of channels) channel.close();
  await streamer.close();
  await recording.close();
});

/** The recording backend's default again: echo the request where the reply has its type. */
const echoAgain = () => recording.handle((call) => ({ reply: call.method.input === call.method.output ? call.request : undefined }));

const options = (more: Partial<ClientOptions> = {}): ClientOptions => ({ baseUrl, webSocket: WebSocket as never, ...more });

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

async function* from<T>(...items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

describe("server streams", () => {
  for (const streamFormat of ["ndjson", "sse"] as const) {
    test(`${streamFormat}: every reply in order, as an async iterable`, async () => {
      const client = createStreamerClient(options({ streamFormat }));
      const replies = await collect(client.serverStream({ name: "n", count: 3 }));
      assert.deepEqual(
        replies.map((r) => [r.index, r.text]),
        [
          [0, "n #0"],
          [1, "n #1"],
          [2, "n #2"],
        ],
      );
    });

    test(`${streamFormat}: a failure after the first reply ends the iteration with the typed error`, async () => {
      const client = createStreamerClient(options({ streamFormat }));
      const seen: number[] = [];
      await assert.rejects(
        (async () => {
          for await (const reply of client.serverStream({ name: "f", count: 2, failCode: Code.RESOURCE_EXHAUSTED })) seen.push(reply.index);
        })(),
        (err: unknown) => err instanceof GatewayClientError && err.code === Code.RESOURCE_EXHAUSTED && err.message === "failed after 2",
      );
      assert.deepEqual(seen, [0, 1]);
    });
  }

  test("a failure before the first reply has the code's HTTP status", async () => {
    const client = createStreamerClient(options());
    await assert.rejects(collect(client.serverStream({ name: "f", count: 0, failCode: Code.NOT_FOUND })), (err: unknown) => {
      assert.ok(err instanceof GatewayClientError);
      assert.equal(err.code, Code.NOT_FOUND);
      assert.equal(err.codeName, "NOT_FOUND");
      assert.equal(err.httpStatus, 404);
      return true;
    });
  });

  test("breaking out of the loop cancels the backend call", async () => {
    const client = createStreamerClient(options());
    const before = streamer.calls.length;
    for await (const reply of client.serverStream({ name: "slow", count: 1000, delayMs: 5 })) {
      if (reply.index === 1) break;
    }
    assert.equal(await streamer.calls[before]!.cancelled, true);
  });

  test("an AbortSignal cancels the call", async () => {
    const client = createStreamerClient(options());
    const controller = new AbortController();
    const before = streamer.calls.length;
    await assert.rejects(
      (async () => {
        for await (const reply of client.serverStream({ name: "a", count: 1000, delayMs: 5 }, { signal: controller.signal })) {
          if (reply.index === 0) controller.abort();
        }
      })(),
      { name: "AbortError" },
    );
    assert.equal(await streamer.calls[before]!.cancelled, true);
  });

  test("a stream of HttpBody chunks is one download, read whole under the first chunk's content type", async () => {
    const client = createStreamerClient(options());
    const bodies = await collect(client.download({ name: "ab", count: 3 }));
    assert.equal(bodies.length, 1);
    assert.equal(bodies[0]!.contentType, "text/plain;part=0");
    assert.equal(new TextDecoder().decode(bodies[0]!.data), "ababab");
  });

  test("response header metadata reaches onHeader", async () => {
    const client = createStreamerClient(options());
    let header: Headers | undefined;
    await collect(client.serverStream({ name: "h", count: 1, sendHeaders: true }, { onHeader: (m) => (header = m) }));
    assert.equal(header?.get("x-stream"), "h");
  });
});

describe("client and bidi streams over WebSocket", () => {
  test("client streaming sends every request and resolves with the one reply", async () => {
    const client = createStreamerClient(options());
    const reply = await client.clientStream(from({ name: "a" }, { name: "b" }, { name: "c" }));
    assert.equal(reply.text, "a,b,c");
    assert.equal(reply.index, 3);
  });

  test("bidi streaming answers each request as it comes", async () => {
    const client = createStreamerClient(options());
    const replies = await collect(client.bidi(from({ name: "x" }, { name: "y" })));
    assert.deepEqual(
      replies.map((r) => r.text),
      ["echo x", "echo y"],
    );
  });

  test("a failure is the typed error with the backend's code", async () => {
    const client = createStreamerClient(options());
    await assert.rejects(
      collect(client.bidi(from({ name: "ok" }, { name: "no", failCode: Code.PERMISSION_DENIED }))),
      (err: unknown) => err instanceof GatewayClientError && err.code === Code.PERMISSION_DENIED && err.message === "refused no",
    );
  });

  test("headers and metadata go out on the handshake", async () => {
    const client = createStreamerClient(options({ headers: { Authorization: "Bearer c" } }));
    const before = streamer.calls.length;
    await client.clientStream(from({ name: "m" }), { metadata: { tenant: "t1" }, timeoutMs: 5000 });
    const md = streamer.calls[before]!.metadata;
    assert.deepEqual(md.get("tenant"), ["t1"]);
    assert.deepEqual(md.get("authorization"), ["Bearer c"]);
  });
});

describe("unary calls", () => {
  test("errors carry the code, message, details and HTTP status", async () => {
    recording.handle(() => {
      throw { code: Code.FAILED_PRECONDITION, details: "not yet" };
    });
    try {
      const client = createEverythingClient(options());
      await assert.rejects(client.echo({ stringValue: "e" }), (err: unknown) => {
        assert.ok(err instanceof GatewayClientError);
        assert.equal(err.code, Code.FAILED_PRECONDITION);
        assert.equal(err.message, "not yet");
        assert.equal(err.httpStatus, 400);
        assert.deepEqual(err.details, []);
        return true;
      });
    } finally {
      echoAgain();
    }
  });

  test("the status's details arrive as the gateway wrote them, with the response's metadata", async () => {
    const detail = anyPack(BadRequestSchema, create(BadRequestSchema, { fieldViolations: [{ field: "name", description: "empty" }] }));
    const metadata = new grpc.Metadata();
    metadata.set("grpc-status-details-bin", Buffer.from(toBinary(StatusSchema, create(StatusSchema, { code: 3, message: "bad name", details: [detail] }))));
    recording.handle(() => {
      throw { code: Code.INVALID_ARGUMENT, details: "bad name", metadata, headers: { "x-why": "validation" } };
    });
    try {
      const client = createEverythingClient(options());
      await assert.rejects(client.echo({ stringValue: "e" }), (err: unknown) => {
        assert.ok(err instanceof GatewayClientError);
        assert.equal(err.code, Code.INVALID_ARGUMENT);
        assert.equal(err.message, "bad name");
        assert.deepEqual(err.details, [
          {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            fieldViolations: [{ field: "name", description: "empty", reason: "", localizedMessage: null }],
          },
        ]);
        assert.equal(err.metadata.get("x-why"), "validation");
        return true;
      });
    } finally {
      echoAgain();
    }
  });

  test("a request the gateway refuses is INVALID_ARGUMENT, 400, with its message", async () => {
    const client = createEverythingClient(options());
    await assert.rejects(client.echo({ stringValue: "b" }, { headers: { "Grpc-Timeout": "soon" } }), (err: unknown) => {
      assert.ok(err instanceof GatewayClientError);
      assert.equal(err.code, Code.INVALID_ARGUMENT);
      assert.equal(err.httpStatus, 400);
      assert.match(err.message, /Grpc-Timeout/);
      return true;
    });
  });

  test("the deadline goes out as Grpc-Timeout; headers and metadata become gRPC metadata", async () => {
    const client = createEverythingClient(options({ headers: { Authorization: "Bearer t" } }));
    const before = recording.calls.length;
    const started = Date.now();
    await client.echo({ stringValue: "d" }, { timeoutMs: 30_000, metadata: { "x-trace": "abc" } });
    const call = recording.calls[before]!;
    assert.deepEqual(call.metadata.get("x-trace"), ["abc"]);
    assert.deepEqual(call.metadata.get("authorization"), ["Bearer t"]);
    const deadline = call.deadline instanceof Date ? call.deadline.getTime() : Number(call.deadline);
    assert.ok(deadline > started + 25_000 && deadline <= Date.now() + 30_000, `deadline ${deadline - started} ms away`);
  });

  test("a deadline that passes is DEADLINE_EXCEEDED, 504", async () => {
    recording.handle(() => new Promise((resolve) => setTimeout(() => resolve({}), 500)));
    try {
      const client = createEverythingClient(options());
      await assert.rejects(
        client.echo({ stringValue: "late" }, { timeoutMs: 20 }),
        (err: unknown) => err instanceof GatewayClientError && err.code === Code.DEADLINE_EXCEEDED && err.httpStatus === 504,
      );
    } finally {
      echoAgain();
    }
  });

  test("response_body: the reply holds the part the gateway wrote", async () => {
    const client = createEverythingClient(options());
    const reply = await client.echoNested({ uuid: "u", nested: { name: "inner", amount: 3 }, stringValue: "dropped" });
    assert.equal(reply.nested?.name, "inner");
    assert.equal(reply.nested?.amount, 3);
    assert.equal(reply.stringValue, "", "fields outside response_body are not sent");
  });

  test("HttpBody replies are read raw, with their content type", async () => {
    recording.handle(() => ({ reply: { contentType: "text/csv", data: new TextEncoder().encode("a,b\n") } }));
    try {
      const client = createEverythingClient(options());
      const body = await client.download({ name: "f.csv" });
      assert.equal(body.contentType, "text/csv");
      assert.equal(new TextDecoder().decode(body.data), "a,b\n");
    } finally {
      echoAgain();
    }
  });

  test("an HttpBody request body goes raw, with its content type", async () => {
    const client = createEverythingClient(options());
    const before = recording.calls.length;
    await client.upload({ name: "f.txt", body: { contentType: "text/plain", data: new TextEncoder().encode("raw bytes") } });
    const request = recording.calls[before]!.request as UploadRequest;
    assert.equal(request.name, "f.txt");
    assert.equal(request.body?.contentType, "text/plain");
    assert.equal(new TextDecoder().decode(request.body?.data), "raw bytes");
  });

  test("header metadata of the response reaches onHeader", async () => {
    recording.handle((call) => ({ reply: call.request, headers: { "x-served-by": "b1" } }));
    try {
      const client = createEverythingClient(options());
      let header: Headers | undefined;
      await client.echo({ stringValue: "m" }, { onHeader: (m) => (header = m) });
      assert.equal(header?.get("x-served-by"), "b1");
    } finally {
      echoAgain();
    }
  });
});
