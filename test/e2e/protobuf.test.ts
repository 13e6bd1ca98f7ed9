// Protobuf binary replies through real grpc-js backends: unary bodies, errors as a binary
// google.rpc.Status whatever the request's own format, and server streams as
// length-delimited frames ending with the status.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { BinaryReader } from "@bufbuild/protobuf/wire";
import { createProtobufMarshaler, type GatewayOptions } from "grpc-gateway-express/runtime";
import { StatusSchema } from "../../runtime/gen/google/rpc/status_pb.js";
import { Payloads, PayloadSchema } from "../gen/testing/v1/payloads_pb.js";
import { PayloadsRoutes } from "../gen/testing/v1/payloads_gateway.js";
import { StreamReplySchema, Streamer } from "../gen/testing/v1/streaming_pb.js";
import { StreamerRoutes } from "../gen/testing/v1/streaming_gateway.js";
import { startHarness, type Harness } from "../support/gateway-harness.js";
import { send } from "../support/http-client.js";
import { createGateway } from "grpc-gateway-express/runtime";
import express from "express";
import type { AddressInfo } from "node:net";
import { startStreamerBackend, type StreamerBackend } from "../support/streamer-backend.js";
import { dialBackend } from "../support/dial-backend.js";

const options: GatewayOptions = {
  marshalers: {
    "application/x-protobuf": createProtobufMarshaler(),
    "application/octet-stream": createProtobufMarshaler({ contentType: "application/octet-stream" }),
  },
};
const protobuf = { "Content-Type": "application/x-protobuf", Accept: "application/x-protobuf" };

/** Splits a binary stream body into its frames: [field number, payload] per frame. */
function frames(body: Uint8Array): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  const reader = new BinaryReader(body);
  while (reader.pos < reader.len) {
    const envelope = new BinaryReader(reader.bytes());
    const [fieldNo] = envelope.tag();
    out.push([fieldNo, envelope.bytes()]);
    assert.equal(envelope.pos, envelope.len, "one field per envelope");
  }
  return out;
}

describe("protobuf binary unary", () => {
  let harness: Harness;
  before(async () => (harness = await startHarness([{ service: Payloads, routes: PayloadsRoutes }], options)));
  after(() => harness.close());

  test("a binary request gets a binary reply of the same message", async () => {
    const sent = create(PayloadSchema, { name: "n", rating: 0 });
    const result = await send(harness.baseUrl, { method: "POST", path: "/v1/payloads", headers: protobuf, body: Buffer.from(toBinary(PayloadSchema, sent)) });
    assert.equal(result.status, 200);
    assert.equal(result.headers["content-type"], "application/x-protobuf");
    const got = fromBinary(PayloadSchema, result.body);
    assert.equal(got.name, "n");
    assert.equal(got.rating, 0);
  });

  test("application/octet-stream answers with grpc-gateway's content type", async () => {
    const body = Buffer.from(toBinary(PayloadSchema, create(PayloadSchema, { name: "o" })));
    const result = await send(harness.baseUrl, { method: "POST", path: "/v1/payloads", headers: { "Content-Type": "application/octet-stream" }, body });
    assert.equal(result.headers["content-type"], "application/octet-stream");
    assert.equal(fromBinary(PayloadSchema, result.body).name, "o");
  });

  test("an error is a binary google.rpc.Status when the reply is protobuf, even for a JSON request", async () => {
    harness.backend.handle(() => Promise.reject({ code: 5, details: "no such payload" }));
    for (const headers of [protobuf, { "Content-Type": "application/json", Accept: "application/x-protobuf" }]) {
      const body = headers["Content-Type"] === "application/json" ? "{}" : Buffer.from(toBinary(PayloadSchema, create(PayloadSchema)));
      const result = await send(harness.baseUrl, { method: "POST", path: "/v1/payloads", headers, body });
      assert.equal(result.status, 404);
      assert.equal(result.headers["content-type"], "application/x-protobuf");
      const status = fromBinary(StatusSchema, result.body);
      assert.equal(status.code, 5);
      assert.equal(status.message, "no such payload");
    }
    // And JSON for a JSON request, as before.
    const json = await send(harness.baseUrl, { method: "POST", path: "/v1/payloads", headers: { "Content-Type": "application/json" }, body: "{}" });
    assert.equal(json.headers["content-type"], "application/json");
    assert.equal(JSON.parse(json.text).code, 5);
  });

  test("a malformed binary body is 400 with a binary status", async () => {
    const result = await send(harness.baseUrl, { method: "POST", path: "/v1/payloads", headers: protobuf, body: Buffer.from([0xff, 0xff]) });
    assert.equal(result.status, 400);
    assert.equal(fromBinary(StatusSchema, result.body).code, 3);
  });
});

describe("protobuf binary server streams", () => {
  let backend: StreamerBackend;
  let url: string;
  let close: () => Promise<void>;
  before(async () => {
    backend = await startStreamerBackend();
    const gateway = createGateway(options);
    gateway.register(Streamer, StreamerRoutes, dialBackend(backend.address));
    const server = express().use(gateway).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    };
  });
  after(async () => {
    await close();
    await backend.close();
  });

  test("each reply is a length-delimited frame; a failure ends with a status frame", async () => {
    const result = await send(url, { method: "GET", path: "/v1/stream/s?count=2&fail_code=9", headers: { Accept: "application/x-protobuf" } });
    assert.equal(result.status, 200);
    assert.equal(result.headers["content-type"], "application/x-protobuf");
    const got = frames(result.body);
    assert.deepEqual(
      got.map(([no]) => no),
      [1, 1, 2],
    );
    assert.deepEqual(
      got.slice(0, 2).map(([, bytes]) => fromBinary(StreamReplySchema, bytes).index),
      [0, 1],
    );
    const status = fromBinary(StatusSchema, got[2]![1]);
    assert.equal(status.code, 9);
    assert.match(status.message, /failed after 2/);
  });

  test("a stream that succeeds has only reply frames", async () => {
    const result = await send(url, { method: "GET", path: "/v1/stream/s?count=3", headers: { Accept: "application/x-protobuf" } });
    assert.deepEqual(
      frames(result.body).map(([no]) => no),
      [1, 1, 1],
    );
  });

  test("a failure before the first reply answers its HTTP status and one status frame, as a stream", async () => {
    const result = await send(url, { method: "GET", path: "/v1/stream/s?count=0&fail_code=7", headers: { Accept: "application/x-protobuf" } });
    assert.equal(result.status, 403);
    assert.equal(result.headers["content-type"], "application/x-protobuf");
    const got = frames(result.body);
    assert.deepEqual(
      got.map(([no]) => no),
      [2],
    );
    assert.equal(fromBinary(StatusSchema, got[0]![1]).code, 7);
  });
});
