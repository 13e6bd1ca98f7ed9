/**
 * The harness a scenario works with: settings, the load generator, servers started on
 * their CPUs, and cleanup. Every child it starts is tracked, so the machine-load check
 * can tell our CPU time from other people's, and so nothing is left running.
 */
import { startChild, startExecutable, type Child } from "./child.js";
import type { LoadJob, LoadResult } from "../load/jobs.js";
import type { BenchSettings } from "./settings.js";

/** Which CPUs a server runs on: the process under test, or the backend behind it. */
export type Role = "front" | "backend";

/** What scenarios use to start processes and apply load. */
export interface Harness {
  readonly settings: BenchSettings;
  /** Starts a server entry (relative to bench/) on the CPUs of `role`. */
  start<Info = unknown>(
    name: string,
    entry: string,
    role: Role,
    args?: readonly string[],
    nodeArgs?: readonly string[],
    env?: Record<string, string>,
  ): Promise<Child<Info>>;
  /** Starts a program that is not node (see child.ts, startExecutable) on the CPUs of `role`. */
  startExecutable<Info = unknown>(name: string, command: string, role: Role, args?: readonly string[]): Promise<Child<Info>>;
  /** Runs a load job on the load generator. */
  load(job: LoadJob): Promise<LoadResult>;
  /** The load generator's own process, to see whether it was the bottleneck. */
  readonly loadProcess: Child;
  /** Pids of every live process of ours, the harness's included. */
  pids(): number[];
  /** Stops the given children (all servers when omitted). */
  stop(children?: readonly Child[]): Promise<void>;
  /** Progress output. */
  log(message: string): void;
  /** Stops everything, the load generator too. */
  close(): Promise<void>;
}

/** Starts the load generator and returns the harness around it. */
export async function createHarness(settings: BenchSettings): Promise<Harness> {
  const load = await startChild("load", { entry: "load/load-process.ts", cpus: settings.cpus?.load });
  const servers = new Set<Child>();
  const started = performance.now();
  const harness: Harness = {
    settings,
    async start(name, entry, role, args = [], nodeArgs = [], env = {}) {
      const cpus = role === "front" ? settings.cpus?.front : settings.cpus?.backend;
      const child = await startChild(name, { entry, args, cpus, nodeArgs, env });
      servers.add(child);
      return child as Child<never>;
    },
    async startExecutable(name, command, role, args = []) {
      const cpus = role === "front" ? settings.cpus?.front : settings.cpus?.backend;
      const child = await startExecutable(name, { command, args, cpus });
      servers.add(child);
      return child as Child<never>;
    },
    load: (job) => load.call<LoadResult>("run", job),
    loadProcess: load,
    pids: () => [load.pid, ...[...servers].map((s) => s.pid)],
    async stop(children = [...servers]) {
      await Promise.all(children.map((c) => c.stop()));
      for (const c of children) servers.delete(c);
    },
    log(message) {
      const t = ((performance.now() - started) / 1000).toFixed(0).padStart(5);
      console.log(`[${t}s] ${message}`);
    },
    async close() {
      await harness.stop();
      await load.stop();
    },
  };
  return harness;
}
