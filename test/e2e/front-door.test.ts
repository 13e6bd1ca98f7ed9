// The front door: `http.createServer(gateway.fallback(app))` serves the gateway's routes
// without Express ever seeing the request, and hands everything else to the app as it came.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import express from "express";
import { createGateway, inProcess } from "grpc-gateway-express/runtime";
import { Greeter } from "../../examples/gen/greeter/v1/greeter_pb.js";
import { registerGreeterGateway } from "../../examples/gen/greeter/v1/greeter_gateway.js";

let server: Server;
let base: string;
let expressSaw: string[] = [];

before(async () => {
  const gateway = createGateway();
  registerGreeterGateway(gateway, inProcess(Greeter, { sayHello: ({ name }) => ({ message: `Hello ${name}` }) }));
  const app = express();
  app.use((req, _res, next) => {
    expressSaw.push(`${req.method} ${req.url}`);
    next();
  });
  app.get("/ping", (_req, res) => void res.type("text/plain").send("pong"));
  app.post("/echo", express.json(), (req, res) => void res.json(req.body));
  server = createServer(gateway.fallback(app));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test("the gateway's routes are served without Express running", async () => {
  expressSaw = [];
  const get = await fetch(`${base}/v1/greeter/door`);
  assert.equal(get.status, 200);
  assert.deepEqual(await get.json(), { message: "Hello door" });
  const post = await fetch(`${base}/v1/greeter`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"name":"post"}' });
  assert.deepEqual(await post.json(), { message: "Hello post" });
  assert.deepEqual(expressSaw, [], "Express ran for a request the gateway serves");
});

test("a path with a route but not that method is the gateway's 405, as when mounted with app.use", async () => {
  expressSaw = [];
  const res = await fetch(`${base}/v1/greeter/x`, { method: "DELETE" });
  assert.equal(res.status, 405);
  assert.equal(res.headers.get("allow"), "GET");
  assert.deepEqual(expressSaw, []);
});

test("everything else reaches the Express app untouched: its routes, its body parsing, its 404", async () => {
  expressSaw = [];
  const ping = await fetch(`${base}/ping?x=1`);
  assert.equal(await ping.text(), "pong");
  const echo = await fetch(`${base}/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"a":[1,2]}' });
  assert.deepEqual(await echo.json(), { a: [1, 2] }, "the body reached Express unread");
  const missing = await fetch(`${base}/nothing/here`);
  assert.equal(missing.status, 404);
  assert.match(await missing.text(), /Cannot GET \/nothing\/here/, "Express's own 404");
  assert.deepEqual(expressSaw, ["GET /ping?x=1", "POST /echo", "GET /nothing/here"]);
});

test("replies carry the same fields through the front door as through app.use: Content-Type, a true Content-Length, metadata, trailers", async () => {
  const gateway = createGateway();
  registerGreeterGateway(
    gateway,
    inProcess(Greeter, {
      sayHello: ({ name }, context) => {
        if (name.startsWith("md")) {
          context.responseHeaders.set("x-request-id", "r-1");
          context.responseTrailers.set("x-cost", "3");
        }
        return { message: `Hello ${name}` };
      },
    }),
  );
  // Express sets X-Powered-By before the gateway runs, so app.use writes its reply the
  // general way and the front door its own shorter way: the two must agree.
  const mounted = express();
  mounted.use(gateway);
  const servers = [createServer(gateway.fallback(express())), createServer(mounted)];
  try {
    const bases: string[] = [];
    for (const s of servers) {
      await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
      bases.push(`http://127.0.0.1:${(s.address() as AddressInfo).port}`);
    }
    const cases: [string, Record<string, string>][] = [
      ["/v1/greeter/w%C3%B6rld", {}],
      ["/v1/greeter/md", {}],
      ["/v1/greeter/md", { te: "trailers" }],
    ];
    for (const [path, headers] of cases) {
      const seen: string[] = [];
      for (const b of bases) {
        const res = await fetch(b + path, { headers });
        const body = Buffer.from(await res.arrayBuffer());
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), "application/json");
        if (res.headers.get("transfer-encoding") === null) assert.equal(Number(res.headers.get("content-length")), body.length, `${path}: Content-Length`);
        const fields = [...res.headers].filter(([name]) => !["date", "connection", "keep-alive", "x-powered-by"].includes(name));
        seen.push(JSON.stringify([fields, body.toString()]));
      }
      assert.equal(seen[0], seen[1], `${path} ${JSON.stringify(headers)}: the front door and app.use differ`);
      if (!path.endsWith("md"))
        assert.deepEqual(JSON.parse(seen[0]!)[0], [
          ["content-length", "26"],
          ["content-type", "application/json"],
        ]);
      if (path.endsWith("md")) assert.match(seen[0]!, /"grpc-metadata-x-request-id","r-1"/);
      if (headers.te !== undefined) assert.match(seen[0]!, /"trailer","Grpc-Trailer-X-Cost"/i);
    }
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
});

test("mounted with app.use, a reply's headers stay readable by middleware that watches the response, even with nothing set before", async () => {
  const gateway = createGateway();
  registerGreeterGateway(gateway, inProcess(Greeter, { sayHello: ({ name }) => ({ message: `Hello ${name}` }) }));
  const app = express();
  app.disable("x-powered-by");
  const logged: unknown[] = [];
  // What a request logger does: read the reply's headers once it is sent.
  app.use((_req, res, next) => {
    res.on("finish", () => logged.push([res.getHeader("content-type"), res.getHeader("content-length")]));
    next();
  });
  app.use(gateway);
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/greeter/log`);
    assert.deepEqual(await res.json(), { message: "Hello log" });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(logged, [["application/json", 23]]);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
