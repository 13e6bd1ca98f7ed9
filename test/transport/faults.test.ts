// The lean node:http2 transport when calls or servers misbehave: deadlines, cancellation,
// restarts, GOAWAY, stream limits, slow readers, handshakes that never finish.
import assert from "node:assert/strict";
import { constants as http2Constants, createServer as createHttp2Server, type ServerHttp2Session, type ServerHttp2Stream } from "node:http2";
import { createServer as createTcpServer, type AddressInfo, type Socket } from "node:net";
import { describe, test } from "node:test";
import { create, fromBinary, toBinary, type Message } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { dial, GatewayError } from "grpc-gateway-express/runtime";
import { encodeFrame, FrameReader } from "../../runtime/backend/http2/framing.js";
import { Everything, ScalarsSchema, type Scalars } from "../gen/testing/v1/everything_pb.js";
import { Streamer, StreamReplySchema, StreamRequestSchema, type StreamRequest } from "../gen/testing/v1/streaming_pb.js";
import { startTestServer, type AnyHandler } from "../support/raw-grpc-server.js";
import { callOptions } from "../support/raw-grpc-server.js";
import { spawnBackendProcess } from "../support/spawn-backend.js";
import { failure } from "../support/call-failure.js";

const echo = Everything.method.echo;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Answers a raw HTTP/2 gRPC stream OK with one empty message, unless it closed meanwhile. */
function answerEmpty(stream: ServerHttp2Stream): void {
  if (stream.closed) return;
  stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
  stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
  stream.end(encodeFrame(new Uint8Array()));
}

const echoHandler: AnyHandler = (call: grpc.ServerUnaryCall<Scalars, Scalars>, callback: grpc.sendUnaryData<Scalars>) =>
  callback(null, create(ScalarsSchema, { stringValue: call.request.stringValue }));

/** A unary handler that never answers, resolving `cancelled` when grpc-js reports the client's cancellation. */
function hanging(): { handler: AnyHandler; cancelled: Promise<void>; deadline: Promise<grpc.Deadline> } {
  let cancelled: () => void = () => {};
  let deadline: (d: grpc.Deadline) => void = () => {};
  const handler: AnyHandler = (call: grpc.ServerUnaryCall<Scalars, Scalars>) => {
    deadline(call.getDeadline());
    call.on("cancelled", () => cancelled());
  };
  return { handler, cancelled: new Promise((r) => (cancelled = r)), deadline: new Promise((r) => (deadline = r)) };
}

describe("deadlines and cancellation", { timeout: 20_000 }, () => {
  test("a deadline goes out as grpc-timeout, fails the call DEADLINE_EXCEEDED locally, and the server sees the cancellation", async () => {
    const h = hanging();
    const server = await startTestServer([[echo, h.handler]]);
    const backend = dial(server.address);
    try {
      const err = await failure(backend.unary(echo, create(ScalarsSchema), callOptions({ deadline: new Date(Date.now() + 300) })));
      assert.equal(err.code, grpc.status.DEADLINE_EXCEEDED);
      assert.equal(err.rawMessage, "deadline exceeded");
      const seen = await h.deadline;
      assert.ok(Number(seen) > 0 && Number(seen) < Date.now() + 1000, `server deadline ${String(seen)}`);
      await h.cancelled;
    } finally {
      backend.close();
      await server.close();
    }
  });

  test("a deadline 30 days away is sent in a form a grpc-js server reads without overflowing, and does not fire early", async () => {
    const server = await startTestServer([[echo, echoHandler]]);
    const backend = dial(server.address);
    try {
      const far = new Date(Date.now() + 30 * 24 * 3600 * 1000);
      const result = await backend.unary(echo, create(ScalarsSchema, { stringValue: "far" }), callOptions({ deadline: far }));
      assert.equal((result.message as Scalars).stringValue, "far");
    } finally {
      backend.close();
      await server.close();
    }
  });

  test("the HTTP client going away cancels the call as RST_STREAM(CANCEL): the grpc-js handler sees 'cancelled'", async () => {
    const h = hanging();
    const server = await startTestServer([[echo, h.handler]]);
    const backend = dial(server.address);
    try {
      const abort = new AbortController();
      const pending = failure(backend.unary(echo, create(ScalarsSchema), callOptions({ signal: abort.signal })));
      await h.deadline;
      abort.abort();
      assert.equal((await pending).code, grpc.status.CANCELLED);
      await h.cancelled;
    } finally {
      backend.close();
      await server.close();
    }
  });

  for (const [transport, open] of [
    ["node:http2", (address: string) => dial(address)],
    ["grpc-js", (address: string) => dial(address, { transport: "grpc-js" })],
  ] as const) {
    test(`leaving a for-await over replies early cancels the call on the server (${transport})`, async () => {
      let cancelled: () => void = () => {};
      const seen = new Promise<void>((r) => (cancelled = r));
      const server = await startTestServer([
        [
          Streamer.method.serverStream,
          (call: grpc.ServerWritableStream<StreamRequest, Message>) => {
            call.on("cancelled", () => cancelled());
            let i = 0;
            const timer = setInterval(() => call.write(create(StreamReplySchema, { index: i++ })), 5);
            call.on("cancelled", () => clearInterval(timer));
          },
        ],
      ]);
      const backend = open(server.address);
      try {
        const call = backend.stream(Streamer.method.serverStream, callOptions());
        await call.send(create(StreamRequestSchema, { name: "forever" }));
        call.close();
        let n = 0;
        for await (const _ of call.replies) if (++n === 2) break;
        await seen;
      } finally {
        backend.close();
        await server.close();
      }
    });
  }
});

