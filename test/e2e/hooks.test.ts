// Hooks and limits that misbehave: the gateway still answers, correctly, and lives on.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { test } from "node:test";
import { status as Code } from "@grpc/grpc-js";
import { createGateway, inProcess, type GatewayOptions } from "grpc-gateway-express/runtime";
import { Everything } from "../gen/testing/v1/everything_pb.js";
import { EverythingRoutes } from "../gen/testing/v1/everything_gateway.js";
import { startHarness } from "../support/gateway-harness.js";
import { send } from "../support/http-client.js";

const everything = [{ service: Everything, routes: EverythingRoutes }];

async function withHarness(
  options: GatewayOptions,
  run: (url: string, backend: Awaited<ReturnType<typeof startHarness>>["backend"]) => Promise<void>,
): Promise<void> {
  const harness = await startHarness(everything, options);
  try {
    await run(harness.baseUrl, harness.backend);
  } finally {
    await harness.close();
  }
}

const notFound = () => {
  throw { code: Code.NOT_FOUND, details: "missing" };
};

test("an error handler that returns without answering gets the default body written", async () => {
  await withHarness({ errorHandler: () => {} }, async (url, backend) => {
    backend.handle(notFound);
    const res = await send(url, { method: "GET", path: "/v1/echo/x" });
    assert.equal(res.status, 404);
    assert.deepEqual(JSON.parse(res.text), { code: Code.NOT_FOUND, message: "missing", details: [] });
  });
});

test("a throwing outgoing header matcher on an error is a 500 INTERNAL, and the process lives", async () => {
  const options: GatewayOptions = {
    outgoingHeaderMatcher: (key) => {
      if (key === "x-boom") throw new Error("matcher secret");
      return `Grpc-Metadata-${key}`;
    },
  };
  await withHarness(options, async (url, backend) => {
    backend.handle(() => {
      // Header metadata sent before the failure: the outgoing header matcher sees it.
      throw { code: Code.NOT_FOUND, details: "missing", headers: { "x-boom": "1" } };
    });
    const res = await send(url, { method: "GET", path: "/v1/echo/x" });
    assert.equal(res.status, 500);
    assert.deepEqual(JSON.parse(res.text), { code: Code.INTERNAL, message: "writing the error response failed", details: [] });
    backend.handle(() => ({}));
    assert.equal((await send(url, { method: "GET", path: "/v1/echo/y" })).status, 200);
  });
});

test("a throwing response hook is a 500 INTERNAL without its message or the reply's headers", async () => {
  const options: GatewayOptions = {
    responseHook: () => {
      throw new Error("hook secret");
    },
  };
  await withHarness(options, async (url, backend) => {
    backend.handle(() => ({ headers: { "x-a": "1" } }));
    const res = await send(url, { method: "GET", path: "/v1/echo/x" });
    assert.equal(res.status, 500);
    assert.deepEqual(JSON.parse(res.text), { code: Code.INTERNAL, message: "response hook failed", details: [] });
    assert.equal(res.headers["grpc-metadata-x-a"], undefined);
  });
});

test("a response hook that answers 204 sends no body, Content-Type or Content-Length", async () => {
  await withHarness({ responseHook: ({ res }) => void (res.statusCode = 204) }, async (url) => {
    const res = await send(url, { method: "DELETE", path: "/v1/echo/u1" });
    assert.equal(res.status, 204);
    assert.equal(res.text, "");
    assert.equal(res.headers["content-type"], undefined);
    assert.equal(res.headers["content-length"], undefined);
  });
});

test("a response hook that ends the response itself keeps the connection usable", async () => {
  await withHarness({ responseHook: ({ res }) => void res.writeHead(202).end("accepted") }, async (url) => {
    const first = await send(url, { method: "GET", path: "/v1/echo/a" });
    assert.equal(first.status, 202);
    assert.equal(first.text, "accepted");
    assert.equal((await send(url, { method: "GET", path: "/v1/echo/b" })).status, 202);
  });
});

test("a body that never finishes is cut off by the deadline with 504", async () => {
  await withHarness({}, async (url, backend) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    socket.write('POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\nGrpc-Timeout: 200m\r\n\r\n{"uuid":');
    let reply = "";
    socket.on("data", (chunk: Buffer) => (reply += chunk.toString()));
    await new Promise((resolve) => socket.once("close", resolve));
    assert.match(reply, /^HTTP\/1\.1 504 /);
    assert.match(reply, /deadline exceeded while reading the request body/);
    assert.equal(backend.calls.length, 0);
  });
});

test("createGateway refuses a limit that is not a positive finite number", () => {
  assert.throws(() => createGateway({ defaultTimeoutMs: Infinity }), /defaultTimeoutMs must be a positive finite number/);
  assert.throws(() => createGateway({ maxRequestBytes: -1 }), /maxRequestBytes must be a positive finite number/);
});

test("createGateway refuses an unescaping mode it does not know", () => {
  assert.throws(
    () => createGateway({ unescaping: "all" as never }),
    /option unescaping must be one of "spec", "legacy", "all-except-reserved", "all-except-slash", "all-characters", not "all"/,
  );
});

test("an in-process call with a very long Grpc-Timeout is served, not timed out", async () => {
  const { createServer } = await import("node:http");
  const gateway = createGateway();
  gateway.register(Everything, EverythingRoutes, inProcess(Everything, { echo: (req) => req }));
  const server = createServer(gateway);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    for (const timeout of ["597H", "99999999H"]) {
      const res = await send(url, { method: "GET", path: "/v1/echo/long", headers: { "Grpc-Timeout": timeout } });
      assert.equal(res.status, 200, `${timeout}: ${res.text}`);
    }
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test("a response rewriter rewrites unary replies and error bodies, keeping the error's HTTP status", async () => {
  const options: GatewayOptions = {
    responseRewriter: (message, { kind }) => {
      if (kind === "error") return { problem: (message as unknown as { message: string }).message };
      return { wrapped: (message as unknown as { stringValue: string }).stringValue };
    },
  };
  await withHarness(options, async (url, backend) => {
    const ok = await send(url, { method: "GET", path: "/v1/echo/hello" });
    assert.equal(ok.status, 200);
    assert.deepEqual(JSON.parse(ok.text), { wrapped: "hello" });
    backend.handle(notFound);
    const failed = await send(url, { method: "GET", path: "/v1/echo/x" });
    assert.equal(failed.status, 404);
    assert.deepEqual(JSON.parse(failed.text), { problem: "missing" });
  });
});

test("a response rewriter that throws on an error body answers 500 failed to rewrite error message", async () => {
  const options: GatewayOptions = {
    responseRewriter: (message, { kind }) => {
      if (kind === "error") throw new Error("secret detail");
      return message;
    },
  };
  await withHarness(options, async (url, backend) => {
    backend.handle(notFound);
    const failed = await send(url, { method: "GET", path: "/v1/echo/x" });
    assert.equal(failed.status, 500);
    assert.deepEqual(JSON.parse(failed.text), { code: Code.INTERNAL, message: "failed to rewrite error message", details: [] });
    assert.doesNotMatch(failed.text, /secret/);
  });
});
