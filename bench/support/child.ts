/**
 * The harness side of the control channel: starts a bench entry point as its own node
 * process (TypeScript through tsx, the runtime as runtime-build.ts says), pinned to CPUs with taskset
 * when there is one, and sends it commands. Also starts a program that is not node (the
 * Go gateway), whose stats come from /proc instead.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { ControlReply, ProcessStats } from "./control.js";
import { processStats } from "./machine.js";
import { runtimeConditions } from "./runtime-build.js";

const benchDir = fileURLToPath(new URL("..", import.meta.url));

/** A running child: its pid, its ready info, and a way to send it commands. */
export interface Child<Info = unknown> {
  readonly name: string;
  readonly pid: number;
  /** What the child announced when ready (a port, an address). */
  readonly info: Info;
  /** Sends a command and waits for its answer. */
  call<T = unknown>(command: string, payload?: unknown): Promise<T>;
  stats(): Promise<ProcessStats>;
  /** Asks the child to exit and waits until it has. */
  stop(): Promise<void>;
}

/** How to start a child. */
export interface ChildOptions {
  /** Entry file relative to bench/, e.g. `servers/backend.ts`. */
  readonly entry: string;
  readonly args?: readonly string[];
  /** taskset CPU list (`1`, `0-1`); undefined runs unpinned. */
  readonly cpus?: string | undefined;
  /** Extra node flags (`--cpu-prof`, `--expose-gc`). */
  readonly nodeArgs?: readonly string[];
  /** How long to wait for the ready message. */
  readonly readyTimeoutMs?: number;
  /** Extra environment variables. */
  readonly env?: Record<string, string>;
}

let tasksetChecked: boolean | undefined;

/** Whether `taskset` can pin processes here (Linux with util-linux). */
export function canPin(): boolean {
  tasksetChecked ??= spawnSync("taskset", ["-p", String(process.pid)], { stdio: "ignore" }).status === 0;
  return tasksetChecked;
}

// taskset execs the program in place, so the pid (and an IPC descriptor) stay the same.
function spawnPinned(cpus: string | undefined, command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  return cpus !== undefined && canPin() ? spawn("taskset", ["-c", cpus, command, ...args], options) : spawn(command, args, options);
}

/** Starts `options.entry` and resolves once it has announced itself. */
export function startChild<Info = unknown>(name: string, options: ChildOptions): Promise<Child<Info>> {
  const nodeArgs = [...runtimeConditions, "--import", "tsx", ...(options.nodeArgs ?? []), `${benchDir}${options.entry}`, ...(options.args ?? [])];
  const proc = spawnPinned(options.cpus, process.execPath, nodeArgs, {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: { ...process.env, ...options.env },
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill();
      reject(new Error(`${name} did not start within ${options.readyTimeoutMs ?? 60_000} ms`));
    }, options.readyTimeoutMs ?? 60_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${name} (${options.entry}) exited with ${code} before it was ready`));
    };
    proc.once("exit", onExit);
    proc.once("message", (first: ControlReply) => {
      clearTimeout(timer);
      proc.off("exit", onExit);
      if (!first.ok) return reject(new Error(`${name}: ${first.error}`));
      resolve(wrap(name, proc, first.result as Info));
    });
  });
}

function wrap<Info>(name: string, proc: ChildProcess, info: Info): Child<Info> {
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  proc.on("message", (reply: ControlReply) => {
    const waiter = pending.get(reply.id);
    if (waiter === undefined) return;
    pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.result);
    else waiter.reject(new Error(`${name}: ${reply.error}`));
  });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  void exited.then(() => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${name} exited`));
    pending.clear();
  });
  const call = <T>(command: string, payload?: unknown): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (proc.exitCode !== null || !proc.connected) return reject(new Error(`${name} is not running`));
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      proc.send({ id, command, payload });
    });
  return {
    name,
    pid: proc.pid!,
    info,
    call,
    stats: () => call<ProcessStats>("stats"),
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const force = setTimeout(() => proc.kill("SIGKILL"), 10_000);
      await call("exit").catch(() => undefined);
      await exited;
      clearTimeout(force);
    },
  };
}

/** How to start a program that is not a bench entry point. */
export interface ExecutableOptions {
  readonly command: string;
  readonly args?: readonly string[];
  /** taskset CPU list; undefined runs unpinned. */
  readonly cpus?: string | undefined;
  readonly readyTimeoutMs?: number;
}

/**
 * Starts a program that announces itself with its info as the first line of its stdout,
 * in JSON, and exits when its stdin closes (so it dies with the harness). It takes no
 * commands; its stats are read from /proc. Later stdout lines are passed through.
 */
export function startExecutable<Info = unknown>(name: string, options: ExecutableOptions): Promise<Child<Info>> {
  const proc = spawnPinned(options.cpus, options.command, options.args ?? [], { stdio: ["pipe", "pipe", "inherit"] });
  // Its stdin only signals our end by closing; a program already gone must not make that an error.
  proc.stdin!.on("error", () => undefined);
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const lines = createInterface({ input: proc.stdout! });
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill();
      reject(new Error(`${name} did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${name} (${options.command}) exited with ${code} before it was ready`));
    };
    proc.once("exit", onExit);
    proc.once("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`${name}: ${err.message}`));
    });
    lines.once("line", (first) => {
      clearTimeout(timer);
      proc.off("exit", onExit);
      lines.on("line", (line) => console.log(`${name}: ${line}`));
      let info: Info;
      try {
        info = JSON.parse(first) as Info;
      } catch {
        proc.kill();
        return reject(new Error(`${name} announced ${JSON.stringify(first)}, not a JSON line`));
      }
      resolve({
        name,
        pid: proc.pid!,
        info,
        call: () => Promise.reject(new Error(`${name} is not a node child and takes no commands`)),
        stats: async () => processStats(proc.pid!),
        async stop() {
          if (proc.exitCode !== null || proc.signalCode !== null) return;
          const force = setTimeout(() => proc.kill("SIGKILL"), 10_000);
          proc.stdin!.end();
          proc.kill("SIGTERM");
          await exited;
          clearTimeout(force);
        },
      });
    });
  });
}
