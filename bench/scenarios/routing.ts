/**
 * Routing scale: the same GET against gateways with 10, 100, 1,000 and 10,000 routes from
 * a generated proto, over HTTP (in-process backends, so only the routing differs), and
 * the router alone in a tight loop for a clean cost per match.
 */
import type { RouterLoopJob, RouterLoopResult } from "../router-loop.js";
import type { Child } from "../support/child.js";
import type { Harness } from "../support/harness.js";
import { measureTargets, waitForQuiet, type Target } from "../support/measure.js";
import { fixed, mib, perSecond, table, type ScenarioReport, type TargetCheck } from "../support/report.js";
import { generateRoutes } from "./routing-gen.js";
import { routingRequestPath } from "./routing-proto.js";

/** Runs the routing-scale scenario. */
export async function runRouting(harness: Harness): Promise<ScenarioReport> {
  const counts = harness.settings.routeCounts;
  const sizes = counts.map((count) => {
    harness.log(`routing: generating ${count} routes`);
    return { count, dir: generateRoutes(count) };
  });

  harness.log("routing: router alone");
  const loop = await harness.start("router-loop", "router-loop.ts", "front");
  await waitForQuiet(harness);
  const job: RouterLoopJob = { sizes, rounds: harness.settings.quick ? 3 : 15, batchMs: harness.settings.quick ? 50 : 150 };
  const alone = await loop.call<RouterLoopResult[]>("run", job);
  await harness.stop([loop]);

  harness.log("routing: over HTTP");
  const servers: Child<{ port: number; routes: number }>[] = [];
  try {
    for (const s of sizes) servers.push(await harness.start(`routing-${s.count}`, "servers/routing-gateway.ts", "front", [s.dir]));
    const targets: Target[] = servers.map((server, i) => {
      const origin = `http://127.0.0.1:${server.info.port}`;
      return {
        id: String(sizes[i]!.count),
        label: `${sizes[i]!.count} routes`,
        front: server,
        job: (connections) => ({ kind: "http", origin, requests: [{ method: "GET", path: routingRequestPath }], connections }),
      };
    });
    const http = await measureTargets(harness, targets, harness.settings.connections);
    const peak = await Promise.all(servers.map(async (s) => (await s.stats()).maxRss));
    return report(
      alone,
      http.map((h, i) => ({ ...h, peakRss: peak[i]!, registered: servers[i]!.info.routes })),
    );
  } finally {
    await harness.stop();
  }
}

function report(
  alone: readonly RouterLoopResult[],
  http: readonly {
    label: string;
    rps: number;
    p50: number;
    p99: number;
    frontCpuUs: number | undefined;
    peakRss: number;
    registered: number;
    foreignCores: number | undefined;
  }[],
): ScenarioReport {
  const first = alone[0]!;
  const last = alone[alone.length - 1]!;
  const spread = (pick: (r: RouterLoopResult) => number) => Math.max(...alone.map(pick)) / Math.min(...alone.map(pick));
  const fixedSpread = spread((r) => r.fixedRelative);
  const rotatingSpread = spread((r) => r.rotatingNs);
  const checks: TargetCheck[] = [
    {
      name: "routing: cost per match, 10 to 10,000 routes",
      goal: "flat within 20%",
      figure: `${first.fixedNs.toFixed(0)} ns at ${first.count}, ${last.fixedNs.toFixed(0)} ns at ${last.count} (max/min of the per-round ratios ${fixedSpread.toFixed(2)}); rotating over ${last.rotatingPaths} routes: max/min ${rotatingSpread.toFixed(2)}`,
      met: fixedSpread <= 1.2,
    },
  ];
  const aloneTable = table(
    ["routes", "ns/match, the scenario's request", "ns/match, rotating over routes", "relative to the smallest (median of the rounds' ratios)"],
    alone.map((r) => [String(r.count), fixed(r.fixedNs, 0), `${fixed(r.rotatingNs, 0)} (${r.rotatingPaths} paths)`, `${r.fixedRelative.toFixed(2)}x`]),
  );
  const httpTable = table(
    ["gateway with", "req/s", "p50 ms", "p99 ms", "CPU µs/req", "peak RSS MiB", "others' cores"],
    http.map((h) => [
      `${h.registered} routes`,
      perSecond(h.rps),
      fixed(h.p50, 3),
      fixed(h.p99, 3),
      fixed(h.frontCpuUs, 1),
      mib(h.peakRss),
      fixed(h.foreignCores, 2),
    ]),
  );
  const markdown = [
    "The router alone (`runtime/router.ts`, built as the gateway builds it), timed in a loop in its own pinned process; median of the rounds:",
    "",
    aloneTable,
    "",
    `Over HTTP: \`GET ${routingRequestPath}\` through Express and the gateway, in-process backends:`,
    "",
    httpTable,
  ].join("\n");
  return { id: "routing", title: "Routing scale: 10 to 10,000 routes", markdown, checks };
}
