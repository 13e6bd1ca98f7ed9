/**
 * HTTP load through autocannon. Latencies come from autocannon's per-response event, in
 * fractional milliseconds: its own histogram keeps whole milliseconds only, too coarse
 * for the sub-millisecond latencies of a low-load run.
 */
import autocannon from "autocannon";
import { Samples } from "../support/stats.js";
import type { HttpJob, LoadResult } from "./jobs.js";

/** Runs `job` and summarises it. */
export function runHttp(job: HttpJob): Promise<LoadResult> {
  const samples = new Samples();
  let ok = 0;
  let failed = 0;
  let replyBytes = 0;
  let firstFailure: string | undefined;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const options: autocannon.Options = {
      url: job.origin,
      connections: job.connections,
      requests: job.requests.map((r) => ({ ...r, headers: r.headers ?? {} })),
      // Latency is recorded below; autocannon's own "coordinated omission" correction
      // only applies to rate-limited runs, which these are not.
      ...(job.amount !== undefined ? { amount: job.amount } : { duration: job.durationSec ?? 5 }),
    };
    const instance = autocannon(options, (err) => {
      if (err) return reject(err);
      const elapsedSec = (performance.now() - started) / 1000;
      const result = { ok, failed, elapsedSec, rps: ok / elapsedSec, ...samples.summary(), replyBytes };
      resolve(firstFailure === undefined ? result : { ...result, firstFailure });
    });
    instance.on("response", (_client, statusCode, resBytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) {
        ok++;
        samples.add(responseTime);
        replyBytes = resBytes;
      } else {
        failed++;
        firstFailure ??= `HTTP ${statusCode}`;
      }
    });
    instance.on("reqError", (err: Error) => {
      failed++;
      firstFailure ??= err.message;
    });
  });
}
