/**
 * Run settings from the environment. Defaults are the full run that writes
 * bench/RESULTS.md; BENCH_QUICK=1 shrinks every duration and count for a smoke run and
 * writes its report under bench/.gen/ instead, so a smoke run never replaces the figures.
 */
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { canPin } from "./child.js";

/** Everything a run is parameterised by; printed in RESULTS.md. */
export interface BenchSettings {
  readonly quick: boolean;
  /** Seconds of each measured run. */
  readonly durationSec: number;
  /** Seconds of load before a target's first measured run (JIT, pools, connections). */
  readonly warmupSec: number;
  /** Measured runs per figure; each figure is their median. */
  readonly runs: number;
  /** HTTP connections (and concurrent gRPC calls) under load. */
  readonly connections: number;
  /** Connections of the low-load pass (latency added over direct gRPC). */
  readonly lowLoadConnections: number;
  /** Concurrent calls of the streaming scenario, each 1,000 messages long. */
  readonly streams: number;
  /** Requests of the soak. */
  readonly soakRequests: number;
  /** Route counts of the routing-scale scenario. */
  readonly routeCounts: readonly number[];
  /** Scenario ids to run (all when empty). */
  readonly only: readonly string[];
  /** Where the report goes. */
  readonly out: string;
  /** CPU lists for taskset, or undefined when nothing is pinned. */
  readonly cpus: CpuPlan | undefined;
  /** A run during which other processes used more than this many cores is repeated. */
  readonly foreignCpuLimit: number;
  /** The Go grpc-gateway binary (npm run bench:setup builds it), or undefined when it is not wanted. */
  readonly goGateway: string | undefined;
}

/** Which CPUs each kind of process runs on. */
export interface CpuPlan {
  readonly load: string;
  /** The process under test: the gateway or a baseline server. */
  readonly front: string;
  /** The gRPC backend behind it. */
  readonly backend: string;
}

function numberFrom(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}=${text} is not a non-negative number`);
  return value;
}

function listFrom(name: string): string[] {
  return (process.env[name] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

// The load generator gets a core of its own; the servers share what is left. With two
// cores that is one each; with three or more the backend also gets its own.
function cpuPlan(): CpuPlan | undefined {
  const cores = availableParallelism();
  if (cores < 2 || !canPin() || process.env.BENCH_PIN === "0") return undefined;
  if (cores === 2) return { load: "0", front: "1", backend: "1" };
  return { load: "0", front: "1", backend: cores === 3 ? "2" : `2-${cores - 1}` };
}

// Unset: where bench/setup-go-gateway.sh puts it; `0` leaves the Go baseline out.
function goGatewayFrom(text: string | undefined): string | undefined {
  if (text === "0") return undefined;
  return text === undefined || text === "" ? fileURLToPath(new URL("../.go-build/go-gateway", import.meta.url)) : text;
}

/** Reads the settings of this run. */
export function readSettings(): BenchSettings {
  const quick = process.env.BENCH_QUICK === "1";
  const routes = listFrom("BENCH_ROUTES").map(Number);
  const defaultOut = quick ? ".gen/RESULTS.quick.md" : "RESULTS.md";
  return {
    quick,
    durationSec: numberFrom("BENCH_DURATION", quick ? 1 : 5),
    warmupSec: numberFrom("BENCH_WARMUP", quick ? 0.5 : 3),
    runs: Math.max(1, Math.round(numberFrom("BENCH_RUNS", quick ? 1 : 3))),
    connections: Math.max(1, Math.round(numberFrom("BENCH_CONNECTIONS", 50))),
    lowLoadConnections: 1,
    streams: Math.max(1, Math.round(numberFrom("BENCH_STREAMS", 10))),
    soakRequests: Math.round(numberFrom("BENCH_SOAK", quick ? 20_000 : 1_000_000)),
    routeCounts: routes.length > 0 ? routes : [10, 100, 1000, 10_000],
    only: listFrom("BENCH_ONLY"),
    out: process.env.BENCH_OUT ?? fileURLToPath(new URL(`../${defaultOut}`, import.meta.url)),
    cpus: cpuPlan(),
    foreignCpuLimit: numberFrom("BENCH_FOREIGN_CPU_LIMIT", 0.15),
    goGateway: goGatewayFrom(process.env.BENCH_GO_GATEWAY),
  };
}
