// Failing backends and the gateway's own limits, against real grpc-js servers, a raw TCP
// listener that never speaks and a closed port: what the client gets (status and a generic
// message, never an address or grpc-js internals), that the backend sees the cancel, that
// nothing is left open, and that recovery after a restart does not grow with the outage.
import assert from "node:assert/strict";
import type { Server } from "node:http";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { after, describe, test } from "node:test";
import express from "express";
import * as grpc from "@grpc/grpc-js";
import { WebSocket } from "ws";
import { createGateway, dial, inProcess, type Backend, type GatewayError, type GatewayOptions } from "grpc-gateway-express/runtime";
import { registerEverythingGateway } from "../gen/testing/v1/everything_gateway.js";
import { Everything } from "../gen/testing/v1/everything_pb.js";
import { registerStreamerGateway } from "../gen/testing/v1/streaming_gateway.js";
import { spawnBackendProcess } from "../support/spawn-backend.js";
import { dialBackend, type testTransport } from "../support/dial-backend.js";
import { send, type HttpResult } from "../support/http-client.js";
import { startRecordingBackend, type RecordingBackend } from "../support/recording-backend.js";
import { startStreamerBackend } from "../support/streamer-backend.js";

const Code = grpc.status;
const J = { "Content-Type": "application/json" };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A gateway (Everything and Streamer routes) in front of whatever listens at `address`. */
interface Front {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** A gateway over the transport under test; with `channelOptions`, over grpc-js with them. */
function front(address: string, options: GatewayOptions = {}, channelOptions?: grpc.ClientOptions): Promise<Front> {
  return frontOf(channelOptions ? dial(address, { transport: "grpc-js", channelOptions }) : dialBackend(address), options);
}

/** {@link front} over the transport named. */
function frontOver(transport: typeof testTransport, address: string, options: GatewayOptions = {}): Promise<Front> {
  return frontOf(dialBackend(address, transport), options);
}

async function frontOf(backend: Backend & { close(): void }, options: GatewayOptions): Promise<Front> {
  const gateway = createGateway(options);
  registerEverythingGateway(gateway, backend);
  registerStreamerGateway(gateway, backend);
  const app = express();
  app.use(gateway);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  server.on("upgrade", (req, socket, head) => void gateway.upgrade(req, socket, head));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      backend.close();
    },
  };
}

/** Calls `work` and returns what it resolved to and how long it took. */
async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

/** Rejects when `promise` has not settled within `ms`, so a hang fails its test rather than the suite. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const echo = (url: string, headers: Record<string, string> = {}) => within(10_000, send(url, { method: "GET", path: "/v1/echo/hi", headers }));

/** The status body, checked for the status and for anything a client must not see. */
function errorBody(res: HttpResult, status: number, code: number, message: string | RegExp): { code: number; message: string } {
  assert.equal(res.status, status, res.text.slice(0, 300));
  const body = JSON.parse(res.text) as { code: number; message: string };
  assert.equal(body.code, code, res.text);
  if (typeof message === "string") assert.equal(body.message, message);
  else assert.match(body.message, message);
  assertNoInternals(res.text);
  return body;
}

/** A stream's error: grpc-gateway writes it as one `{"error": status}` chunk, with the status mapped while no message has gone out. */
function streamErrorBody(res: HttpResult, status: number, code: number, message: RegExp): void {
  assert.equal(res.status, status, res.text.slice(0, 300));
  const lines = res.text.trim().split("\n");
  assert.equal(lines.length, 1, res.text);
  const { error } = JSON.parse(lines[0]!) as { error: { code: number; message: string } };
  assert.equal(error.code, code, res.text);
  assert.match(error.message, message);
  assertNoInternals(res.text);
}

function assertNoInternals(text: string): void {
  assert.doesNotMatch(text, /127\.0\.0\.1|ECONNREFUSED|LB pick|remote_addr|Last error|Resolution note/, text);
}

/** A TCP listener that accepts connections and never sends a byte. */
async function silentListener(): Promise<{ address: string; sockets: Set<Socket>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    sockets,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A port nothing listens on (bound, read, released). */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `127.0.0.1:${port}`;
}

