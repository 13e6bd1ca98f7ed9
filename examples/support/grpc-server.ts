import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";

/** A running example gRPC server: where to dial it, and how to stop it. */
export interface RunningServer {
  /** `host:port` to dial, with the port actually bound (useful when asked for port 0). */
  readonly address: string;
  /** Stops the server, letting calls in flight finish for a short while first. */
  close(): Promise<void>;
}

// The examples' own protos and googleapis' (for google/api/annotations.proto), the same
// include paths buf.yaml gives the code generators.
const protoRoot = fileURLToPath(new URL("../proto", import.meta.url));
const googleProtoRoot = dirname(createRequire(import.meta.url).resolve("google-proto-files/package.json"));

// Reflection needs descriptors of the real .proto files; ts-proto's output has none, so
// proto-loader reads them. grpcurl then works without being handed the protos.
function reflectionFor(protoFile: string): ReflectionService {
  const definition = loadSync(protoFile, { includeDirs: [protoRoot, googleProtoRoot] });
  return new ReflectionService(definition);
}

/** How long {@link RunningServer.close} waits for calls in flight before cutting them off. */
const gracePeriodMs = 2_000;

/**
 * Starts a plaintext grpc-js server on `host:port` (port 0 picks a free one) with the
 * services `addServices` adds, plus server reflection for `protoFile` (relative to examples/proto).
 */
export async function startGrpcServer(protoFile: string, addServices: (server: grpc.Server) => void, port: number, host = "127.0.0.1"): Promise<RunningServer> {
  const server = new grpc.Server();
  addServices(server);
  reflectionFor(protoFile).addToServer(server);
  const boundPort = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
  });
  return { address: `${host}:${boundPort}`, close: () => shutdown(server) };
}

function shutdown(server: grpc.Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.forceShutdown(), gracePeriodMs);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}

/** True when the module at `moduleUrl` is the program node was started with, not an import. */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && moduleUrl === pathToFileURL(entry).href;
}

/** Reads a port number from the environment, falling back to `fallback`. */
export function portFromEnv(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === "") return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`${name}=${value} is not a port number`);
  return port;
}

/** Runs `stop` once on Ctrl-C or SIGTERM, so a process started by hand exits cleanly. */
export function stopOnSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping`);
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
}
