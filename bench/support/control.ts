/**
 * The child side of the harness's control channel (node IPC): a process under test
 * announces itself, answers resource questions about itself, and exits when told or
 * when the harness goes away, so no server outlives a run.
 */

import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";

/** What a child answers to "stats": its own resource use, measured from inside. */
export interface ProcessStats {
  /** Microseconds of CPU in user and kernel mode since start (process.cpuUsage). */
  readonly cpuMicros: number;
  /** Resident set size now, bytes. */
  readonly rss: number;
  /** Peak resident set size since start, bytes (getrusage maxrss). */
  readonly maxRss: number;
  /** V8 heap in use now, bytes. */
  readonly heapUsed: number;
}

/** A request from the harness: a command name and what it needs. */
export interface ControlRequest {
  readonly id: number;
  readonly command: string;
  readonly payload?: unknown;
}

/** The answer to one request. */
export type ControlReply =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };

/** Handlers of a child's own commands, by name; the built-in ones are stats, now, gc, the heap sampling pair and exit. */
export type CommandHandlers = Record<string, (payload: unknown) => unknown>;

/**
 * V8's sampling heap profiler through node:inspector, counting objects the GC has already
 * collected too: what a request allocates, not what it leaves behind.
 */
const heapSampling = {
  session: undefined as Session | undefined,
  post(method: string, params?: object): Promise<unknown> {
    const session = this.session;
    if (session === undefined) return Promise.reject(new Error("heap sampling has not started"));
    return new Promise((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
  },
  // With `survivorsOnly`, what a scavenge freed is left out: what remains outlived one (then
  // copied, or promoted and left for a full GC), which is what makes scavenges slow.
  async start(samplingInterval: number, survivorsOnly: boolean): Promise<void> {
    this.session = new Session();
    this.session.connect();
    await this.post("HeapProfiler.enable");
    await this.post("HeapProfiler.startSampling", {
      samplingInterval,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: !survivorsOnly,
    });
  },
  async stop(path: string): Promise<void> {
    const { profile } = (await this.post("HeapProfiler.stopSampling")) as { profile: unknown };
    writeFileSync(path, JSON.stringify(profile));
    this.session?.disconnect();
    this.session = undefined;
  },
};

/** This process's stats right now. */
export function ownStats(): ProcessStats {
  const cpu = process.cpuUsage();
  return {
    cpuMicros: cpu.user + cpu.system,
    rss: process.memoryUsage.rss(),
    maxRss: process.resourceUsage().maxRSS * 1024,
    heapUsed: process.memoryUsage().heapUsed,
  };
}

/**
 * Answers the harness's commands and tells it `info` (a port, an address) once ready.
 * Started without a harness (by hand), it only prints `info`.
 */
export function serveControl(info: unknown, handlers: CommandHandlers = {}): void {
  const send = process.send?.bind(process);
  if (send === undefined) {
    console.log(JSON.stringify(info));
    return;
  }
  const builtIn: CommandHandlers = {
    stats: () => ownStats(),
    // The monotonic clock V8's CPU profiler stamps samples with, in microseconds.
    now: () => Number(process.hrtime.bigint() / 1000n),
    gc: () => {
      (globalThis as { gc?: () => void }).gc?.();
      return ownStats();
    },
    // Allocation sampling for bench:profile's alloc mode, from inside: no flags, and the window is exact.
    "heap-sampling-start": (payload) => {
      const { interval, survivorsOnly } = payload as { interval: number; survivorsOnly: boolean };
      return heapSampling.start(interval, survivorsOnly);
    },
    "heap-sampling-stop": (path) => heapSampling.stop(String(path)),
    // Exit through process.exit so that --cpu-prof writes its profile.
    exit: () => {
      setImmediate(() => process.exit(0));
      return undefined;
    },
  };
  process.on("message", (message: ControlRequest) => {
    const handler = handlers[message.command] ?? builtIn[message.command];
    const reply = (r: ControlReply) => void send(r);
    if (handler === undefined) return reply({ id: message.id, ok: false, error: `unknown command ${message.command}` });
    Promise.resolve()
      .then(() => handler(message.payload))
      .then(
        (result) => reply({ id: message.id, ok: true, result }),
        (err: unknown) => reply({ id: message.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
  });
  // The harness died or let go: a server left running would skew the next run.
  process.on("disconnect", () => process.exit(0));
  send({ id: 0, ok: true, result: info } satisfies ControlReply);
}
