// The lean node:http2 transport's wire features: compression, size limits, TLS and mTLS,
// unix sockets, several addresses, the grpc-timeout form.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttp2Server } from "node:http2";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { describe, test } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { dial } from "grpc-gateway-express/runtime";
import { encodeTimeout } from "../../runtime/backend/http2/grpc-timeout.js";
import { FrameReader, FrameTooLarge, encodeFrame } from "../../runtime/backend/http2/framing.js";
import { trailerMetadataOf } from "../../runtime/backend/http2/status.js";
import { Everything, ScalarsSchema, type Scalars } from "../gen/testing/v1/everything_pb.js";
import { callOptions, startTestServer, type AnyHandler } from "../support/raw-grpc-server.js";
import { failure } from "../support/call-failure.js";

const echo = Everything.method.echo;

const echoHandler: AnyHandler = (call: grpc.ServerUnaryCall<Scalars, Scalars>, callback: grpc.sendUnaryData<Scalars>) =>
  callback(null, create(ScalarsSchema, { stringValue: call.request.stringValue.repeat(call.request.int32Value || 1) }));

describe("framing and grpc-timeout", { timeout: 20_000 }, () => {
  test("messages are cut out of chunks at any boundary", () => {
    const compressed = encodeFrame(Buffer.from("zipped"));
    compressed[0] = 1;
    const wire = Buffer.concat([encodeFrame(Buffer.from("hello")), encodeFrame(new Uint8Array()), compressed, encodeFrame(Buffer.from("world!"))]);
    const expected = [
      ["hello", false],
      ["", false],
      ["zipped", true],
      ["world!", false],
    ];
    // Every way of cutting the wire into three chunks (empty ones included), read as they come.
    for (let a = 0; a <= wire.length; a++) {
      for (let b = a; b <= wire.length; b++) {
        const reader = new FrameReader(100);
        const frames: [string, boolean][] = [];
        for (const chunk of [wire.subarray(0, a), wire.subarray(a, b), wire.subarray(b)]) {
          reader.push(chunk);
          for (let payload = reader.next(); payload !== undefined; payload = reader.next()) frames.push([payload.toString(), reader.compressed]);
        }
        assert.deepEqual(frames, expected, `cut at ${a} and ${b}`);
        assert.equal(reader.partial, false);
      }
    }
  });

  test("a message cut short is partial, and one over the limit is refused from its prefix", () => {
    const reader = new FrameReader(100);
    const frame = encodeFrame(Buffer.from("hello"));
    reader.push(frame.subarray(0, 7));
    assert.equal(reader.next(), undefined);
    assert.equal(reader.partial, true);
    const large = new FrameReader(4);
    large.push(frame.subarray(0, 5));
    assert.throws(
      () => large.next(),
      (err: unknown) => err instanceof FrameTooLarge && err.length === 5 && err.limit === 4,
    );
  });

  test("trailer metadata is the block without pseudo-headers, grpc-status and grpc-message, whatever else it holds", () => {
    const blocks: Record<string, string | string[]>[] = [
      { "grpc-status": "0" },
      { "grpc-status": "0", "grpc-message": "" },
      { ":status": "200", "content-type": "application/grpc", "grpc-status": "5", "grpc-message": "gone" },
      { "grpc-status": "0", "x-cost": "3", "x-multi": ["a", "b"] },
      { "x-only": "1" },
    ];
    for (const block of blocks) {
      const general = grpc.Metadata.fromHttp2Headers(block);
      general.remove("grpc-status");
      general.remove("grpc-message");
      assert.deepEqual(trailerMetadataOf(block).toJSON(), general.toJSON(), JSON.stringify(block));
    }
    assert.deepEqual(trailerMetadataOf(blocks[3]!).get("x-multi"), ["a", "b"]);
  });

  test("grpc-timeout: milliseconds up to 8 digits, then seconds clamped below 2^31 ms", () => {
    assert.equal(encodeTimeout(0.2), "1m");
    assert.equal(encodeTimeout(1500), "1500m");
    assert.equal(encodeTimeout(99_999_999), "99999999m");
    assert.equal(encodeTimeout(100_000_000), "100000S");
    assert.equal(encodeTimeout(30 * 24 * 3600 * 1000), "2147483S");
    assert.ok(2147483 * 1000 <= 0x7fffffff);
  });
});

