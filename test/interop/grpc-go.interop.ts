// Both backend transports (dial over node:http2, and grpc-js through fromClient) against a real grpc-go
// server (go-server/main.go, grpc-go as Debian ships it), built by `npm run test:interop:setup`
// and run by `npm run test:interop`. Every case runs over each transport, each with servers of
// its own. Without the build the suite skips, except under CI=true, where it fails.
import assert from "node:assert/strict";
import { connect } from "node:http2";
import { after, before, describe, test } from "node:test";
import { create, type DescMethod, type Message } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import { Code, dial, fromClient, type Backend, type CallOptions } from "grpc-gateway-express/runtime";
import { ErrorInfoSchema } from "../../runtime/gen/google/rpc/error_details_pb.js";
import { callOptions } from "../support/raw-grpc-server.js";
import { buildVersions, interopService, missingBuild, startGoServer, type GoServer } from "./go-server.js";
import { failure } from "../support/call-failure.js";

interface EchoReply {
  text: string;
  deadlineMs: bigint;
  count: number;
  filler: Uint8Array;
  generation: number;
}

interface ObservedReply {
  cancelled: boolean;
  reason: string;
}

interface Dialed {
  readonly backend: Backend;
  close(): void;
}

const transports: ReadonlyArray<{ readonly name: string; dial(address: string): Dialed }> = [
  {
    name: "dial (node:http2)",
    dial(address) {
      const backend = dial(address);
      return { backend, close: () => backend.close() };
    },
  },
  {
    name: "grpc-js fromClient",
    dial(address) {
      const client = new grpc.Client(address, grpc.credentials.createInsecure());
      return { backend: fromClient(client), close: () => client.close() };
    },
  },
];

const MiB = 1024 * 1024;

/** Call options with a deadline `ms` from now. */
function within(ms: number, init: Partial<CallOptions> = {}): CallOptions {
  return callOptions({ deadline: new Date(Date.now() + ms), ...init });
}

async function collect(replies: AsyncIterable<Message>): Promise<EchoReply[]> {
  const all: EchoReply[] = [];
  for await (const m of replies) all.push(m as unknown as EchoReply);
  return all;
}

