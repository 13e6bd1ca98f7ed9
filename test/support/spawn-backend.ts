import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The backend of backend-process.ts in a child process, to freeze (SIGSTOP) as a hung machine would. */
export interface BackendProcess {
  readonly child: ChildProcess;
  readonly address: string;
  /** Everything it printed so far: `call <n>`, `ended <n> cancelled|finished`. */
  output(): string;
  /** Wakes it if frozen, then kills it. */
  stop(): void;
}

/** Starts backend-process.ts with `args` and waits for its `listening <address>` line (10 s at most). */
export async function spawnBackendProcess(args: readonly string[] = []): Promise<BackendProcess> {
  const script = fileURLToPath(new URL("./backend-process.ts", import.meta.url));
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", script, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const stop = () => {
    child.kill("SIGCONT");
    child.kill();
  };
  const giveUp = Date.now() + 10_000;
  let listening: RegExpExecArray | null;
  while ((listening = /listening (\S+)\n/.exec(out)) === null) {
    if (child.exitCode !== null || Date.now() > giveUp) {
      stop();
      throw new Error(`the backend process did not start: ${out}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { child, address: listening[1]!, output: () => out, stop };
}
