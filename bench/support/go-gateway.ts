/**
 * The Go grpc-gateway baseline: bench/go-gateway/main.go, built from the bench proto by
 * bench/setup-go-gateway.sh (`npm run bench:setup`). A scenario starts it beside the other
 * servers when its binary is there; when it is not, the scenario says so and goes on.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Child } from "./child.js";
import type { Harness } from "./harness.js";

/** The target id of the Go gateway in every scenario's figures. */
export const goId = "go";

/** The Go gateway of this run, or why there is none. */
export interface GoGateway {
  readonly child: Child<{ port: number }> | undefined;
  /** The row label: the grpc-gateway version it was built from. */
  readonly label: string;
  /** One line for the report: what was built from what, or why the baseline is missing. */
  readonly note: string;
}

/** Versions the setup script recorded beside the binary (Debian package versions). */
interface BuildVersions {
  readonly grpcGateway?: string;
  readonly protocGenGo?: string;
  readonly grpcGo?: string;
  readonly go?: string;
}

function versionsBeside(binary: string): BuildVersions {
  try {
    return JSON.parse(readFileSync(join(dirname(binary), "versions.json"), "utf8")) as BuildVersions;
  } catch {
    return {};
  }
}

/** Starts the Go gateway in front of `backendAddress` on the servers' CPUs, if it is built. */
export async function startGoGateway(harness: Harness, backendAddress: string): Promise<GoGateway> {
  const binary = harness.settings.goGateway;
  if (binary === undefined) return { child: undefined, label: "Go grpc-gateway", note: "Go grpc-gateway: left out (BENCH_GO_GATEWAY=0)." };
  if (!existsSync(binary)) {
    const note = "Go grpc-gateway: skipped, not built (`npm run bench:setup` installs its Debian packages and builds it).";
    harness.log(note);
    return { child: undefined, label: "Go grpc-gateway", note };
  }
  const v = versionsBeside(binary);
  // Debian versions: the upstream part is what the label names (1.6.4-2+b23 -> 1.6.4).
  const label = `Go grpc-gateway${v.grpcGateway === undefined ? "" : ` ${v.grpcGateway.replace(/-[^-]*$/, "")}`}`;
  const child = await harness.startExecutable<{ port: number }>("go-gateway", binary, "front", ["-backend", backendAddress, "-exit-on-stdin-eof"]);
  const cpus = harness.settings.cpus?.front;
  const pinning =
    cpus === undefined ? "not pinned, so GOMAXPROCS is every core" : `pinned to CPU ${cpus} like the other servers, so GOMAXPROCS is the number of CPUs there`;
  const built = [
    v.grpcGateway && `grpc-gateway ${v.grpcGateway}`,
    v.protocGenGo && `protoc-gen-go ${v.protocGenGo}`,
    v.grpcGo && `grpc-go ${v.grpcGo}`,
    v.go && `Go ${v.go.replace(/^go/, "")}`,
  ].filter(Boolean);
  const note = `${label}: the default \`runtime.NewServeMux()\`, built from the bench proto${built.length > 0 ? ` (Debian packages: ${built.join(", ")})` : ""}; CPU from /proc (user + system, all threads, 10 ms ticks); ${pinning}.`;
  return { child, label, note };
}
