/**
 * Hostile clients (issue 8): what a connection that never reads, or a WebSocket that never
 * speaks, costs the gateway. Not a speed figure: the gateway's memory and the backend
 * calls such clients start, sampled while they misbehave, and what they get in the end.
 *
 * - pipelining: connections that each send 20,000 pipelined GETs at once and read nothing
 *   for a while, then read everything. Reported: the gateway's peak RSS and the backend
 *   calls started while nobody read, then whether every request got its one response.
 * - idle WebSockets: 1,000 WebSockets on a bidi route that send nothing, each holding a
 *   backend stream. Reported: the gateway's RSS with them open, when and how the gateway
 *   closed them, and the backend streams left open.
 */
import { connect, type Socket } from "node:net";
import WebSocket from "ws";
import type { ProcessStats } from "../support/control.js";
import type { Child } from "../support/child.js";
import type { Harness } from "../support/harness.js";
import { mib, table, type ScenarioReport } from "../support/report.js";

interface BackendCalls {
  readonly getItem: number;
  readonly watchItems: number;
  readonly watchItemsOpen: number;
}

const pipelinedPerConnection = 20_000;
const idleSockets = 1000;
/** The limits the idle scenario runs the gateway with, short so the run stays short. */
const idleLimits = { webSocketIdleTimeoutMs: 10_000, webSocketPingIntervalMs: 3_000 };

/** Runs both parts, each against a fresh gateway. */
export async function runHostile(harness: Harness): Promise<ScenarioReport> {
  const holdSec = harness.settings.quick ? 3 : 10;
  const pipelining: string[][] = [];
  for (const connections of [1, 8]) pipelining.push(await pipeliningRun(harness, connections, holdSec));
  const idle = await idleRun(harness);
  const markdown = [
    `Pipelining: each connection sends ${pipelinedPerConnection.toLocaleString("en-US")} pipelined \`GET /v1/items/{id}\` in one write, reads nothing for ${holdSec} s, then reads everything.`,
    "",
    table(
      ["connections", "gateway RSS before MiB", "peak RSS while unread MiB", "backend calls while unread", "responses read", "of requests sent"],
      pipelining,
    ),
    "",
    `Idle WebSockets: ${idleSockets.toLocaleString("en-US")} sockets open the bidi \`/v1/items:watch\` and send nothing; the gateway runs with \`${JSON.stringify(idleLimits)}\`.`,
    "",
    table(
      [
        "gateway RSS before MiB",
        "with the sockets open MiB",
        "after they closed MiB",
        "backend streams open",
        "closed by the gateway",
        "within s",
        "close codes",
        "backend streams left open",
      ],
      [idle],
    ),
  ].join("\n");
  return { id: "hostile", title: "Hostile clients: pipelining and idle WebSockets", markdown, checks: [] };
}

async function startPair(harness: Harness, options: object = {}): Promise<{ backend: Child<{ address: string }>; gateway: Child<{ port: number }> }> {
  const backend = await harness.start<{ address: string }>("backend", "servers/backend.ts", "backend");
  const gateway = await harness.start<{ port: number }>("gateway", "servers/gateway.ts", "front", ["dial", backend.info.address], ["--expose-gc"], {
    BENCH_GATEWAY_OPTIONS: JSON.stringify(options),
  });
  return { backend, gateway };
}

async function pipeliningRun(harness: Harness, connections: number, holdSec: number): Promise<string[]> {
  const { backend, gateway } = await startPair(harness);
  try {
    const before = await gateway.call<ProcessStats>("gc");
    const request = "GET /v1/items/p1?view=ITEM_VIEW_BASIC HTTP/1.1\r\nHost: bench\r\n\r\n";
    const payload = request.repeat(pipelinedPerConnection);
    const sockets = await Promise.all(Array.from({ length: connections }, () => openPaused(gateway.info.port, payload)));
    let peakRss = before.rss;
    let callsWhileUnread = 0;
    for (let s = 0; s < holdSec; s++) {
      await sleep(1000);
      peakRss = Math.max(peakRss, (await gateway.stats()).rss);
      callsWhileUnread = (await backend.call<BackendCalls>("calls")).getItem;
    }
    harness.log(`hostile: ${connections} pipelining connection(s), ${callsWhileUnread} backend calls while unread, peak RSS ${mib(peakRss)} MiB`);
    const responses = await Promise.all(sockets.map((s) => readResponses(s, pipelinedPerConnection, 120_000)));
    const read = responses.reduce((a, b) => a + b, 0);
    return [
      String(connections),
      mib(before.rss),
      mib(peakRss),
      callsWhileUnread.toLocaleString("en-US"),
      read.toLocaleString("en-US"),
      (connections * pipelinedPerConnection).toLocaleString("en-US"),
    ];
  } finally {
    await harness.stop();
  }
}

/** Connects, sends `payload` and stops reading at once. */
function openPaused(port: number, payload: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.pause();
      socket.write(payload);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

/** Resumes reading and counts status lines until `expected` arrived, the socket closed, or `ms` passed. */
function readResponses(socket: Socket, expected: number, ms: number): Promise<number> {
  return new Promise((resolve) => {
    let count = 0;
    let carry = "";
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(count);
    };
    const timer = setTimeout(done, ms);
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      const text = carry + chunk;
      count += text.split("HTTP/1.1 200 ").length - 1;
      carry = text.slice(-16); // a status line split across chunks is counted once, in the next
      if (carry.includes("HTTP/1.1 200 ")) carry = carry.slice(carry.lastIndexOf("HTTP/1.1 200 ") + 1);
      if (count >= expected) done();
    });
    socket.on("close", done);
    socket.on("error", () => undefined);
    socket.resume();
  });
}

async function idleRun(harness: Harness): Promise<string[]> {
  const { backend, gateway } = await startPair(harness, idleLimits);
  try {
    const before = await gateway.call<ProcessStats>("gc");
    const started = performance.now();
    const closes: { code: number; at: number }[] = [];
    const sockets = await Promise.all(
      Array.from(
        { length: idleSockets },
        () =>
          new Promise<WebSocket>((resolve, reject) => {
            const ws = new WebSocket(`ws://127.0.0.1:${gateway.info.port}/v1/items:watch`);
            ws.once("open", () => resolve(ws));
            ws.once("error", reject);
            ws.once("close", (code) => closes.push({ code, at: (performance.now() - started) / 1000 }));
          }),
      ),
    );
    await sleep(1000); // the last handshakes' backend streams reach the backend
    const open = await gateway.stats();
    const streamsOpen = (await backend.call<BackendCalls>("calls")).watchItemsOpen;
    const limitSec = idleLimits.webSocketIdleTimeoutMs / 1000;
    for (let waited = 0; waited < limitSec * 3 && closes.length < sockets.length; waited++) await sleep(1000);
    const after = await gateway.call<ProcessStats>("gc");
    await sleep(1000); // cancels the gateway sent reach the backend
    const streamsLeft = (await backend.call<BackendCalls>("calls")).watchItemsOpen;
    for (const ws of sockets) ws.terminate();
    const codes = [...new Set(closes.map((c) => c.code))].join(", ") || "–";
    const last = closes.length === 0 ? "–" : Math.max(...closes.map((c) => c.at)).toFixed(1);
    return [mib(before.rss), mib(open.rss), mib(after.rss), String(streamsOpen), `${closes.length} of ${sockets.length}`, last, codes, String(streamsLeft)];
  } finally {
    await harness.stop();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
