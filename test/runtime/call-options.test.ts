// The options a backend is handed (protocol/call.ts): own properties a wrapping backend may
// spread, `signal` among them, made when read and aborted when the HTTP client leaves.
import assert from "node:assert/strict";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { Metadata } from "@grpc/grpc-js";
import { createGateway, type Backend, type CallOptions } from "grpc-gateway-express/runtime";
import { registerGreeterGateway } from "../../examples/gen/greeter/v1/greeter_gateway.js";

let server: Server;
let port: number;
let seen: (options: CallOptions) => Promise<void> = async () => {};

before(async () => {
  const gateway = createGateway();
  // A backend that wraps another the usual way: `{ ...options }` before passing the call on.
  const wrapping: Backend = {
    unary: async (method, _request, options) => {
      await seen({ ...options });
      return { message: create(method.output, { message: "hi" }), headers: new Metadata(), trailers: new Metadata() };
    },
    stream: () => {
      throw new Error("no streams here");
    },
  };
  registerGreeterGateway(gateway, wrapping);
  server = createServer(gateway);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

test("a spread of the options keeps every option, the signal included", async () => {
  let copy: CallOptions | undefined;
  seen = async (options) => {
    copy = options;
  };
  const res = await fetch(`http://127.0.0.1:${port}/v1/greeter/spread`, { headers: { "grpc-timeout": "5S" } });
  assert.equal(res.status, 200);
  assert.ok(copy !== undefined);
  assert.ok(copy.signal instanceof AbortSignal);
  assert.equal(copy.signal.aborted, false);
  assert.ok(copy.metadata instanceof Metadata);
  assert.ok(copy.deadline instanceof Date);
  assert.equal(copy.replyTimeoutMs, undefined, "a call with a deadline has no reply deadline of the gateway's");
  assert.equal(typeof copy.onClientGone, "function");
  assert.equal(typeof copy.connectTimeoutMs, "number");
  assert.deepEqual(Object.keys(copy).sort(), [
    "connectTimeoutMs",
    "deadline",
    "maxRequestBytes",
    "metadata",
    "onClientGone",
    "onTransportError",
    "replyAsBytes",
    "replyTimeoutMs",
    "signal",
  ]);
  assert.equal(copy.replyAsBytes, true, "a unary reply nothing but the JSON marshaler reads");
});

test("the signal a wrapping backend got by spreading is aborted when the client leaves", async () => {
  let aborted!: Promise<void>;
  const called = new Promise<void>((resolve) => {
    seen = (options) => {
      aborted = new Promise((done) => options.signal.addEventListener("abort", () => done(), { once: true }));
      resolve();
      return aborted;
    };
  });
  const req = request({ host: "127.0.0.1", port, path: "/v1/greeter/leaving" });
  req.on("error", () => {});
  req.end();
  await called;
  req.destroy();
  await aborted;
});
