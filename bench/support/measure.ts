/**
 * Measures targets side by side: a warm-up per target, then rounds in which every target
 * runs once in turn, so slow drift of the machine touches all of them alike. Each figure
 * is the median over the rounds. A run during which other processes used more than the
 * configured share of a core is thrown away and repeated (up to twice).
 */
import type { Child } from "./child.js";
import type { LoadJob, LoadResult } from "../load/jobs.js";
import type { ProcessStats } from "./control.js";
import type { Harness } from "./harness.js";
import { cpuSnapshot, foreignCores } from "./machine.js";
import { median } from "./stats.js";

/** Something to load: a job, and the processes whose CPU and memory it costs. */
export interface Target {
  readonly id: string;
  readonly label: string;
  /** The process under test (gateway or baseline server); absent for direct gRPC. */
  readonly front?: Child | undefined;
  /** The gRPC backend it calls, if any. */
  readonly backend?: Child | undefined;
  readonly job: (connections: number) => LoadJob;
}

/** One measured run. */
export interface RunFigures extends LoadResult {
  /** Microseconds of CPU the front process spent per successful request. */
  readonly frontCpuUs: number | undefined;
  readonly backendCpuUs: number | undefined;
  /** Cores' worth of CPU other people's processes used during the run. */
  readonly foreignCores: number | undefined;
  /** Share of one core the load generator used: near 1, it may have been the bottleneck. */
  readonly loadCores: number;
  /** Runs thrown away before this one because the machine was busy. */
  readonly retries: number;
}

/** A target's figures: medians over its runs. */
export interface TargetFigures {
  readonly id: string;
  readonly label: string;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly frontCpuUs: number | undefined;
  readonly backendCpuUs: number | undefined;
  readonly foreignCores: number | undefined;
  readonly loadCores: number;
  readonly failed: number;
  /** Why the first failed call of any run failed (streaming jobs say). */
  readonly firstFailure: string | undefined;
  readonly replyBytes: number;
  /** Streaming jobs: messages delivered per second by successful calls. */
  readonly messagesPerSec: number | undefined;
  readonly runs: readonly RunFigures[];
}

const maxRetries = 2;
const quietWaitMs = 90_000;

/**
 * Waits (up to 90 s) for a second in which other processes use less than the limit, so
 * a run does not start in the middle of someone else's test suite on a shared machine.
 */
export async function waitForQuiet(harness: Harness): Promise<number | undefined> {
  const limit = harness.settings.foreignCpuLimit;
  const until = performance.now() + quietWaitMs;
  let logged = false;
  for (;;) {
    const before = cpuSnapshot(harness.pids());
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const foreign = foreignCores(before, cpuSnapshot(harness.pids()));
    if (foreign === undefined || foreign <= limit || performance.now() > until) return foreign;
    if (!logged) harness.log(`  waiting for the machine to go quiet (others use ${foreign.toFixed(2)} cores)`);
    logged = true;
  }
}

async function statsOf(child: Child | undefined): Promise<ProcessStats | undefined> {
  return child === undefined ? undefined : child.stats();
}

function cpuPerRequest(before: ProcessStats | undefined, after: ProcessStats | undefined, requests: number): number | undefined {
  if (before === undefined || after === undefined || requests === 0) return undefined;
  return (after.cpuMicros - before.cpuMicros) / requests;
}

/** One run of `target`, repeated while the machine was busy with other work. */
export async function measureOnce(harness: Harness, target: Target, connections: number, durationSec: number): Promise<RunFigures> {
  for (let retries = 0; ; retries++) {
    await waitForQuiet(harness);
    const [front0, backend0, load0] = await Promise.all([statsOf(target.front), statsOf(target.backend), harness.loadProcess.stats()]);
    const cpu0 = cpuSnapshot(harness.pids());
    const job = target.job(connections);
    const result = await harness.load(job.kind === "grpc" ? { ...job, durationSec } : { ...job, durationSec });
    const cpu1 = cpuSnapshot(harness.pids());
    const [front1, backend1, load1] = await Promise.all([statsOf(target.front), statsOf(target.backend), harness.loadProcess.stats()]);
    const foreign = foreignCores(cpu0, cpu1);
    const busy = foreign !== undefined && foreign > harness.settings.foreignCpuLimit;
    if (busy && retries < maxRetries) {
      harness.log(`  ${target.label}: other processes used ${foreign.toFixed(2)} cores; running again`);
      continue;
    }
    return {
      ...result,
      frontCpuUs: cpuPerRequest(front0, front1, result.ok),
      backendCpuUs: cpuPerRequest(backend0, backend1, result.ok),
      foreignCores: foreign,
      loadCores: (load1.cpuMicros - load0.cpuMicros) / 1e6 / result.elapsedSec,
      retries,
    };
  }
}