describe("unreachable and restarted servers", { timeout: 20_000 }, () => {
  test("nothing listening is UNAVAILABLE with a generic message, the detail kept as the cause", async () => {
    const backend = dial("127.0.0.1:1");
    try {
      const err = await failure(backend.unary(echo, create(ScalarsSchema), callOptions()));
      assert.equal(err.code, grpc.status.UNAVAILABLE);
      assert.equal(err.rawMessage, "backend unavailable");
      assert.match(String((err.cause as Error).message), /ECONNREFUSED/);
    } finally {
      backend.close();
    }
  });

  test("a listener that never completes the HTTP/2 handshake fails the call UNAVAILABLE within the connect timeout", async () => {
    const sockets: Socket[] = [];
    const silent = createTcpServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const backend = dial(`127.0.0.1:${(silent.address() as AddressInfo).port}`, { connectTimeoutMs: 200 });
    try {
      const err = await failure(backend.unary(echo, create(ScalarsSchema), callOptions()));
      assert.equal(err.code, grpc.status.UNAVAILABLE);
      assert.equal(err.rawMessage, "backend unavailable");
    } finally {
      backend.close();
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  test("a server restarted mid-call fails that call UNAVAILABLE; once back up it is reached again within 1 s", async () => {
    const h = hanging();
    let server = await startTestServer([[echo, h.handler]]);
    const { port } = server;
    // Backoff starting at the cap: a backoff that kept growing past 1 s would still be waiting below.
    const backend = dial(`127.0.0.1:${port}`, { initialReconnectBackoffMs: 1000 });
    try {
      const inFlight = failure(backend.unary(echo, create(ScalarsSchema), callOptions()));
      await h.deadline;
      await server.close();
      assert.equal((await inFlight).code, grpc.status.UNAVAILABLE);
      // Down for a while: repeated failures push the backoff to its cap.
      for (const until = Date.now() + 3000; Date.now() < until; ) {
        assert.equal((await failure(backend.unary(echo, create(ScalarsSchema), callOptions()))).code, grpc.status.UNAVAILABLE);
        await sleep(50);
      }
      server = await startTestServer([[echo, echoHandler]], {}, `127.0.0.1:${port}`);
      // The backoff never exceeds 1 s, so the first call a second later goes through.
      await sleep(1100);
      const result = await backend.unary(echo, create(ScalarsSchema, { stringValue: "back" }), callOptions());
      assert.equal((result.message as Scalars).stringValue, "back");
    } finally {
      backend.close();
      await server.close();
    }
  });
});

describe("GOAWAY, stream limits, back-pressure", { timeout: 20_000 }, () => {
  test("after a GOAWAY the call in flight finishes and new calls go over a new session", async () => {
    // A raw node:http2 gRPC server: /slow answers after 200 ms; /fast answers and sends GOAWAY.
    const sessions: ServerHttp2Session[] = [];
    const raw = createHttp2Server();
    raw.on("session", (s) => sessions.push(s));
    raw.on("stream", (stream, headers) => {
      stream.on("data", () => {});
      stream.on("end", () => {
        const answer = () => answerEmpty(stream);
        if (headers[":path"] === "/testing.v1.Everything/Echo") setTimeout(answer, 200);
        else {
          answer();
          stream.session?.goaway();
        }
      });
    });
    await new Promise<void>((r) => raw.listen(0, "127.0.0.1", r));
    const backend = dial(`127.0.0.1:${(raw.address() as AddressInfo).port}`);
    try {
      const slow = backend.unary(echo, create(ScalarsSchema), callOptions());
      await sleep(50);
      await backend.unary(Everything.method.echoNested, create(ScalarsSchema), callOptions());
      await slow;
      await backend.unary(Everything.method.unbound, create(ScalarsSchema), callOptions());
      assert.equal(sessions.length, 2);
    } finally {
      backend.close();
      for (const s of sessions) s.destroy();
      raw.close();
    }
  });

  test("a server allowing one stream at a time gets the calls one after another, all answered", async () => {
    let active = 0;
    let most = 0;
    const server = await startTestServer(
      [
        [
          echo,
          (call: grpc.ServerUnaryCall<Scalars, Scalars>, callback: grpc.sendUnaryData<Scalars>) => {
            most = Math.max(most, ++active);
            setTimeout(() => {
              active--;
              callback(null, call.request);
            }, 20);
          },
        ],
      ],
      { "grpc.max_concurrent_streams": 1 },
    );
    const backend = dial(server.address);
    try {
      const replies = await Promise.all(
        Array.from({ length: 6 }, (_, i) => backend.unary(echo, create(ScalarsSchema, { stringValue: `c${i}` }), callOptions())),
      );
      assert.deepEqual(
        replies.map((r) => (r.message as Scalars).stringValue),
        ["c0", "c1", "c2", "c3", "c4", "c5"],
      );
      assert.equal(most, 1);
    } finally {
      backend.close();
      await server.close();
    }
  });

  test("a server at its MAX_CONCURRENT_STREAMS gets no more calls while another has room", async () => {
    // node's HTTP/2 client would queue a stream past the limit by itself, so only the spread
    // over two servers tells whether the transport counts the server's limit.
    const counts = [0, 0];
    const counting =
      (i: number, ms: number): AnyHandler =>
      (call: grpc.ServerUnaryCall<Scalars, Scalars>, callback: grpc.sendUnaryData<Scalars>) => {
        counts[i]!++;
        setTimeout(() => callback(null, call.request), ms);
      };
    const full = await startTestServer([[echo, counting(0, 300)]], { "grpc.max_concurrent_streams": 1 });
    const roomy = await startTestServer([[echo, counting(1, 10)]]);
    const backend = dial(`ipv4:127.0.0.1:${full.port},127.0.0.1:${roomy.port}`);
    try {
      // Both connections up first (round robin: one call each).
      await Promise.all([0, 1].map(() => backend.unary(echo, create(ScalarsSchema), callOptions())));
      counts.fill(0);
      const replies = await Promise.all(
        Array.from({ length: 8 }, (_, i) => backend.unary(echo, create(ScalarsSchema, { stringValue: `c${i}` }), callOptions())),
      );
      assert.equal(replies.length, 8);
      assert.ok(counts[0]! <= 1, `the server allowing one stream got ${counts[0]} of 8 calls made at once`);
      assert.equal(counts[0]! + counts[1]!, 8);
    } finally {
      backend.close();
      await full.close();
      await roomy.close();
    }
  });

  test("a slow reader holds a fast server back: what it produces stays bounded", async () => {
    let produced = 0;
    const server = await startTestServer([
      [
        Streamer.method.serverStream,
        async (call: grpc.ServerWritableStream<StreamRequest, Message>) => {
          const message = create(StreamReplySchema, { payload: "x".repeat(16 * 1024) });
          while (!call.cancelled && produced < 5000) {
            produced++;
            if (!call.write(message)) await new Promise((r) => call.once("drain", r));
          }
        },
      ],
    ]);
    const backend = dial(server.address);
    try {
      const call = backend.stream(Streamer.method.serverStream, callOptions());
      await call.send(create(StreamRequestSchema, { name: "flood" }));
      call.close();
      let read = 0;
      for await (const _ of call.replies) {
        await sleep(20);
        if (++read === 20) break;
      }
      // 5000 messages of 16 KiB would be 80 MB; flow control and the pause keep it to a few windows.
      assert.ok(produced < 400, `the server produced ${produced} messages while 20 were read`);
    } finally {
      backend.close();
      await server.close();
    }
  });
});

describe("streams the server refuses unprocessed (REFUSED_STREAM)", { timeout: 20_000 }, () => {
  /**
   * A raw node:http2 gRPC server that resets the first `refuse` streams with REFUSED_STREAM
   * before reading them, as grpc-go does to streams that crossed its GOAWAY, and answers
   * the rest: Echo with the request, ClientStream with the names joined.
   */
  async function refusingServer(refuse: number) {
    let streams = 0;
    const raw = createHttp2Server();
    raw.on("stream", (stream, headers) => {
      // node reports the reset it sent as the stream's error, here expected.
      stream.on("error", () => {});
      if (streams++ < refuse) return stream.close(http2Constants.NGHTTP2_REFUSED_STREAM);
      const reader = new FrameReader(1024 * 1024);
      const requests: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => {
        reader.push(chunk);
        for (let payload = reader.next(); payload !== undefined; payload = reader.next()) requests.push(Buffer.from(payload));
      });
      stream.on("end", () => {
        const reply =
          headers[":path"] === "/testing.v1.Streamer/ClientStream"
            ? toBinary(StreamReplySchema, create(StreamReplySchema, { text: requests.map((r) => fromBinary(StreamRequestSchema, r).name).join("+") }))
            : requests[0]!;
        stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
        stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
        stream.end(encodeFrame(reply));
      });
    });
    await new Promise<void>((r) => raw.listen(0, "127.0.0.1", r));
    return { address: `127.0.0.1:${(raw.address() as AddressInfo).port}`, streams: () => streams, close: () => raw.close() };
  }

  test("a refused unary call and a refused client-streaming call go out again, what they sent replayed", async () => {
    const server = await refusingServer(2);
    const backend = dial(server.address);
    try {
      const streamed = backend.stream(Streamer.method.clientStream, callOptions());
      const [unary] = await Promise.all([
        backend.unary(echo, create(ScalarsSchema, { stringValue: "again" }), callOptions()),
        (async () => {
          for (const name of ["a", "b"]) await streamed.send(create(StreamRequestSchema, { name }));
          streamed.close();
        })(),
      ]);
      assert.equal((unary.message as Scalars).stringValue, "again");
      const replies: string[] = [];
      for await (const m of streamed.replies) replies.push((m as unknown as { text: string }).text);
      assert.deepEqual(replies, ["a+b"]);
      assert.equal(server.streams(), 4);
    } finally {
      backend.close();
      server.close();
    }
  });

  test("a server refusing every stream: the call is tried a few times, then fails UNAVAILABLE", async () => {
    const server = await refusingServer(Number.POSITIVE_INFINITY);
    const backend = dial(server.address);
    try {
      const err = await failure(backend.unary(echo, create(ScalarsSchema), callOptions()));
      assert.equal(err.code, grpc.status.UNAVAILABLE);
      assert.ok(server.streams() > 1 && server.streams() <= 4, `${server.streams()} attempts`);
    } finally {
      backend.close();
      server.close();
    }
  });
});

describe("keepalive", { timeout: 20_000 }, () => {
  /**
   * A raw node:http2 gRPC server noting when each session is pinged: /Echo answers after
   * 500 ms, any other method at once. With `goawayAtPing`, the first session's nth ping is
   * answered GOAWAY ENHANCE_YOUR_CALM "too_many_pings", as grpc-go does. With `drainOnCall`,
   * a session sends GOAWAY NO_ERROR as its first /Echo arrives, as a server shutting down does.
   */
  async function pingCountingServer(goawayAtPing?: number, drainOnCall = false) {
    const pings: number[][] = [];
    const sessions: ServerHttp2Session[] = [];
    const raw = createHttp2Server();
    raw.on("session", (session) => {
      const seen: number[] = [];
      pings.push(seen);
      sessions.push(session);
      session.on("ping", () => {
        seen.push(performance.now());
        if (sessions.length === 1 && seen.length === goawayAtPing)
          session.goaway(http2Constants.NGHTTP2_ENHANCE_YOUR_CALM, 2 ** 31 - 1, Buffer.from("too_many_pings"));
      });
    });
    raw.on("stream", (stream, headers) => {
      stream.on("data", () => {});
      stream.on("end", () => {
        const answer = () => answerEmpty(stream);
        if (headers[":path"] === "/testing.v1.Everything/Echo") {
          if (drainOnCall) stream.session?.goaway(http2Constants.NGHTTP2_NO_ERROR, 2 ** 31 - 1);
          setTimeout(answer, 500);
        } else answer();
      });
    });
    await new Promise<void>((r) => raw.listen(0, "127.0.0.1", r));
    return {
      address: `127.0.0.1:${(raw.address() as AddressInfo).port}`,
      pings,
      close() {
        for (const s of sessions) s.destroy();
        raw.close();
      },
    };
  }
  const quick = Everything.method.echoNested;

  test("pings go out while a call is in flight, not on an idle connection unless keepalivePermitWithoutCalls", async () => {
    const server = await pingCountingServer();
    const backend = dial(server.address, { keepaliveTimeMs: 50 });
    const eager = dial(server.address, { keepaliveTimeMs: 50, keepalivePermitWithoutCalls: true });
    try {
      await backend.unary(quick, create(ScalarsSchema), callOptions());
      // Counted from the end of the call: a stalled machine may have pinged during it.
      const afterCall = server.pings[0]!.length;
      await sleep(300);
      assert.equal(server.pings[0]!.length, afterCall, "an idle connection was pinged");
      await backend.unary(echo, create(ScalarsSchema), callOptions());
      assert.ok(server.pings[0]!.length >= afterCall + 2, `${server.pings[0]!.length - afterCall} pings during a 500 ms call`);
      await eager.unary(quick, create(ScalarsSchema), callOptions());
      await sleep(300);
      assert.ok(server.pings[1]!.length >= 2, `${server.pings[1]!.length} pings on an idle connection that permits them`);
    } finally {
      backend.close();
      eager.close();
      server.close();
    }
  });

  test("keepalive leaves a connection draining after GOAWAY alone: its call finishes", async () => {
    // node cancels pings on a closed session; a keepalive that took that for a dead peer
    // would fail the very calls the drain lets finish.
    const server = await pingCountingServer(undefined, true);
    const backend = dial(server.address, { keepaliveTimeMs: 50 });
    try {
      await backend.unary(echo, create(ScalarsSchema), callOptions());
      assert.equal(server.pings.length, 1, "the call finished on the draining connection");
    } finally {
      backend.close();
      server.close();
    }
  });

  test("the first call after an idle spell longer than the interval pings at once", async () => {
    const server = await pingCountingServer();
    const backend = dial(server.address, { keepaliveTimeMs: 1000 });
    try {
      await backend.unary(quick, create(ScalarsSchema), callOptions());
      await sleep(1200);
      const before = server.pings[0]!.length;
      // A 500 ms call, over before the next tick of a plain 1 s interval would come.
      await backend.unary(echo, create(ScalarsSchema), callOptions());
      assert.equal(server.pings[0]!.length, before + 1, "the ping that came due while idle went out with the call");
    } finally {
      backend.close();
      server.close();
    }
  });

  test("a server answering GOAWAY too_many_pings is pinged half as often on the next connection", async () => {
    const server = await pingCountingServer(2);
    const backend = dial(server.address, { keepaliveTimeMs: 50 });
    try {
      // An error GOAWAY ends the connection and its calls (node destroys the session; grpc-go closes it).
      assert.equal((await failure(backend.unary(echo, create(ScalarsSchema), callOptions()))).code, grpc.status.UNAVAILABLE);
      assert.equal(server.pings.length, 1);
      await backend.unary(echo, create(ScalarsSchema), callOptions());
      assert.equal(server.pings.length, 2, "the second call went over a new connection");
      const [first, second] = server.pings[1]!;
      assert.ok(second !== undefined, `pings on the second connection: ${server.pings[1]!.length}`);
      // The next ping goes 100 ms after the last answer; the undoubled gap would be about 50 ms.
      assert.ok(second - first! >= 75, `pings ${(second - first!).toFixed(0)} ms apart`);
    } finally {
      backend.close();
      server.close();
    }
  });

  test("a frozen grpc-js backend (SIGSTOP): the call in flight fails UNAVAILABLE once a ping goes unanswered; back once it wakes", async () => {
    const frozen = await spawnBackendProcess();
    const backend = dial(frozen.address, { keepaliveTimeMs: 100, keepaliveTimeoutMs: 300 });
    try {
      await backend.unary(echo, create(ScalarsSchema, { stringValue: "before" }), callOptions());
      frozen.child.kill("SIGSTOP");
      // No deadline and no reply limit: only keepalive can end this call.
      const stuck = failure(backend.unary(echo, create(ScalarsSchema, { stringValue: "frozen" }), callOptions()));
      let giveUp: NodeJS.Timeout | undefined;
      const timer = new Promise<string>((resolve) => (giveUp = setTimeout(() => resolve("still waiting after 5 s"), 5000)));
      const outcome = await Promise.race([stuck, timer]);
      clearTimeout(giveUp);
      assert.ok(outcome instanceof GatewayError, String(outcome));
      assert.equal(outcome.code, grpc.status.UNAVAILABLE);
      assert.equal(outcome.message, "backend unavailable");
      frozen.child.kill("SIGCONT");
      const after = await backend.unary(echo, create(ScalarsSchema, { stringValue: "after" }), callOptions());
      assert.equal((after.message as Scalars).stringValue, "after");
    } finally {
      backend.close();
      frozen.stop();
    }
  });
});
