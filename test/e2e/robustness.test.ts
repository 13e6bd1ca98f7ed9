// Hostile and unusual input through real HTTP (node:http and raw sockets) against real
// grpc-js backends: the gateway answers every client mistake with a clear 4xx naming what
// is wrong, maps backend failures to their status, never hangs, and never crashes the
// process. Every wait is bounded; a final test checks that nothing escaped as an uncaught
// exception or an unhandled rejection along the way.
import assert from "node:assert/strict";
import { request, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import express from "express";
import { create, fromBinary, toBinary, type DescMessage, type Message } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { createGateway, type Gateway, type GatewayOptions } from "grpc-gateway-express/runtime";
import { registerEverythingGateway, EverythingRoutes } from "../gen/testing/v1/everything_gateway.js";
import { Everything, ScalarsSchema } from "../gen/testing/v1/everything_pb.js";
import { MessagingRoutes } from "../gen/testing/v1/messaging_gateway.js";
import { Messaging } from "../gen/testing/v1/messaging_pb.js";
import { registerStreamerGateway } from "../gen/testing/v1/streaming_gateway.js";
import { startHarness, type Harness } from "../support/gateway-harness.js";
import { send, type HttpRequest, type HttpResult } from "../support/http-client.js";
import { startStreamerBackend, type StreamerBackend } from "../support/streamer-backend.js";
import { dialBackend } from "../support/dial-backend.js";

const Code = grpc.status;

// Anything that escapes the gateway is a failure, even if node:test would survive it.
const escaped: unknown[] = [];
const onEscape = (err: unknown) => void escaped.push(err);
process.on("uncaughtException", onEscape);
process.on("unhandledRejection", onEscape);

const J = { "Content-Type": "application/json" };
const N = { "Content-Type": "application/x-ndjson" };

/** Rejects when `promise` has not settled within `ms`: a hang fails its test instead of the suite. */
function within<T>(ms: number, promise: Promise<T>, what = "response"): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One request, bounded. */
function call(url: string, req: HttpRequest, ms = 5000): Promise<HttpResult> {
  return within(ms, send(url, req));
}

/**
 * A deadline's message. The deadline goes to the backend too, and both sides' timers can end
 * in the same millisecond: the gateway's own status ("deadline exceeded") or the backend's
 * ("Deadline exceeded", passed through) may come first. Both are 504 DEADLINE_EXCEEDED.
 */
const deadlineExceeded = /^deadline exceeded$/i;

/** The google.rpc.Status body of an error response, with the status checked. */
function errorOf(res: HttpResult, status: number, code: number, messageIncludes: string | RegExp): { code: number; message: string; details: unknown[] } {
  assert.equal(res.status, status, res.text.slice(0, 300));
  assert.match(String(res.headers["content-type"]), /^application\/json/);
  const body = JSON.parse(res.text) as { code: number; message: string; details: unknown[] };
  assert.equal(body.code, code, res.text.slice(0, 300));
  const matched = typeof messageIncludes === "string" ? body.message.includes(messageIncludes) : messageIncludes.test(body.message);
  assert.ok(matched, `message ${JSON.stringify(body.message)} lacks ${String(messageIncludes)}`);
  assert.ok(Array.isArray(body.details));
  assert.ok(!/\bat .*\.(?:ts|js):\d+/.test(body.message), `no stack trace in ${JSON.stringify(body.message)}`);
  return body;
}

/** Writes `data` on a fresh TCP connection and collects what comes back until the server closes it (bounded). */
function rawExchange(url: string, data: string | Buffer, ms = 3000): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connection not closed within ${ms} ms; got ${Buffer.concat(chunks).toString("latin1").slice(0, 200)}`));
    }, ms);
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("latin1"));
    });
    socket.write(data);
  });
}

// Responses follow each other with no separator (bodies are length-framed), so no anchor.
const statusLines = (raw: string) => Array.from(raw.matchAll(/HTTP\/1\.1 (\d{3}) /g), (m) => Number(m[1]));

async function serve(gateway: Gateway): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const s = express()
      .use(gateway)
      .listen(0, "127.0.0.1", () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const services = [
  { service: Everything, routes: EverythingRoutes },
  { service: Messaging, routes: MessagingRoutes },
];

describe("hostile request bodies", { timeout: 15_000 }, () => {
  let h: Harness;
  before(async () => (h = await startHarness(services)));
  after(() => h.close());
  const reset = () => {
    h.backend.calls.length = 0;
    h.backend.handle((c) => ({ reply: c.method.input.typeName === c.method.output.typeName ? c.request : undefined }));
  };

  test("JSON nested 9,000 messages deep is 400, never a stack overflow, and never reaches the backend", async () => {
    reset();
    const depth = 9_000;
    const body = `{"nested":${'{"child":'.repeat(depth)}{}${"}".repeat(depth)}}`;
    errorOf(await call(h.baseUrl, { method: "POST", path: "/v1/echo", headers: J, body }), 400, Code.INVALID_ARGUMENT, "recursion depth");
    assert.equal(h.backend.calls.length, 0);
  });

  test("a body nesting past 10,000 levels, even inside an unknown field, is 400 before it is parsed", async () => {
    reset();
    const deep = 1_000_000;
    const body = `{"stringValue":"a","x":${"[".repeat(deep)}${"]".repeat(deep)}}`;
    const started = performance.now();
    errorOf(await call(h.baseUrl, { method: "POST", path: "/v1/echo", headers: J, body }), 400, Code.INVALID_ARGUMENT, "JSON nests deeper than 10000 levels");
    assert.ok(performance.now() - started < 1000, `answered after ${Math.round(performance.now() - started)} ms`);
    assert.equal(h.backend.calls.length, 0);
    // Brackets inside strings (escaped quotes too) are text, and exactly the limit is accepted.
    const inString = `{"stringValue":"\\"${"[".repeat(20_000)}","x":${"[".repeat(9_999)}${"]".repeat(9_999)}}`;
    const ok = await call(h.baseUrl, { method: "POST", path: "/v1/echo", headers: J, body: inString });
    assert.equal(ok.status, 200, ok.text.slice(0, 300));
  });

  test("a Struct nested 9,000 arrays deep is 400", async () => {
    reset();
    const body = `{"structValue":{"a":${"[".repeat(9_000)}${"]".repeat(9_000)}}}`;
    errorOf(await call(h.baseUrl, { method: "POST", path: "/v1/echo", headers: J, body }), 400, Code.INVALID_ARGUMENT, "google.protobuf.Value");
    assert.equal(h.backend.calls.length, 0);
  });

  test("a PATCH body nested 5,000 deep is 400 (the field-mask walk never runs)", async () => {
    reset();
    const body = `${'{"child":'.repeat(5000)}{}${"}".repeat(5000)}`;
    errorOf(await call(h.baseUrl, { method: "PATCH", path: "/v1/nested/x", headers: J, body }), 400, Code.INVALID_ARGUMENT, "recursion depth");
  });

  test("__proto__ and constructor keys: no prototype games, map keys kept as data", async () => {
    reset();
    const top = await call(h.baseUrl, { method: "POST", path: "/v1/echo", headers: J, body: '{"__proto__":{"stringValue":"evil"},"uuid":"u"}' });
    assert.equal(top.status, 200, top.text);
    assert.equal(JSON.parse(top.text).stringValue, "", "an unknown __proto__ key sets nothing");
    assert.equal(JSON.parse(top.text).uuid, "u");

    const labels = await call(h.baseUrl, {
      method: "POST",
      path: "/v1/echo",
      headers: J,
      body: '{"labels":{"__proto__":"x","constructor":"y","toString":"z"}}',
    });
    assert.equal(labels.status, 200, labels.text);
    assert.deepEqual(JSON.parse(labels.text).labels, JSON.parse('{"__proto__":"x","constructor":"y","toString":"z"}'));

    const nestedMap = await call(h.baseUrl, { method: "POST", path: "/v1/echo", headers: J, body: '{"nestedMap":{"__proto__":{"name":"evil"}}}' });
    assert.equal(nestedMap.status, 200, nestedMap.text);
    // biome-ignore lint/suspicious/noProto: an own key named __proto__ is what this case checks
    assert.equal(JSON.parse(nestedMap.text).nestedMap["__proto__"].name, "evil");
    assert.equal(({} as Record<string, unknown>)["name"], undefined, "Object.prototype untouched");

    const query = await call(h.baseUrl, { method: "GET", path: "/v1/echo/a?labels[__proto__]=x&labels[constructor]=y" });
    assert.equal(query.status, 200, query.text);
    assert.deepEqual(JSON.parse(query.text).labels, JSON.parse('{"__proto__":"x","constructor":"y"}'));

    for (const key of ["__proto__", "constructor", "__proto__.x", "constructor.prototype"]) {
      errorOf(await call(h.baseUrl, { method: "GET", path: `/v1/echo/a?${key}=x` }), 400, Code.INVALID_ARGUMENT, `unknown query parameter "${key}"`);
    }
  });

  test("duplicate JSON keys, one field under both names, and two oneof members are 400", async () => {
    reset();
    const cases: [string, string][] = [
      ['{"stringValue":"a","stringValue":"b"}', 'duplicate object key "stringValue"'],
      ['{"stringValue":"a","string_value":"b"}', "string_value"],
      ['{"choiceA":"a","choiceB":1}', "oneof"],
    ];
    for (const [body, why] of cases) {
      errorOf(await call(h.baseUrl, { method: "POST", path: "/v1/echo", headers: J, body }), 400, Code.INVALID_ARGUMENT, why);
    }
    assert.equal(h.backend.calls.length, 0);
  });

  test("invalid UTF-8 and lone surrogates in a JSON body are 400", async () => {
    reset();
    const invalid = Buffer.concat([Buffer.from('{"uuid":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    errorOf(await call(h.baseUrl, { method: "POST", path: "/v1/echo", headers: J, body: invalid }), 400, Code.INVALID_ARGUMENT, "not valid UTF-8");
    errorOf(await call(h.baseUrl, { method: "POST", path: "/v1/echo", headers: J, body: '{"uuid":"\\ud800"}' }), 400, Code.INVALID_ARGUMENT, "uuid");
    assert.equal(h.backend.calls.length, 0);
  });

  test("JSON that is not an object, or has trailing garbage, is 400", async () => {
    reset();
    for (const body of ["[1,2]", "null", "42", '"text"', '{"uuid":"a"} x', "{", "{'uuid':'a'}"]) {
      errorOf(await call(h.baseUrl, { method: "POST", path: "/v1/echo", headers: J, body }), 400, Code.INVALID_ARGUMENT, "testing.v1.Scalars");
    }
    assert.equal(h.backend.calls.length, 0);
  });

  test("a body-field body cannot close its value early and set sibling fields", async () => {
    reset();
    const res = await call(h.baseUrl, { method: "POST", path: "/v1/echo/a/nested", headers: J, body: '{"name":"x"}, "uuid":"injected"' });
    errorOf(res, 400, Code.INVALID_ARGUMENT, "JSON");
    assert.equal(h.backend.calls.length, 0);
  });

  test("a body of only whitespace (4 MB of it) is an empty message", async () => {
    reset();
    const res = await call(h.baseUrl, { method: "POST", path: "/v1/echo", headers: J, body: " ".repeat(4_000_000) });
    assert.equal(res.status, 200, res.text.slice(0, 200));
  });

  test("64-bit integers at and past their limits; NaN where an integer belongs", async () => {
    reset();
    const ok = await call(h.baseUrl, {
      method: "POST",
      path: "/v1/echo",
      headers: J,
      body: '{"int64Value":"9223372036854775807","sint64Value":"-9223372036854775808","uint64Value":"18446744073709551615"}',
    });
    assert.equal(ok.status, 200, ok.text);
    const got = JSON.parse(ok.text);
    assert.equal(got.int64Value, "9223372036854775807");
    assert.equal(got.sint64Value, "-9223372036854775808");
    assert.equal(got.uint64Value, "18446744073709551615");

    errorOf(
      await call(h.baseUrl, { method: "POST", path: "/v1/echo", headers: J, body: '{"int64Value":"9223372036854775808"}' }),
      400,
      Code.INVALID_ARGUMENT,
      "int64_value",
    );
    errorOf(await call(h.baseUrl, { method: "POST", path: "/v1/echo", headers: J, body: '{"uint64Value":"-1"}' }), 400, Code.INVALID_ARGUMENT, "uint64_value");
    errorOf(await call(h.baseUrl, { method: "POST", path: "/v1/echo", headers: J, body: '{"int32Value":"NaN"}' }), 400, Code.INVALID_ARGUMENT, "int32_value");
    errorOf(await call(h.baseUrl, { method: "POST", path: "/v1/echo", headers: J, body: '{"int32Value":1.5}' }), 400, Code.INVALID_ARGUMENT, "int32_value");
    errorOf(
      await call(h.baseUrl, { method: "POST", path: "/v1/echo", headers: J, body: '{"int32Value":2147483648}' }),
      400,
      Code.INVALID_ARGUMENT,
      "int32_value",
    );
    errorOf(
      await call(h.baseUrl, { method: "GET", path: "/v1/echo/a?int64_value=9223372036854775808" }),
      400,
      Code.INVALID_ARGUMENT,
      'query parameter "int64_value"',
    );
    errorOf(await call(h.baseUrl, { method: "GET", path: "/v1/echo/a?int32_value=NaN" }), 400, Code.INVALID_ARGUMENT, 'query parameter "int32_value"');
    errorOf(await call(h.baseUrl, { method: "GET", path: "/v1/echo/a?uint64_value=-1" }), 400, Code.INVALID_ARGUMENT, 'query parameter "uint64_value"');
    errorOf(
      await call(h.baseUrl, { method: "GET", path: `/v1/echo/a?int64_value=${"9".repeat(5000)}` }),
      400,
      Code.INVALID_ARGUMENT,
      'query parameter "int64_value"',
    );

    const nan = await call(h.baseUrl, { method: "GET", path: "/v1/echo/a?double_value=NaN&float_value=-Infinity" });
    assert.equal(nan.status, 200, nan.text);
    assert.equal(JSON.parse(nan.text).doubleValue, "NaN");
    assert.equal(JSON.parse(nan.text).floatValue, "-Infinity");
    errorOf(await call(h.baseUrl, { method: "GET", path: "/v1/echo/a?double_value=1e400" }), 400, Code.INVALID_ARGUMENT, 'query parameter "double_value"');
  });

  test("a GET body on a route without body is ignored, and a 6 MB one leaves the connection usable", async () => {
    reset();
    const small = await call(h.baseUrl, { method: "GET", path: "/v1/ping", headers: { "Content-Type": "text/garbage" }, body: "garbage" });
    assert.equal(small.status, 200, small.text);
    const big = "x".repeat(6 * 1024 * 1024);
    const raw = await rawExchange(
      h.baseUrl,
      `GET /v1/ping HTTP/1.1\r\nHost: x\r\nContent-Length: ${big.length}\r\n\r\n${big}GET /v1/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      8000,
    );
    assert.deepEqual(statusLines(raw), [200, 200]);
  });

  test("a body past the limit is 413, declared or chunked, and the connection serves the next request", async () => {
    reset();
    const declared = await call(h.baseUrl, { method: "POST", path: "/v1/echo", headers: J, body: " ".repeat(4 * 1024 * 1024 + 1) });
    errorOf(declared, 413, Code.RESOURCE_EXHAUSTED, "exceeds the limit");
    const big = "x".repeat(5 * 1024 * 1024);
    const raw = await rawExchange(
      h.baseUrl,
      `POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n` +
        "GET /v1/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      8000,
    );
    assert.deepEqual(statusLines(raw), [413, 200]);
    assert.equal(h.backend.calls.length, 1, "only the second request reached the backend");
  });

  test("a chunked body is read whole", async () => {
    reset();
    const raw = await rawExchange(
      h.baseUrl,
      'POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\n{"uui\r\n9\r\nd":"abc"}\r\n0\r\n\r\n',
    );
    assert.deepEqual(statusLines(raw), [200]);
    assert.match(raw, /"uuid":"abc"/);
  });

  test("a client that aborts mid-body never reaches the backend and leaves the gateway serving", async () => {
    reset();
    const { hostname, port } = new URL(h.baseUrl);
    const req = request({ host: hostname, port, method: "POST", path: "/v1/echo", headers: { ...J, "Content-Length": "1000" } });
    req.on("error", () => {});
    req.write('{"uuid":"');
    await sleep(100);
    req.destroy();
    await sleep(100);
    assert.equal(h.backend.calls.length, 0);
    const next = await call(h.baseUrl, { method: "GET", path: "/v1/echo/after" });
    assert.equal(next.status, 200);
  });

  test("an unregistered Content-Type is 415, whatever its shape", async () => {
    reset();
    for (const type of ["text/plain", ";;", "application/json-ish", "*/*"]) {
      errorOf(
        await call(h.baseUrl, { method: "POST", path: "/v1/echo", headers: { "Content-Type": type }, body: "{}" }),
        415,
        Code.INVALID_ARGUMENT,
        "Content-Type",
      );
    }
    assert.equal(h.backend.calls.length, 0);
  });
  test("a JSON body declared in a charset other than UTF-8 is 415; UTF-8 in any spelling, and its subset US-ASCII, is read", async () => {
    reset();
    for (const type of ["application/json; charset=utf-16", "application/json;charset=UTF-16LE", 'application/json; charset="latin1"']) {
      errorOf(
        await call(h.baseUrl, { method: "POST", path: "/v1/echo", headers: { "Content-Type": type }, body: "{}" }),
        415,
        Code.INVALID_ARGUMENT,
        "charset",
      );
    }
    assert.equal(h.backend.calls.length, 0);
    for (const type of ["application/json; charset=utf-8", "application/json;CHARSET=UTF-8", 'application/json; charset="utf8"']) {
      const res = await call(h.baseUrl, { method: "POST", path: "/v1/echo", headers: { "Content-Type": type }, body: '{"stringValue":"é"}' });
      assert.equal(res.status, 200, `${type}: ${res.text}`);
      assert.equal(JSON.parse(res.text).stringValue, "é");
    }
    for (const type of ["application/json; charset=us-ascii", 'application/json;charset="US-ASCII"']) {
      const res = await call(h.baseUrl, { method: "POST", path: "/v1/echo", headers: { "Content-Type": type }, body: '{"stringValue":"plain"}' });
      assert.equal(res.status, 200, `${type}: ${res.text}`);
      assert.equal(JSON.parse(res.text).stringValue, "plain");
    }
  });
});

describe("hostile paths, query strings and headers", { timeout: 15_000 }, () => {
  let h: Harness;
  before(async () => (h = await startHarness(services)));
  after(() => h.close());
  const reset = () => {
    h.backend.calls.length = 0;
    h.backend.handle((c) => ({ reply: c.method.input.typeName === c.method.output.typeName ? c.request : undefined }));
  };

  test("percent-escapes in the path: malformed or not UTF-8 is 400 naming the problem", async () => {
    reset();
    for (const path of ["/v1/echo/%G1", "/v1/echo/%", "/v1/echo/%2", "/%"]) {
      errorOf(await call(h.baseUrl, { method: "GET", path }), 400, Code.INVALID_ARGUMENT, "malformed percent-escape");
    }
    for (const path of ["/v1/echo/%FF", "/v1/echo/%E2%82", "/v1/files/%E2%82%2F", "/v1/echo/abc:%FF", "/v1/tail/x/%C0%AF"]) {
      errorOf(await call(h.baseUrl, { method: "GET", path }), 400, Code.INVALID_ARGUMENT, "not valid UTF-8");
    }
    assert.equal(h.backend.calls.length, 0);
  });

  test("%00, . and .. in the path are plain values, passed on as they are", async () => {
    reset();
    const nul = await call(h.baseUrl, { method: "GET", path: "/v1/echo/a%00b" });
    assert.equal(JSON.parse(nul.text).stringValue, "a\u0000b");
    const dots = await call(h.baseUrl, { method: "GET", path: "/v1/echo/.." });
    assert.equal(JSON.parse(dots.text).stringValue, "..");
    const files = await call(h.baseUrl, { method: "GET", path: "/v1/files/a/./../b" });
    assert.equal(JSON.parse(files.text).stringValue, "a/./../b");
  });

  test("a double slash or an empty segment matches no route (the rest of the app answers)", async () => {
    reset();
    for (const path of ["//v1/ping", "/v1//ping", "/v1/echo/", "/v1/echo//x"]) {
      const res = await call(h.baseUrl, { method: "GET", path });
      assert.equal(res.status, 404, `${path}: ${res.text.slice(0, 100)}`);
    }
    assert.equal(h.backend.calls.length, 0);
  });

  test("a 7,000-segment path on a ** route binds every segment", async () => {
    reset();
    const tail = "a/".repeat(7000);
    const res = await call(h.baseUrl, { method: "GET", path: `/v1/files/${tail}` });
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.text).stringValue, tail);
  });

  test("map keys of the wrong type, empty, repeated or nested are 400 naming the parameter", async () => {
    reset();
    const cases: [string, string][] = [
      ["int_map[abc]=x", 'query parameter "int_map[abc]"'],
      ["int_map[]=x", 'query parameter "int_map[]"'],
      ["int_map[1.5]=x", 'query parameter "int_map[1.5]"'],
      ["int_map[99999999999]=x", 'query parameter "int_map[99999999999]"'],
      ["int_map[1]=x&int_map[1]=y", 'query parameter "int_map[1]" is given more than once'],
      ["labels[a]=x&labels[a]=y", 'query parameter "labels[a]" is given more than once'],
      ["int_map=x", 'query parameter "int_map" names a map field'],
      ["labels[a][b]=x", 'unknown query parameter "labels[a][b]"'],
      ["uuid[a]=x", 'query parameter "uuid[a]"'],
    ];
    for (const [query, why] of cases) {
      errorOf(await call(h.baseUrl, { method: "GET", path: `/v1/echo/a?${query}` }), 400, Code.INVALID_ARGUMENT, why);
    }
    assert.equal(h.backend.calls.length, 0);
  });

  test("a duplicate singular key is 400 whichever spelling repeats it", async () => {
    reset();
    errorOf(await call(h.baseUrl, { method: "GET", path: "/v1/echo/a?uuid=1&uuid=2" }), 400, Code.INVALID_ARGUMENT, '"uuid" is given more than once');
    errorOf(await call(h.baseUrl, { method: "GET", path: "/v1/echo/a?int32_value=1&int32Value=2" }), 400, Code.INVALID_ARGUMENT, "is given more than once");
    errorOf(await call(h.baseUrl, { method: "GET", path: "/v1/echo/a?choice_a=1&choice_b=2" }), 400, Code.INVALID_ARGUMENT, "oneof");
  });

  test("800 values of a repeated field all arrive, in order", async () => {
    reset();
    const values = Array.from({ length: 800 }, (_, i) => (i * 7) % 100);
    const res = await call(h.baseUrl, { method: "GET", path: `/v1/echo/a?${values.map((i) => `repeatedInt32=${i}`).join("&")}` });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.text).repeatedInt32, values);
  });

  test("1,500 unknown parameters are one 400 naming the first", async () => {
    reset();
    const res = await call(h.baseUrl, { method: "GET", path: `/v1/echo/a?${Array.from({ length: 1500 }, (_, i) => `k${i}=${i}`).join("&")}` });
    errorOf(res, 400, Code.INVALID_ARGUMENT, 'unknown query parameter "k0"');
  });

  test("a URL past node's header limit is 431 from node, and the gateway keeps serving", async () => {
    reset();
    const res = await call(h.baseUrl, { method: "GET", path: `/v1/echo/a?uuid=${"x".repeat(20_000)}` });
    assert.equal(res.status, 431);
    assert.equal((await call(h.baseUrl, { method: "GET", path: "/v1/ping" })).status, 200);
  });

  test("Grpc-Timeout: malformed or repeated is 400; 0n is already past; a long one is accepted", async () => {
    reset();
    for (const value of ["-1S", "1", "S", "123456789S", "1.5S", "1s", "1X", " 1 S", "0x10S"]) {
      errorOf(await call(h.baseUrl, { method: "GET", path: "/v1/ping", headers: { "Grpc-Timeout": value } }), 400, Code.INVALID_ARGUMENT, "Grpc-Timeout");
    }
    errorOf(await call(h.baseUrl, { method: "GET", path: "/v1/ping", headers: { "Grpc-Timeout": ["1S", "2S"] } }), 400, Code.INVALID_ARGUMENT, "Grpc-Timeout");
    errorOf(await call(h.baseUrl, { method: "GET", path: "/v1/ping", headers: { "Grpc-Timeout": "0n" } }), 504, Code.DEADLINE_EXCEEDED, "deadline exceeded");
    h.backend.calls.length = 0;
    const long = await call(h.baseUrl, { method: "GET", path: "/v1/ping", headers: { "Grpc-Timeout": "500H" } });
    assert.equal(long.status, 200, long.text);
    assert.notEqual(h.backend.calls[0]?.deadline, Infinity, "the deadline reached the backend");
  });

  test("a -bin header that is not base64 is 400 naming it, and the backend is not called", async () => {
    reset();
    const res = await call(h.baseUrl, { method: "GET", path: "/v1/ping", headers: { "Grpc-Metadata-X-Bin": "!!!not base64!!!" } });
    errorOf(res, 400, Code.INVALID_ARGUMENT, "invalid binary header Grpc-Metadata-X-Bin");
    assert.equal(h.backend.calls.length, 0);
  });

  test("odd header names and values are skipped, never a failure", async () => {
    reset();
    const res = await call(h.baseUrl, {
      method: "GET",
      path: "/v1/ping",
      headers: {
        "Grpc-Metadata-Y-Bin": "QUJD",
        "Grpc-Metadata-": "empty key",
        "Grpc-Metadata-Grpc-Status": "0",
        "Grpc-Metadata-Content-Type": "x",
        "Grpc-Metadata-Te": "x",
        "Grpc-Metadata-Latin": "caf\u00e9",
        "X-Forwarded-For": "<script>, ::::",
      },
    });
    assert.equal(res.status, 200, res.text);
    const md = h.backend.calls[0]!.metadata;
    assert.deepEqual(md.get("y-bin"), [Buffer.from("ABC")]);
    assert.deepEqual(md.get("grpc-status"), []);
    assert.deepEqual(md.get("latin"), []);
    assert.deepEqual(md.get("x-forwarded-for"), ["127.0.0.1"], "a client's X-Forwarded-For is not passed on from an untrusted peer");
  });

  test("trustProxy passes on the X-Forwarded-* of the proxies it names only", async () => {
    const headers = { "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Host": "public.example.test" };
    for (const [trustProxy, xff, xfh] of [
      [["127.0.0.0/8"], "203.0.113.7, 127.0.0.1", "public.example.test"],
      [["10.0.0.0/8"], "127.0.0.1", undefined],
    ] as const) {
      const trusting = await startHarness(services, { trustProxy });
      try {
        assert.equal((await call(trusting.baseUrl, { method: "GET", path: "/v1/ping", headers })).status, 200);
        const md = trusting.backend.calls[0]!.metadata;
        assert.deepEqual(md.get("x-forwarded-for"), [xff]);
        assert.deepEqual(md.get("x-forwarded-host"), [xfh ?? new URL(trusting.baseUrl).host]);
      } finally {
        await trusting.close();
      }
    }
  });

  test("malformed HTTP is refused by node before the gateway: control characters, lower-case methods, raw non-ASCII", async () => {
    reset();
    const requests = [
      "GET /v1/ping HTTP/1.1\r\nHost: x\r\nGrpc-Metadata-A: a\x01b\r\n\r\n",
      "get /v1/ping HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /v1/echo/\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n",
      "POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
      "POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
    ];
    for (const data of requests) {
      const raw = await rawExchange(h.baseUrl, Buffer.from(data, "latin1"));
      assert.deepEqual(statusLines(raw), [400], JSON.stringify(data));
    }
    assert.equal(h.backend.calls.length, 0);
    assert.equal((await call(h.baseUrl, { method: "GET", path: "/v1/ping" })).status, 200);
  });

  test("an absolute-form request target is routed by its path, as Go's net/http does", async () => {
    reset();
    const raw = await rawExchange(
      h.baseUrl,
      "GET http://x/v1/echo/abs?int32_value=7 HTTP/1.1\r\nHost: x\r\n\r\n" +
        "GET HTTP://other.example:8080/v1/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert.deepEqual(statusLines(raw), [200, 200], raw.slice(0, 500));
    assert.equal(h.backend.calls.length, 2);
    assert.equal((h.backend.calls[0]!.request as { stringValue?: string }).stringValue, "abs");
    assert.equal((h.backend.calls[0]!.request as { int32Value?: number }).int32Value, 7);
  });

  test("a request target with a fragment, or absolute-form with a scheme other than http(s), is 400 naming it", async () => {
    reset();
    const targets = ["/v1/echo/a#frag", "/v1/echo/a?int32_value=1#", "http://x/v1/echo/a#frag", "/not/a/route#x", "ftp://x/v1/echo/a", "ws://x/v1/echo/a"];
    const requests = targets.map((t) => `GET ${t} HTTP/1.1\r\nHost: x\r\n\r\n`);
    requests.push("GET /v1/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const raw = await rawExchange(h.baseUrl, requests.join(""));
    assert.deepEqual(statusLines(raw), [400, 400, 400, 400, 400, 400, 200], raw.slice(0, 500));
    const bodies = Array.from(raw.matchAll(/\{"code":.*?"details":\[\]\}/g), (m) => JSON.parse(m[0]) as { code: number; message: string });
    assert.deepEqual(
      bodies.map((b) => [b.code, b.message]),
      [
        ...targets.slice(0, 4).map((t) => [Code.INVALID_ARGUMENT, `request target "${t}" has a fragment: "#" is not part of an HTTP request target`]),
        [Code.INVALID_ARGUMENT, 'request target "ftp://x/v1/echo/a" has the scheme "ftp": only http and https are served'],
        [Code.INVALID_ARGUMENT, 'request target "ws://x/v1/echo/a" has the scheme "ws": only http and https are served'],
      ],
    );
    assert.equal(h.backend.calls.length, 1, "only the ping reached the backend");
  });

  test("pipelined requests with mistakes each get their own answer, in order", async () => {
    reset();
    const raw = await rawExchange(
      h.baseUrl,
      "GET /v1/echo/%ZZ HTTP/1.1\r\nHost: x\r\n\r\n" +
        "GET /v1/echo/a?int32_value=x HTTP/1.1\r\nHost: x\r\n\r\n" +
        "POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\n\r\n{{{{" +
        "DELETE /v1/ping HTTP/1.1\r\nHost: x\r\n\r\n" +
        "GET /v1/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert.deepEqual(statusLines(raw), [400, 400, 400, 405, 200]);
  });

  test("HEAD is GET without a body; OPTIONS and unknown methods are 405 with Allow", async () => {
    reset();
    const head = await call(h.baseUrl, { method: "HEAD", path: "/v1/echo/a" });
    assert.equal(head.status, 200);
    assert.equal(head.text, "");
    assert.ok(Number(head.headers["content-length"]) > 0);
    const options = await call(h.baseUrl, { method: "OPTIONS", path: "/v1/ping" });
    errorOf(options, 405, Code.UNIMPLEMENTED, "OPTIONS");
    assert.equal(options.headers["allow"], "GET");
    const propfind = await call(h.baseUrl, { method: "PROPFIND", path: "/v1/echo" });
    errorOf(propfind, 405, Code.UNIMPLEMENTED, "PROPFIND");
    assert.equal(propfind.headers["allow"], "POST, SEARCH");
    const search = await call(h.baseUrl, { method: "SEARCH", path: "/v1/echo?uuid=s" });
    assert.equal(JSON.parse(search.text).uuid, "s");
  });
});

describe("failing and misbehaving backends", { timeout: 15_000 }, () => {
  test("a reply over grpc's 4 MB receive limit is the backend's fault: 502, not grpc-gateway's 429", async () => {
    const h = await startHarness(services);
    try {
      h.backend.handle(() => ({ reply: { stringValue: "x".repeat(5 * 1024 * 1024) } }));
      errorOf(await call(h.baseUrl, { method: "GET", path: "/v1/echo/a" }), 502, Code.RESOURCE_EXHAUSTED, "backend reply exceeds");
    } finally {
      await h.close();
    }
  });

  test("a backend that never answers: Grpc-Timeout and defaultTimeoutMs turn the wait into 504", async () => {
    const h = await startHarness(services, { defaultTimeoutMs: 300 });
    try {
      h.backend.handle(() => new Promise(() => {}));
      const started = Date.now();
      errorOf(await call(h.baseUrl, { method: "GET", path: "/v1/ping" }), 504, Code.DEADLINE_EXCEEDED, deadlineExceeded);
      errorOf(await call(h.baseUrl, { method: "GET", path: "/v1/ping", headers: { "Grpc-Timeout": "100m" } }), 504, Code.DEADLINE_EXCEEDED, deadlineExceeded);
      assert.ok(Date.now() - started < 3000);
    } finally {
      await h.close();
    }
  });

  test("unusual statuses: an out-of-range code is 500; UNAUTHENTICATED with CR/LF gets a safe WWW-Authenticate", async () => {
    const h = await startHarness(services);
    try {
      h.backend.handle(() => {
        throw { code: 99, details: "weird" };
      });
      errorOf(await call(h.baseUrl, { method: "GET", path: "/v1/ping" }), 500, 99, "weird");
      h.backend.handle(() => {
        throw { code: Code.UNAUTHENTICATED, details: "bad\r\nSet-Cookie: x=1" };
      });
      const res = await call(h.baseUrl, { method: "GET", path: "/v1/ping" });
      errorOf(res, 401, Code.UNAUTHENTICATED, "bad\r\nSet-Cookie: x=1");
      assert.equal(res.headers["www-authenticate"], "bad  Set-Cookie: x=1");
      assert.equal(res.headers["set-cookie"], undefined);
    } finally {
      await h.close();
    }
  });

  test("a backend that goes away mid-call is an error status, then 503 while it is down", async () => {
    const server = new grpc.Server();
    const definition: Record<string, grpc.MethodDefinition<Message, Message>> = {};
    for (const method of Everything.methods) {
      definition[method.name] = {
        path: `/${Everything.typeName}/${method.name}`,
        requestStream: false,
        responseStream: false,
        requestSerialize: (m: Message) => Buffer.from(toBinary(method.input as DescMessage, m)),
        requestDeserialize: (b: Buffer) => fromBinary(method.input as DescMessage, b),
        responseSerialize: (m: Message) => Buffer.from(toBinary(method.output as DescMessage, m)),
        responseDeserialize: (b: Buffer) => fromBinary(method.output as DescMessage, b),
      };
    }
    server.addService(definition, {
      // Never answers; shuts the whole server down instead.
      Ping: () => void setTimeout(() => server.forceShutdown(), 50),
      Echo: (_call: unknown, callback: grpc.sendUnaryData<Message>) => callback(null, create(ScalarsSchema, { stringValue: "ok" })),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    const channel = dialBackend(`127.0.0.1:${port}`);
    const gateway = createGateway();
    registerEverythingGateway(gateway, channel);
    const app = await serve(gateway);
    try {
      const crashed = await call(app.url, { method: "GET", path: "/v1/ping" });
      assert.ok(crashed.status >= 400, crashed.text);
      assert.equal(typeof JSON.parse(crashed.text).code, "number");
      errorOf(await call(app.url, { method: "GET", path: "/v1/echo/a" }), 503, Code.UNAVAILABLE, "");
    } finally {
      await app.close();
      channel.close();
    }
  });
});

describe("misbehaving hooks", { timeout: 15_000 }, () => {
  const notFound = () => {
    throw { code: Code.NOT_FOUND, details: "nope" };
  };

  async function withHarness(options: GatewayOptions, run: (h: Harness) => Promise<void>): Promise<void> {
    const h = await startHarness(services, options);
    try {
      await run(h);
    } finally {
      await h.close();
    }
  }

  test("an error handler that throws is 500 without its message", () =>
    withHarness(
      {
        errorHandler: () => {
          throw new Error("secret internals");
        },
      },
      async (h) => {
        h.backend.handle(notFound);
        const body = errorOf(await call(h.baseUrl, { method: "GET", path: "/v1/ping" }), 500, Code.INTERNAL, "error handler failed");
        assert.ok(!body.message.includes("secret"));
      },
    ));

  test("an error handler that sets a header node refuses is 500, not a crash", () =>
    withHarness(
      {
        errorHandler: (_e, c) => {
          c.res.setHeader("X-Bad", "a\nb");
          c.writeDefault();
        },
      },
      async (h) => {
        h.backend.handle(notFound);
        errorOf(await call(h.baseUrl, { method: "GET", path: "/v1/ping" }), 500, Code.INTERNAL, "error handler failed");
      },
    ));

  test("an error handler that writes, then throws, cuts the response off; the gateway keeps serving", () =>
    withHarness(
      {
        errorHandler: (_e, c) => {
          c.res.writeHead(418);
          c.res.write("partial");
          throw new Error("x");
        },
      },
      async (h) => {
        h.backend.handle(notFound);
        await assert.rejects(call(h.baseUrl, { method: "GET", path: "/v1/ping" }), /socket hang up|ECONNRESET|aborted/);
        h.backend.handle(() => ({}));
        assert.equal((await call(h.baseUrl, { method: "GET", path: "/v1/ping" })).status, 200);
      },
    ));

  test("writeDefault called twice writes once", () =>
    withHarness(
      {
        errorHandler: (_e, c) => {
          c.writeDefault();
          c.writeDefault();
        },
      },
      async (h) => {
        h.backend.handle(notFound);
        errorOf(await call(h.baseUrl, { method: "GET", path: "/v1/ping" }), 404, Code.NOT_FOUND, "nope");
      },
    ));

  test("a routing error handler that throws is 500", () =>
    withHarness(
      {
        routingErrorHandler: () => {
          throw new Error("r");
        },
      },
      async (h) => {
        errorOf(await call(h.baseUrl, { method: "DELETE", path: "/v1/ping" }), 500, Code.INTERNAL, "error handler failed");
      },
    ));

  test("an annotator returning keys and values grpc refuses is skipped, never a failure", () =>
    withHarness({ metadataAnnotator: () => ({ "bad key": "v", ok: "a\nb", "x-bin": "not base64!!", fine: ["a", "b"] }) }, async (h) => {
      assert.equal((await call(h.baseUrl, { method: "GET", path: "/v1/ping" })).status, 200);
      const md = h.backend.calls[0]!.metadata;
      // Both values arrive; HTTP/2 may join them into one field.
      assert.equal(md.get("fine").join(", "), "a, b");
      assert.deepEqual(md.get("ok"), []);
      assert.deepEqual(md.get("x-bin"), []);
    }));
});

describe("hostile streams", { timeout: 15_000 }, () => {
  let backend: StreamerBackend;
  let channel: ReturnType<typeof dialBackend>;
  let app: Awaited<ReturnType<typeof serve>>;
  before(async () => {
    backend = await startStreamerBackend();
    channel = dialBackend(backend.address);
    const gateway = createGateway({ maxRequestBytes: 1000, json: { maxDepth: 100 } });
    registerStreamerGateway(gateway, channel);
    app = await serve(gateway);
  });
  after(async () => {
    await app.close();
    channel.close();
    await backend.close();
  });

  test("an NDJSON line over the limit is 413 naming the message, with or without its newline", async () => {
    const line = JSON.stringify({ name: "x".repeat(5000) });
    errorOf(
      await call(app.url, { method: "POST", path: "/v1/stream:client", headers: N, body: `${line}\n` }),
      413,
      Code.RESOURCE_EXHAUSTED,
      "request message #1",
    );
    errorOf(await call(app.url, { method: "POST", path: "/v1/stream:client", headers: N, body: line }), 413, Code.RESOURCE_EXHAUSTED, "request message #1");
    // A bidi stream is open by then: the status, and the error as the stream's one line.
    const bidi = await call(app.url, { method: "POST", path: "/v1/stream:bidi", headers: N, body: `{"name":"a"}\n${line}\n` });
    assert.equal(bidi.status, 413, bidi.text.slice(0, 300));
    const last = JSON.parse(bidi.text.trimEnd().split("\n").at(-1)!) as { error: { code: number; message: string } };
    assert.equal(last.error.code, Code.RESOURCE_EXHAUSTED);
    assert.match(last.error.message, /request message #2/);
  });

  test("a streamed value nesting past json.maxDepth, even inside an unknown field, is 400 naming it", async () => {
    const deep = `{"name":"b","x":${"[".repeat(101)}${"]".repeat(101)}}`;
    errorOf(
      await call(app.url, { method: "POST", path: "/v1/stream:client", headers: N, body: `{"name":"a"}\n${deep}\n` }),
      400,
      Code.INVALID_ARGUMENT,
      "invalid request message #2: cannot decode message testing.v1.StreamRequest from JSON: JSON nests deeper than 100 levels",
    );
    const limit = `{"name":"b","x":${"[".repeat(99)}${"]".repeat(99)}}`;
    assert.equal((await call(app.url, { method: "POST", path: "/v1/stream:client", headers: N, body: `${limit}\n` })).status, 200);
  });

  test("NDJSON without a final newline, with CRLF, and with blank lines reads every message", async () => {
    for (const body of ['{"name":"a"}\n{"name":"b"}', '{"name":"a"}\r\n{"name":"b"}\r\n', '\n\n \r\n{"name":"a"}\n\n{"name":"b"}\n\n']) {
      const res = await call(app.url, { method: "POST", path: "/v1/stream:client", headers: N, body });
      assert.equal(res.status, 200, res.text);
      assert.equal(JSON.parse(res.text).text, "a,b", JSON.stringify(body));
    }
  });

  test("a malformed streamed JSON value is 400 naming it: bad JSON, bad UTF-8, deep arrays, a comma between values", async () => {
    const cases: [string | Buffer, string][] = [
      ["nope\n", "invalid request message #1"],
      [Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff]), Buffer.from('"}\n')]), "invalid request message #1: request body is not valid UTF-8"],
      ['{"name":"a"},{"name":"b"}\n', "invalid request message #2"],
      [`${"[".repeat(400)}${"]".repeat(400)}\n`, "invalid request message #1"],
      ['{"name":"a"}\n{"count":"x"}\n', "invalid request message #2"],
    ];
    for (const [body, why] of cases) {
      errorOf(await call(app.url, { method: "POST", path: "/v1/stream:client", headers: N, body }), 400, Code.INVALID_ARGUMENT, why);
    }
  });

  test("a server stream that fails before its first message takes the unary status, even for SSE", async () => {
    const res = await call(app.url, { method: "GET", path: "/v1/stream/a?count=0&fail_code=7", headers: { Accept: "text/event-stream" } });
    errorOf(res, 403, Code.PERMISSION_DENIED, "failed after 0");
    const after1 = await call(app.url, { method: "GET", path: "/v1/stream/a?count=1&fail_code=7", headers: { Accept: "text/event-stream" } });
    assert.equal(after1.status, 200);
    assert.match(after1.text, /^data: \{.*\}\n\nevent: error\ndata: \{"code":7,"message":"failed after 1","details":\[\]\}\n\n$/);
  });

  test("a bad query parameter, Grpc-Timeout or body on a stream is refused before the backend is called", async () => {
    const before = backend.calls.length;
    errorOf(
      await call(app.url, { method: "GET", path: "/v1/stream/a?count=x", headers: { Accept: "text/event-stream" } }),
      400,
      Code.INVALID_ARGUMENT,
      'query parameter "count"',
    );
    errorOf(await call(app.url, { method: "GET", path: "/v1/stream/a", headers: { "Grpc-Timeout": "soon" } }), 400, Code.INVALID_ARGUMENT, "Grpc-Timeout");
    errorOf(
      await call(app.url, { method: "POST", path: "/v1/stream:client", headers: { ...N, "Grpc-Timeout": "soon" }, body: '{"name":"a"}\n' }),
      400,
      Code.INVALID_ARGUMENT,
      "Grpc-Timeout",
    );
    errorOf(
      await call(app.url, { method: "POST", path: "/v1/stream:server", headers: J, body: JSON.stringify({ name: "x".repeat(5000) }) }),
      413,
      Code.RESOURCE_EXHAUSTED,
      "exceeds the limit",
    );
    errorOf(
      await call(app.url, { method: "POST", path: "/v1/stream:client", headers: { "Content-Type": "text/plain" }, body: "{}\n" }),
      415,
      Code.INVALID_ARGUMENT,
      "Content-Type",
    );
    assert.equal(backend.calls.length, before);
  });

  test("HEAD on a server-streaming route answers without a body", async () => {
    const res = await call(app.url, { method: "HEAD", path: "/v1/stream/a?count=3" });
    assert.equal(res.status, 200);
    assert.equal(res.text, "");
  });

  test("a client-streaming body that never ends is cut off by Grpc-Timeout with 504", async () => {
    const { hostname, port } = new URL(app.url);
    const req = request({ host: hostname, port, method: "POST", path: "/v1/stream:client", headers: { ...N, "Grpc-Timeout": "300m" } });
    req.on("error", () => {});
    const response = within(
      3000,
      new Promise<HttpResult>((resolve, reject) => {
        req.on("response", (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, trailers: {}, body: Buffer.concat(chunks), text: Buffer.concat(chunks).toString() }),
          );
          res.on("error", reject);
        });
      }),
    );
    req.write('{"name":"a"}\n');
    try {
      errorOf(await response, 504, Code.DEADLINE_EXCEEDED, deadlineExceeded);
    } finally {
      req.destroy();
    }
  });

  test("a client that disconnects mid-body cancels the client stream", async () => {
    const before = backend.calls.length;
    const { hostname, port } = new URL(app.url);
    const req = request({ host: hostname, port, method: "POST", path: "/v1/stream:client", headers: N });
    req.on("error", () => {});
    req.write('{"name":"a"}\n{"name":');
    for (let i = 0; i < 100 && backend.calls.length === before; i++) await sleep(10);
    req.destroy();
    const seen = backend.calls[before];
    assert.ok(seen !== undefined, "the call started");
    assert.equal(await within(2000, seen.cancelled, "cancellation"), true);
  });
});

test("nothing escaped as an uncaught exception or unhandled rejection", async () => {
  await sleep(50);
  process.off("uncaughtException", onEscape);
  process.off("unhandledRejection", onEscape);
  assert.deepEqual(escaped.map(String), []);
});
