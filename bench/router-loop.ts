/**
 * The router alone, in a tight loop: the cost of one match with 10 ... 10,000 routes,
 * without HTTP, binding or a backend around it. Builds each router exactly as the gateway
 * does (parsePathTemplate, then add), then times `match` on the scenario's one request
 * and on a rotation over requests for routes spread across the whole table.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { HttpRoute } from "grpc-gateway-express/runtime";
import type { Router } from "../runtime/routing/router.js";
import { routeExample } from "./scenarios/routing-proto.js";
import { serveControl } from "./support/control.js";
import { runtimeModule } from "./support/runtime-build.js";
import { median } from "./support/stats.js";

/** What the harness asks for: the generated code of each size. */
export interface RouterLoopJob {
  readonly sizes: readonly { readonly count: number; readonly dir: string }[];
  readonly rounds: number;
  /** Roughly how long one timed batch runs. */
  readonly batchMs: number;
}

/** ns per match for one size. */
export interface RouterLoopResult {
  readonly count: number;
  readonly fixedNs: number;
  /**
   * The scenario's request against the smallest table, round by round (each round times
   * every size within a second or two): the median of those ratios, which a machine whose
   * speed drifts between rounds moves less than the ratio of the medians.
   */
  readonly fixedRelative: number;
  readonly rotatingNs: number;
  readonly rotatingPaths: number;
}

const { createRouter } = await runtimeModule<typeof import("../runtime/routing/router.js")>("routing/router");
const { parsePathTemplate } = await runtimeModule<typeof import("../runtime/routing/path-template.js")>("routing/path-template");

const fixedPath = "/v1/s0/things0/item-42";
const rotationSize = 1024;

async function buildRouter(dir: string): Promise<{ router: Router<number>; count: number }> {
  const gw = (await import(pathToFileURL(join(dir, "routing/v1/routing_gateway.ts")).href)) as Record<string, unknown>;
  const router = createRouter<number>();
  let index = 0;
  // Generated order: service S0's methods, then S1's ..., which is the index routeExample uses.
  const lists = Object.entries(gw)
    .filter(([name]) => name.endsWith("Routes"))
    .sort(([a], [b]) => Number(a.slice(1, -6)) - Number(b.slice(1, -6)));
  for (const [, list] of lists) {
    for (const route of list as readonly HttpRoute[]) router.add(route.httpMethod, parsePathTemplate(route.path), index++);
  }
  return { router, count: index };
}

// Spread over the table, so that a big table's lookups touch memory all over it.
function rotation(count: number): { method: string; path: string; index: number }[] {
  const n = Math.min(rotationSize, count);
  return Array.from({ length: n }, (_, k) => {
    const index = Math.floor((k * count) / n);
    return { ...routeExample(index), index };
  });
}

function timeBatch(router: Router<number>, requests: readonly { method: string; path: string }[], iterations: number): number {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const r = requests[i % requests.length]!;
    const match = router.match(r.method, r.path);
    if (match.kind === "match") sink += match.value;
  }
  const ns = Number(process.hrtime.bigint() - start);
  if (sink < 0) console.log(sink); // keeps the loop's result alive
  return ns / iterations;
}

async function run(job: RouterLoopJob): Promise<RouterLoopResult[]> {
  const built = await Promise.all(job.sizes.map(async (s) => ({ ...s, ...(await buildRouter(s.dir)) })));
  const cases = built.map((b) => {
    const requests = rotation(b.count);
    for (const r of requests) {
      const match = b.router.match(r.method, r.path);
      if (match.kind !== "match" || match.value !== r.index) throw new Error(`${b.count} routes: ${r.method} ${r.path} did not match route ${r.index}`);
    }
    // Calibrate so each batch runs about batchMs.
    const probe = timeBatch(b.router, requests, 20_000);
    const iterations = Math.max(10_000, Math.round((job.batchMs * 1e6) / probe));
    return { ...b, requests, iterations, fixed: [] as number[], rotating: [] as number[] };
  });
  const fixedRequest = [{ method: "GET", path: fixedPath }];
  for (let round = 0; round < job.rounds; round++) {
    for (const c of cases) {
      c.fixed.push(timeBatch(c.router, fixedRequest, c.iterations));
      c.rotating.push(timeBatch(c.router, c.requests, c.iterations));
    }
  }
  const smallest = cases[0]!.fixed;
  return cases.map((c) => ({
    count: c.count,
    fixedNs: median(c.fixed),
    fixedRelative: median(c.fixed.map((ns, round) => ns / smallest[round]!)),
    rotatingNs: median(c.rotating),
    rotatingPaths: c.requests.length,
  }));
}

serveControl({ pid: process.pid }, { run: (payload) => run(payload as RouterLoopJob) });
