// The grpc-go interop server as a child process: where `npm run test:interop:setup` built it,
// how to start one and stop it, and the service's descriptors for the tests to call it with.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createFileRegistry, fromBinary, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";

const buildDir = fileURLToPath(new URL("./.go-build/", import.meta.url));
const binary = `${buildDir}go-server`;
const descriptors = `${buildDir}interop.binpb`;

/** Why the suite cannot run here (no build), or undefined when it can. */
export function missingBuild(): string | undefined {
  if (existsSync(binary) && existsSync(descriptors)) return undefined;
  return `the grpc-go interop server is not built (${existsSync(binary) ? "no descriptor set" : "no binary"}): run \`npm run test:interop:setup\``;
}

/** The versions the server was built from, for the suite's report. */
export function buildVersions(): string {
  try {
    return readFileSync(`${buildDir}versions.json`, "utf8").trim();
  } catch {
    return "unknown versions";
  }
}

/** interop.v1.Interop, read from the descriptor set the setup wrote. */
export function interopService(): DescService {
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(descriptors)));
  const service = registry.getService("interop.v1.Interop");
  if (service === undefined) throw new Error("interop.v1.Interop is not in the descriptor set");
  return service;
}

/** A running grpc-go server. */
export interface GoServer {
  /** `127.0.0.1:port`. */
  readonly address: string;
  /** Kills it and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts the server with `flags` (`-gzip`, `-max-streams=N`) and waits until it listens. */
export async function startGoServer(flags: readonly string[] = []): Promise<GoServer> {
  // stdin stays open while this process lives: the server exits when it closes, even if this process dies unkilled.
  const child = spawn(binary, ["-port=0", ...flags], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const address = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(() => fail(new Error("the grpc-go server did not say it listens within 10 s")), 10_000);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${err.message}\n${stderr}`));
    };
    child.once("error", fail);
    const early = (code: number | null, signal: string | null): void => fail(new Error(`the grpc-go server exited (${code ?? signal})`));
    child.once("exit", early);
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const match = /^listening (\S+)$/m.exec(stdout);
      if (match === null) return;
      clearTimeout(timer);
      child.off("exit", early);
      resolve(match[1]!);
    });
  });
  return { address, stop: () => stop(child, exited) };
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await exited;
}
