/**
 * SLOT for the server-streaming scenario (issue 4: "1,000 messages per call,
 * messages/s delivered to the HTTP client"), to be filled in once the gateway streams.
 *
 * What is ready: bench.v1.BenchService/ListItems (`GET /v1/shelves/{shelf}/items?count=N`)
 * in bench/proto, its generated route in bench/gen, and the gRPC backend's implementation
 * (servers/backend.ts writes `count` items). To add the scenario:
 * - return a ScenarioReport from `runStreaming` below (start the servers with
 *   harness.start, as scenarios/unary.ts does);
 * - add a load job kind for streams in load/jobs.ts (an HTTP client that reads the NDJSON
 *   body and counts lines, and a grpc-js loop that counts messages), with baselines as
 *   for unary: direct gRPC, a hand-written Express proxy writing NDJSON, connect-express
 *   (server streaming over the Connect protocol), in-process mode;
 * - report messages/s instead of requests/s.
 * run.ts already lists this scenario; while `pending` is set it is reported as not run.
 */
import type { Harness } from "../support/harness.js";
import type { ScenarioReport } from "../support/report.js";

/** Whether the streaming scenario is still waiting for the streaming runtime. */
export const streamingPending = true;

/** Runs the streaming scenario; not written yet (see above). */
export async function runStreaming(_harness: Harness): Promise<ScenarioReport> {
  return {
    id: "stream",
    title: "Server streaming: 1,000 messages per call",
    markdown: "Not measured yet: this scenario waits for server streaming in the runtime (see bench/scenarios/streaming.ts).",
    checks: [],
  };
}
