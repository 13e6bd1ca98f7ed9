/**
 * The direct-gRPC baseline's load: ts-proto's grpc-js client calling the backend with
 * `concurrency` calls in flight over one channel (what the gateway itself uses), each
 * issuing the next call as soon as its reply is in, like an HTTP connection under
 * autocannon.
 */
import * as grpc from "@grpc/grpc-js";
import { BenchServiceClient, GetItemRequest, Item, ItemView, Order } from "../backend-gen/bench/v1/bench.js";
import { getItem } from "../payloads.js";
import { Samples } from "../support/stats.js";
import type { GrpcJob, LoadResult } from "./jobs.js";

const clients = new Map<string, BenchServiceClient>();

/** The client of `address` (one channel per backend, kept across jobs), once it is connected. */
export async function readyClient(address: string): Promise<BenchServiceClient> {
  let client = clients.get(address);
  if (client === undefined) clients.set(address, (client = new BenchServiceClient(address, grpc.credentials.createInsecure())));
  const ready = client;
  await new Promise<void>((resolve, reject) => ready.waitForReady(Date.now() + 10_000, (err) => (err ? reject(err) : resolve())));
  return ready;
}

/** One call; `done` gets the reply's encoded size when asked to measure it (once per job). */
type Call = (measure: boolean, done: (err: grpc.ServiceError | null, replyBytes: number) => void) => void;

function callFor(job: GrpcJob, client: BenchServiceClient): Call {
  if (job.method === "getItem") {
    const request = GetItemRequest.fromPartial({ id: getItem.id, view: ItemView.ITEM_VIEW_FULL, locale: getItem.locale });
    return (measure, done) => client.getItem(request, (err, reply) => done(err, measure && !err ? Item.encode(reply).finish().length : 0));
  }
  if (job.body === undefined) throw new Error("createOrder needs a body");
  const request = Order.fromJSON(JSON.parse(job.body));
  return (measure, done) => client.createOrder(request, (err, reply) => done(err, measure && !err ? Order.encode(reply).finish().length : 0));
}

/** Runs `job` and summarises it. */
export async function runGrpc(job: GrpcJob): Promise<LoadResult> {
  const client = await readyClient(job.address);
  const call = callFor(job, client);
  const samples = new Samples();
  let ok = 0;
  let failed = 0;
  let replyBytes = 0;
  const started = performance.now();
  const deadline = started + job.durationSec * 1000;
  const loop = () =>
    new Promise<void>((resolve) => {
      const next = (): void => {
        if (performance.now() >= deadline) return resolve();
        const t0 = performance.now();
        call(replyBytes === 0, (err, bytes) => {
          if (err) failed++;
          else {
            ok++;
            samples.add(performance.now() - t0);
            if (bytes > 0) replyBytes = bytes;
          }
          next();
        });
      };
      next();
    });
  await Promise.all(Array.from({ length: job.concurrency }, loop));
  const elapsedSec = (performance.now() - started) / 1000;
  return { ok, failed, elapsedSec, rps: ok / elapsedSec, ...samples.summary(), replyBytes };
}
