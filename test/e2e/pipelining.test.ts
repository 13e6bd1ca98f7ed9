// HTTP/1.1 pipelining against a real gateway and a real grpc-js backend: a connection that
// sends thousands of requests and reads nothing starts only a bounded number of backend
// calls, and once replies flow every request gets exactly one response, in order.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import express from "express";
import { createGateway, dial, type Gateway, type GatewayOptions } from "grpc-gateway-express/runtime";
import { MessagingRoutes } from "../gen/testing/v1/messaging_gateway.js";
import { Messaging, type GetMessageRequest } from "../gen/testing/v1/messaging_pb.js";
import { startRecordingBackend, type RecordingBackend } from "../support/recording-backend.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Front {
  readonly port: number;
  close(): Promise<void>;
}

/** The gateway mounted in Express, or as the plain node:http handler. */
async function startFront(kind: "express" | "node:http", backend: RecordingBackend, options: GatewayOptions = {}): Promise<Front> {
  const channel = dial(backend.address);
  const gateway: Gateway = createGateway(options);
  gateway.register(Messaging, MessagingRoutes, channel);
  let server: Server;
  if (kind === "express") {
    const app = express();
    app.use(gateway);
    server = createServer(app);
  } else {
    server = createServer(gateway);
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      channel.close();
    },
  };
}

/** A backend whose calls wait until `release()`; each reply names the message it was asked for. */
async function startHeldBackend(): Promise<RecordingBackend & { release(): void }> {
  const backend = await startRecordingBackend([Messaging]);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  backend.handle(async (call) => {
    await released;
    return { reply: { messageId: (call.request as GetMessageRequest).messageId, text: "ok" } };
  });
  return Object.assign(backend, { release });
}

/** The message ids of the JSON bodies in `text`, in the order the responses came. */
function repliedIds(text: string): string[] {
  return [...text.matchAll(/"messageId":"(m\d+)"/g)].map((m) => m[1]!);
}

for (const kind of ["express", "node:http"] as const) {
  describe(`pipelined requests on one connection (${kind})`, () => {
    let backend: Awaited<ReturnType<typeof startHeldBackend>>;
    let front: Front;
    before(async () => {
      backend = await startHeldBackend();
      front = await startFront(kind, backend);
    });
    after(async () => {
      await front.close();
      await backend.close();
    });

    test("thousands of unread pipelined GETs start one backend call; then each is answered once, in order", async () => {
      const count = 2000;
      const socket: Socket = connect(front.port, "127.0.0.1");
      socket.setNoDelay(true);
      await new Promise((resolve) => socket.once("connect", resolve));
      socket.pause(); // read nothing
      let payload = "";
      for (let i = 0; i < count; i++) payload += `GET /v1/messages/m${i} HTTP/1.1\r\nHost: x\r\n\r\n`;
      socket.write(payload);
      await sleep(500);
      assert.ok(backend.calls.length <= 2, `backend saw ${backend.calls.length} calls while the client read nothing`);
      assert.ok(backend.calls.length >= 1);

      let received = "";
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => (received += chunk));
      socket.resume();
      backend.release();
      const deadline = Date.now() + 20_000;
      while (repliedIds(received).length < count && Date.now() < deadline && !socket.destroyed) await sleep(50);
      socket.destroy();
      const ids = repliedIds(received);
      assert.equal(ids.length, count, `${ids.length} of ${count} answered`);
      assert.deepEqual(
        ids,
        Array.from({ length: count }, (_, i) => `m${i}`),
      );
      assert.equal((received.match(/HTTP\/1\.1 200 /g) ?? []).length, count);
      assert.equal(backend.calls.length, count, "the backend saw exactly the calls the client made");
    });
  });
}

describe("a connection holding more pipelined requests than maxQueuedPerConnection", () => {
  test("is closed without starting their backend calls", async () => {
    const backend = await startHeldBackend();
    const front = await startFront("node:http", backend, { maxQueuedPerConnection: 10 });
    try {
      const socket = connect(front.port, "127.0.0.1");
      await new Promise((resolve) => socket.once("connect", resolve));
      socket.resume();
      const closed = new Promise((resolve) => socket.once("close", resolve));
      socket.write("GET /v1/messages/m HTTP/1.1\r\nHost: x\r\n\r\n");
      while (backend.calls.length === 0) await sleep(10);
      socket.write("GET /v1/messages/m HTTP/1.1\r\nHost: x\r\n\r\n".repeat(100));
      await closed;
      await sleep(100);
      assert.equal(backend.calls.length, 1);
      assert.equal(await backend.calls[0]!.cancelled, true, "the one started call is cancelled");
    } finally {
      backend.release();
      await front.close();
      await backend.close();
    }
  });
});