/** Open HTTP connections to `server`, once they have had up to a second to close. */
async function openConnections(server: Server): Promise<number> {
  let open = -1;
  for (let i = 0; i < 50 && open !== 0; i++) {
    open = await new Promise<number>((resolve, reject) => server.getConnections((e, n) => (e ? reject(e) : resolve(n))));
    if (open !== 0) await sleep(20);
  }
  return open;
}

/** Every call the backend has seen has ended (none is left open on its side). */
async function allEnded(backend: RecordingBackend): Promise<boolean[]> {
  return within(5000, Promise.all(backend.calls.map((c) => c.cancelled)));
}

const msAway = (deadline: grpc.Deadline) => (deadline instanceof Date ? deadline.getTime() : deadline) - Date.now();

describe("large timeouts", () => {
  let backend: RecordingBackend;
  let gw: Front;
  after(async () => {
    await gw?.close();
    await backend?.close();
  });

  for (const timeout of ["597H", "2147484S", "99999999H"]) {
    test(`Grpc-Timeout: ${timeout} is a long deadline, not an expired one`, async () => {
      backend ??= await startRecordingBackend([Everything]);
      gw ??= await front(backend.address);
      const before = backend.calls.length;
      const res = await echo(gw.url, { "Grpc-Timeout": timeout });
      assert.equal(res.status, 200, res.text);
      const ms = msAway(backend.calls[before]!.deadline);
      assert.ok(ms > 24 * 24 * 3600_000, `the backend's deadline is ${ms} ms away`);
    });
  }

  test("defaultTimeoutMs of 30 days is honoured as about 24.8 days", async () => {
    backend ??= await startRecordingBackend([Everything]);
    const g = await front(backend.address, { defaultTimeoutMs: 30 * 24 * 3600_000 });
    try {
      const before = backend.calls.length;
      const res = await echo(g.url);
      assert.equal(res.status, 200, res.text);
      const ms = msAway(backend.calls[before]!.deadline);
      assert.ok(ms > 24 * 24 * 3600_000 && ms < 25 * 24 * 3600_000, `the backend's deadline is ${ms} ms away`);
    } finally {
      await g.close();
    }
  });
});

