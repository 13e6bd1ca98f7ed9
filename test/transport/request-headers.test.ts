// The lean transport's request headers: node 22.17 and 24 take them as a flat list, older
// nodes as an object; a server must receive the same fields either way.
import assert from "node:assert/strict";
import { connect, createServer, type IncomingHttpHeaders } from "node:http2";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { Metadata } from "@grpc/grpc-js";
import { requestHeaders, takesHeaderList } from "../../runtime/backend/http2/request-headers.js";

function callMetadata(): Metadata {
  const md = new Metadata();
  md.add("x-request-id", "r-1");
  md.add("x-multi", "a");
  md.add("x-multi", "b");
  md.add("trace-bin", Buffer.from([0, 1, 2, 250]));
  // Keys the protocol's own headers take: the metadata's values never go out.
  md.add("user-agent", "from-metadata");
  md.add("content-type", "text/plain");
  md.add("grpc-timeout", "5S");
  // Becomes the prototype of grpc-js's plain-object views of the metadata: never sent.
  md.add("__proto__", "evil");
  return md;
}

test("which nodes take a header list", () => {
  for (const [version, list] of [
    ["20.20.2", false],
    ["22.16.0", false],
    ["22.17.0", true],
    ["22.23.3", true],
    ["23.11.0", false],
    ["24.0.0", true],
    ["26.1.0", true],
  ] as const) {
    assert.equal(takesHeaderList(version), list, version);
  }
});

test("a server receives the same request headers from the list and from the object", async (t) => {
  if (!takesHeaderList(process.versions.node)) return t.skip("this node takes objects only");
  const received: IncomingHttpHeaders[] = [];
  const server = createServer();
  server.on("stream", (stream, headers) => {
    received.push(headers);
    stream.respond({ ":status": 200 });
    stream.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const session = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  try {
    for (const timeout of [undefined, "100m"]) {
      for (const lists of [false, true]) {
        const headers = requestHeaders("/pkg.Service/Method", callMetadata(), "ua/1", timeout, lists);
        assert.equal(Array.isArray(headers), lists);
        const stream = session.request(headers as Record<string, string>, { endStream: true });
        stream.resume();
        await new Promise((resolve) => stream.on("close", resolve));
      }
    }
  } finally {
    session.close();
    server.close();
  }
  const fields = received.map((h) => {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(h).sort()) out[key] = h[key];
    return out;
  });
  assert.deepEqual(fields[1], fields[0], "without a deadline");
  assert.deepEqual(fields[3], fields[2], "with a deadline");
  assert.equal(fields[0]!["user-agent"], "ua/1");
  assert.equal(fields[0]!["content-type"], "application/grpc");
  assert.equal(fields[0]!["grpc-timeout"], "5S", "without a deadline, the metadata's grpc-timeout goes out as it did");
  assert.equal(fields[2]!["grpc-timeout"], "100m");
  assert.equal(fields[0]!["x-multi"], "a, b");
  assert.equal(fields[0]!["trace-bin"], Buffer.from([0, 1, 2, 250]).toString("base64"));
  assert.equal(fields[0]![":method"], "POST");
  assert.equal(fields[0]![":path"], "/pkg.Service/Method");
  for (const f of fields) assert.equal(Object.keys(f).filter((k) => /^\d+$/.test(k) || k === "__proto__").length, 0, "nothing of __proto__ went out");
});

test("metadata with a host key goes as an object, where node lets host stand for :authority", () => {
  const md = callMetadata();
  md.add("host", "example.test");
  const headers = requestHeaders("/pkg.Service/Method", md, "ua/1", undefined, true);
  assert.equal(Array.isArray(headers), false);
  assert.equal((headers as Record<string, unknown>).host, "example.test");
  assert.equal(Array.isArray(requestHeaders("/pkg.Service/Method", callMetadata(), "ua/1", undefined, true)), true);
});
