/**
 * The load generator, its own process pinned apart from the servers: runs the jobs the
 * harness sends (HTTP through autocannon, gRPC through grpc-js, server streams through
 * node:http or grpc-js) one at a time.
 */
import { serveControl } from "../support/control.js";
import { runGrpc } from "./grpc-load.js";
import { runGrpcStream } from "./grpc-stream-load.js";
import { runHttp } from "./http-load.js";
import { runHttpStream } from "./http-stream-load.js";
import type { LoadJob, LoadResult } from "./jobs.js";

function run(job: LoadJob): Promise<LoadResult> {
  switch (job.kind) {
    case "http":
      return runHttp(job);
    case "grpc":
      return runGrpc(job);
    case "http-stream":
      return runHttpStream(job);
    case "grpc-stream":
      return runGrpcStream(job);
  }
}

serveControl(
  { pid: process.pid },
  {
    run: (payload) => run(payload as LoadJob),
  },
);
