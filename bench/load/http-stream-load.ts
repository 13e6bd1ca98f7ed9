/**
 * Server-streaming load over HTTP/1.1 through node:http (autocannon only times whole
 * replies, and cannot count what they hold): keep-alive connections, one call at a time
 * on each, every reply read to its end and its messages counted.
 */
import { Agent, request } from "node:http";
import { runCallers, type CallOutcome } from "./call-loop.js";
import type { HttpStreamJob, LoadResult } from "./jobs.js";
import { EnvelopeCounter, LineCounter, connectEnvelope, type MessageCounter } from "./stream-counters.js";

/** Runs `job` and summarises it. */
export async function runHttpStream(job: HttpStreamJob): Promise<LoadResult> {
  const url = new URL(job.request.path, job.origin);
  const agent = new Agent({ keepAlive: true, maxSockets: job.connections });
  const { body: text } = job.request;
  const body = text === undefined ? undefined : job.framing === "connect" ? connectEnvelope(text) : Buffer.from(text);
  const headers = { ...job.request.headers, ...(body === undefined ? {} : { "content-length": String(body.length) }) };
  const options = { agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method: job.request.method, headers };
  const counter = (): MessageCounter => (job.framing === "connect" ? new EnvelopeCounter() : new LineCounter());
  try {
    return await runCallers(job.connections, job.durationSec, job.messagesPerCall, (done) => {
      const fail = (failure: string, messages = 0, bytes = 0): void => done({ messages, bytes, failure });
      const req = request(options, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return fail(`HTTP ${res.statusCode}`);
        }
        const messages = counter();
        let bytes = 0;
        res.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
          messages.push(chunk);
        });
        res.on("end", () => done({ ...messages.finish(), bytes } satisfies CallOutcome));
        // A connection closed mid-stream ends without "end"; the call must not hang.
        res.on("close", () => fail("the connection closed before the stream ended", messages.finish().messages, bytes));
        res.on("error", (err) => fail(err.message, messages.finish().messages, bytes));
      });
      req.on("error", (err) => fail(err.message));
      req.end(body);
    });
  } finally {
    agent.destroy();
  }
}
