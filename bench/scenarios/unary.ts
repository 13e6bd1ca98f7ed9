/**
 * The unary scenarios: GET with a path variable and two query parameters, POST with a
 * 1 KB and a 64 KB JSON body. Each sends the same request to the gateway (dialling the
 * gRPC backend with dial() mounted with app.use and through the front door, the front door
 * over grpc-js too; and in-process), to the hand-written Express proxy, to connect-express,
 * to the bare Express echo, to the Go grpc-gateway when it is built, and the same call
 * straight to the backend over gRPC; first at full load, then with one connection for the
 * latency the gateway adds.
 */
import { equals, fromJson, type DescMessage, type JsonValue, type Message } from "@bufbuild/protobuf";
import { ItemSchema, OrderSchema } from "../gen/bench/v1/bench_pb.js";
import type { HttpRequestSpec, LoadJob } from "../load/jobs.js";
import { createOrderPath, getItem, orderBody } from "../payloads.js";
import type { Child } from "../support/child.js";
import { gatewayTargets, startComparedServers, type ComparedServers } from "../support/compared-servers.js";
import { goId, startGoGateway, type GoGateway } from "../support/go-gateway.js";
import type { Harness } from "../support/harness.js";
import { measureTargets, type Target } from "../support/measure.js";
import type { ScenarioReport } from "../support/report.js";
import { floorId, floorJsonId, floorJsonLabel, floorLabel, reportUnary, type ReplySize } from "./unary-report.js";

/** One unary scenario: what each kind of client sends. */
export interface UnaryCase {
  readonly id: string;
  readonly title: string;
  /** The REST request (gateway, hand-written, echo). */
  readonly rest: HttpRequestSpec;
  /** The Connect protocol request (connect-express). */
  readonly connect: HttpRequestSpec;
  readonly grpcMethod: "getItem" | "createOrder";
  readonly grpcBody?: string;
  /** The reply message, to check every target answers with the same one. */
  readonly replySchema: DescMessage;
  /** Whether the requests-per-CPU-second target against the Go gateway covers it. */
  readonly goTarget: boolean;
}

const json = { "content-type": "application/json" };
// A Connect client sends the protocol version; connect-express does not require it.
const connectJson = { ...json, "connect-protocol-version": "1" };

/** The GET scenario. */
export function getCase(): UnaryCase {
  const body = JSON.stringify({ id: getItem.id, view: getItem.view, locale: getItem.locale });
  return {
    id: "get",
    title: "Unary GET: a path variable and two query parameters, small reply",
    rest: { method: "GET", path: getItem.path },
    connect: { method: "POST", path: "/bench.v1.BenchService/GetItem", headers: connectJson, body },
    grpcMethod: "getItem",
    replySchema: ItemSchema,
    goTarget: true,
  };
}

/** A POST scenario with a JSON body of `bytes` bytes. */
export function postCase(bytes: number): UnaryCase {
  const body = orderBody(bytes);
  const kb = bytes / 1024;
  return {
    id: `post-${kb}k`,
    title: `Unary POST, body "*": a ${kb} KB JSON order (nested, repeated, map, int64 fields)`,
    rest: { method: "POST", path: createOrderPath, headers: json, body },
    connect: { method: "POST", path: "/bench.v1.BenchService/CreateOrder", headers: connectJson, body },
    grpcMethod: "createOrder",
    grpcBody: body,
    replySchema: OrderSchema,
    goTarget: bytes === 1024,
  };
}

interface Servers extends ComparedServers {
  readonly echo: Child<{ port: number }>;
  readonly floor: Child<{ port: number }>;
  /** The POST scenarios' floor with V8's JSON (servers/bare.ts bare-json). */
  readonly floorJson: Child<{ port: number }> | undefined;
  readonly go: GoGateway;
}

async function startServers(harness: Harness, c: UnaryCase): Promise<Servers> {
  const [compared, echo] = await Promise.all([startComparedServers(harness), harness.start<{ port: number }>("echo", "servers/echo.ts", "front")]);
  const address = compared.backend.info.address;
  const floor = await harness.start<{ port: number }>(floorId, "servers/bare.ts", "front", ["bare-proxy", address]);
  const floorJson =
    c.grpcMethod === "createOrder" ? await harness.start<{ port: number }>(floorJsonId, "servers/bare.ts", "front", ["bare-json", address]) : undefined;
  const go = await startGoGateway(harness, address);
  return { ...compared, echo, floor, floorJson, go };
}

