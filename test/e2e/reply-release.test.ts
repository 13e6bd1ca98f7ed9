// The gateway lets go of a unary reply once it has written it. The backend's promise was made
// when the call started, and under load it outlives a scavenge and is promoted; its settled
// value then points from the old generation into the young one, and V8 keeps whatever such a
// pointer reaches through the next scavenge even once the promise is garbage. A reply's
// message tree kept that way was most of what survived the scavenges of a 64 KB POST
// (bench/ANALYSIS.md, fifth session). Here the test holds every result, as that promise
// does, and the replies' messages must still be collectable once they are written.
import assert from "node:assert/strict";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setImmediate as tick } from "node:timers/promises";
import { after, before, test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import express from "express";
import { type Backend, createGateway, type UnaryResult } from "grpc-gateway-express/runtime";
import { Greeter } from "../../examples/gen/greeter/v1/greeter_pb.js";
import { GreeterRoutes } from "../../examples/gen/greeter/v1/greeter_gateway.js";
import { dialBackend } from "../support/dial-backend.js";
import { startRecordingBackend, type RecordingBackend } from "../support/recording-backend.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

let backend: RecordingBackend;
let channel: Backend & { close(): void };
let server: Server;
let baseUrl: string;
// Every result the backend handed over, its message watched, and whether the next is frozen.
const results: UnaryResult[] = [];
const messages: WeakRef<object>[] = [];
let freeze = false;

before(async () => {
  backend = await startRecordingBackend([Greeter]);
  channel = dialBackend(backend.address);
  const keeping: Backend = {
    unary: async (method, request, options) => {
      const result = await channel.unary(method, request, options);
      results.push(freeze ? Object.freeze({ ...result }) : result);
      messages.push(new WeakRef(result.message));
      return results.at(-1)!;
    },
    stream: (method, options) => channel.stream(method, options),
  };
  const gateway = createGateway();
  gateway.register(Greeter, GreeterRoutes, keeping);
  const app = express();
  app.use(gateway);
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  backend.handle((call) => ({ reply: { message: `hello ${(call.request as unknown as { name: string }).name}` } }));
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  channel.close();
  await backend.close();
});

async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 10 && ref.deref() !== undefined; i++) {
    await tick();
    gc();
  }
  return ref.deref() === undefined;
}

test("a written reply's message is collectable while its result is still held", async () => {
  freeze = false;
  const response = await fetch(`${baseUrl}/v1/greeter/ada`);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { message: "hello ada" });
  assert.ok(results.at(-1), "the result is held");
  assert.equal(await collected(messages.at(-1)!), true, "the gateway left the reply reachable through its result");
});

test("a result the backend froze is answered all the same, and left as it was", async () => {
  freeze = true;
  const response = await fetch(`${baseUrl}/v1/greeter/cy`);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { message: "hello cy" });
  const result = results.at(-1)!;
  assert.ok(Object.isFrozen(result));
  assert.notEqual(result.message, undefined);
});
