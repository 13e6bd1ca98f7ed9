/**
 * The server-streaming scenario (issue 4: "1,000 messages per call, messages/s delivered
 * to the HTTP client"): ListItems (`GET /v1/shelves/{shelf}/items?count=1000`) through the
 * gateway (dialling the gRPC backend with dial() mounted with app.use and through the front
 * door, the front door over grpc-js too; and in-process) in its default framing, one
 * `{"result": ...}` line per message; through a hand-written Express proxy writing NDJSON;
 * through connect-express over the Connect streaming protocol; through the Go grpc-gateway
 * when it is built (the same `{"result": ...}` lines); and straight to the backend over
 * gRPC, the floor. First with BENCH_STREAMS concurrent calls (default 10: 50 calls of
 * 1,000 messages would mostly measure queueing), then with one, for the time a call takes.
 * Every call must deliver exactly 1,000 messages, or it counts as failed.
 */
import { equals, fromJson, type JsonValue } from "@bufbuild/protobuf";
import { ItemSchema, type Item } from "../gen/bench/v1/bench_pb.js";
import type { HttpRequestSpec } from "../load/jobs.js";
import { connectEnvelope, splitEnvelopes } from "../load/stream-counters.js";
import { listItems } from "../payloads.js";
import type { Child } from "../support/child.js";
import { gatewayTargets, startComparedServers, type ComparedServers } from "../support/compared-servers.js";
import { goId, startGoGateway, type GoGateway } from "../support/go-gateway.js";
import type { Harness } from "../support/harness.js";
import { measureTargets, type Target } from "../support/measure.js";
import type { ScenarioReport } from "../support/report.js";
import { reportStreaming } from "./streaming-report.js";

/** The REST call (gateway, hand-written). */
export const restStream: HttpRequestSpec = { method: "GET", path: listItems.path };
/** The Connect server-streaming call: one request message, which the load client sends enveloped. */
export const connectStream: HttpRequestSpec = {
  method: "POST",
  path: "/bench.v1.BenchService/ListItems",
  headers: { "content-type": "application/connect+json", "connect-protocol-version": "1" },
  body: JSON.stringify({ shelf: listItems.shelf, count: listItems.count }),
};

function httpTarget(
  id: string,
  label: string,
  server: Child<{ port: number }>,
  request: HttpRequestSpec,
  framing: "lines" | "connect",
  backend?: Child,
): Target {
  const origin = `http://127.0.0.1:${server.info.port}`;
  return {
    id,
    label,
    front: server,
    backend,
    job: (connections) => ({ kind: "http-stream", origin, request, framing, messagesPerCall: listItems.count, connections, durationSec: 1 }),
  };
}

function targetsOf(s: ComparedServers, go: GoGateway): Target[] {
  const address = s.backend.info.address;
  return [
    {
      id: "grpc",
      label: "direct gRPC",
      backend: s.backend,
      job: (concurrency) => ({ kind: "grpc-stream", address, shelf: listItems.shelf, messagesPerCall: listItems.count, concurrency, durationSec: 1 }),
    },
    ...gatewayTargets.map((g) => httpTarget(g.id, g.label, s.gateways.get(g.id)!, restStream, "lines", s.backend)),
    httpTarget("hand-written", "hand-written Express proxy", s.handWritten, restStream, "lines", s.backend),
    httpTarget("in-process", "gateway (in-process)", s.inProcess, restStream, "lines"),
    httpTarget("connect", "connect-express", s.connect, connectStream, "connect"),
    ...(go.child === undefined ? [] : [httpTarget(goId, go.label, go.child, restStream, "lines", s.backend)]),
  ];
}

// The messages of a whole reply, parsed; a gateway line wraps its message in `result`.
function messagesOf(body: Buffer, framing: "lines" | "connect"): unknown[] {
  if (framing === "connect") {
    const envelopes = splitEnvelopes(body);
    const end = envelopes.pop();
    const status = end?.endStream === true ? (JSON.parse(end.data.toString() || "{}") as { error?: unknown }) : undefined;
    if (status === undefined || status.error !== undefined) throw new Error(`no clean end-of-stream envelope: ${end?.data.toString().slice(0, 200)}`);
    return envelopes.map((e) => JSON.parse(e.data.toString()) as unknown);
  }
  const lines = body.toString().split("\n");
  if (lines.pop() !== "") throw new Error("the body does not end with a newline");
  return lines.map((line) => {
    const value = JSON.parse(line) as { result?: unknown; error?: unknown };
    if (value.error !== undefined) throw new Error(`error line: ${line.slice(0, 200)}`);
    return value.result ?? value;
  });
}

// One call to each HTTP target before loading it: every message there, in order, and the
// same messages as the first target's (the gateway's), whatever their JSON spelling.
// Returns body bytes per call.
async function checkStreams(targets: readonly Target[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  let first: { label: string; items: Item[] } | undefined;
  for (const target of targets) {
    const job = target.job(1);
    if (job.kind !== "http-stream") continue;
    const { method, path, headers, body } = job.request;
    const payload = body === undefined ? undefined : job.framing === "connect" ? new Uint8Array(connectEnvelope(body)) : body;
    const res = await fetch(job.origin + path, { method, headers: headers ?? {}, ...(payload === undefined ? {} : { body: payload }) });
    const reply = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200) throw new Error(`${target.label} answered ${res.status}: ${reply.toString().slice(0, 200)}`);
    const messages = messagesOf(reply, job.framing);
    const wrong = messages.findIndex((m, i) => (m as { id?: unknown }).id !== `${listItems.shelf}-${i}`);
    if (messages.length !== listItems.count || wrong !== -1) {
      throw new Error(
        `${target.label} delivered ${messages.length} of ${listItems.count} messages${wrong === -1 ? "" : `; message ${wrong} is not item ${wrong}`}`,
      );
    }
    const items = messages.map((m) => fromJson(ItemSchema, m as JsonValue));
    first ??= { label: target.label, items };
    const differs = items.findIndex((item, i) => !equals(ItemSchema, item, first!.items[i]!));
    if (differs !== -1) throw new Error(`${target.label}: message ${differs} is not the item ${first.label} delivered: ${JSON.stringify(messages[differs])}`);
    sizes.set(target.id, reply.length);
  }
  return sizes;
}

/** Runs the streaming scenario and reports it. */
export async function runStreaming(harness: Harness): Promise<ScenarioReport> {
  const servers = await startComparedServers(harness);
  try {
    const go = await startGoGateway(harness, servers.backend.info.address);
    const targets = targetsOf(servers, go);
    const bodySizes = await checkStreams(targets);
    const { streams, lowLoadConnections } = harness.settings;
    harness.log(`stream: ${streams} concurrent calls of ${listItems.count} messages`);
    const high = await measureTargets(harness, targets, streams);
    harness.log(`stream: ${lowLoadConnections} call at a time`);
    const low = await measureTargets(harness, targets, lowLoadConnections);
    const peakRss = new Map<string, number>();
    for (const t of targets) if (t.front !== undefined) peakRss.set(t.id, (await t.front.stats()).maxRss);
    peakRss.set("grpc", (await servers.backend.stats()).maxRss);
    return reportStreaming(harness.settings, listItems.count, { high, low, peakRss, bodySizes, goNote: go.note });
  } finally {
    await harness.stop();
  }
}
