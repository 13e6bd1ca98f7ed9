// Streaming over WebSocket on the same routes as HTTP, through a real grpc-js backend and
// the in-process backend: full duplex, half-close, errors as close codes, cancellation.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import express from "express";
import { create, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { WebSocket, type ClientOptions } from "ws";
import { attachWebSockets, createGateway, GatewayError, inProcess, type Backend, type GatewayOptions, type HttpRoute } from "grpc-gateway-express/runtime";
import { registerEverythingGateway } from "../gen/testing/v1/everything_gateway.js";
import { Everything } from "../gen/testing/v1/everything_pb.js";
import { registerStreamerGateway } from "../gen/testing/v1/streaming_gateway.js";
import { Streamer, StreamRequestSchema, type StreamRequest } from "../gen/testing/v1/streaming_pb.js";
import { startStreamerBackend, type StreamerBackend } from "../support/streamer-backend.js";
import { dialBackend } from "../support/dial-backend.js";

const Code = grpc.status;

/** One call as a backend saw it; the grpc-js backend and the in-process one both record these. */
interface SeenCall {
  readonly method: string;
  readonly metadata: grpc.Metadata;
  readonly requests: StreamRequest[];
  /** Resolves when the call ended: true if the gateway cancelled it. */
  readonly cancelled: Promise<boolean>;
}

/** A path variable and a scalar body field, so each frame is bound with the URL's values. */
const roomRoute: HttpRoute = { method: Streamer.method.bidi, httpMethod: "POST", path: "/v1/rooms/{name}:bidi", body: "count" };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Streamer in this process, behaving like the grpc-js one in test/support/streamer-backend.ts. */
function inProcessStreamer(calls: SeenCall[]): Backend {
  const record = (method: string, context: { metadata: grpc.Metadata; signal: AbortSignal }) => {
    let ended: (cancelled: boolean) => void = () => {};
    const cancelled = new Promise<boolean>((resolve) => (ended = resolve));
    context.signal.addEventListener("abort", () => ended(true), { once: true });
    const seen = { method, metadata: context.metadata, requests: [] as StreamRequest[], cancelled, done: () => ended(false) };
    calls.push(seen);
    return seen;
  };
  return inProcess(Streamer, {
    async *serverStream(request, context) {
      const seen = record("ServerStream", context);
      seen.requests.push(request);
      try {
        for (let i = 0; i < request.count; i++) {
          if (request.delayMs > 0) await sleep(request.delayMs);
          yield { index: i, text: `${request.name} #${i}` };
        }
        if (request.failCode !== 0) throw new GatewayError(request.failCode, `failed after ${request.count}`);
      } finally {
        seen.done();
      }
    },
    async clientStream(requests, context) {
      const seen = record("ClientStream", context);
      try {
        for await (const request of requests) seen.requests.push(request);
        const failed = seen.requests.find((r) => r.failCode !== 0);
        if (failed) throw new GatewayError(failed.failCode, `refused ${failed.name}`);
        return { index: seen.requests.length, text: seen.requests.map((r) => r.name).join(",") };
      } finally {
        seen.done();
      }
    },
    async *bidi(requests, context) {
      const seen = record("Bidi", context);
      try {
        for await (const request of requests) {
          seen.requests.push(request);
          if (request.failCode !== 0) throw new GatewayError(request.failCode, `refused ${request.name}`);
          yield { index: seen.requests.length - 1, text: `echo ${request.name}` };
        }
      } finally {
        seen.done();
      }
    },
  });
}

/** A WebSocket client that hands out frames in order and remembers how the socket closed. */
class Peer {
  private readonly frames: string[] = [];
  private readonly waiting: ((frame: string | undefined) => void)[] = [];
  private ended = false;
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly ws: WebSocket) {
    ws.on("message", (data, isBinary) => {
      const frame = isBinary ? `binary:${String(data)}` : String(data);
      const waiter = this.waiting.shift();
      if (waiter) waiter(frame);
      else this.frames.push(frame);
    });
    this.closed = new Promise((resolve) =>
      ws.on("close", (code, reason) => {
        this.ended = true;
        for (const waiter of this.waiting.splice(0)) waiter(undefined);
        resolve({ code, reason: reason.toString() });
      }),
    );
  }

  /** The next frame, or undefined once the socket closed without one. */
  next(): Promise<string | undefined> {
    if (this.frames.length > 0) return Promise.resolve(this.frames.shift());
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Every frame until the socket closes, and the close. */
  async rest(): Promise<{ frames: string[]; code: number; reason: string }> {
    const frames: string[] = [];
    for (let frame = await this.next(); frame !== undefined; frame = await this.next()) frames.push(frame);
    return { frames, ...(await this.closed) };
  }

  send(frame: string | Uint8Array): void {
    this.ws.send(frame);
  }
}

interface Site {
  open(path: string, headers?: Record<string, string>, client?: ClientOptions): Promise<Peer>;
  refused(path: string, headers?: Record<string, string>): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

/** An Express app on loopback serving Streamer (and a unary service) with attachWebSockets. */
async function startSite(backend: Backend, options: GatewayOptions = {}): Promise<Site> {
  const gateway = createGateway(options);
  registerStreamerGateway(gateway, backend);
  gateway.register(Streamer, [roomRoute], backend);
  registerEverythingGateway(gateway, inProcess(Everything, {}));
  const app = express().use(gateway);
  const server: Server = createServer(app);
  attachWebSockets(server, gateway);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sockets = new Set<WebSocket>();
  const connect = (path: string, headers: Record<string, string>, client: ClientOptions = {}) => {
    const ws = new WebSocket(url + path, { ...client, headers });
    sockets.add(ws);
    return ws;
  };
  return {
    open: (path, headers = {}, client = {}) =>
      new Promise((resolve, reject) => {
        const ws = connect(path, headers, client);
        const peer = new Peer(ws); // listening before the first frame can arrive
        ws.once("open", () => resolve(peer));
        ws.once("error", reject);
      }),
    refused: (path, headers = {}) =>
      new Promise((resolve, reject) => {
        const ws = connect(path, headers);
        ws.once("open", () => reject(new Error(`the handshake for ${path} was accepted`)));
        ws.on("error", () => {});
        ws.once("unexpected-response", (_req, res: IncomingMessage) => {
          let body = "";
          res.on("data", (chunk) => (body += String(chunk)));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
      }),
    async close() {
      for (const ws of sockets) ws.terminate();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function json(frame: string | undefined): Record<string, unknown> {
  assert.ok(frame !== undefined, "expected a frame, the socket closed");
  return JSON.parse(frame) as Record<string, unknown>;
}

async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const modes: { name: string; start: () => Promise<{ backend: Backend; calls: SeenCall[]; stop: () => Promise<void> }> }[] = [
  {
    name: "grpc-js backend",
    start: async () => {
      const server: StreamerBackend = await startStreamerBackend();
      const channel = dialBackend(server.address);
      return {
        backend: channel,
        calls: server.calls,
        stop: async () => {
          channel.close();
          await server.close();
        },
      };
    },
  },
  {
    name: "in-process backend",
    start: async () => {
      const calls: SeenCall[] = [];
      return { backend: inProcessStreamer(calls), calls, stop: async () => {} };
    },
  },
];

for (const mode of modes) {
  describe(`WebSocket, ${mode.name}`, () => {
    let site: Site;
    let calls: SeenCall[];
    let stop: () => Promise<void>;
    before(async () => {
      const started = await mode.start();
      calls = started.calls;
      stop = started.stop;
      site = await startSite(started.backend);
    });
    after(async () => {
      await site.close();
      await stop();
    });
    const lastCall = () => calls[calls.length - 1]!;

    test("bidi is full duplex: each reply arrives before the next request is sent", async () => {
      const peer = await site.open("/v1/stream:bidi");
      for (const [i, name] of ["a", "b", "c"].entries()) {
        peer.send(JSON.stringify({ name }));
        const reply = json(await within(2000, `reply to ${name}`, peer.next()));
        assert.equal(reply.text, `echo ${name}`);
        assert.equal(reply.index ?? 0, i);
      }
      peer.send(""); // half-close
      const end = await peer.rest();
      assert.deepEqual(end.frames, []);
      assert.equal(end.code, 1000);
      assert.equal(lastCall().method, "Bidi");
      assert.equal(await lastCall().cancelled, false);
    });

    test("a text frame nesting past 10,000 levels, even inside an unknown field, ends the call with 4003 naming it", async () => {
      const peer = await site.open("/v1/stream:bidi");
      peer.send(JSON.stringify({ name: "a" }));
      assert.equal(json(await within(2000, "first reply", peer.next())).text, "echo a");
      peer.send(`{"name":"b","x":${"[".repeat(10_001)}${"]".repeat(10_001)}}`);
      const end = await within(2000, "the close", peer.rest());
      assert.equal(end.code, 4003);
      assert.match(String((json(end.frames[0]).error as { message: string }).message), /invalid request message #2: .*JSON nests deeper than 10000 levels/);
      assert.equal(await lastCall().cancelled, true);
    });

    test("client streaming replies once after the half-close", async () => {
      const peer = await site.open("/v1/stream:client");
      for (const name of ["x", "y", "z"]) peer.send(JSON.stringify({ name }));
      await sleep(50);
      assert.deepEqual(
        lastCall().requests.map((r) => r.name),
        ["x", "y", "z"],
        "requests stream in before the end",
      );
      peer.send("");
      const end = await peer.rest();
      assert.deepEqual(
        end.frames.map((f) => [JSON.parse(f).text, JSON.parse(f).index]),
        [["x,y,z", 3]],
      );
      assert.equal(end.code, 1000);
    });

    test("server streaming on a GET route takes its request from the URL", async () => {
      const peer = await site.open("/v1/stream/alpha?count=3");
      const end = await peer.rest();
      assert.deepEqual(
        end.frames.map((f) => JSON.parse(f).text),
        ["alpha #0", "alpha #1", "alpha #2"],
      );
      assert.equal(end.code, 1000);
    });

    test("server streaming on a POST route takes its request from the first frame", async () => {
      const peer = await site.open("/v1/stream:server");
      peer.send(JSON.stringify({ name: "beta", count: 2 }));
      const end = await peer.rest();
      assert.deepEqual(
        end.frames.map((f) => JSON.parse(f).text),
        ["beta #0", "beta #1"],
      );
      assert.equal(end.code, 1000);
    });

    test("a second request to a server-streaming method is INVALID_ARGUMENT", async () => {
      const peer = await site.open("/v1/stream:server");
      peer.send(JSON.stringify({ name: "slow", count: 50, delayMs: 20 }));
      json(await peer.next());
      peer.send(JSON.stringify({ name: "again" }));
      const end = await peer.rest();
      const error = json(end.frames.at(-1)).error as { code: number; message: string };
      assert.equal(error.code, Code.INVALID_ARGUMENT);
      assert.equal(error.message, "invalid request message #2: ServerStream takes one request message");
      assert.equal(end.code, 4000 + Code.INVALID_ARGUMENT);
      assert.equal(await within(2000, "cancellation", lastCall().cancelled), true);
    });

    test("path variables and query parameters of the URL are bound into every message", async () => {
      const peer = await site.open("/v1/rooms/lobby:bidi?delayMs=1");
      peer.send("1");
      assert.equal(json(await peer.next()).text, "echo lobby");
      peer.send("2");
      assert.equal(json(await peer.next()).text, "echo lobby");
      peer.send("");
      assert.equal((await peer.closed).code, 1000);
      assert.deepEqual(
        lastCall().requests.map((r) => [r.name, r.count, r.delayMs]),
        [
          ["lobby", 1, 1],
          ["lobby", 2, 1],
        ],
      );
    });

    test("a binary frame is the request message in protobuf binary", async () => {
      const peer = await site.open("/v1/stream:bidi");
      peer.send(toBinary(StreamRequestSchema, create(StreamRequestSchema, { name: "packed" })));
      assert.equal(json(await peer.next()).text, "echo packed");
      peer.send("");
      assert.equal((await peer.closed).code, 1000);
    });

    test("handshake headers become metadata", async () => {
      const peer = await site.open("/v1/stream:bidi", { "Grpc-Metadata-Trace-Id": "t-1", Authorization: "Bearer secret" });
      peer.send(JSON.stringify({ name: "m" }));
      await peer.next();
      const { metadata } = lastCall();
      assert.deepEqual(metadata.get("trace-id"), ["t-1"]);
      assert.deepEqual(metadata.get("authorization"), ["Bearer secret"]);
      peer.send("");
      await peer.closed;
    });

    test("a mid-stream failure sends the status as a last frame and closes with 4000 + code", async () => {
      const peer = await site.open("/v1/stream:bidi");
      peer.send(JSON.stringify({ name: "ok" }));
      assert.equal(json(await peer.next()).text, "echo ok");
      peer.send(JSON.stringify({ name: "bad", failCode: Code.PERMISSION_DENIED }));
      const end = await peer.rest();
      assert.deepEqual(JSON.parse(end.frames.at(-1)!), { error: { code: Code.PERMISSION_DENIED, message: "refused bad", details: [] } });
      assert.equal(end.code, 4000 + Code.PERMISSION_DENIED);
      assert.equal(end.reason, "refused bad");
    });

    test("server streaming ends with the backend's status after its messages", async () => {
      const peer = await site.open("/v1/stream/gamma?count=2&failCode=14");
      const end = await peer.rest();
      assert.deepEqual(
        end.frames.slice(0, 2).map((f) => JSON.parse(f).text),
        ["gamma #0", "gamma #1"],
      );
      assert.equal(json(end.frames[2]).error !== undefined, true);
      assert.equal(end.code, 4000 + Code.UNAVAILABLE);
      assert.equal(end.reason, "failed after 2");
    });

    test("a malformed frame ends the call with INVALID_ARGUMENT naming it and cancels the backend", async () => {
      const peer = await site.open("/v1/stream:bidi");
      peer.send(JSON.stringify({ name: "one" }));
      await peer.next();
      peer.send('{"name": "two"');
      const end = await peer.rest();
      const error = json(end.frames.at(-1)).error as { code: number; message: string };
      assert.equal(error.code, Code.INVALID_ARGUMENT);
      assert.match(error.message, /^invalid request message #2: /);
      assert.equal(end.code, 4000 + Code.INVALID_ARGUMENT);
      assert.match(end.reason, /^invalid request message #2: /);
      assert.equal(await within(2000, "cancellation", lastCall().cancelled), true);
    });

    test("a client that closes cancels the backend at once", async () => {
      const peer = await site.open("/v1/stream:bidi");
      peer.send(JSON.stringify({ name: "hello" }));
      await peer.next();
      const call = lastCall();
      peer.ws.close(1000);
      assert.equal(await within(2000, "cancellation", call.cancelled), true);
    });

    test("a dropped connection cancels a server stream at once", async () => {
      const peer = await site.open("/v1/stream/endless?count=1000&delayMs=10");
      await peer.next();
      const call = lastCall();
      peer.ws.terminate();
      assert.equal(await within(2000, "cancellation", call.cancelled), true);
    });

    test("Grpc-Timeout sets the deadline; a malformed one refuses the handshake", async () => {
      const peer = await site.open("/v1/stream/late?count=1000&delayMs=20", { "Grpc-Timeout": "100m" });
      const end = await peer.rest();
      assert.equal(end.code, 4000 + Code.DEADLINE_EXCEEDED);
      const refused = await site.refused("/v1/stream/late", { "Grpc-Timeout": "soon" });
      assert.equal(refused.status, 400);
      assert.equal(JSON.parse(refused.body).code, Code.INVALID_ARGUMENT);
    });

    test("a bad query parameter refuses the handshake with 400", async () => {
      const refused = await site.refused("/v1/stream/x?nope=1");
      assert.equal(refused.status, 400);
      assert.match(JSON.parse(refused.body).message, /nope/);
    });

    test("paths without a streaming route are refused, unary ones included", async () => {
      assert.equal((await site.refused("/v1/nothing")).status, 404);
      assert.equal((await site.refused("/v1/echo/unary")).status, 404);
    });
  });
}

describe("WebSocket liveness: pings and the idle limit", () => {
  let server: StreamerBackend;
  let channel: ReturnType<typeof dialBackend>;
  before(async () => {
    server = await startStreamerBackend();
    channel = dialBackend(server.address);
  });
  after(async () => {
    channel.close();
    await server.close();
  });
  const lastCall = () => server.calls[server.calls.length - 1]!;

  test("a peer that stops answering pings is dropped and the backend stream cancelled", async () => {
    const site = await startSite(channel, { webSocketPingIntervalMs: 100, webSocketIdleTimeoutMs: 0 });
    try {
      const peer = await site.open("/v1/stream:bidi", {}, { autoPong: false });
      peer.send(JSON.stringify({ name: "a" }));
      assert.equal(json(await within(2000, "first reply", peer.next())).text, "echo a");
      const closed = await within(2000, "the drop", peer.closed);
      assert.equal(closed.code, 1006, "terminated: no close handshake with a dead peer");
      assert.equal(await within(2000, "the cancel", lastCall().cancelled), true);
    } finally {
      await site.close();
    }
  });

  test("a quiet peer that answers pings outlives several ping intervals", async () => {
    const site = await startSite(channel, { webSocketPingIntervalMs: 50, webSocketIdleTimeoutMs: 0 });
    try {
      const peer = await site.open("/v1/stream:bidi");
      let pings = 0;
      peer.ws.on("ping", () => pings++);
      await sleep(400);
      assert.ok(pings >= 3, `${pings} pings`);
      peer.send(JSON.stringify({ name: "still here" }));
      assert.equal(json(await within(2000, "reply", peer.next())).text, "echo still here");
      peer.send("");
      assert.equal((await within(2000, "the close", peer.rest())).code, 1000);
    } finally {
      await site.close();
    }
  });

  test("a call with no message either way past the idle limit closes 1001 'idle timeout' and cancels the backend", async () => {
    const site = await startSite(channel, { webSocketPingIntervalMs: 50, webSocketIdleTimeoutMs: 300 });
    try {
      const busy = await site.open("/v1/stream:bidi");
      const quiet = await site.open("/v1/stream:bidi");
      // Messages keep a call alive; pings alone do not.
      for (let i = 0; i < 6; i++) {
        busy.send(JSON.stringify({ name: `n${i}` }));
        assert.equal(json(await within(2000, "reply", busy.next())).text, `echo n${i}`);
        await sleep(100);
      }
      const closed = await within(2000, "the idle close", quiet.closed);
      assert.deepEqual(closed, { code: 1001, reason: "idle timeout" });
      assert.equal(busy.ws.readyState, WebSocket.OPEN, "the busy call is still open");
      const quietCall = server.calls.find((c) => c.requests.length === 0)!;
      assert.equal(await within(2000, "the cancel", quietCall.cancelled), true);
      busy.send("");
      assert.equal((await within(2000, "the close", busy.rest())).code, 1000);
    } finally {
      await site.close();
    }
  });
});

for (const transport of ["grpc-js", "http2"] as const) {
  // replyTimeoutMs counts from the end of a stream's requests: a WebSocket bidi stream whose
  // client has not half-closed is bounded by the idle limit instead, however quiet the backend.
  describe(`WebSocket and the reply wait (${transport})`, () => {
    /** A Streamer backend and a site with a 200 ms reply wait; every part closed within bounded waits. */
    async function withSite(work: (site: Site, server: StreamerBackend) => Promise<void>): Promise<void> {
      const server = await startStreamerBackend();
      const channel = dialBackend(server.address, transport);
      const site = await startSite(channel, { replyTimeoutMs: 200 });
      try {
        await work(site, server);
      } finally {
        await within(2000, "the site's close", site.close());
        channel.close();
        // A call left open would hold a graceful shutdown: cut it rather than hang the suite.
        await within(2000, "the backend's shutdown", server.close()).catch((err: unknown) => {
          server.kill();
          throw err;
        });
      }
    }

    test("a quiet bidi stream is not cut by replyTimeoutMs: a reply after 600 ms arrives", async () => {
      await withSite(async (site, server) => {
        const peer = await site.open("/v1/stream:bidi");
        await sleep(400); // nothing either way, twice the reply wait
        assert.equal(peer.ws.readyState, WebSocket.OPEN);
        const sent = performance.now();
        peer.send(JSON.stringify({ name: "late", delayMs: 600 }));
        assert.equal(json(await within(3000, "the late reply", peer.next())).text, "echo late");
        assert.ok(performance.now() - sent >= 550, "the backend did take its time");
        peer.send(""); // half-close: the reply has come, so the wait does not start
        assert.deepEqual(await within(2000, "the close", peer.rest()), { frames: [], code: 1000, reason: "" });
        assert.equal(await within(2000, "the end", server.calls[0]!.cancelled), false);
      });
    });

    test("once the client half-closes, a backend still silent past replyTimeoutMs ends the call with 4004", async () => {
      await withSite(async (site, server) => {
        const peer = await site.open("/v1/stream:bidi");
        peer.send(JSON.stringify({ name: "slow", delayMs: 5000 }));
        await sleep(50);
        const halfClosed = performance.now();
        peer.send("");
        const end = await within(3000, "the close", peer.rest());
        assert.equal(end.code, 4000 + Code.DEADLINE_EXCEEDED);
        assert.match(end.reason, /deadline exceeded/);
        assert.ok(performance.now() - halfClosed < 2000);
        assert.equal(await within(2000, "the cancel", server.calls[0]!.cancelled), true);
      });
    });
  });
}

describe("WebSocket back-pressure", () => {
  test("a client that sends faster than the backend reads is held back, not buffered", async () => {
    let received = 0;
    let cancelled: Promise<boolean> = Promise.resolve(false);
    const backend = inProcess(Streamer, {
      async *bidi(requests, context) {
        cancelled = new Promise((resolve) => context.signal.addEventListener("abort", () => resolve(true)));
        for await (const _ of requests) {
          received++;
          await cancelled; // a backend that stops reading
        }
      },
    });
    const site = await startSite(backend);
    try {
      const peer = await site.open("/v1/stream:bidi");
      const frame = JSON.stringify({ name: "x".repeat(64 * 1024) });
      for (let i = 0; i < 400; i++) peer.send(frame); // 25 MiB
      await sleep(1000);
      assert.ok(received < 40, `the backend got ${received} messages`);
      // What the gateway did not read is still waiting on the client's side of the socket.
      assert.ok(peer.ws.bufferedAmount > 8 * 1024 * 1024, `only ${peer.ws.bufferedAmount} bytes left unsent`);
      peer.ws.terminate();
      assert.equal(await within(2000, "cancellation", cancelled), true);
    } finally {
      await site.close();
    }
  });

  test("a client that reads slowly stops the backend's replies being read", async () => {
    const server = await startStreamerBackend();
    const channel = dialBackend(server.address);
    const site = await startSite(channel);
    try {
      const peer = await site.open("/v1/stream/big?count=4000&payloadBytes=16384"); // 64 MiB
      peer.ws.pause();
      await sleep(500);
      const call = server.calls.at(-1)!;
      const early = call.produced;
      await sleep(500);
      // Once the buffers on the way are full, the backend is held where it is.
      assert.ok(call.produced - early <= 2, `the backend went from ${early} to ${call.produced} replies for a client that read none`);
      assert.ok(call.produced < 1000, `the backend produced ${call.produced} replies for a client that read none`);
      peer.ws.resume();
      assert.ok((await peer.next()) !== undefined);
      peer.ws.terminate();
      assert.equal(await within(2000, "cancellation", call.cancelled), true);
    } finally {
      await site.close();
      channel.close();
      await server.close();
    }
  });
});

describe("WebSocket upgrades beside other handlers", () => {
  test("gateway.upgrade declines what it does not serve, and the stream error hook shapes the close", async () => {
    const calls: SeenCall[] = [];
    const gateway = createGateway({ streamErrorHandler: () => new GatewayError(Code.ABORTED, "é".repeat(100)) });
    registerStreamerGateway(gateway, inProcessStreamer(calls));
    const server = createServer(gateway);
    const taken: string[] = [];
    server.on("upgrade", (req: IncomingMessage, socket, head: Buffer) => {
      if (gateway.upgrade(req, socket, head)) return;
      taken.push(req.url ?? "");
      socket.end("HTTP/1.1 418 I'm a teapot\r\nContent-Length: 0\r\n\r\n");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const status = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`${url}/elsewhere`);
        ws.on("error", () => {});
        ws.once("unexpected-response", (_req, res: IncomingMessage) => resolve(res.statusCode ?? 0));
      });
      assert.equal(status, 418);
      assert.deepEqual(taken, ["/elsewhere"]);

      // The close reason is cut to 123 bytes without splitting a character.
      const ws = new WebSocket(`${url}/v1/stream:bidi`);
      const peer = new Peer(ws);
      await new Promise((resolve) => ws.once("open", resolve));
      peer.send("[]");
      const end = await peer.rest();
      assert.equal(end.code, 4000 + Code.ABORTED);
      assert.equal(end.reason, "é".repeat(61));
      assert.equal(json(end.frames.at(-1)).error !== undefined, true);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