function messagesPerSec(run: RunFigures): number | undefined {
  return run.messages === undefined ? undefined : run.messages / run.elapsedSec;
}

function medianOf(runs: readonly RunFigures[], pick: (r: RunFigures) => number | undefined): number | undefined {
  const values = runs.map(pick).filter((v): v is number => v !== undefined);
  return values.length === 0 ? undefined : median(values);
}

/** Warms every target, then measures them in interleaved rounds at `connections`. */
export async function measureTargets(harness: Harness, targets: readonly Target[], connections: number): Promise<TargetFigures[]> {
  const { warmupSec, durationSec, runs } = harness.settings;
  for (const target of targets) {
    harness.log(`  warm-up ${target.label} (${connections} conn)`);
    let warm = await harness.load({ ...target.job(connections), durationSec: warmupSec });
    // Nothing came back at all: a target slower than a short warm-up (the Go gateway on
    // 64 KB bodies at 50 connections takes longer than BENCH_QUICK's 0.5 s); warm up longer.
    for (let longer = 2; warm.ok === 0 && warm.failed === 0 && longer <= 8; longer *= 2) {
      harness.log(`  warm-up ${target.label}: no reply yet, ${warmupSec * longer} s more`);
      warm = await harness.load({ ...target.job(connections), durationSec: warmupSec * longer });
    }
    if (warm.ok === 0 || warm.failed > 0) {
      throw new Error(
        `${target.label}: warm-up had ${warm.ok} good and ${warm.failed} failed replies${warm.firstFailure === undefined ? "" : ` (${warm.firstFailure})`}`,
      );
    }
  }
  const byTarget = new Map<string, RunFigures[]>(targets.map((t) => [t.id, []]));
  for (let round = 1; round <= runs; round++) {
    for (const target of targets) {
      const figures = await measureOnce(harness, target, connections, durationSec);
      byTarget.get(target.id)!.push(figures);
      const rate =
        figures.messages === undefined ? `${figures.rps.toFixed(0)} req/s` : `${figures.rps.toFixed(1)} calls/s, ${messagesPerSec(figures)!.toFixed(0)} msg/s`;
      harness.log(
        `  round ${round}/${runs} ${target.label}: ${rate}, p50 ${figures.p50.toFixed(3)} ms` +
          (figures.failed > 0 ? `, ${figures.failed} FAILED (${figures.firstFailure ?? "error replies"})` : ""),
      );
    }
  }
  return targets.map((target) => {
    const list = byTarget.get(target.id)!;
    return {
      id: target.id,
      label: target.label,
      rps: medianOf(list, (r) => r.rps)!,
      p50: medianOf(list, (r) => r.p50)!,
      p99: medianOf(list, (r) => r.p99)!,
      frontCpuUs: medianOf(list, (r) => r.frontCpuUs),
      backendCpuUs: medianOf(list, (r) => r.backendCpuUs),
      foreignCores: medianOf(list, (r) => r.foreignCores),
      loadCores: medianOf(list, (r) => r.loadCores)!,
      failed: list.reduce((sum, r) => sum + r.failed, 0),
      firstFailure: list.find((r) => r.firstFailure !== undefined)?.firstFailure,
      replyBytes: list[0]?.replyBytes ?? 0,
      messagesPerSec: medianOf(list, messagesPerSec),
      runs: list,
    };
  });
}
