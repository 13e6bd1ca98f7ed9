/**
 * `npm run bench:profile -- <target> <scenario> [seconds] [cpu|alloc|survivors]`: runs one server under
 * `node --cpu-prof` with the scenario's load and prints where its CPU time went; with
 * `alloc`, samples its allocations instead (V8's sampling heap profiler, collected objects
 * included) and prints the bytes each request allocates, and where.
 * Targets: gateway (app.use, dialling the backend with dial(), over node:http2), front-door
 * (the front door, dial()), front-door-grpc-js (the front door, grpc-js), gateway-grpc-js (app.use, grpc-js),
 * in-process, hand-written, echo, connect, and the floor under them all (servers/bare.ts):
 * bare-http (a fixed reply from node:http), bare-proxy (that and one raw node:http2 call),
 * bare-json (bare-proxy with JSON.parse and JSON.stringify, for the POST scenarios).
 * Scenarios: get, post-1k, post-64k, stream (1,000-message calls; per-request figures are
 * then per call). `survivors` is `alloc` counting only what outlived a scavenge (what makes
 * scavenges slow). PROFILE_NODE_ARGS adds node flags to the profiled server (`--trace-gc`).
 * The profiles are kept in bench/.profiles/<target>-<scenario>[-alloc|-survivors]/.
 */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LoadJob } from "./load/jobs.js";
import { listItems } from "./payloads.js";
import { connectStream, restStream } from "./scenarios/streaming.js";
import { getCase, postCase, type UnaryCase } from "./scenarios/unary.js";
import { gatewayModes } from "./support/compared-servers.js";
import { summariseProfile, type ProfileWindow } from "./support/cpu-profile.js";
import { summariseHeapProfile } from "./support/heap-profile.js";
import { createHarness } from "./support/harness.js";
import { readSettings } from "./support/settings.js";
import { buildRuntime } from "./support/runtime-build.js";

const [target = "gateway", scenario = "get", seconds = "10", kind = "cpu"] = process.argv.slice(2);
const cases: Record<string, (() => UnaryCase) | "stream"> = {
  get: getCase,
  "post-1k": () => postCase(1024),
  "post-64k": () => postCase(64 * 1024),
  stream: "stream",
};
const servers: Record<string, { entry: string; args: (backend: string) => string[]; connect?: boolean }> = {
  ...Object.fromEntries(Object.entries(gatewayModes).map(([id, args]) => [id, { entry: "servers/gateway.ts", args }])),
  "in-process": { entry: "servers/gateway.ts", args: () => ["in-process"] },
  "hand-written": { entry: "servers/hand-written.ts", args: (b) => [b] },
  echo: { entry: "servers/echo.ts", args: () => [] },
  "bare-http": { entry: "servers/bare.ts", args: () => ["bare-http"] },
  "bare-proxy": { entry: "servers/bare.ts", args: (b) => ["bare-proxy", b] },
  "bare-json": { entry: "servers/bare.ts", args: (b) => ["bare-json", b] },
  connect: { entry: "servers/connect-express.ts", args: () => [], connect: true },
};
const makeCase = cases[scenario];
const server = servers[target];
if (makeCase === undefined || server === undefined || !["cpu", "alloc", "survivors"].includes(kind)) {
  throw new Error(`usage: profile.ts <${Object.keys(servers).join("|")}> <${Object.keys(cases).join("|")}> [seconds] [cpu|alloc|survivors]`);
}

