/**
 * The load generator, its own process pinned apart from the servers: runs the jobs the
 * harness sends (HTTP through autocannon, gRPC through grpc-js) one at a time.
 */
import { serveControl } from "../support/control.js";
import { runGrpc } from "./grpc-load.js";
import { runHttp } from "./http-load.js";
import type { LoadJob } from "./jobs.js";

serveControl(
  { pid: process.pid },
  {
    run: (payload) => {
      const job = payload as LoadJob;
      return job.kind === "http" ? runHttp(job) : runGrpc(job);
    },
  },
);
