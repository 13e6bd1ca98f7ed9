/**
 * The callers of a streaming job: `concurrency` loops, each starting its next call as soon
 * as the last one has delivered its whole stream, until the duration is up. A call counts
 * as successful only when it delivered exactly the messages asked for.
 */
import { Samples } from "../support/stats.js";
import type { LoadResult } from "./jobs.js";

/** How one call ended: its messages, its body bytes, and why it failed, if it did. */
export interface CallOutcome {
  readonly messages: number;
  readonly bytes: number;
  readonly failure?: string | undefined;
}

/** Starts one call and reports its outcome through `done` (later calls of `done` are ignored). */
export type StreamCall = (done: (outcome: CallOutcome) => void) => void;

/** Runs the callers and summarises them; latencies are per call, start to last byte. */
export async function runCallers(concurrency: number, durationSec: number, messagesPerCall: number, call: StreamCall): Promise<LoadResult> {
  const samples = new Samples();
  let ok = 0;
  let failed = 0;
  let messages = 0;
  let replyBytes = 0;
  let firstFailure: string | undefined;
  const started = performance.now();
  const deadline = started + durationSec * 1000;
  const loop = () =>
    new Promise<void>((resolve) => {
      const next = (): void => {
        if (performance.now() >= deadline) return resolve();
        const t0 = performance.now();
        let settled = false;
        call((outcome) => {
          if (settled) return;
          settled = true;
          const failure =
            outcome.failure ?? (outcome.messages === messagesPerCall ? undefined : `a call delivered ${outcome.messages} of ${messagesPerCall} messages`);
          if (failure === undefined) {
            ok++;
            messages += outcome.messages;
            replyBytes = outcome.bytes;
            samples.add(performance.now() - t0);
          } else {
            failed++;
            firstFailure ??= failure;
          }
          next();
        });
      };
      next();
    });
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsedSec = (performance.now() - started) / 1000;
  const result = { ok, failed, elapsedSec, rps: ok / elapsedSec, ...samples.summary(), replyBytes, messages };
  return firstFailure === undefined ? result : { ...result, firstFailure };
}
