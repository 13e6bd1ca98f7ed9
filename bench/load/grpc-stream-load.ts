/**
 * The streaming floor: ts-proto's grpc-js client calling ListItems on the backend, with
 * `concurrency` calls in flight over one channel, counting the messages of each.
 */
import * as grpc from "@grpc/grpc-js";
import { ListItemsRequest } from "../backend-gen/bench/v1/bench.js";
import { runCallers } from "./call-loop.js";
import { readyClient } from "./grpc-load.js";
import type { GrpcStreamJob, LoadResult } from "./jobs.js";

/** Runs `job` and summarises it. */
export async function runGrpcStream(job: GrpcStreamJob): Promise<LoadResult> {
  const client = await readyClient(job.address);
  const request = ListItemsRequest.fromPartial({ shelf: job.shelf, count: job.messagesPerCall });
  return runCallers(job.concurrency, job.durationSec, job.messagesPerCall, (done) => {
    const call = client.listItems(request);
    let messages = 0;
    let status: grpc.StatusObject | undefined;
    let ended = false;
    // grpc-js emits the status as soon as it arrives, "end" once every message is read: wait for both.
    const settle = (): void => {
      if (status === undefined || !ended) return;
      done({ messages, bytes: 0, failure: status.code === grpc.status.OK ? undefined : `gRPC status ${status.code}: ${status.details}` });
    };
    call.on("data", () => void messages++);
    call.on("error", () => void (ended = true)); // the status carries the same error
    call.on("status", (s: grpc.StatusObject) => {
      status = s;
      settle();
    });
    call.on("end", () => {
      ended = true;
      settle();
    });
  });
}