const name = `${target}-${scenario}${kind === "cpu" ? "" : `-${kind}`}`;
const sampling = kind !== "cpu";
// One directory per run: node writes a profile per thread (tsx's loader runs in its own),
// and the main thread's is the busy one.
const dir = fileURLToPath(new URL(`./.profiles/${name}/`, import.meta.url));
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const settings = readSettings();
let window: ProfileWindow | undefined;
let requests = 0;
buildRuntime();
const harness = await createHarness(settings);
try {
  const backend = await harness.start<{ address: string }>("backend", "servers/backend.ts", "backend");
  const extraArgs = process.env.PROFILE_NODE_ARGS?.split(" ").filter((arg) => arg !== "") ?? [];
  const nodeArgs = [...(!sampling ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : []), ...extraArgs];
  const front = await harness.start<{ port: number }>(target, server.entry, "front", server.args(backend.info.address), nodeArgs);
  const origin = `http://127.0.0.1:${front.info.port}`;
  const job: LoadJob =
    makeCase === "stream"
      ? {
          kind: "http-stream",
          origin,
          request: server.connect ? connectStream : restStream,
          framing: server.connect ? "connect" : "lines",
          messagesPerCall: listItems.count,
          connections: settings.streams,
          durationSec: 1,
        }
      : { kind: "http", origin, requests: [server.connect ? makeCase().connect : makeCase().rest], connections: settings.connections };
  // Warm first, so the profile shows steady state more than start-up and JIT compilation.
  await harness.load({ ...job, durationSec: 3 });
  // One sample per 4 KiB allocated on average: enough samples for a few seconds of load.
  if (sampling) await front.call("heap-sampling-start", { interval: 4096, survivorsOnly: kind === "survivors" });
  const fromUs = await front.call<number>("now");
  const result = await harness.load({ ...job, durationSec: Number(seconds) });
  const toUs = await front.call<number>("now");
  if (sampling) await front.call("heap-sampling-stop", join(dir, "heap.heapprofile"));
  window = { fromUs, toUs };
  requests = result.ok;
  harness.log(`${name}: ${result.rps.toFixed(0)} req/s under the profiler`);
  await harness.stop([front]);
} finally {
  await harness.close();
}

if (sampling) {
  const heap = summariseHeapProfile(join(dir, "heap.heapprofile"));
  const perRequest = (bytes: number) => `${(bytes / Math.max(1, requests)).toFixed(0).padStart(7)} B/req`;
  console.log(`profile: ${join(dir, "heap.heapprofile")}`);
  console.log(`\n${name}: ${perRequest(heap.totalBytes)} allocated over ${requests} requests (sampled; objects already collected included)`);
  console.log("\nbytes by module:");
  for (const [k, v] of heap.selfByModule.slice(0, 20)) console.log(`${perRequest(v)}  ${k}`);
  console.log("\nbytes by allocating function:");
  for (const [k, v] of heap.selfByFunction.slice(0, 30)) console.log(`${perRequest(v)}  ${k}`);
  console.log("\nbytes by the nearest runtime/ or bench/ function on the stack (what asked for them):");
  for (const [k, v] of heap.byNearestOwnFrame.slice(0, 30)) console.log(`${perRequest(v)}  ${k}`);
} else {
  printCpuProfile();
}

function printCpuProfile(): void {
  const summaries = readdirSync(dir).map((file) => ({ file, summary: summariseProfile(join(dir, file), window) }));
  const busy = (s: (typeof summaries)[number]) => s.summary.totalMs * (1 - (s.summary.selfByModule.find(([k]) => k === "(idle)")?.[1] ?? 0));
  const { file, summary } = summaries.sort((a, b) => busy(b) - busy(a))[0]!;
  console.log(`profile: ${join(dir, file)}`);
  // Shares of the measured window, and the same as microseconds per request.
  const perRequest = (summary.totalMs * 1000) / Math.max(1, requests);
  const pct = (v: number) => `${(v * 100).toFixed(1).padStart(5)}% ${(v * perRequest).toFixed(1).padStart(7)} µs/req`;
  console.log(`\n${name}: ${summary.totalMs.toFixed(0)} ms sampled over ${requests} requests (the measured window only)\n\nself time by module:`);
  for (const [k, v] of summary.selfByModule.slice(0, 25)) console.log(`${pct(v)}  ${k}`);
  const ownSelf = summary.selfByModule.filter(([k]) => k.startsWith("runtime/")).reduce((sum, [, v]) => sum + v, 0);
  console.log(`${pct(ownSelf)}  all runtime/ files together`);
  console.log("\ninclusive time by module (anywhere on the stack):");
  for (const [k, v] of summary.inclusiveByModule.slice(0, 25)) console.log(`${pct(v)}  ${k}`);
  console.log("\nself time by function:");
  for (const [k, v] of summary.selfByFunction.slice(0, 40)) console.log(`${pct(v)}  ${k}`);
  console.log("\ninclusive time, runtime/ and bench/ functions:");
  for (const [k, v] of summary.inclusiveByFunction.filter(([k]) => / (runtime|bench)\//.test(k)).slice(0, 40)) console.log(`${pct(v)}  ${k}`);
}