describe("no request waits forever", () => {
  test("a handler that never answers: 504 after replyTimeoutMs, the backend call cancelled, no deadline sent", async () => {
    const backend = await startRecordingBackend([Everything]);
    const details: string[] = [];
    const gw = await front(backend.address, { replyTimeoutMs: 300, onTransportError: (_e, c) => void details.push(c.detail) });
    try {
      backend.handle(() => new Promise(() => {}));
      const { value: res, ms } = await timed(() => echo(gw.url));
      errorBody(res, 504, Code.DEADLINE_EXCEEDED, /deadline exceeded/);
      assert.ok(ms >= 280 && ms < 2000, `answered after ${ms} ms`);
      assert.equal(backend.calls.length, 1);
      assert.equal(backend.calls[0]!.deadline, Infinity, "the limit is not sent as grpc-timeout");
      assert.deepEqual(await allEnded(backend), [true], "the backend saw the cancel");
      assert.equal(details.length, 1);
    } finally {
      await gw.close();
      await backend.close();
    }
  });

  test("an in-process implementation that never answers: 504 after replyTimeoutMs, its signal aborted", async () => {
    let aborted: Promise<unknown> | undefined;
    let deadline: Date | undefined = new Date();
    const gateway = createGateway({ replyTimeoutMs: 200 });
    registerEverythingGateway(
      gateway,
      inProcess(Everything, {
        echo: (_req, context) => {
          deadline = context.deadline;
          aborted = new Promise((resolve) => context.signal.addEventListener("abort", resolve));
          return new Promise(() => {});
        },
      }),
    );
    const app = express().use(gateway);
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    try {
      const { value: res, ms } = await timed(() => echo(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
      errorBody(res, 504, Code.DEADLINE_EXCEEDED, /eadline exceeded/);
      assert.ok(ms >= 180 && ms < 2000, `answered after ${ms} ms`);
      assert.equal(deadline, undefined, "the implementation is not shown the gateway's own limit");
      await within(1000, aborted!);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test("a client's Grpc-Timeout replaces the reply limit", async () => {
    const backend = await startRecordingBackend([Everything]);
    const gw = await front(backend.address, { replyTimeoutMs: 100 });
    try {
      backend.handle(async () => {
        await sleep(400);
        return {};
      });
      const res = await echo(gw.url, { "Grpc-Timeout": "5S" });
      assert.equal(res.status, 200, res.text);
    } finally {
      await gw.close();
      await backend.close();
    }
  });

  test("replyTimeoutMs: 0 turns the limit off", async () => {
    const backend = await startRecordingBackend([Everything]);
    const gw = await front(backend.address, { replyTimeoutMs: 0 });
    try {
      backend.handle(async () => {
        await sleep(300);
        return {};
      });
      assert.equal((await echo(gw.url)).status, 200);
    } finally {
      await gw.close();
      await backend.close();
    }
  });

  test("a listener that never speaks: 503 after connectTimeoutMs, for unary calls and streams", async () => {
    const listener = await silentListener();
    const details: string[] = [];
    const gw = await front(listener.address, { connectTimeoutMs: 300, onTransportError: (_e, c) => void details.push(c.detail) });
    try {
      const { value: res, ms } = await timed(() => echo(gw.url));
      errorBody(res, 503, Code.UNAVAILABLE, "backend unavailable");
      assert.ok(ms >= 280 && ms < 2000, `answered after ${ms} ms`);
      assert.ok(listener.sockets.size >= 1, "the gateway did connect");
      const stream = await within(10_000, send(gw.url, { method: "GET", path: "/v1/stream/a" }));
      assert.equal(stream.status, 503, stream.text);
      assertNoInternals(stream.text);
      assert.match(details.join("\n"), /no connection to the backend within 300 ms/);
    } finally {
      await gw.close();
      await listener.close();
    }
  });

  test("the default connect timeout is 5 s", async () => {
    const listener = await silentListener();
    const gw = await front(listener.address);
    try {
      const { value: res, ms } = await timed(() => echo(gw.url));
      errorBody(res, 503, Code.UNAVAILABLE, "backend unavailable");
      assert.ok(ms >= 4900 && ms < 7000, `answered after ${ms} ms`);
    } finally {
      await gw.close();
      await listener.close();
    }
  });
});

for (const transport of ["grpc-js", "http2"] as const) {
  describe(`a stream waits for its first response within replyTimeoutMs (${transport})`, () => {
    test("a server stream the backend never answers: 504, the backend call cancelled", async () => {
      const streamer = await startStreamerBackend();
      const gw = await frontOver(transport, streamer.address, { replyTimeoutMs: 300 });
      try {
        const { value: res, ms } = await timed(() => within(10_000, send(gw.url, { method: "GET", path: "/v1/stream/a?count=1&delayMs=5000" })));
        streamErrorBody(res, 504, Code.DEADLINE_EXCEEDED, /deadline exceeded/);
        assert.ok(ms >= 280 && ms < 4000, `answered after ${ms} ms`);
        assert.equal(streamer.calls.length, 1);
        assert.equal(await within(5000, streamer.calls[0]!.cancelled), true, "the backend saw the cancel");
      } finally {
        await gw.close();
        await streamer.close();
      }
    });

    test("a server stream to a backend frozen (SIGSTOP) on an open connection: 504 after replyTimeoutMs, then cancelled, nothing left open", async () => {
      const backend = await spawnBackendProcess(["streamer"]);
      try {
        const gw = await frontOver(transport, backend.address, { replyTimeoutMs: 300 });
        try {
          const stream = (path: string) => within(10_000, send(gw.url, { method: "GET", path, headers: { Connection: "close" } }));
          assert.equal((await stream("/v1/stream/warm?count=1")).status, 200, "the connection is open before the freeze");
          backend.child.kill("SIGSTOP");
          // If its handler ever runs, it is still in its delay when the cancel is read.
          const { value: res, ms } = await timed(() => stream("/v1/stream/frozen?count=1&delayMs=300"));
          streamErrorBody(res, 504, Code.DEADLINE_EXCEEDED, /deadline exceeded/);
          assert.ok(ms >= 280 && ms < 4000, `answered after ${ms} ms`);
          assert.doesNotMatch(backend.output(), /call 2/, "a frozen process reads nothing");
          backend.child.kill("SIGCONT");
          assert.equal((await stream("/v1/stream/after?count=1")).status, 200, "back once it runs again");
          for (let i = 0; i < 100 && !/ended 3 /.test(backend.output()); i++) await sleep(20);
          // On waking it reads the frozen call's request and the gateway's RST_STREAM in one
          // go; grpc-js still starts the handler, which is in its delay when the cancel lands.
          assert.deepEqual(
            backend.output().trim().split("\n").slice(1).sort(),
            ["call 1", "call 2", "call 3", "ended 1 finished", "ended 2 cancelled", "ended 3 finished"],
            backend.output(),
          );
          assert.equal(await openConnections(gw.server), 0, "no HTTP connection left open");
        } finally {
          await gw.close();
        }
      } finally {
        backend.stop();
      }
    });

    test("a server stream that has sent its headers may stay quiet longer", async () => {
      const streamer = await startStreamerBackend();
      const gw = await frontOver(transport, streamer.address, { replyTimeoutMs: 200 });
      try {
        const res = await within(10_000, send(gw.url, { method: "GET", path: "/v1/stream/a?count=1&delayMs=700&sendHeaders=true" }));
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(JSON.parse(res.text.trim()), { result: { index: 0, text: "a #0", payload: "" } });
      } finally {
        await gw.close();
        await streamer.close();
      }
    });

    test("a bidi stream over HTTP is bounded once its requests end", async () => {
      const streamer = await startStreamerBackend();
      const gw = await frontOver(transport, streamer.address, { replyTimeoutMs: 200 });
      try {
        // Over HTTP the requests end with the body: a backend silent past the limit then gets 504.
        const { value: res, ms } = await timed(() =>
          within(10_000, send(gw.url, { method: "POST", path: "/v1/stream:bidi", headers: J, body: JSON.stringify({ name: "slow", delayMs: 5000 }) })),
        );
        streamErrorBody(res, 504, Code.DEADLINE_EXCEEDED, /deadline exceeded/);
        assert.ok(ms < 4000, `answered after ${ms} ms`);
      } finally {
        await gw.close();
        await streamer.close();
      }
    });
  });
}

describe("error messages a client sees", () => {
  test("backend down: 503 'backend unavailable'; the detail goes to onTransportError", async () => {
    const address = await closedPort();
    const seen: { error: GatewayError; detail: string; path: string }[] = [];
    const gw = await front(address, { onTransportError: (error, c) => void seen.push({ error, detail: c.detail, path: c.route.path }) });
    try {
      errorBody(await echo(gw.url), 503, Code.UNAVAILABLE, "backend unavailable");
      assert.equal(seen.length, 1);
      assert.match(seen[0]!.detail, /ECONNREFUSED/);
      assert.equal(seen[0]!.error.code, Code.UNAVAILABLE);
    } finally {
      await gw.close();
    }
  });

  test("grpc-js's own deadline: 504 'deadline exceeded', no timings or addresses", async () => {
    const backend = await startRecordingBackend([Everything]);
    const gw = await front(backend.address);
    try {
      backend.handle(() => new Promise(() => {}));
      // The backend's own "Deadline exceeded" may come first (its timer ends in the same
      // millisecond): either way the exact words, with no timing or address.
      errorBody(await echo(gw.url, { "Grpc-Timeout": "100m" }), 504, Code.DEADLINE_EXCEEDED, /^deadline exceeded$/i);
    } finally {
      await gw.close();
      await backend.close();
    }
  });

  test("a WebSocket's close reason is generic too", async () => {
    const gw = await front(await closedPort());
    try {
      const ws = new WebSocket(`${gw.url.replace("http", "ws")}/v1/stream:bidi`);
      const frames: string[] = [];
      ws.on("message", (data: Buffer) => frames.push(data.toString()));
      const [code, reason] = await within(5000, new Promise<[number, string]>((resolve) => ws.on("close", (c, r) => resolve([c, r.toString()]))));
      assert.equal(code, 4000 + Code.UNAVAILABLE);
      assert.equal(reason, "backend unavailable");
      assertNoInternals(frames.join("\n"));
    } finally {
      await gw.close();
    }
  });

  test("a backend's own UNAVAILABLE and DEADLINE_EXCEEDED pass through unchanged", async () => {
    const backend = await startRecordingBackend([Everything]);
    const seen: string[] = [];
    const gw = await front(backend.address, { onTransportError: (_e, c) => void seen.push(c.detail) });
    try {
      backend.handle(() => {
        throw { code: Code.UNAVAILABLE, details: "shard 7 is in maintenance" };
      });
      errorBody(await echo(gw.url), 503, Code.UNAVAILABLE, "shard 7 is in maintenance");
      backend.handle(() => {
        throw { code: Code.UNAVAILABLE, details: "after headers", headers: { "x-a": "b" } };
      });
      errorBody(await echo(gw.url), 503, Code.UNAVAILABLE, "after headers");
      backend.handle(() => {
        throw { code: Code.DEADLINE_EXCEEDED, details: "the ledger took too long" };
      });
      errorBody(await echo(gw.url), 504, Code.DEADLINE_EXCEEDED, "the ledger took too long");
      assert.deepEqual(seen, [], "the backend's own statuses are not transport errors");
    } finally {
      await gw.close();
      await backend.close();
    }
  });
});

describe("size limits", () => {
  let backend: RecordingBackend;
  let gw: Front;
  const start = async () => {
    backend ??= await startRecordingBackend([Everything]);
    gw ??= await front(backend.address);
  };
  after(async () => {
    await gw?.close();
    await backend?.close();
  });

  test("a reply over 4 MiB is the backend's fault: 502", async () => {
    await start();
    backend.handle(() => ({ reply: { stringValue: "x".repeat(4 * 1024 * 1024 + 10) } }));
    errorBody(await echo(gw.url), 502, Code.RESOURCE_EXHAUSTED, /backend reply exceeds/);
  });

  test("a RESOURCE_EXHAUSTED the backend sends stays 429", async () => {
    await start();
    backend.handle(() => {
      throw { code: Code.RESOURCE_EXHAUSTED, details: "quota of 10 calls used" };
    });
    errorBody(await echo(gw.url), 429, Code.RESOURCE_EXHAUSTED, "quota of 10 calls used");
  });

  test("request metadata the backend refuses for size: 431", async () => {
    await start();
    backend.handle(() => ({}));
    const headers: Record<string, string> = {};
    for (let i = 0; i < 400; i++) headers[`Grpc-Metadata-X-${i}`] = "v";
    errorBody(await echo(gw.url, headers), 431, Code.RESOURCE_EXHAUSTED, /request headers too large/);
  });

  test("a JSON body under 4 MiB whose protobuf is over 4 MiB: 413, never sent", async () => {
    await start();
    const before = backend.calls.length;
    // "1e9," is 4 bytes of JSON and 5 of protobuf varint.
    const count = Math.floor((4 * 1024 * 1024 - 100) / 4);
    const body = `{"repeatedInt32":[${Array(count).fill("1e9").join(",")}]}`;
    assert.ok(body.length < 4 * 1024 * 1024);
    const res = await within(10_000, send(gw.url, { method: "POST", path: "/v1/echo", headers: J, body }));
    errorBody(res, 413, Code.RESOURCE_EXHAUSTED, /request message is \d+ bytes encoded, over the limit of 4194304 bytes/);
    assert.equal(backend.calls.length, before, "the backend saw no call");
  });
});

describe("backend faults", () => {
  test("killed mid-request: 503, every call answered once, nothing left open", async () => {
    const backend = await startRecordingBackend([Everything]);
    const gw = await front(backend.address);
    try {
      let arrived = 0;
      backend.handle(() => {
        arrived++;
        return new Promise(() => {});
      });
      const pending = Array.from({ length: 5 }, () => echo(gw.url, { Connection: "close" }));
      while (arrived < 5) await sleep(10);
      backend.kill();
      const results = await Promise.all(pending);
      for (const res of results) errorBody(res, 503, Code.UNAVAILABLE, "backend unavailable");
      assert.equal(backend.calls.length, 5, "the backend saw exactly the calls made");
      assert.deepEqual(await allEnded(backend), [true, true, true, true, true], "each call was cut, none answered");
      assert.equal(await openConnections(gw.server), 0, "no HTTP connection left open");
    } finally {
      await gw.close();
    }
  });

  test("killed mid-stream: the stream ends with a generic error frame", async () => {
    const streamer = await startStreamerBackend();
    const gw = await front(streamer.address);
    try {
      const res = within(10_000, send(gw.url, { method: "GET", path: "/v1/stream/a?count=100&delayMs=20" }));
      while ((streamer.calls[0]?.produced ?? 0) < 2) await sleep(10);
      streamer.kill();
      const out = await res;
      assert.equal(out.status, 200);
      const lines = out.text
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { result?: unknown; error?: { code: number; message: string } });
      assert.ok(lines.length >= 3 && lines.slice(0, -1).every((l) => l.result !== undefined), out.text.slice(0, 300));
      assert.deepEqual(lines.at(-1)!.error, { code: Code.UNAVAILABLE, message: "backend unavailable", details: [] });
      assertNoInternals(out.text);
      assert.equal(streamer.calls.length, 1);
    } finally {
      await gw.close();
    }
  });

  test("frozen (SIGSTOP): 504 after the reply limit, new connections 503, then back once it runs again", async () => {
    const backend = await spawnBackendProcess();
    const { child } = backend;
    try {
      const { address } = backend;
      const gw = await front(address, { replyTimeoutMs: 400 });
      // Its own subchannel: grpc-js would otherwise share the one connection between both.
      const other = await front(address, { replyTimeoutMs: 1500, connectTimeoutMs: 300 }, { "grpc.use_local_subchannel_pool": 1 });
      try {
        assert.equal((await echo(gw.url)).status, 200);
        child.kill("SIGSTOP");
        // A call on the open connection waits for the reply limit; a new connection for the connect limit.
        const [held, fresh] = await Promise.all([timed(() => echo(gw.url)), timed(() => echo(other.url))]);
        errorBody(held.value, 504, Code.DEADLINE_EXCEEDED, /deadline exceeded/);
        errorBody(fresh.value, 503, Code.UNAVAILABLE, "backend unavailable");
        assert.ok(held.ms < 1400 && fresh.ms < 1400, `answered after ${held.ms} and ${fresh.ms} ms`);
        child.kill("SIGCONT");
        assert.equal((await echo(gw.url)).status, 200);
        await sleep(100);
        // The backend saw exactly the three calls that reached it (the fresh connection never
        // got through), each ended. The frozen one may even finish: on waking it reads the
        // request and its cancel in one go, and a synchronous handler answers before the cancel.
        const lines = backend.output().split("\n");
        assert.equal(lines.filter((l) => l.startsWith("call ")).length, 3, backend.output());
        assert.equal(lines.filter((l) => l.startsWith("ended ")).length, 3, backend.output());
      } finally {
        await gw.close();
        await other.close();
      }
    } finally {
      backend.stop();
    }
  });

  test("restarted on the same port after a long outage: back within 1 s of listening again", async () => {
    let backend = await startRecordingBackend([Everything]);
    const address = backend.address;
    const port = Number(address.split(":")[1]);
    const gw = await front(address);
    try {
      assert.equal((await echo(gw.url)).status, 200);
      backend.kill();
      // Several backoff rounds while it is down, with clients knocking.
      const downUntil = Date.now() + 4000;
      while (Date.now() < downUntil) {
        const res = await echo(gw.url);
        errorBody(res, 503, Code.UNAVAILABLE, "backend unavailable");
        await sleep(200);
      }
      backend = await startRecordingBackend([Everything], undefined, port);
      const listening = performance.now();
      let status = 0;
      while (status !== 200 && performance.now() - listening < 3000) {
        status = (await echo(gw.url)).status;
        if (status !== 200) await sleep(25);
      }
      const ms = performance.now() - listening;
      assert.equal(status, 200);
      assert.ok(ms < 1000, `back after ${ms} ms`);
    } finally {
      await gw.close();
      await backend.close();
    }
  });
});
