/**
 * The unary scenarios: GET with a path variable and two query parameters, POST with a
 * 1 KB and a 64 KB JSON body. Each sends the same request to the gateway (dialling the
 * gRPC backend, and in-process), to the hand-written Express proxy, to connect-express,
 * to the bare Express echo, and the same call straight to the backend over gRPC; first
 * at full load, then with one connection for the latency the gateway adds.
 */
import type { HttpRequestSpec, LoadJob } from "../load/jobs.js";
import { createOrderPath, getItem, orderBody } from "../payloads.js";
import type { Child } from "../support/child.js";
import { startComparedServers, type ComparedServers } from "../support/compared-servers.js";
import type { Harness } from "../support/harness.js";
import { measureTargets, type Target, type TargetFigures } from "../support/measure.js";
import { fixed, mib, perSecond, ratio, table, type ScenarioReport, type TargetCheck } from "../support/report.js";

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
  };
}

interface Servers extends ComparedServers {
  readonly echo: Child<{ port: number }>;
}

async function startServers(harness: Harness): Promise<Servers> {
  const [compared, echo] = await Promise.all([startComparedServers(harness), harness.start<{ port: number }>("echo", "servers/echo.ts", "front")]);
  return { ...compared, echo };
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
    httpTarget("gateway", "gateway (dial)", s.gateway, c.rest, s.backend),
    httpTarget("hand-written", "hand-written Express proxy", s.handWritten, c.rest, s.backend),
    httpTarget("in-process", "gateway (in-process)", s.inProcess, c.rest),
    httpTarget("connect", "connect-express", s.connect, c.connect),
    httpTarget("echo", "bare Express echo", s.echo, c.rest),
  ];
}

// One request to each HTTP target before loading it: same status, and a body each can parse.
async function checkReplies(targets: readonly Target[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const target of targets) {
    const job = target.job(1);
    if (job.kind !== "http") continue;
    const spec = job.requests[0]!;
    const res = await fetch(job.origin + spec.path, { method: spec.method, headers: spec.headers ?? {}, ...(spec.body ? { body: spec.body } : {}) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${target.label} answered ${res.status}: ${text.slice(0, 200)}`);
    JSON.parse(text);
    sizes.set(target.id, Buffer.byteLength(text));
  }
  return sizes;
}

/** Figures of one unary scenario. */
export interface UnaryFigures {
  readonly high: TargetFigures[];
  readonly low: TargetFigures[];
  readonly peakRss: Map<string, number>;
  readonly bodySizes: Map<string, number>;
}

/** Runs one unary scenario and reports it. */
export async function runUnary(harness: Harness, c: UnaryCase): Promise<ScenarioReport> {
  const servers = await startServers(harness);
  try {
    const targets = targetsOf(c, servers);
    const bodySizes = await checkReplies(targets);
    harness.log(`${c.id}: ${harness.settings.connections} connections`);
    const high = await measureTargets(harness, targets, harness.settings.connections);
    harness.log(`${c.id}: ${harness.settings.lowLoadConnections} connection`);
    const low = await measureTargets(harness, targets, harness.settings.lowLoadConnections);
    const peakRss = new Map<string, number>();
    for (const t of targets) if (t.front !== undefined) peakRss.set(t.id, (await t.front.stats()).maxRss);
    peakRss.set("grpc", (await servers.backend.stats()).maxRss);
    return reportUnary(harness, c, { high, low, peakRss, bodySizes });
  } finally {
    await harness.stop();
  }
}

function by(list: readonly TargetFigures[], id: string): TargetFigures {
  const found = list.find((f) => f.id === id);
  if (found === undefined) throw new Error(`no figures for ${id}`);
  return found;
}

function figuresTable(list: readonly TargetFigures[], f: UnaryFigures): string {
  const rows = list.map((t) => [
    t.label,
    perSecond(t.rps),
    fixed(t.p50, 3),
    fixed(t.p99, 3),
    fixed(t.frontCpuUs, 1),
    fixed(t.backendCpuUs, 1),
    mib(f.peakRss.get(t.id)),
    f.bodySizes.has(t.id) ? String(f.bodySizes.get(t.id)) : "–",
    fixed(t.loadCores, 2),
    fixed(t.foreignCores, 2),
  ]);
  const header = [
    "target",
    "req/s",
    "p50 ms",
    "p99 ms",
    "CPU µs/req (server)",
    "CPU µs/req (backend)",
    "peak RSS MiB",
    "reply bytes",
    "load gen cores",
    "others' cores",
  ];
  return table(header, rows);
}

function reportUnary(harness: Harness, c: UnaryCase, f: UnaryFigures): ScenarioReport {
  const { connections, lowLoadConnections } = harness.settings;
  const hi = (id: string) => by(f.high, id);
  const lo = (id: string) => by(f.low, id);
  const ratios = table(
    ["ratio (req/s)", `${connections} conn`, `${lowLoadConnections} conn`],
    [
      ["gateway / hand-written", ratio(hi("gateway").rps, hi("hand-written").rps), ratio(lo("gateway").rps, lo("hand-written").rps)],
      ["gateway / direct gRPC", ratio(hi("gateway").rps, hi("grpc").rps), ratio(lo("gateway").rps, lo("grpc").rps)],
      ["gateway / echo", ratio(hi("gateway").rps, hi("echo").rps), ratio(lo("gateway").rps, lo("echo").rps)],
      ["in-process / connect-express", ratio(hi("in-process").rps, hi("connect").rps), ratio(lo("in-process").rps, lo("connect").rps)],
      ["in-process / echo", ratio(hi("in-process").rps, hi("echo").rps), ratio(lo("in-process").rps, lo("echo").rps)],
      ["hand-written / direct gRPC", ratio(hi("hand-written").rps, hi("grpc").rps), ratio(lo("hand-written").rps, lo("grpc").rps)],
    ],
  );
  const added = lo("gateway").p50 - lo("grpc").p50;
  const addedHand = lo("hand-written").p50 - lo("grpc").p50;
  const gatewayRatio = hi("gateway").rps / hi("hand-written").rps;
  const inProcessRatio = hi("in-process").rps / hi("connect").rps;
  const checks: TargetCheck[] = [
    {
      name: `${c.id}: gateway vs hand-written`,
      goal: ">= 1.0x req/s",
      figure: `${gatewayRatio.toFixed(2)}x (${perSecond(hi("gateway").rps)} vs ${perSecond(hi("hand-written").rps)})`,
      met: gatewayRatio >= 1,
    },
    {
      name: `${c.id}: p50 added over direct gRPC, 1 conn`,
      goal: "< 0.2 ms",
      figure: `${added.toFixed(3)} ms (${lo("gateway").p50.toFixed(3)} vs ${lo("grpc").p50.toFixed(3)})`,
      met: added < 0.2,
    },
    {
      name: `${c.id}: in-process vs connect-express`,
      goal: ">= 1.0x req/s",
      figure: `${inProcessRatio.toFixed(2)}x (${perSecond(hi("in-process").rps)} vs ${perSecond(hi("connect").rps)})`,
      met: inProcessRatio >= 1,
    },
  ];
  const markdown = [
    `**${connections} connections**`,
    "",
    figuresTable(f.high, f),
    "",
    `**${lowLoadConnections} connection** (latency added by the gateway: p50 ${added.toFixed(3)} ms over direct gRPC; the hand-written proxy adds ${addedHand.toFixed(3)} ms)`,
    "",
    figuresTable(f.low, f),
    "",
    ratios,
  ].join("\n");
  return { id: c.id, title: c.title, markdown, checks };
}