const missing = missingBuild();
if (missing !== undefined && process.env.CI === "true") {
  test("the grpc-go interop server is built", () => assert.fail(`${missing}; under CI=true the interop suite must run`));
} else if (missing !== undefined) {
  test("interop against grpc-go", { skip: missing }, () => {});
} else {
  const service = interopService();
  const m = service.method;
  const echo = m.echo!;
  // Loosely typed requests: the messages come from a descriptor set, not generated code.
  const request = (method: DescMethod, init: Record<string, unknown> = {}): Message => create(method.input, init as never);
  let ids = 0;

  describe(`interop against grpc-go (${buildVersions()})`, { timeout: 60_000 }, () => {
    test("the gzip server compresses its replies (a raw HTTP/2 call)", async () => {
      const server = await startGoServer(["-gzip"]);
      const session = connect(`http://${server.address}`);
      try {
        const stream = session.request({ ":method": "POST", ":path": "/interop.v1.Interop/Echo", "content-type": "application/grpc", te: "trailers" });
        stream.end(Buffer.from([0, 0, 0, 0, 0]));
        const headers = await new Promise<Record<string, unknown>>((resolve) => stream.once("response", resolve));
        assert.equal(headers["grpc-encoding"], "gzip");
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        assert.equal(Buffer.concat(chunks)[0], 1, "the compressed flag of the reply");
      } finally {
        session.close();
        await server.stop();
      }
    });

    test("keepalive under grpc-go's ping policy: GOAWAY too_many_pings halves the pings until a quiet call survives (dial)", async () => {
      // The server allows a ping every 150 ms; the client starts at one per 50 ms. Each quiet
      // call (Slow never answers) ends at its 800 ms deadline if its connection lives that long.
      const server = await startGoServer(["-keepalive-min-time=150ms"]);
      const backend = dial(server.address, { keepaliveTimeMs: 50 });
      try {
        const outcomes: Code[] = [];
        while (outcomes.at(-1) !== Code.DEADLINE_EXCEEDED && outcomes.length < 6) {
          outcomes.push((await failure(backend.unary(m.slow!, request(m.slow!, { id: `pings-${ids++}` }), within(800)))).code);
        }
        assert.equal(outcomes[0], Code.UNAVAILABLE, "grpc-go closed the first connection for its pings");
        assert.equal(outcomes.at(-1), Code.DEADLINE_EXCEEDED, `outcomes: ${outcomes.map((c) => Code[c]).join(", ")}`);
      } finally {
        backend.close();
        await server.stop();
      }
    });

    for (const transport of transports) {
      describe(`over ${transport.name}`, () => {
        let plain: GoServer;
        let gzip: GoServer;
        let limited: GoServer;
        let draining: GoServer;
        let backend: Backend;
        let gzipBackend: Backend;
        let limitedBackend: Backend;
        let drainingBackend: Backend;
        const dialed: Dialed[] = [];
        const dial = (server: GoServer): Backend => {
          const d = transport.dial(server.address);
          dialed.push(d);
          return d.backend;
        };

        before(async () => {
          [plain, gzip, limited, draining] = await Promise.all([startGoServer(), startGoServer(["-gzip"]), startGoServer(["-max-streams=2"]), startGoServer()]);
          backend = dial(plain);
          gzipBackend = dial(gzip);
          limitedBackend = dial(limited);
          drainingBackend = dial(draining);
        });
        after(async () => {
          for (const d of dialed) d.close();
          await Promise.all([plain, gzip, limited, draining].map((s) => s?.stop()));
        });

        /** How the call recorded under `id` ended, as the server saw it. */
        const observed = async (on: Backend, id: string): Promise<ObservedReply> =>
          (await on.unary(m.observed!, request(m.observed!, { id }), within(10_000))).message as unknown as ObservedReply;

        test("unary: the reply, request metadata echoed in headers and trailers apart, binary metadata both ways", async () => {
          const metadata = new grpc.Metadata();
          metadata.set("x-a", "hello");
          metadata.set("x-b-bin", Buffer.from([0, 1, 255]));
          const result = await backend.unary(echo, request(echo, { text: "hi" }), callOptions({ metadata }));
          const reply = result.message as unknown as EchoReply;
          assert.equal(reply.text, "hi");
          assert.equal(reply.deadlineMs, -1n, "no deadline, no grpc-timeout");
          assert.deepEqual(result.headers.get("hdr-x-a"), ["hello"]);
          assert.deepEqual(result.headers.get("hdr-x-b-bin"), [Buffer.from([0, 1, 255])]);
          assert.deepEqual(result.headers.get("trl-x-a"), []);
          assert.deepEqual(result.trailers.get("trl-x-a"), ["hello"]);
          assert.deepEqual(result.trailers.get("trl-x-b-bin"), [Buffer.from([0, 1, 255])]);
          assert.deepEqual(result.trailers.get("hdr-x-a"), []);
        });

        test("a deadline goes out as grpc-timeout: the server sees one no later than asked", async () => {
          const result = await backend.unary(echo, request(echo, { text: "t" }), within(30_000));
          const left = (result.message as unknown as EchoReply).deadlineMs;
          assert.ok(left > 0n && left <= 30_000n, `the server saw ${left} ms left`);
        });

        test("server streaming: every message in order, metadata, then OK", async () => {
          const metadata = new grpc.Metadata();
          metadata.set("x-s", "stream");
          const call = backend.stream(m.serverStream!, callOptions({ metadata }));
          await call.send(request(m.serverStream!, { text: "s", count: 5 }));
          call.close();
          const replies = await collect(call.replies);
          assert.deepEqual(
            replies.map((r) => [r.text, r.count]),
            [0, 1, 2, 3, 4].map((i) => ["s", i]),
          );
          assert.deepEqual((await call.headers).get("hdr-x-s"), ["stream"]);
          assert.deepEqual((await call.trailers).get("trl-x-s"), ["stream"]);
        });

        test("client streaming: several requests, one reply", async () => {
          const call = backend.stream(m.clientStream!, callOptions());
          for (const text of ["a", "b", "c"]) await call.send(request(m.clientStream!, { text }));
          call.close();
          const replies = await collect(call.replies);
          assert.deepEqual(
            replies.map((r) => [r.text, r.count]),
            [["a+b+c", 3]],
          );
        });

        test("bidi: each reply arrives before the next request is sent", async () => {
          const call = backend.stream(m.bidi!, callOptions());
          const it = call.replies[Symbol.asyncIterator]();
          for (const text of ["x", "y", "z"]) {
            await call.send(request(m.bidi!, { text }));
            const next = await it.next();
            assert.equal((next.value as unknown as EchoReply).text, `re ${text}`);
          }
          call.close();
          assert.equal((await it.next()).done, true);
        });

        test("a failing status: code, a non-ASCII message, google.rpc.Status details, headers and trailers", async () => {
          const message = "not now: 100% sure ✓";
          const err = await failure(backend.unary(m.fail!, request(m.fail!, { code: Code.FAILED_PRECONDITION, message, reason: "NOPE" }), callOptions()));
          assert.equal(err.code, Code.FAILED_PRECONDITION);
          assert.equal(err.rawMessage, message);
          assert.equal(err.details.length, 1);
          const info = anyUnpack(err.details[0]!, ErrorInfoSchema);
          assert.equal(info?.reason, "NOPE");
          assert.equal(info?.domain, "interop.test");
          assert.deepEqual(err.metadata.get("hdr-fail"), ["yes"]);
          assert.deepEqual(err.trailers.get("trl-fail"), ["yes"]);
        });

        test("a failing status without details", async () => {
          const err = await failure(backend.unary(m.fail!, request(m.fail!, { code: Code.NOT_FOUND, message: "gone" }), callOptions()));
          assert.equal(err.code, Code.NOT_FOUND);
          assert.equal(err.rawMessage, "gone");
          assert.deepEqual(err.details, []);
        });

        test("a deadline: the call fails DEADLINE_EXCEEDED and the server sees its context end", async () => {
          const id = `deadline-${ids++}`;
          const err = await failure(backend.unary(m.slow!, request(m.slow!, { id }), within(300)));
          assert.equal(err.code, Code.DEADLINE_EXCEEDED);
          const seen = await observed(backend, id);
          assert.equal(seen.cancelled, true);
          // Whichever came first: the server's own timer, or the client's RST_STREAM.
          assert.match(seen.reason, /^context (deadline exceeded|canceled)$/);
        });

        test("a unary call whose signal aborts is cancelled, and the server sees it", async () => {
          const id = `abort-${ids++}`;
          const controller = new AbortController();
          const call = backend.unary(m.slow!, request(m.slow!, { id }), callOptions({ signal: controller.signal }));
          await backend.unary(m.started!, request(m.started!, { id }), within(10_000));
          controller.abort();
          const err = await failure(call);
          assert.equal(err.code, Code.CANCELLED);
          const seen = await observed(backend, id);
          assert.equal(seen.cancelled, true);
          assert.equal(seen.reason, "context canceled");
        });

        test("a server stream cancelled mid-way: the server sees the cancellation", async () => {
          const id = `cancel-${ids++}`;
          const call = backend.stream(m.serverStream!, callOptions());
          await call.send(request(m.serverStream!, { text: "c", count: 3, holdId: id }));
          call.close();
          const it = call.replies[Symbol.asyncIterator]();
          assert.equal(((await it.next()).value as unknown as EchoReply).count, 0);
          call.cancel();
          const seen = await observed(backend, id);
          assert.equal(seen.cancelled, true);
          assert.equal(seen.reason, "context canceled");
        });

        test("gzip replies are decoded: unary and streamed", async () => {
          const result = await gzipBackend.unary(echo, request(echo, { text: "z", replyBytes: MiB }), callOptions());
          const reply = result.message as unknown as EchoReply;
          assert.equal(reply.text, "z");
          assert.equal(reply.filler.length, MiB);
          assert.ok(reply.filler.every((b) => b === 0x61));
          const call = gzipBackend.stream(m.serverStream!, callOptions());
          await call.send(request(m.serverStream!, { text: "gz", count: 3 }));
          call.close();
          assert.deepEqual(
            (await collect(call.replies)).map((r) => [r.text, r.count]),
            [0, 1, 2].map((i) => ["gz", i]),
          );
        });

        test("a reply over 4 MiB is RESOURCE_EXHAUSTED, the next call works", async () => {
          const err = await failure(backend.unary(echo, request(echo, { replyBytes: 5 * MiB }), callOptions()));
          assert.equal(err.code, Code.RESOURCE_EXHAUSTED);
          const next = await backend.unary(echo, request(echo, { text: "small" }), callOptions());
          assert.equal((next.message as unknown as EchoReply).text, "small");
        });

        test("a gzip reply inflating past 4 MiB is RESOURCE_EXHAUSTED, the next call works", async () => {
          const err = await failure(gzipBackend.unary(echo, request(echo, { replyBytes: 5 * MiB }), callOptions()));
          assert.equal(err.code, Code.RESOURCE_EXHAUSTED);
          const next = await gzipBackend.unary(echo, request(echo, { text: "small" }), callOptions());
          assert.equal((next.message as unknown as EchoReply).text, "small");
        });

        test("MAX_CONCURRENT_STREAMS 2: three times as many calls all complete, never more than 2 at once", async () => {
          // Each call waits on the server until another is in flight with it: the calls complete
          // only if the client keeps two streams open, and never refused only if it opens no more.
          const replies = await Promise.all(
            Array.from({ length: 6 }, () => limitedBackend.unary(m.barrier!, request(m.barrier!, { want: 2 }), within(20_000))),
          );
          const most = replies.map((r) => (r.message as unknown as { maxInFlight: number }).maxInFlight);
          assert.deepEqual(most, [2, 2, 2, 2, 2, 2]);
        });

        test("GOAWAY while a call is in flight: that call finishes, new calls reach the new server", async () => {
          const id = `goaway-${ids++}`;
          const first = await drainingBackend.unary(echo, request(echo, { text: "before" }), within(10_000));
          const generation = (first.message as unknown as EchoReply).generation;
          const call = drainingBackend.stream(m.serverStream!, within(20_000));
          await call.send(request(m.serverStream!, { text: "held", count: 3, holdId: id }));
          call.close();
          const it = call.replies[Symbol.asyncIterator]();
          assert.equal(((await it.next()).value as unknown as EchoReply).count, 0);
          // The server stops gracefully: GOAWAY to this connection, a new server on the same port.
          await drainingBackend.unary(m.goAway!, request(m.goAway!), within(10_000));
          // Calls sent at once may cross the GOAWAY: grpc-go refuses those (REFUSED_STREAM),
          // unprocessed, and they must go out again on a new connection, streamed ones too.
          const streamed = drainingBackend.stream(m.clientStream!, within(10_000));
          const [during] = await Promise.all([
            drainingBackend.unary(echo, request(echo, { text: "during" }), within(10_000)),
            (async () => {
              for (const text of ["p", "q"]) await streamed.send(request(m.clientStream!, { text }));
              streamed.close();
            })(),
          ]);
          assert.equal((during.message as unknown as EchoReply).text, "during");
          assert.deepEqual(
            (await collect(streamed.replies)).map((r) => r.text),
            ["p+q"],
          );
          await drainingBackend.unary(m.release!, request(m.release!, { id }), within(10_000));
          const rest: number[] = [];
          for (let next = await it.next(); !next.done; next = await it.next()) rest.push((next.value as unknown as EchoReply).count);
          assert.deepEqual(rest, [1, 2]);
          const seen = await observed(drainingBackend, id);
          assert.equal(seen.cancelled, false, seen.reason);
          const later = await drainingBackend.unary(echo, request(echo, { text: "after" }), within(10_000));
          assert.equal((later.message as unknown as EchoReply).generation, generation + 1, "answered by the server that took over");
        });
      });
    }
  });
}
