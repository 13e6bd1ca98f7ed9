import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { after, before, describe, test } from "node:test";
import { Metadata } from "@grpc/grpc-js";
import { trailerHeadersFromMetadata, trailersWanted, writeResponseHeaders, writeResponseTrailers } from "../../runtime/protocol-http/response-metadata.js";
import { get, rawValues, startServer, type TestServer } from "./http-harness.js";

let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.close());
describe("writeResponseHeaders", () => {
  async function served(md: Metadata, matcher?: (key: string) => string | undefined) {
    server.handle((_req, res) => {
      writeResponseHeaders(res, md, matcher);
      res.end("ok");
    });
    return get(server.port, "/");
  }

  test("metadata becomes canonical Grpc-Metadata-<K> headers, binary in base64", async () => {
    const md = new Metadata();
    md.add("x-request-id", "r1");
    md.add("data-bin", Buffer.from([1, 2]));
    const reply = await served(md);
    assert.deepEqual(rawValues(reply.rawHeaders, "grpc-metadata-x-request-id"), ["r1"]);
    assert.ok(reply.rawHeaders.includes("Grpc-Metadata-X-Request-Id"));
    assert.deepEqual(rawValues(reply.rawHeaders, "grpc-metadata-data-bin"), ["AQI="]);
  });

  test("a __proto__ key (the prototype of grpc-js's object view) is left out, the rest forwarded", async () => {
    const md = new Metadata();
    md.add("__proto__", "evil");
    md.add("x-request-id", "r1");
    const reply = await served(md);
    assert.equal(reply.status, 200);
    assert.deepEqual(rawValues(reply.rawHeaders, "grpc-metadata-x-request-id"), ["r1"]);
    assert.equal(reply.rawHeaders.filter((name) => /^grpc-metadata-(\d+|__proto__)$/i.test(name)).length, 0);
  });

  test("every value of a repeated key is its own header line", async () => {
    const md = new Metadata();
    md.add("x-tag", "a");
    md.add("x-tag", "b");
    assert.deepEqual(rawValues((await served(md)).rawHeaders, "grpc-metadata-x-tag"), ["a", "b"]);
  });

  test("the gRPC hop's own keys are not forwarded; tracing keys are", async () => {
    const md = new Metadata();
    for (const key of ["content-type", "date", "grpc-encoding", "grpc-accept-encoding", "grpc-status", "grpc-message"]) md.add(key, "x");
    md.add("grpc-status-details-bin", Buffer.from([1]));
    md.add("grpc-trace-bin", Buffer.from([2]));
    const forwardedNames = (await served(md)).rawHeaders.filter((_, i) => i % 2 === 0 && /^grpc-metadata-/i.test(_));
    assert.deepEqual(forwardedNames, ["Grpc-Metadata-Grpc-Trace-Bin"]);
  });

  test("a custom matcher renames or drops; names node would refuse are skipped", async () => {
    const md = new Metadata();
    md.add("x-keep", "1");
    md.add("x-drop", "2");
    md.add("x-bad", "3");
    const reply = await served(md, (key) => ({ "x-keep": "x-renamed", "x-bad": "bad name" })[key]);
    assert.equal(reply.status, 200);
    assert.equal(reply.headers["x-renamed"], "1");
    assert.equal(reply.headers["grpc-metadata-x-drop"], undefined);
  });

  test("after headers are sent it does nothing", async () => {
    const md = new Metadata();
    md.add("x-late", "1");
    server.handle((_req, res) => {
      res.write("partial");
      writeResponseHeaders(res, md);
      res.end();
    });
    const reply = await get(server.port, "/");
    assert.equal(reply.text, "partial");
    assert.equal(reply.headers["grpc-metadata-x-late"], undefined);
  });
});

describe("trailers", () => {
  function request(te: string | undefined): IncomingMessage {
    return { headers: te === undefined ? {} : { te } } as IncomingMessage;
  }

  test("trailersWanted follows TE: trailers", () => {
    assert.equal(trailersWanted(request("trailers")), true);
    assert.equal(trailersWanted(request("Trailers")), true);
    assert.equal(trailersWanted(request("deflate, trailers")), true);
    assert.equal(trailersWanted(request("gzip")), false);
    assert.equal(trailersWanted(request(undefined)), false);
  });

  test("trailerHeadersFromMetadata names them Grpc-Trailer-<K>, lists for repeated keys", () => {
    const md = new Metadata();
    md.add("x-cost", "7");
    md.add("x-tag", "a");
    md.add("x-tag", "b");
    md.add("sig-bin", Buffer.from([255]));
    md.add("grpc-status", "0");
    assert.deepEqual(trailerHeadersFromMetadata(md), { "Grpc-Trailer-X-Cost": "7", "Grpc-Trailer-X-Tag": ["a", "b"], "Grpc-Trailer-Sig-Bin": "/w==" });
    assert.deepEqual(
      trailerHeadersFromMetadata(md, (k) => (k === "x-cost" ? "Cost" : undefined)),
      { Cost: "7" },
    );
  });

  async function served(te: string | undefined) {
    const md = new Metadata();
    md.add("x-cost", "7");
    let sent: boolean | undefined;
    server.handle((req, res) => {
      res.setHeader("Content-Length", 2);
      sent = writeResponseTrailers(req, res, md);
      res.end("ok");
    });
    const reply = await get(server.port, "/", te === undefined ? {} : { TE: te });
    return { reply, sent };
  }

  test("with TE: trailers they are declared and sent chunked", async () => {
    const { reply, sent } = await served("trailers");
    assert.equal(sent, true);
    assert.equal(reply.headers["trailer"], "Grpc-Trailer-X-Cost");
    assert.equal(reply.headers["content-length"], undefined);
    assert.equal(reply.headers["transfer-encoding"], "chunked");
    assert.deepEqual(reply.trailers, { "grpc-trailer-x-cost": "7" });
    assert.equal(reply.text, "ok");
  });

  test("without TE: trailers they are dropped", async () => {
    const { reply, sent } = await served(undefined);
    assert.equal(sent, false);
    assert.equal(reply.headers["trailer"], undefined);
    assert.equal(reply.headers["content-length"], "2");
    assert.deepEqual(reply.trailers, {});
  });

  test("after headers are out they still go on a chunked response", async () => {
    const md = new Metadata();
    md.add("x-cost", "9");
    server.handle((req, res) => {
      res.write("a");
      writeResponseTrailers(req, res, md);
      res.end("b");
    });
    const reply = await get(server.port, "/", { TE: "trailers" });
    assert.equal(reply.text, "ab");
    assert.deepEqual(reply.trailers, { "grpc-trailer-x-cost": "9" });
  });
});
