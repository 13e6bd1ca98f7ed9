// Unary replies written from their bytes: over the lean transport, where nothing but the JSON
// marshaler reads a reply, the gateway writes its text straight from the protobuf binary the
// backend sent (marshal/transcode/binary-to-json.ts). Whatever the bytes, the client gets what
// decoding and writing the message gives: the same text for bytes out of order, the same
// error for bytes that do not decode, and hooks and wrapping backends still see the message.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { createServer as createHttp2Server, type Http2Server, type ServerHttp2Stream } from "node:http2";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import express from "express";
import { type Backend, createGateway, createJsonMarshaler, dial, type GatewayOptions } from "grpc-gateway-express/runtime";
import { encodeFrame } from "../../runtime/backend/http2/framing.js";
import { ItemSchema, ItemView } from "../../bench/gen/bench/v1/bench_pb.js";
import { registerBenchServiceGateway } from "../../bench/gen/bench/v1/bench_gateway.js";

const item = create(ItemSchema, { id: "i-1", title: 'Tea "green" — 日本', priceCents: 1250n, tags: ["a", "b"], view: ItemView.FULL, locale: "" });
const ordered = toBinary(ItemSchema, item);
// The same fields, last first: what a reply written in another order looks like.
const shuffled = (() => {
  const w = new BinaryWriter();
  w.tag(5, WireType.Varint).int32(ItemView.FULL);
  w.tag(4, WireType.LengthDelimited).string("a");
  w.tag(4, WireType.LengthDelimited).string("b");
  w.tag(3, WireType.Varint).int64(1250n);
  w.tag(2, WireType.LengthDelimited).string(item.title);
  w.tag(1, WireType.LengthDelimited).string("i-1");
  return w.finish();
})();
const expectedText = createJsonMarshaler().marshal(ItemSchema, fromBinary(ItemSchema, ordered)) as string;

let grpcServer: Http2Server;
let reply: Uint8Array = ordered;
const mounts: Record<string, { server: Server; base: string }> = {};
let backend: Backend & { close(): void };

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function gatewayOver(target: Backend, options: GatewayOptions = {}) {
  const gateway = createGateway(options);
  registerBenchServiceGateway(gateway, target);
  return gateway;
}

before(async () => {
  // A gRPC server written on node:http2: it answers GetItem with whatever bytes the test set.
  grpcServer = createHttp2Server();
  grpcServer.on("stream", (stream: ServerHttp2Stream) => {
    stream.resume();
    stream.on("end", () => {
      stream.respond({ ":status": 200, "content-type": "application/grpc", "x-trace": "t-1" }, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.end(encodeFrame(reply));
    });
  });
  await new Promise<void>((resolve) => grpcServer.listen(0, "127.0.0.1", resolve));
  backend = dial(`127.0.0.1:${(grpcServer.address() as AddressInfo).port}`);
  const frontDoor = gatewayOver(backend);
  const mounted = gatewayOver(backend);
  const app = express();
  app.use(mounted);
  // A backend wrapping another the usual way, spreading the result it passes on.
  const spreading = gatewayOver({
    unary: async (method, request, options) => ({ ...(await backend.unary(method, request, options)) }),
    stream: (method, options) => backend.stream(method, options),
  });
  // Backends that change the reply: in place, or by handing on another message.
  const changingInPlace = gatewayOver({
    unary: async (method, request, options) => {
      const result = await backend.unary(method, request, options);
      (result.message as unknown as { title: string }).title = "changed in place";
      return result;
    },
    stream: (method, options) => backend.stream(method, options),
  });
  const replacing = gatewayOver({
    unary: async (method, request, options) => {
      const result = await backend.unary(method, request, options);
      return { ...result, message: create(ItemSchema, { id: "other" }) };
    },
    stream: (method, options) => backend.stream(method, options),
  });
  const hooked = gatewayOver(backend, {
    responseHook: ({ message }) => {
      (message as unknown as { title: string }).title = "changed by the hook";
    },
  });
  for (const [name, handler] of [
    ["front door", frontDoor.fallback(express())],
    ["app.use", app],
    ["spreading backend", spreading],
    ["response hook", hooked],
    ["changing in place", changingInPlace],
    ["replacing", replacing],
  ] as const) {
    const server = createServer(handler);
    mounts[name] = { server, base: await listen(server) };
  }
});

after(async () => {
  for (const { server } of Object.values(mounts)) {
    server.closeAllConnections();
    server.close();
  }
  backend.close();
  await new Promise((resolve) => grpcServer.close(resolve));
});

describe("unary replies written from their bytes", { timeout: 20_000 }, () => {
  for (const name of ["front door", "app.use", "spreading backend"]) {
    test(`${name}: the marshaler's text, whatever order the reply's fields came in`, async () => {
      for (const bytes of [ordered, shuffled]) {
        reply = bytes;
        const res = await fetch(`${mounts[name]!.base}/v1/items/i-1`);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), "application/json");
        assert.equal(res.headers.get("grpc-metadata-x-trace"), "t-1");
        const text = await res.text();
        assert.equal(text, expectedText);
        assert.equal(Number(res.headers.get("content-length")), Buffer.byteLength(expectedText));
      }
    });

    test(`${name}: a reply that does not decode is a 500 INTERNAL with the backend's header metadata, before any reply header`, async () => {
      reply = ordered.subarray(0, ordered.length - 3);
      try {
        const res = await fetch(`${mounts[name]!.base}/v1/items/i-1`);
        assert.equal(res.status, 500);
        const body = (await res.json()) as { code: number; message: string };
        assert.equal(body.code, 13);
        assert.doesNotMatch(body.message, /at |node:|127\.0\.0\.1/);
        assert.equal(res.headers.get("grpc-metadata-x-trace"), "t-1");
      } finally {
        reply = ordered;
      }
    });
  }

  test("a backend that changes the reply's message, in place or for another, has its change written", async () => {
    reply = ordered;
    const inPlace = await fetch(`${mounts["changing in place"]!.base}/v1/items/i-1`);
    assert.equal(((await inPlace.json()) as { title: string }).title, "changed in place");
    const replaced = await fetch(`${mounts.replacing!.base}/v1/items/i-1`);
    assert.deepEqual(await replaced.json(), { id: "other", title: "", priceCents: "0", tags: [], view: "ITEM_VIEW_UNSPECIFIED", locale: "" });
  });

  test("a response hook sees the reply's message and its change is written", async () => {
    reply = ordered;
    const res = await fetch(`${mounts["response hook"]!.base}/v1/items/i-1`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { title: string }).title, "changed by the hook");
  });
});