function httpTarget(id: string, label: string, server: Child<{ port: number }>, request: HttpRequestSpec, backend?: Child): Target {
  const origin = `http://127.0.0.1:${server.info.port}`;
  return { id, label, front: server, backend, job: (connections): LoadJob => ({ kind: "http", origin, requests: [request], connections }) };
}

function targetsOf(c: UnaryCase, s: Servers): Target[] {
  const address = s.backend.info.address;
  return [
    {
      id: "grpc",
      label: "direct gRPC",
      backend: s.backend,
      job: (connections) => ({
        kind: "grpc",
        address,
        method: c.grpcMethod,
        ...(c.grpcBody ? { body: c.grpcBody } : {}),
        concurrency: connections,
        durationSec: 1,
      }),
    },
    ...gatewayTargets.map((g) => httpTarget(g.id, g.label, s.gateways.get(g.id)!, c.rest, s.backend)),
    httpTarget("hand-written", "hand-written Express proxy", s.handWritten, c.rest, s.backend),
    httpTarget("in-process", "gateway (in-process)", s.inProcess, c.rest),
    httpTarget("connect", "connect-express", s.connect, c.connect),
    httpTarget("echo", "bare Express echo", s.echo, c.rest),
    httpTarget(floorId, floorLabel, s.floor, c.rest, s.backend),
    ...(s.floorJson === undefined ? [] : [httpTarget(floorJsonId, floorJsonLabel, s.floorJson, c.rest, s.backend)]),
    ...(s.go.child === undefined ? [] : [httpTarget(goId, s.go.label, s.go.child, c.rest, s.backend)]),
  ];
}

// One request to each HTTP target before loading it: status 200, and a body that decodes
// to the same message as the first target's (the gateway's), whatever its JSON spelling.
async function checkReplies(c: UnaryCase, targets: readonly Target[]): Promise<Map<string, ReplySize>> {
  const sizes = new Map<string, ReplySize>();
  let first: { label: string; message: Message } | undefined;
  for (const target of targets) {
    const job = target.job(1);
    if (job.kind !== "http") continue;
    const spec = job.requests[0]!;
    const res = await fetch(job.origin + spec.path, { method: spec.method, headers: spec.headers ?? {}, ...(spec.body ? { body: spec.body } : {}) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${target.label} answered ${res.status}: ${text.slice(0, 200)}`);
    // The floor answers one fixed reply to every request: nothing of it is checked but the status.
    if (target.id === floorId) continue;
    const message = fromJson(c.replySchema, JSON.parse(text) as JsonValue);
    first ??= { label: target.label, message };
    if (!equals(c.replySchema, first.message, message))
      throw new Error(`${target.label} answered another ${c.replySchema.name} than ${first.label}: ${text.slice(0, 300)}`);
    let headers = 0;
    for (const [name, value] of res.headers) headers += name.length + value.length + 4;
    sizes.set(target.id, { body: Buffer.byteLength(text), headers });
  }
  return sizes;
}

/** Runs one unary scenario and reports it. */
export async function runUnary(harness: Harness, c: UnaryCase): Promise<ScenarioReport> {
  const servers = await startServers(harness, c);
  try {
    const targets = targetsOf(c, servers);
    const replySizes = await checkReplies(c, targets);
    harness.log(`${c.id}: ${harness.settings.connections} connections`);
    const high = await measureTargets(harness, targets, harness.settings.connections);
    harness.log(`${c.id}: ${harness.settings.lowLoadConnections} connection`);
    const low = await measureTargets(harness, targets, harness.settings.lowLoadConnections);
    const peakRss = new Map<string, number>();
    for (const t of targets) if (t.front !== undefined) peakRss.set(t.id, (await t.front.stats()).maxRss);
    peakRss.set("grpc", (await servers.backend.stats()).maxRss);
    return reportUnary(harness.settings, c, { high, low, peakRss, replySizes, goNote: servers.go.note });
  } finally {
    await harness.stop();
  }
}
