// Streaming over HTTP/1.1 through a real grpc-js backend: formats, timing order, errors,
// cancellation, back-pressure, streamed request bodies; and the in-process backend.
import assert from "node:assert/strict";
import { request, type ClientRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { createGunzip } from "node:zlib";
import compression from "compression";
import express from "express";
import { status as Code } from "@grpc/grpc-js";
import { createGateway, GatewayError, inProcess, type Backend, type GatewayOptions } from "grpc-gateway-express/runtime";
import { Streamer } from "../gen/testing/v1/streaming_pb.js";
import { registerStreamerGateway } from "../gen/testing/v1/streaming_gateway.js";
import { send } from "../support/http-client.js";
import { startStreamerBackend, type StreamerBackend } from "../support/streamer-backend.js";
import { dialBackend } from "../support/dial-backend.js";

interface App {
  url: string;
  close(): Promise<void>;
}

async function startApp(backend: Backend, options: GatewayOptions = {}, compress = false): Promise<App> {
  const gateway = createGateway(options);
  registerStreamerGateway(gateway, backend);
  const app = express();
  if (compress) app.use(compression());
  app.use(gateway);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Opens a request whose body and response the test drives piece by piece. */
function open(url: string, method: string, path: string, headers: Record<string, string> = {}): { req: ClientRequest; res: Promise<IncomingMessage> } {
  const { hostname, port } = new URL(url);
  const req = request({ host: hostname, port, method, path, headers });
  const res = new Promise<IncomingMessage>((resolve, reject) => {
    req.on("response", resolve);
    req.on("error", reject);
  });
  return { req, res };
}

/** Reads a response line by line, as the lines arrive. */
async function* lines(res: IncomingMessage): AsyncGenerator<string> {
  let buffered = "";
  for await (const chunk of res) {
    buffered += String(chunk);
    let nl: number;
    while ((nl = buffered.indexOf("\n")) !== -1) {
      yield buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
    }
  }
  if (buffered !== "") yield buffered;
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), "condition reached in time");
};

