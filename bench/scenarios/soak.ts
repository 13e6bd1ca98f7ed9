/**
 * Soak: a long stream of requests (BENCH_SOAK, one million by default) through the
 * gateway dialling the gRPC backend, GET and 1 KB POST in turn, with the gateway's RSS
 * taken after a warm-up, every few seconds, and at the end. Start and end are each taken
 * after a full GC (the gateway runs with --expose-gc), so garbage not yet collected does
 * not read as growth.
 */
import type { HttpRequestSpec } from "../load/jobs.js";
import { createOrderPath, getItem, orderBody } from "../payloads.js";
import type { ProcessStats } from "../support/control.js";
import type { Harness } from "../support/harness.js";
import { waitForQuiet } from "../support/measure.js";
import { mib, perSecond, table, type ScenarioReport } from "../support/report.js";

const sampleEveryMs = 5000;

/** Runs the soak. */
export async function runSoak(harness: Harness): Promise<ScenarioReport> {
  const total = harness.settings.soakRequests;
  const warmup = Math.max(10_000, Math.round(total * 0.02));
  const backend = await harness.start<{ address: string }>("backend", "servers/backend.ts", "backend");
  const gateway = await harness.start<{ port: number }>("gateway", "servers/gateway.ts", "front", ["dial", backend.info.address], ["--expose-gc"]);
  try {
    const origin = `http://127.0.0.1:${gateway.info.port}`;
    const requests: HttpRequestSpec[] = [
      { method: "GET", path: getItem.path },
      { method: "POST", path: createOrderPath, headers: { "content-type": "application/json" }, body: orderBody(1024) },
    ];
    const connections = harness.settings.connections;
    const fresh = await gateway.stats();
    harness.log(`soak: warm-up, ${warmup} requests`);
    await harness.load({ kind: "http", origin, requests, connections, amount: warmup });
    const start = await gateway.call<ProcessStats>("gc");
    await waitForQuiet(harness);
    harness.log(`soak: ${total} requests`);
    const samples: { at: number; rss: number }[] = [];
    const began = performance.now();
    const timer = setInterval(() => {
      void gateway.stats().then(
        (s) => samples.push({ at: (performance.now() - began) / 1000, rss: s.rss }),
        () => undefined,
      );
    }, sampleEveryMs);
    let result: Awaited<ReturnType<typeof harness.load>>;
    try {
      result = await harness.load({ kind: "http", origin, requests, connections, amount: total });
    } finally {
      clearInterval(timer);
    }
    const end = await gateway.call<ProcessStats>("gc");
    return report(total, result.ok, result.failed, result.rps, fresh, start, end, samples);
  } finally {
    await harness.stop();
  }
}

function report(
  total: number,
  ok: number,
  failed: number,
  rps: number,
  fresh: ProcessStats,
  start: ProcessStats,
  end: ProcessStats,
  samples: readonly { at: number; rss: number }[],
): ScenarioReport {
  const growth = (end.rss - start.rss) / start.rss;
  const heapGrowth = (end.heapUsed - start.heapUsed) / start.heapUsed;
  // About ten points across the run are enough to show a trend.
  const step = Math.max(1, Math.ceil(samples.length / 10));
  const trend = samples
    .filter((_, i) => i % step === 0)
    .map((s) => `${s.at.toFixed(0)} s: ${mib(s.rss)}`)
    .join(", ");
  const markdown = [
    `${ok.toLocaleString("en-US")} good and ${failed} failed replies out of ${total.toLocaleString("en-US")} requests (GET and 1 KB POST in turn, ${perSecond(rps)} req/s).`,
    "",
    table(
      ["gateway process", "RSS MiB", "heap used MiB"],
      [
        ["just started", mib(fresh.rss), mib(fresh.heapUsed)],
        ["start: after warm-up and a full GC", mib(start.rss), mib(start.heapUsed)],
        ["end: after the soak and a full GC", mib(end.rss), mib(end.heapUsed)],
        ["peak during the run (maxrss)", mib(end.maxRss), "–"],
      ],
    ),
    "",
    `RSS growth start to end: ${(growth * 100).toFixed(1)}%; heap growth: ${(heapGrowth * 100).toFixed(1)}%.`,
    "",
    samples.length > 0 ? `RSS during the run (MiB): ${trend}.` : "",
  ].join("\n");
  return {
    id: "soak",
    title: `Soak: ${total.toLocaleString("en-US")} requests`,
    markdown,
    checks: [
      {
        name: "soak: RSS growth, start to end",
        goal: "<= 10%",
        figure: `${(growth * 100).toFixed(1)}% (${mib(start.rss)} -> ${mib(end.rss)} MiB)`,
        met: growth <= 0.1 && failed === 0,
      },
    ],
  };
}
