/**
 * The harness side of the control channel: starts a bench entry point as its own node
 * process (TypeScript through tsx, the runtime as runtime-build.ts says), pinned to CPUs with taskset
 * when there is one, and sends it commands.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ControlReply, ProcessStats } from "./control.js";
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

/** Starts `options.entry` and resolves once it has announced itself. */
export function startChild<Info = unknown>(name: string, options: ChildOptions): Promise<Child<Info>> {
  const nodeArgs = [...runtimeConditions, "--import", "tsx", ...(options.nodeArgs ?? []), `${benchDir}${options.entry}`, ...(options.args ?? [])];
  const pinned = options.cpus !== undefined && canPin();
  // taskset execs node in place, so the pid (and the IPC descriptor) stay the same.
  const spawnOptions = { stdio: ["ignore", "inherit", "inherit", "ipc"] as ("ignore" | "inherit" | "ipc")[], env: { ...process.env, ...options.env } };
  const proc = pinned ? spawn("taskset", ["-c", options.cpus!, process.execPath, ...nodeArgs], spawnOptions) : spawn(process.execPath, nodeArgs, spawnOptions);
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