describe("server streaming through grpc-js", () => {
  let backend: StreamerBackend;
  let app: App;
  before(async () => {
    backend = await startStreamerBackend();
    app = await startApp(dialBackend(backend.address));
  });
  after(async () => {
    await app.close();
    await backend.close();
  });

  test('default format: one {"result": ...} line per message, in order', async () => {
    const res = await send(app.url, { method: "GET", path: "/v1/stream/a?count=3" });
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "application/json");
    assert.equal(res.text, [0, 1, 2].map((i) => `{"result":{"text":"a #${i}","index":${i},"payload":""}}\n`).join(""));
  });

  test("Accept: text/event-stream gives one data: event per message", async () => {
    const res = await send(app.url, { method: "GET", path: "/v1/stream/s?count=2", headers: { Accept: "text/event-stream" } });
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "text/event-stream");
    assert.equal(res.headers["cache-control"], "no-cache");
    assert.equal(res.text, 'data: {"text":"s #0","index":0,"payload":""}\n\ndata: {"text":"s #1","index":1,"payload":""}\n\n');
  });

  test("Accept: application/x-ndjson gives bare messages per line", async () => {
    const res = await send(app.url, { method: "GET", path: "/v1/stream/n?count=2", headers: { Accept: "application/x-ndjson" } });
    assert.equal(res.headers["content-type"], "application/x-ndjson");
    assert.equal(res.text, '{"text":"n #0","index":0,"payload":""}\n{"text":"n #1","index":1,"payload":""}\n');
  });

  test("POST with body * binds the request", async () => {
    const res = await send(app.url, {
      method: "POST",
      path: "/v1/stream:server",
      headers: { "Content-Type": "application/json" },
      body: '{"name":"p","count":1}',
    });
    assert.equal(res.text, '{"result":{"text":"p #0","index":0,"payload":""}}\n');
    assert.equal(backend.calls.at(-1)!.requests[0]!.name, "p");
  });

  test("an empty stream is 200 with no lines", async () => {
    const res = await send(app.url, { method: "GET", path: "/v1/stream/e?count=0" });
    assert.equal(res.status, 200);
    assert.equal(res.text, "");
  });

  test("the first message reaches the client before the backend produced the last", async () => {
    const { req, res } = open(app.url, "GET", "/v1/stream/t?count=5&delay_ms=100");
    req.end();
    const first = await lines(await res).next();
    assert.match(first.value ?? "", /"index":0/);
    const call = backend.calls.at(-1)!;
    assert.ok(call.produced < 5, `only ${call.produced} of 5 produced when the first arrived`);
    req.destroy();
  });

  test('a failure mid-stream ends with an {"error": status} line', async () => {
    const res = await send(app.url, { method: "GET", path: `/v1/stream/f?count=2&fail_code=${Code.FAILED_PRECONDITION}` });
    assert.equal(res.status, 200);
    const got = res.text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(got.length, 3);
    assert.deepEqual(got[2], { error: { code: Code.FAILED_PRECONDITION, message: "failed after 2", details: [] } });
  });

  test("a failure mid-stream is an SSE error event", async () => {
    const res = await send(app.url, { method: "GET", path: `/v1/stream/f?count=1&fail_code=${Code.ABORTED}`, headers: { Accept: "text/event-stream" } });
    assert.ok(res.text.endsWith(`event: error\ndata: {"code":${Code.ABORTED},"message":"failed after 1","details":[]}\n\n`), res.text);
  });

  test('a failure before the first message: the code\'s HTTP status, the header metadata, one {"error": status} line', async () => {
    const res = await send(app.url, { method: "GET", path: `/v1/stream/f?count=0&send_headers=true&fail_code=${Code.NOT_FOUND}` });
    assert.equal(res.status, 404);
    assert.equal(res.headers["content-type"], "application/json");
    assert.equal(res.headers["grpc-metadata-x-stream"], "f");
    assert.equal(res.text, `{"error":{"code":${Code.NOT_FOUND},"message":"failed after 0","details":[]}}\n`);
  });

  test("a failure before the first message over SSE is the ordinary error response, header metadata included", async () => {
    const res = await send(app.url, {
      method: "GET",
      path: `/v1/stream/f?count=0&send_headers=true&fail_code=${Code.PERMISSION_DENIED}`,
      headers: { Accept: "text/event-stream" },
    });
    assert.equal(res.status, 403);
    assert.equal(res.headers["content-type"], "application/json");
    assert.equal(res.headers["grpc-metadata-x-stream"], "f");
    assert.deepEqual(JSON.parse(res.text), { code: Code.PERMISSION_DENIED, message: "failed after 0", details: [] });
  });

  test("a request that cannot be bound is still an ordinary error response", async () => {
    const res = await send(app.url, { method: "GET", path: "/v1/stream/b?count=many" });
    assert.equal(res.status, 400);
    assert.equal(JSON.parse(res.text).code, Code.INVALID_ARGUMENT);
  });

  test("a client that disconnects cancels the backend stream", async () => {
    const { req, res } = open(app.url, "GET", "/v1/stream/c?count=1000&delay_ms=20");
    req.end();
    await lines(await res).next();
    const call = backend.calls.at(-1)!;
    req.destroy();
    assert.equal(await call.cancelled, true);
    assert.ok(call.produced < 1000);
  });

  test("a deadline ends the stream with DEADLINE_EXCEEDED", async () => {
    const res = await send(app.url, { method: "GET", path: "/v1/stream/d?count=100&delay_ms=30", headers: { "Grpc-Timeout": "300m" } });
    const last = JSON.parse(res.text.trimEnd().split("\n").at(-1)!);
    assert.equal(last.error.code, Code.DEADLINE_EXCEEDED);
  });

  test("a slow reader holds the backend back: memory stays bounded", async () => {
    const total = 20_000;
    const { req, res } = open(app.url, "GET", `/v1/stream/b?count=${total}&payload_bytes=10000`);
    req.end();
    const response = await res;
    response.pause();
    const call = await (async () => {
      await until(() => backend.calls.at(-1)?.requests[0]?.name === "b");
      return backend.calls.at(-1)!;
    })();
    // Let the pipeline fill up, then check the backend stopped well short of the end.
    let previous = -1;
    while (previous !== call.produced) {
      previous = call.produced;
      await new Promise((r) => setTimeout(r, 300));
    }
    assert.ok(call.produced < total / 4, `backend produced ${call.produced} of ${total} messages for a client that read nothing`);
    req.destroy();
    assert.equal(await call.cancelled, true);
  });
});

