// The three backend modes, and what happens when the backend or the client goes away.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import express from "express";
import * as grpc from "@grpc/grpc-js";
import { createGateway, dial, fromClient, GatewayError, inProcess, type Gateway } from "grpc-gateway-express/runtime";
import { Everything } from "../gen/testing/v1/everything_pb.js";
import { Messaging } from "../gen/testing/v1/messaging_pb.js";
import { registerEverythingGateway } from "../gen/testing/v1/everything_gateway.js";
import { send } from "../support/http-client.js";
import { startRecordingBackend, type RecordingBackend } from "../support/recording-backend.js";
import { dialBackend, testTransport } from "../support/dial-backend.js";

async function serve(handler: Parameters<typeof createServer>[1] | express.Express): Promise<{ url: string; server: Server }> {
  const server = createServer(handler as Parameters<typeof createServer>[1]);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe("backends", () => {
  let backend: RecordingBackend;
  before(async () => (backend = await startRecordingBackend([Everything, Messaging])));
  after(() => backend.close());

  test("fromClient reuses an existing grpc-js Channel", async () => {
    const channel = new grpc.Channel(backend.address, grpc.credentials.createInsecure(), {});
    const gateway = createGateway();
    registerEverythingGateway(gateway, fromClient(channel));
    const { url, server } = await serve(gateway);
    try {
      const res = await send(url, { method: "GET", path: "/v1/echo/via-channel" });
      assert.equal(res.status, 200);
      assert.equal(JSON.parse(res.text).stringValue, "via-channel");
    } finally {
      await stop(server);
      channel.close();
    }
  });

  test("a plain node:http server answers unmatched paths 404 with the status body", async () => {
    const gateway = createGateway();
    registerEverythingGateway(gateway, dialBackend(backend.address));
    const { url, server } = await serve(gateway);
    try {
      const res = await send(url, { method: "GET", path: "/nothing/here" });
      assert.equal(res.status, 404);
      assert.equal(JSON.parse(res.text).code, grpc.status.NOT_FOUND);
    } finally {
      await stop(server);
    }
  });

  test("a body already parsed by express.json() is used as sent", async () => {
    const gateway = createGateway();
    registerEverythingGateway(gateway, dialBackend(backend.address));
    const app = express();
    app.use(express.json());
    app.use(gateway);
    const { url, server } = await serve(app);
    try {
      backend.calls.length = 0;
      const res = await send(url, {
        method: "POST",
        path: "/v1/echo",
        headers: { "Content-Type": "application/json" },
        body: '{"stringValue":"parsed","int64Value":"9007199254740993"}',
      });
      assert.equal(res.status, 200, res.text);
      const reply = JSON.parse(res.text);
      assert.equal(reply.stringValue, "parsed");
      assert.equal(reply.int64Value, "9007199254740993");
    } finally {
      await stop(server);
    }
  });

  test("a client that disconnects cancels the backend call", async () => {
    const gateway = createGateway();
    registerEverythingGateway(gateway, dialBackend(backend.address));
    const { url, server } = await serve(gateway);
    let release: () => void = () => {};
    backend.calls.length = 0;
    backend.handle(() => new Promise((resolve) => (release = () => resolve({}))));
    try {
      const controller = new AbortController();
      const pending = fetch(`${url}/v1/echo/slow`, { signal: controller.signal }).catch((err: unknown) => err);
      while (backend.calls.length === 0) await new Promise((r) => setTimeout(r, 10));
      controller.abort();
      assert.equal(await backend.calls[0]!.cancelled, true, "the backend saw the call cancelled");
      await pending;
    } finally {
      release();
      await stop(server);
      backend.handle((call) => ({ reply: call.method.input === call.method.output ? call.request : undefined }));
    }
  });
});

describe("an unreachable backend", () => {
  test("is 503 UNAVAILABLE, and the gateway keeps serving", async () => {
    const gateway = createGateway();
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    registerEverythingGateway(gateway, dialBackend("127.0.0.1:1"));
    const { url, server } = await serve(gateway);
    try {
      for (let i = 0; i < 2; i++) {
        const res = await send(url, { method: "GET", path: "/v1/echo/x" });
        assert.equal(res.status, 503);
        assert.equal(JSON.parse(res.text).code, grpc.status.UNAVAILABLE);
      }
    } finally {
      await stop(server);
    }
  });
});

describe("in-process backend", () => {
  let gateway: Gateway;
  let url: string;
  let server: Server;
  before(async () => {
    gateway = createGateway();
    registerEverythingGateway(
      gateway,
      inProcess(Everything, {
        echo: (req, ctx) => {
          if (req.stringValue === "fail") throw new GatewayError(grpc.status.PERMISSION_DENIED, "not yours");
          if (req.stringValue === "crash") throw new Error("boom");
          if (req.stringValue === "fail-with-metadata") {
            ctx.responseHeaders.set("x-served-by", "in-process");
            ctx.responseTrailers.set("x-cost", "3");
            throw new GatewayError(grpc.status.NOT_FOUND, "gone");
          }
          ctx.responseHeaders.set("x-served-by", "in-process");
          return { ...req, int32Value: ctx.metadata.get("tenant").length };
        },
        echoNested: async (_req, ctx) => {
          await new Promise((resolve, reject) => {
            const t = setTimeout(resolve, 5_000);
            ctx.signal.addEventListener("abort", () => {
              clearTimeout(t);
              reject(ctx.signal.reason);
            });
          });
          return {};
        },
      }),
    );
    ({ url, server } = await serve(gateway));
  });
  after(() => stop(server));

  test("serves a call with metadata both ways", async () => {
    const res = await send(url, { method: "GET", path: "/v1/echo/local", headers: { "Grpc-Metadata-Tenant": "acme" } });
    assert.equal(res.status, 200);
    assert.equal(res.headers["grpc-metadata-x-served-by"], "in-process");
    const body = JSON.parse(res.text);
    assert.equal(body.stringValue, "local");
    assert.equal(body.int32Value, 1);
  });

  test("a thrown GatewayError keeps its code", async () => {
    const res = await send(url, { method: "GET", path: "/v1/echo/fail" });
    assert.equal(res.status, 403);
    assert.deepEqual(JSON.parse(res.text), { code: 7, message: "not yours", details: [] });
  });

  test("a failure keeps the header metadata as Grpc-Metadata-*, the trailers as Grpc-Trailer-* on TE: trailers", async () => {
    const plain = await send(url, { method: "GET", path: "/v1/echo/fail-with-metadata" });
    assert.equal(plain.status, 404);
    assert.equal(plain.headers["grpc-metadata-x-served-by"], "in-process");
    assert.equal(plain.headers["grpc-metadata-x-cost"], undefined);
    assert.equal(plain.trailers["grpc-trailer-x-cost"], undefined);
    const te = await send(url, { method: "GET", path: "/v1/echo/fail-with-metadata", headers: { TE: "trailers" } });
    assert.equal(te.status, 404);
    assert.equal(te.headers["grpc-metadata-x-served-by"], "in-process");
    assert.equal(te.trailers["grpc-trailer-x-cost"], "3");
    assert.deepEqual(JSON.parse(te.text), { code: 5, message: "gone", details: [] });
  });

  test("anything else thrown is UNKNOWN, 500, without a stack trace", async () => {
    const res = await send(url, { method: "GET", path: "/v1/echo/crash" });
    assert.equal(res.status, 500);
    assert.deepEqual(JSON.parse(res.text), { code: 2, message: "boom", details: [] });
  });

  test("an unimplemented method is 501", async () => {
    const res = await send(url, { method: "GET", path: "/v1/ping" });
    assert.equal(res.status, 501);
    assert.equal(JSON.parse(res.text).code, grpc.status.UNIMPLEMENTED);
  });

  test("the deadline ends a slow implementation with 504", async () => {
    const res = await send(url, { method: "GET", path: "/v1/nested/u", headers: { "Grpc-Timeout": "50m" } });
    assert.equal(res.status, 504);
    assert.equal(JSON.parse(res.text).code, grpc.status.DEADLINE_EXCEEDED);
  });
});

/**
 * A throwaway self-signed certificate for `localhost` and 127.0.0.1, made by the openssl
 * CLI (present on CI images): a fixture checked into the repo would expire and teach
 * people to commit keys. The certificate is its own root, so clients trust it as `rootCerts`.
 */
function selfSignedCertificate(): { cert: Buffer; key: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), "gateway-tls-"));
  try {
    const [certFile, keyFile] = [join(dir, "cert.pem"), join(dir, "key.pem")];
    // A P-256 key: generated in milliseconds, where RSA keys can take a noticeable while.
    const args = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    args.push("-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=localhost");
    args.push("-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
    try {
      execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
    } catch (err) {
      // Fail, never skip: a TLS test that silently stops running proves nothing.
      throw new Error("the TLS tests need the openssl CLI to make a test certificate", { cause: err });
    }
    return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("a TLS backend", () => {
  let backend: RecordingBackend | undefined;
  let rootCert: Buffer;
  before(async () => {
    const { cert, key } = selfSignedCertificate();
    rootCert = cert;
    const credentials = grpc.ServerCredentials.createSsl(null, [{ cert_chain: cert, private_key: key }]);
    backend = await startRecordingBackend([Everything], credentials);
  });
  after(() => backend?.close());

  test("is reached with dial(address, { tls: { ca } }), or grpc-js credentials.createSsl(ca)", async () => {
    const tls =
      testTransport === "grpc-js"
        ? dial(backend!.address, { transport: "grpc-js", credentials: grpc.credentials.createSsl(rootCert) })
        : dial(backend!.address, { tls: { ca: rootCert } });
    const gateway = createGateway();
    registerEverythingGateway(gateway, tls);
    const { url, server } = await serve(gateway);
    try {
      backend!.calls.length = 0;
      const res = await send(url, { method: "GET", path: "/v1/echo/over-tls" });
      assert.equal(res.status, 200, res.text);
      assert.equal(JSON.parse(res.text).stringValue, "over-tls");
      assert.equal(backend!.calls.length, 1, "the call went through the TLS server");
    } finally {
      await stop(server);
      tls.close();
    }
  });

  test("dialed without TLS is 503 UNAVAILABLE, not a hang", async () => {
    const plaintext = dialBackend(backend!.address);
    const gateway = createGateway();
    registerEverythingGateway(gateway, plaintext);
    const { url, server } = await serve(gateway);
    try {
      // The deadline turns a hang into a 504, which fails the assertion instead of the suite's timeout.
      const res = await send(url, { method: "GET", path: "/v1/echo/x", headers: { "Grpc-Timeout": "5S" } });
      assert.equal(res.status, 503, res.text);
      assert.equal(JSON.parse(res.text).code, grpc.status.UNAVAILABLE);
    } finally {
      await stop(server);
      plaintext.close();
    }
  });
});
