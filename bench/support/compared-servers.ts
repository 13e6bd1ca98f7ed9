import type { Child } from "./child.js";
import type { Harness } from "./harness.js";

/** The gRPC backend and the HTTP servers every scenario compares in front of it. */
export interface ComparedServers {
  readonly backend: Child<{ address: string }>;
  readonly gateway: Child<{ port: number }>;
  readonly handWritten: Child<{ port: number }>;
  readonly inProcess: Child<{ port: number }>;
  readonly connect: Child<{ port: number }>;
}

/** Starts the backend, then the gateway (dialling it and in-process), the hand-written proxy and connect-express. */
export async function startComparedServers(harness: Harness): Promise<ComparedServers> {
  const backend = await harness.start<{ address: string }>("backend", "servers/backend.ts", "backend");
  const address = backend.info.address;
  const [gateway, handWritten, inProcess, connect] = await Promise.all([
    harness.start<{ port: number }>("gateway", "servers/gateway.ts", "front", ["dial", address]),
    harness.start<{ port: number }>("hand-written", "servers/hand-written.ts", "front", [address]),
    harness.start<{ port: number }>("in-process", "servers/gateway.ts", "front", ["in-process"]),
    harness.start<{ port: number }>("connect-express", "servers/connect-express.ts", "front"),
  ]);
  return { backend, gateway, handWritten, inProcess, connect };
}