describe("a stream of google.api.HttpBody", () => {
  let backend: StreamerBackend;
  let app: App;
  before(async () => {
    backend = await startStreamerBackend();
    app = await startApp(dialBackend(backend.address));
  });
  after(async () => {
    await app.close();
    await backend.close();
  });

  test("is the raw data of each message, with the first message's content type", async () => {
    const res = await send(app.url, { method: "GET", path: "/v1/downloads/ab?count=3&send_headers=true" });
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "text/plain;part=0");
    assert.equal(res.headers["grpc-metadata-x-stream"], "ab");
    assert.equal(res.text, "ababab");
  });

  test("whatever the Accept header asks for", async () => {
    const res = await send(app.url, { method: "GET", path: "/v1/downloads/z?count=2", headers: { Accept: "text/event-stream" } });
    assert.equal(res.headers["content-type"], "text/plain;part=0");
    assert.equal(res.text, "zz");
  });

  test('a failure mid-stream appends the {"error": status} line, as grpc-gateway does', async () => {
    const res = await send(app.url, { method: "GET", path: `/v1/downloads/ab?count=2&fail_code=${Code.DATA_LOSS}` });
    assert.equal(res.status, 200);
    assert.equal(res.text, `abab{"error":{"code":${Code.DATA_LOSS},"message":"failed after 2","details":[]}}\n`);
  });

  test("an empty download is 200 with no body", async () => {
    const res = await send(app.url, { method: "GET", path: "/v1/downloads/e?count=0" });
    assert.equal(res.status, 200);
    assert.equal(res.text, "");
  });
});

describe("server streaming behind compression middleware", () => {
  let backend: StreamerBackend;
  let app: App;
  before(async () => {
    backend = await startStreamerBackend();
    app = await startApp(dialBackend(backend.address), {}, true);
  });
  after(async () => {
    await app.close();
    await backend.close();
  });

  test("each message is flushed through gzip as it arrives", async () => {
    const { req, res } = open(app.url, "GET", "/v1/stream/z?count=5&delay_ms=100", { "Accept-Encoding": "gzip" });
    req.end();
    const response = await res;
    assert.equal(response.headers["content-encoding"], "gzip");
    const first = await lines(response.pipe(createGunzip()) as unknown as IncomingMessage).next();
    assert.match(first.value ?? "", /"index":0/);
    const call = backend.calls.at(-1)!;
    assert.ok(call.produced < 5, `only ${call.produced} of 5 produced when the first arrived`);
    req.destroy();
  });
});

