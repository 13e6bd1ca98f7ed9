import type { Child } from "./child.js";
import type { Harness } from "./harness.js";

/** The gateway's ways of being mounted and dialled that every scenario measures, by target id. */
export const gatewayTargets = [
  { id: "gateway", label: "gateway (app.use)", args: (address: string) => ["dial", address] },
  { id: "front-door", label: "gateway, front door", args: (address: string) => ["--front-door", "dial", address] },
  { id: "front-door-grpc-js", label: "gateway, front door, grpc-js", args: (address: string) => ["--front-door", "dial-grpc-js", address] },
] as const;

/**
 * Every way the bench can run the gateway dialling the backend: {@link gatewayTargets} and
 * `gateway-grpc-js` (`app.use(gateway)` over grpc-js), which only bench:profile and
 * bench:compare take (the full run leaves it out to keep its length).
 */
export const gatewayModes: Readonly<Record<string, (address: string) => string[]>> = {
  ...Object.fromEntries(gatewayTargets.map((g) => [g.id, g.args])),
  "gateway-grpc-js": (address: string) => ["dial-grpc-js", address],
};

/** The id of one of {@link gatewayTargets}. */
export type GatewayTargetId = (typeof gatewayTargets)[number]["id"];

/** The gRPC backend and the HTTP servers every scenario compares in front of it. */
export interface ComparedServers {
  readonly backend: Child<{ address: string }>;
  /** The gateway dialling the backend, one server per entry of {@link gatewayTargets}. */
  readonly gateways: ReadonlyMap<GatewayTargetId, Child<{ port: number }>>;
  readonly handWritten: Child<{ port: number }>;
  readonly inProcess: Child<{ port: number }>;
  readonly connect: Child<{ port: number }>;
}

/**
 * Starts the backend, then the gateway (each way of {@link gatewayTargets}, and in-process),
 * the hand-written proxy and connect-express.
 */
export async function startComparedServers(harness: Harness): Promise<ComparedServers> {
  const backend = await harness.start<{ address: string }>("backend", "servers/backend.ts", "backend");
  const address = backend.info.address;
  const [handWritten, inProcess, connect, ...gateways] = await Promise.all([
    harness.start<{ port: number }>("hand-written", "servers/hand-written.ts", "front", [address]),
    harness.start<{ port: number }>("in-process", "servers/gateway.ts", "front", ["in-process"]),
    harness.start<{ port: number }>("connect-express", "servers/connect-express.ts", "front"),
    ...gatewayTargets.map((g) => harness.start<{ port: number }>(g.id, "servers/gateway.ts", "front", g.args(address))),
  ]);
  return { backend, gateways: new Map(gatewayTargets.map((g, i) => [g.id, gateways[i]!])), handWritten, inProcess, connect };
}
