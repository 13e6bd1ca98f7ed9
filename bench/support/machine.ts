/**
 * What the figures were measured on, and how busy the machine was with other work while
 * they were: the CPU time of the whole machine (/proc/stat) minus that of the bench's own
 * processes (/proc/<pid>/stat), which says more than a load average can on a shared box.
 */
import { readFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem, type } from "node:os";
import type { ProcessStats } from "./control.js";

/** The machine, for the report's header. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly date: string;
}

/** Describes this machine. */
export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? "unknown",
    cores: list.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.version,
    date: new Date().toISOString(),
  };
}

/** The 1, 5 and 15 minute load averages, formatted. */
export function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
}

// Linux's USER_HZ; /proc reports CPU times in these ticks on every architecture Node runs on.
const ticksPerSecond = 100;

/** CPU time of the machine and of our processes at one moment. */
export interface CpuSnapshot {
  readonly at: number;
  readonly machineBusyTicks: number;
  readonly oursTicks: number;
}

function machineBusyTicks(): number | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!;
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    return user! + nice! + system! + irq! + softirq! + steal!;
  } catch {
    return undefined;
  }
}

function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0; // exited: its time is gone from both sides alike only approximately, but it is small
  }
}

function statusKiB(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
  return match === null ? 0 : Number(match[1]);
}

/**
 * Another process's stats, read from /proc: for a server that is not a node child and
 * cannot answer over IPC (the Go gateway). CPU is user + system of all its threads, in
 * clock ticks (10 ms); peak RSS is VmHWM. Throws once the process has gone.
 */
export function processStats(pid: number): ProcessStats {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return {
    cpuMicros: (processTicks(pid) * 1e6) / ticksPerSecond,
    rss: statusKiB(status, "VmRSS") * 1024,
    maxRss: statusKiB(status, "VmHWM") * 1024,
    heapUsed: 0,
  };
}

/** Snapshot of machine-wide and own CPU time; undefined where /proc is not available. */
export function cpuSnapshot(ourPids: readonly number[]): CpuSnapshot | undefined {
  const busy = machineBusyTicks();
  if (busy === undefined) return undefined;
  let ours = processTicks(process.pid);
  for (const pid of ourPids) ours += processTicks(pid);
  return { at: performance.now(), machineBusyTicks: busy, oursTicks: ours };
}

/** Cores' worth of CPU used by processes other than ours between two snapshots. */
export function foreignCores(before: CpuSnapshot | undefined, after: CpuSnapshot | undefined): number | undefined {
  if (before === undefined || after === undefined) return undefined;
  const seconds = (after.at - before.at) / 1000;
  if (seconds <= 0) return undefined;
  const foreign = after.machineBusyTicks - before.machineBusyTicks - (after.oursTicks - before.oursTicks);
  return Math.max(0, foreign / ticksPerSecond / seconds);
}