describe("client and bidirectional streaming over HTTP/1.1", () => {
  let backend: StreamerBackend;
  let app: App;
  before(async () => {
    backend = await startStreamerBackend();
    app = await startApp(dialBackend(backend.address));
  });
  after(async () => {
    await app.close();
    await backend.close();
  });

  test("client streaming: an NDJSON body, one reply", async () => {
    const res = await send(app.url, {
      method: "POST",
      path: "/v1/stream:client",
      headers: { "Content-Type": "application/x-ndjson" },
      body: '{"name":"a"}\n\n{"name":"b"}\n{"name":"c"}',
    });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.text), { text: "a,b,c", index: 3, payload: "" });
  });

  test("client streaming: each line reaches the backend as it arrives", async () => {
    const { req, res } = open(app.url, "POST", "/v1/stream:client", { "Content-Type": "application/x-ndjson" });
    req.write('{"name":"first"}\n');
    await until(() => backend.calls.at(-1)?.requests.length === 1);
    assert.equal(backend.calls.at(-1)!.requests[0]!.name, "first");
    req.end('{"name":"second"}\n');
    const response = await res;
    let text = "";
    for await (const chunk of response) text += String(chunk);
    assert.equal(JSON.parse(text).text, "first,second");
  });

  test("client streaming: any sequence of JSON values, on one line or pretty-printed across lines", async () => {
    const res = await send(app.url, {
      method: "POST",
      path: "/v1/stream:client",
      headers: { "Content-Type": "application/json" },
      body: '{"name":"a"} {"name":"b"}{"name":"c"}\n{\n  "name": "d}{\\"",\n  "count": 1\n}\n',
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(JSON.parse(res.text), { text: 'a,b,c,d}{"', index: 4, payload: "" });
  });

  test("client streaming: values split across chunks reach the backend as each completes", async () => {
    const { req, res } = open(app.url, "POST", "/v1/stream:client", { "Content-Type": "application/json" });
    req.write('{"na');
    req.write('me":"x\\');
    req.write('"y"}  [');
    await until(() => backend.calls.at(-1)?.requests.length === 1);
    assert.equal(backend.calls.at(-1)!.requests[0]!.name, 'x"y');
    req.end("]");
    const response = await res;
    let text = "";
    for await (const chunk of response) text += String(chunk);
    assert.equal(response.statusCode, 400, text);
    assert.match(JSON.parse(text).message, /^invalid request message #2: /);
    assert.equal(await backend.calls.at(-1)!.cancelled, true);
  });

  test("bidi: full duplex, each reply before the next request is sent", async () => {
    const { req, res } = open(app.url, "POST", "/v1/stream:bidi", { "Content-Type": "application/x-ndjson" });
    req.write('{"name":"one"}\n');
    const response = await res;
    assert.equal(response.statusCode, 200);
    const replies = lines(response);
    assert.deepEqual(JSON.parse((await replies.next()).value!), { result: { text: "echo one", index: 0, payload: "" } });
    req.write('{"name":"two"}\n');
    assert.deepEqual(JSON.parse((await replies.next()).value!), { result: { text: "echo two", index: 1, payload: "" } });
    req.end();
    assert.equal((await replies.next()).done, true);
  });

  test("a malformed line ends the call with INVALID_ARGUMENT naming it, and cancels the backend", async () => {
    const res = await send(app.url, {
      method: "POST",
      path: "/v1/stream:client",
      headers: { "Content-Type": "application/x-ndjson" },
      body: '{"name":"a"}\n{"name":\n{"name":"c"}\n',
    });
    assert.equal(res.status, 400);
    const body = JSON.parse(res.text);
    assert.equal(body.code, Code.INVALID_ARGUMENT);
    assert.match(body.message, /^invalid request message #2: /);
    assert.equal(await backend.calls.at(-1)!.cancelled, true);
  });

  test("a malformed line mid-bidi ends the stream with an error line", async () => {
    const { req, res } = open(app.url, "POST", "/v1/stream:bidi", { "Content-Type": "application/x-ndjson" });
    req.write('{"name":"one"}\n');
    const replies = lines(await res);
    assert.match((await replies.next()).value!, /echo one/);
    req.end('{"count": "many"}\n');
    const last = JSON.parse((await replies.next()).value!);
    assert.equal(last.error.code, Code.INVALID_ARGUMENT);
    assert.match(last.error.message, /^invalid request message #2: .*count/);
    assert.equal(await backend.calls.at(-1)!.cancelled, true);
  });

  test("a backend failure in client streaming maps to the HTTP status", async () => {
    const res = await send(app.url, {
      method: "POST",
      path: "/v1/stream:client",
      headers: { "Content-Type": "application/x-ndjson" },
      body: `{"name":"x","fail_code":${Code.PERMISSION_DENIED}}\n`,
    });
    assert.equal(res.status, 403);
    assert.equal(JSON.parse(res.text).message, "refused x");
  });

  test("an unsupported Content-Type is 415", async () => {
    const res = await send(app.url, { method: "POST", path: "/v1/stream:client", headers: { "Content-Type": "text/csv" }, body: "a,b\n" });
    assert.equal(res.status, 415);
  });
});

describe("client streaming behind express.json()", () => {
  let backend: StreamerBackend;
  let url: string;
  let server: Server;
  before(async () => {
    backend = await startStreamerBackend();
    const gateway = createGateway();
    registerStreamerGateway(gateway, dialBackend(backend.address));
    const app = express().use(express.json()).use(gateway);
    server = await new Promise((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await backend.close();
  });

  test("a body the parser already consumed is read as the one message it holds", async () => {
    const res = await send(url, { method: "POST", path: "/v1/stream:client", headers: { "Content-Type": "application/json" }, body: '{"name":"parsed"}' });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.text), { text: "parsed", index: 1, payload: "" });
  });
});

describe("the stream error hook", () => {
  let backend: StreamerBackend;
  let app: App;
  before(async () => {
    backend = await startStreamerBackend();
    app = await startApp(dialBackend(backend.address), {
      streamErrorHandler: (error) => new GatewayError(error.code, `stream stopped: ${error.rawMessage}`),
    });
  });
  after(async () => {
    await app.close();
    await backend.close();
  });

  test("decides the status and the line of a stream that fails before its first message", async () => {
    const res = await send(app.url, { method: "GET", path: `/v1/stream/h?count=0&fail_code=${Code.UNAVAILABLE}` });
    assert.equal(res.status, 503);
    assert.deepEqual(JSON.parse(res.text), { error: { code: Code.UNAVAILABLE, message: "stream stopped: failed after 0", details: [] } });
  });

  test("decides what the error line holds", async () => {
    const res = await send(app.url, { method: "GET", path: `/v1/stream/h?count=1&fail_code=${Code.INTERNAL}` });
    const last = JSON.parse(res.text.trimEnd().split("\n").at(-1)!);
    assert.deepEqual(last, { error: { code: Code.INTERNAL, message: "stream stopped: failed after 1", details: [] } });
  });
});

describe("a response hook on a stream", () => {
  let backend: StreamerBackend;
  let app: App;
  const seen: string[] = [];
  before(async () => {
    backend = await startStreamerBackend();
    app = await startApp(dialBackend(backend.address), {
      responseHook: ({ res, message }) => {
        const text = (message as unknown as { text: string }).text;
        seen.push(text);
        if (text.startsWith("own")) res.writeHead(202, { "Content-Type": "text/plain" }).end("answered by the hook");
        else res.setHeader("X-Hooked", "yes");
      },
    });
  });
  after(async () => {
    await app.close();
    await backend.close();
  });

  test("runs once, with the first message, and the stream goes on", async () => {
    seen.length = 0;
    const res = await send(app.url, { method: "GET", path: "/v1/stream/k?count=3" });
    assert.equal(res.status, 200);
    assert.equal(res.headers["x-hooked"], "yes");
    assert.equal(res.text.trimEnd().split("\n").length, 3);
    assert.deepEqual(seen, ["k #0"]);
  });

  test("that answers by itself ends the stream and cancels the backend, not a cut stream", async () => {
    const res = await send(app.url, { method: "GET", path: "/v1/stream/own?count=1000&delay_ms=5" });
    assert.equal(res.status, 202);
    assert.equal(res.text, "answered by the hook");
    const call = backend.calls.at(-1)!;
    assert.equal(await call.cancelled, true);
    assert.ok(call.produced < 1000);
  });
});

describe("a response rewriter on a stream (grpc-gateway's WithForwardResponseRewriter)", () => {
  let backend: StreamerBackend;
  let app: App;
  before(async () => {
    backend = await startStreamerBackend();
    app = await startApp(dialBackend(backend.address), {
      responseRewriter: (message, { kind }) => {
        const text = (message as unknown as { text?: string }).text ?? "";
        if (text.endsWith("#2") && text.startsWith("boom")) throw new Error("secret detail");
        return kind === "stream-message" ? { rewritten: text } : message;
      },
    });
  });
  after(async () => {
    await app.close();
    await backend.close();
  });

  test("rewrites every message of the stream", async () => {
    const res = await send(app.url, { method: "GET", path: "/v1/stream/r?count=3" });
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.text
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line)),
      [{ result: { rewritten: "r #0" } }, { result: { rewritten: "r #1" } }, { result: { rewritten: "r #2" } }],
    );
  });

  test("that throws ends the stream with an error frame, never a cut stream, and cancels the backend", async () => {
    const res = await send(app.url, { method: "GET", path: "/v1/stream/boom?count=1000&delay_ms=2" });
    const lines = res.text
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    assert.equal(lines.length, 3);
    assert.deepEqual(lines.at(-1), { error: { code: Code.INTERNAL, message: "failed to rewrite response message", details: [] } });
    assert.equal(await backend.calls.at(-1)!.cancelled, true);
  });
});

