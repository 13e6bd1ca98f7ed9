/**
 * `npm run bench:compare -- <dirA> <dirB> [scenario ...]`: the gateway (dialling the gRPC
 * backend) built from two copies of runtime/, side by side in interleaved runs, for the
 * end-to-end effect of a hot-path change: requests/s and the gateway's CPU per request.
 * The directories hold compiled runtime modules and must be inside the repo (so that
 * node_modules resolves), e.g. `esbuild runtime/**\/*.ts --outdir=bench/.gen/ab/new`.
 * Scenarios: get, post-1k, post-64k (default: get post-1k). BENCH_COMPARE_TARGET picks how
 * both run (gateway, front-door, front-door-grpc-js, gateway-grpc-js; default gateway).
 */
import { resolve } from "node:path";
import type { Child } from "./support/child.js";
import { gatewayModes } from "./support/compared-servers.js";
import { createHarness } from "./support/harness.js";
import { measureTargets, type Target } from "./support/measure.js";
import { fixed, perSecond, table } from "./support/report.js";
import { readSettings } from "./support/settings.js";
import { getCase, postCase, type UnaryCase } from "./scenarios/unary.js";

const [dirA, dirB, ...names] = process.argv.slice(2);
if (dirA === undefined || dirB === undefined) throw new Error("usage: compare.ts <dirA> <dirB> [get|post-1k|post-64k ...]");
const cases: Record<string, () => UnaryCase> = { get: getCase, "post-1k": () => postCase(1024), "post-64k": () => postCase(64 * 1024) };

const mode = process.env.BENCH_COMPARE_TARGET ?? "gateway";
const modeArgs = gatewayModes[mode];
if (modeArgs === undefined) throw new Error(`BENCH_COMPARE_TARGET: one of ${Object.keys(gatewayModes).join(", ")}`);

const settings = readSettings();
const harness = await createHarness(settings);
const rows: string[][] = [];
try {
  for (const name of names.length > 0 ? names : ["get", "post-1k"]) {
    const c = cases[name]?.();
    if (c === undefined) throw new Error(`unknown scenario ${name}`);
    const backend = await harness.start<{ address: string }>("backend", "servers/backend.ts", "backend");
    const start = (label: string, dir: string) =>
      harness.start<{ port: number }>(label, "servers/gateway.ts", "front", modeArgs(backend.info.address), [], { BENCH_GATEWAY_RUNTIME: resolve(dir) });
    const gateways: [string, Child<{ port: number }>][] = [
      ["A", await start("A", dirA)],
      ["B", await start("B", dirB)],
    ];
    const targets: Target[] = gateways.map(([id, server]) => ({
      id,
      label: `${name} ${id}`,
      front: server,
      backend,
      job: (connections) => ({ kind: "http", origin: `http://127.0.0.1:${server.info.port}`, requests: [c.rest], connections }),
    }));
    const [a, b] = await measureTargets(harness, targets, settings.connections);
    rows.push([
      name,
      perSecond(a!.rps),
      perSecond(b!.rps),
      (b!.rps / a!.rps).toFixed(3),
      fixed(a!.frontCpuUs, 1),
      fixed(b!.frontCpuUs, 1),
      (b!.frontCpuUs! / a!.frontCpuUs!).toFixed(3),
    ]);
    await harness.stop();
  }
} finally {
  await harness.close();
}
console.log(
  `\nA: ${dirA}\nB: ${dirB}\ntarget: ${mode}; ${settings.runs} interleaved runs of ${settings.durationSec} s, ${settings.connections} connections; medians\n`,
);
console.log(table(["scenario", "A req/s", "B req/s", "B/A", "A CPU µs/req", "B CPU µs/req", "B/A"], rows));
