import assert from "node:assert/strict";
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { cancelWhenClientGoes } from "../../runtime/backend/client-gone.js";
import { ClientDisconnect } from "../../runtime/protocol-http/client-disconnect.js";

// Real sockets: each test's handler gets the server side of one request.
let server: Server;
let handle: (req: IncomingMessage, res: ServerResponse) => void = () => {};
before(async () => {
  server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});
after(() => {
  server.closeAllConnections();
  server.close();
});

/** Sends a request; the client side is destroyed as soon as `leave` is called. */
function openRequest(): { leave: () => void; answered: Promise<number> } {
  const { port } = server.address() as AddressInfo;
  const req = request({ host: "127.0.0.1", port, path: "/" });
  req.on("error", () => {});
  const answered = new Promise<number>((resolve) =>
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }),
  );
  req.end();
  return { leave: () => req.destroy(), answered };
}

function nextRequest(): Promise<ServerResponse> {
  return new Promise((resolve) => (handle = (_req, res) => resolve(res)));
}

const closed = (res: ServerResponse) => new Promise((resolve) => (res.closed ? resolve(undefined) : res.once("close", resolve)));

test("a client that leaves calls the listener once and aborts a signal asked for before", async () => {
  const arrived = nextRequest();
  const client = openRequest();
  const res = await arrived;
  const watch = new ClientDisconnect(res);
  const signal = watch.signal;
  let calls = 0;
  watch.onGone(() => calls++);
  assert.equal(watch.gone, false);
  client.leave();
  await closed(res);
  assert.equal(watch.gone, true);
  assert.equal(calls, 1);
  assert.equal(signal.aborted, true);
  watch.dispose();
});

test("after the client left, a new listener runs at once and a new signal is already aborted", async () => {
  const arrived = nextRequest();
  const client = openRequest();
  const res = await arrived;
  const watch = new ClientDisconnect(res);
  client.leave();
  await closed(res);
  let calls = 0;
  watch.onGone(() => calls++);
  assert.equal(calls, 1);
  assert.equal(watch.signal.aborted, true);
});

test("a completed reply is no disconnect, and a stopped listener is not called", async () => {
  const arrived = nextRequest();
  const client = openRequest();
  const res = await arrived;
  const watch = new ClientDisconnect(res);
  let calls = 0;
  const stop = watch.onGone(() => calls++);
  res.end("ok");
  assert.equal(await client.answered, 200);
  stop();
  client.leave();
  await closed(res);
  assert.equal(watch.gone, false);
  assert.equal(calls, 0);
  assert.equal(watch.signal.aborted, false);
});

test("cancelWhenClientGoes falls back to the signal of options built elsewhere", () => {
  const abort = new AbortController();
  let calls = 0;
  const stop = cancelWhenClientGoes({ metadata: undefined as never, deadline: undefined, signal: abort.signal }, () => calls++);
  abort.abort();
  assert.equal(calls, 1);
  stop();
  const gone = new AbortController();
  gone.abort();
  cancelWhenClientGoes({ metadata: undefined as never, deadline: undefined, signal: gone.signal }, () => calls++);
  assert.equal(calls, 2);
});