describe("a stream error hook that returns nothing", () => {
  let backend: StreamerBackend;
  let app: App;
  before(async () => {
    backend = await startStreamerBackend();
    app = await startApp(dialBackend(backend.address), { streamErrorHandler: (() => undefined) as unknown as GatewayOptions["streamErrorHandler"] & {} });
  });
  after(async () => {
    await app.close();
    await backend.close();
  });

  test("still ends the stream with a well-formed INTERNAL status", async () => {
    const res = await send(app.url, { method: "GET", path: `/v1/stream/h?count=1&fail_code=${Code.ABORTED}` });
    const last = JSON.parse(res.text.trimEnd().split("\n").at(-1)!);
    assert.deepEqual(last, { error: { code: Code.INTERNAL, message: "stream error handler returned no GatewayError", details: [] } });
  });
});

describe("in-process streaming", () => {
  let app: App;
  let cancelled: Promise<void> = Promise.resolve();
  before(async () => {
    app = await startApp(
      inProcess(Streamer, {
        async *serverStream(req, ctx) {
          cancelled = new Promise((resolve) => ctx.signal.addEventListener("abort", () => resolve()));
          for (let i = 0; i < req.count; i++) {
            if (req.delayMs > 0) await new Promise((r) => setTimeout(r, req.delayMs));
            yield { text: `${req.name} #${i}`, index: i };
          }
          if (req.failCode !== 0) throw new GatewayError(req.failCode, "in-process failure");
        },
        async clientStream(requests) {
          const names: string[] = [];
          for await (const r of requests) names.push(r.name);
          return { text: names.join(","), index: names.length };
        },
        async *bidi(requests) {
          let i = 0;
          for await (const r of requests) yield { text: `echo ${r.name}`, index: i++ };
        },
      }),
    );
  });
  after(() => app.close());

  test("server streaming", async () => {
    const res = await send(app.url, { method: "GET", path: "/v1/stream/ip?count=2", headers: { Accept: "application/x-ndjson" } });
    assert.equal(res.text, '{"text":"ip #0","index":0,"payload":""}\n{"text":"ip #1","index":1,"payload":""}\n');
  });

  test("server streaming failure mid-stream", async () => {
    const res = await send(app.url, { method: "GET", path: `/v1/stream/ip?count=1&fail_code=${Code.UNAVAILABLE}` });
    assert.deepEqual(JSON.parse(res.text.trimEnd().split("\n").at(-1)!), { error: { code: Code.UNAVAILABLE, message: "in-process failure", details: [] } });
  });

  test("client streaming", async () => {
    const res = await send(app.url, {
      method: "POST",
      path: "/v1/stream:client",
      headers: { "Content-Type": "application/x-ndjson" },
      body: '{"name":"a"}\n{"name":"b"}\n',
    });
    assert.deepEqual(JSON.parse(res.text), { text: "a,b", index: 2, payload: "" });
  });

  test("bidi full duplex", async () => {
    const { req, res } = open(app.url, "POST", "/v1/stream:bidi", { "Content-Type": "application/x-ndjson" });
    req.write('{"name":"x"}\n');
    const replies = lines(await res);
    assert.match((await replies.next()).value!, /echo x/);
    req.write('{"name":"y"}\n');
    assert.match((await replies.next()).value!, /echo y/);
    req.end();
    assert.equal((await replies.next()).done, true);
  });

  test("a client that disconnects aborts the implementation's signal", async () => {
    const { req, res } = open(app.url, "GET", "/v1/stream/c?count=1000&delay_ms=20");
    req.end();
    await lines(await res).next();
    req.destroy();
    await cancelled;
  });
});
