// Under load every accepted request gets exactly one response, its own, and the backend
// sees exactly the calls the clients made: 1,000 keep-alive connections at once against a
// real Express app and a real grpc-js backend, each sending GETs and POSTs in turn, some
// pipelined on the raw socket. Nothing here measures time; the waits only bound a hang.
import assert from "node:assert/strict";
import { Agent, request } from "node:http";
import { connect } from "node:net";
import { after, before, test } from "node:test";
import type { HelloRequest } from "../../examples/gen/greeter/v1/greeter_pb.js";
import { Greeter } from "../../examples/gen/greeter/v1/greeter_pb.js";
import { GreeterRoutes } from "../../examples/gen/greeter/v1/greeter_gateway.js";
import { startHarness, type Harness } from "../support/gateway-harness.js";

const connections = 1000;
const requestsPerConnection = 3;

let harness: Harness;
before(async () => {
  harness = await startHarness([{ service: Greeter, routes: GreeterRoutes }]);
  // A reply a turn later, so that calls overlap as they would against a real service.
  harness.backend.handle(async (call) => {
    await new Promise((resolve) => setImmediate(resolve));
    return { reply: { message: `hello ${(call.request as HelloRequest).name}` } };
  });
});
after(() => harness.close());

/** One request on `agent`, resolving with status and body; rejects after `ms` so a lost reply fails. */
function send(agent: Agent, method: "GET" | "POST", name: string, ms = 60_000): Promise<{ status: number; body: string }> {
  const url = new URL(method === "GET" ? `/v1/greeter/${name}` : "/v1/greeter", harness.baseUrl);
  const body = method === "POST" ? JSON.stringify({ name }) : undefined;
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers: body ? { "content-type": "application/json" } : {} }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on("error", reject);
    });
    req.setTimeout(ms, () => req.destroy(new Error(`no reply to ${method} ${name} within ${ms} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

function namesSeenByBackend(from: number): string[] {
  return harness.backend.calls.slice(from).map((c) => (c.request as HelloRequest).name);
}

test("1,000 connections at once: one response per request, its own, and one backend call per request", async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const before = harness.backend.calls.length;
  const sent: string[] = [];
  try {
    const clients = Array.from({ length: connections }, async (_, client) => {
      for (let turn = 0; turn < requestsPerConnection; turn++) {
        const name = `c${client}-t${turn}`;
        const method = (client + turn) % 2 === 0 ? "GET" : "POST";
        sent.push(name);
        const { status, body } = await send(agent, method, name);
        assert.equal(status, 200, `${method} ${name}: ${body}`);
        assert.deepEqual(JSON.parse(body), { message: `hello ${name}` }, `${method} ${name} got another request's reply`);
      }
    });
    await Promise.all(clients);
  } finally {
    agent.destroy();
  }
  assert.equal(sent.length, connections * requestsPerConnection);
  assert.deepEqual(namesSeenByBackend(before).sort(), [...sent].sort(), "the backend saw other calls than the clients made");
});

test("pipelined requests on 100 raw sockets: every one answered once, in order, and called once", async () => {
  const { port } = new URL(harness.baseUrl);
  const sockets = 100;
  const pipelined = 10;
  const before = harness.backend.calls.length;
  const replies = await Promise.all(
    Array.from({ length: sockets }, (_, s) => {
      const names = Array.from({ length: pipelined }, (_, i) => `p${s}-${i}`);
      return new Promise<{ names: string[]; text: string }>((resolve, reject) => {
        const socket = connect(Number(port), "127.0.0.1");
        let text = "";
        socket.setEncoding("utf8");
        socket.setTimeout(60_000, () => socket.destroy(new Error(`socket ${s}: not every pipelined request was answered`)));
        socket.on("data", (chunk: string) => {
          text += chunk;
          if ((text.match(/HTTP\/1\.1 /g) ?? []).length === pipelined && text.endsWith(`"hello ${names[pipelined - 1]}"}`)) socket.end();
        });
        socket.on("close", () => resolve({ names, text }));
        socket.on("error", reject);
        socket.write(names.map((n) => `GET /v1/greeter/${n} HTTP/1.1\r\nHost: x\r\n\r\n`).join(""));
      });
    }),
  );
  for (const { names, text } of replies) {
    const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    assert.deepEqual(statuses, Array(pipelined).fill("200"), text);
    const bodies = [...text.matchAll(/\{"message":"hello ([^"]+)"\}/g)].map((m) => m[1]);
    assert.deepEqual(bodies, names, "pipelined replies out of order or missing");
  }
  const expected = replies.flatMap((r) => r.names).sort();
  assert.deepEqual(namesSeenByBackend(before).sort(), expected);
});