describe("compression and size limits", { timeout: 20_000 }, () => {
  // grpc-js servers do not compress replies (their default_compression_algorithm applies to
  // requests only), so a raw node:http2 server sends the gzip-compressed frames.
  async function gzipServer(reply: Uint8Array): Promise<{ address: string; close: () => void }> {
    const server = createHttp2Server();
    server.on("stream", (stream) => {
      stream.resume();
      stream.on("end", () => {
        const zipped = gzipSync(reply);
        const frame = Buffer.alloc(5 + zipped.length);
        frame[0] = 1;
        frame.writeUInt32BE(zipped.length, 1);
        zipped.copy(frame, 5);
        stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-encoding": "gzip" }, { waitForTrailers: true });
        stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
        stream.end(frame);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
  }

  test("a gzip-compressed reply (grpc-encoding: gzip) is decoded", async () => {
    const server = await gzipServer(toBinary(ScalarsSchema, create(ScalarsSchema, { stringValue: "zip".repeat(1000) })));
    const backend = dial(server.address);
    try {
      const result = await backend.unary(echo, create(ScalarsSchema), callOptions());
      assert.equal((result.message as Scalars).stringValue, "zip".repeat(1000));
      assert.deepEqual(result.headers.get("grpc-encoding"), ["gzip"]);
    } finally {
      backend.close();
      server.close();
    }
  });

  test("a reply over the 4 MiB default is RESOURCE_EXHAUSTED, raised locally; so is a small one that inflates past it", async () => {
    const server = await startTestServer([[echo, echoHandler]], { "grpc.max_send_message_length": -1 });
    const zipped = await gzipServer(toBinary(ScalarsSchema, create(ScalarsSchema, { stringValue: "x".repeat(5 * 1024 * 1024) })));
    const backend = dial(server.address);
    const zippedBackend = dial(zipped.address);
    try {
      const err = await failure(backend.unary(echo, create(ScalarsSchema, { stringValue: "x", int32Value: 5 * 1024 * 1024 }), callOptions()));
      assert.equal(err.code, grpc.status.RESOURCE_EXHAUSTED);
      assert.equal(err.rawMessage, "backend reply exceeds the gateway's size limit");
      assert.equal(err.httpStatus, 502, "the backend's fault, not a reason to retry");
      const small = await backend.unary(echo, create(ScalarsSchema, { stringValue: "ok" }), callOptions());
      assert.equal((small.message as Scalars).stringValue, "ok", "the connection survives");
      const inflated = await failure(zippedBackend.unary(echo, create(ScalarsSchema), callOptions()));
      assert.equal(inflated.code, grpc.status.RESOURCE_EXHAUSTED);
      assert.equal(inflated.httpStatus, 502);
    } finally {
      backend.close();
      zippedBackend.close();
      await server.close();
      zipped.close();
    }
  });

  test("a request over maxSendMessageLength is RESOURCE_EXHAUSTED before it leaves", async () => {
    const server = await startTestServer([[echo, echoHandler]]);
    const backend = dial(server.address, { maxSendMessageLength: 10 });
    try {
      const err = await failure(backend.unary(echo, create(ScalarsSchema, { stringValue: "much too long" }), callOptions()));
      assert.equal(err.code, grpc.status.RESOURCE_EXHAUSTED);
    } finally {
      backend.close();
      await server.close();
    }
  });
});

/** A throwaway CA, a server certificate for localhost/127.0.0.1 and a client certificate, made with the openssl CLI. */
function certificates(): Record<"ca" | "serverCert" | "serverKey" | "clientCert" | "clientKey", Buffer> {
  const dir = mkdtempSync(join(tmpdir(), "transport-tls-"));
  const run = (args: string[]) => {
    try {
      execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    } catch (err) {
      // Fail, never skip: a TLS test that silently stops running proves nothing.
      throw new Error("the TLS tests need the openssl CLI", { cause: err });
    }
  };
  const key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  try {
    run(["req", "-x509", ...key, "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=test-ca"]);
    writeFileSync(join(dir, "server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    for (const name of ["server", "client"]) {
      run(["req", ...key, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name === "server" ? "localhost" : "gateway"}`]);
      const sign = ["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${name}.pem`, "-days", "1"];
      run(name === "server" ? [...sign, "-extfile", "server.ext"] : sign);
    }
    const read = (f: string) => readFileSync(join(dir, f));
    return { ca: read("ca.pem"), serverCert: read("server.pem"), serverKey: read("server.key"), clientCert: read("client.pem"), clientKey: read("client.key") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("TLS, unix sockets, several addresses", { timeout: 20_000 }, () => {
  test("TLS, and mTLS where the server demands a client certificate", async () => {
    const c = certificates();
    const keyPair = [{ cert_chain: c.serverCert, private_key: c.serverKey }];
    const tlsServer = await startTestServer([[echo, echoHandler]], {}, "127.0.0.1:0", grpc.ServerCredentials.createSsl(c.ca, keyPair, false));
    const mtlsServer = await startTestServer([[echo, echoHandler]], {}, "127.0.0.1:0", grpc.ServerCredentials.createSsl(c.ca, keyPair, true));
    const backends = [
      dial(`localhost:${tlsServer.port}`, { tls: { ca: c.ca } }),
      dial(tlsServer.address, { tls: { ca: c.ca } }),
      dial(`localhost:${mtlsServer.port}`, { tls: { ca: c.ca, cert: c.clientCert, key: c.clientKey } }),
    ];
    const withoutClientCert = dial(`localhost:${mtlsServer.port}`, { tls: { ca: c.ca } });
    const untrusted = dial(`localhost:${tlsServer.port}`, { tls: {} });
    try {
      for (const backend of backends) {
        const result = await backend.unary(echo, create(ScalarsSchema, { stringValue: "secure" }), callOptions());
        assert.equal((result.message as Scalars).stringValue, "secure");
      }
      assert.equal((await failure(withoutClientCert.unary(echo, create(ScalarsSchema), callOptions()))).code, grpc.status.UNAVAILABLE);
      assert.equal((await failure(untrusted.unary(echo, create(ScalarsSchema), callOptions()))).code, grpc.status.UNAVAILABLE);
    } finally {
      for (const b of [...backends, withoutClientCert, untrusted]) b.close();
      await tlsServer.close();
      await mtlsServer.close();
    }
  });

  test("a unix socket: unix:/path", async () => {
    const dir = mkdtempSync(join(tmpdir(), "transport-unix-"));
    const server = await startTestServer([[echo, echoHandler]], {}, `unix:${join(dir, "grpc.sock")}`);
    const backend = dial(`unix:${join(dir, "grpc.sock")}`);
    try {
      const result = await backend.unary(echo, create(ScalarsSchema, { stringValue: "local" }), callOptions());
      assert.equal((result.message as Scalars).stringValue, "local");
    } finally {
      backend.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("ipv4:a,b spreads calls round robin over both servers; dns:/// reaches a server whatever the name's records", async () => {
    const counts = [0, 0];
    const counting =
      (i: number): AnyHandler =>
      (call: grpc.ServerUnaryCall<Scalars, Scalars>, callback: grpc.sendUnaryData<Scalars>) => {
        counts[i]!++;
        callback(null, call.request);
      };
    const a = await startTestServer([[echo, counting(0)]]);
    const b = await startTestServer([[echo, counting(1)]]);
    const both = dial(`ipv4:127.0.0.1:${a.port},127.0.0.1:${b.port}`);
    // localhost may resolve to ::1 too, where nothing listens: the call goes to the address that answers.
    const named = dial(`dns:///localhost:${a.port}`);
    try {
      await both.unary(echo, create(ScalarsSchema), callOptions());
      for (let i = 0; i < 10; i++) await both.unary(echo, create(ScalarsSchema), callOptions());
      assert.ok(counts[0]! >= 4 && counts[1]! >= 4, `calls per server: ${counts.join(", ")}`);
      const result = await named.unary(echo, create(ScalarsSchema, { stringValue: "dns" }), callOptions());
      assert.equal((result.message as Scalars).stringValue, "dns");
    } finally {
      both.close();
      named.close();
      await a.close();
      await b.close();
    }
  });
});

describe("dial() picks the transport", { timeout: 20_000 }, () => {
  test("node:http2 by default, grpc-js when asked (the user-agent tells them apart); a misspelt transport throws", async () => {
    const agents: string[] = [];
    const server = await startTestServer([
      [
        echo,
        (call: grpc.ServerUnaryCall<Scalars, Scalars>, callback: grpc.sendUnaryData<Scalars>) => {
          agents.push(String(call.metadata.get("user-agent")[0]));
          callback(null, call.request);
        },
      ],
    ]);
    const lean = dial(server.address);
    const grpcJs = dial(server.address, { transport: "grpc-js" });
    try {
      await lean.unary(echo, create(ScalarsSchema), callOptions());
      await grpcJs.unary(echo, create(ScalarsSchema), callOptions());
      assert.match(agents[0]!, /^grpc-gateway-express/);
      assert.match(agents[1]!, /^grpc-node-js\//);
      assert.ok(grpcJs.client instanceof grpc.Client);
      assert.throws(() => dial(server.address, { transport: "grpcjs" } as never), /unknown transport "grpcjs"/);
      // The grpc-js-era dial(address, credentials) from JavaScript: an error, not a plaintext dial.
      assert.throws(() => dial(server.address, grpc.credentials.createInsecure() as never), /transport: "grpc-js", credentials/);
    } finally {
      lean.close();
      grpcJs.close();
      await server.close();
    }
  });
});
