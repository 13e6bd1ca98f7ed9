/** The streaming scenario's section of the report: messages/s, time per call, CPU per message. */
import { gatewayTargets } from "../support/compared-servers.js";
import { goId } from "../support/go-gateway.js";
import type { TargetFigures } from "../support/measure.js";
import { fixed, mib, perCpuSecond, perSecond, ratio, table, type ScenarioReport, type TargetCheck } from "../support/report.js";
import type { BenchSettings } from "../support/settings.js";

/** Figures of the streaming scenario. */
export interface StreamingFigures {
  readonly high: TargetFigures[];
  readonly low: TargetFigures[];
  readonly peakRss: Map<string, number>;
  /** Body bytes of one call, by target (HTTP targets only). */
  readonly bodySizes: Map<string, number>;
  /** What the Go gateway was built from, or why it is missing. */
  readonly goNote: string;
}

function by(list: readonly TargetFigures[], id: string): TargetFigures {
  const found = list.find((f) => f.id === id);
  if (found === undefined) throw new Error(`no figures for ${id}`);
  return found;
}

const mps = (t: TargetFigures): number => t.messagesPerSec ?? NaN;

// Messages per second of server CPU; the target's CPU figures are per call.
const msgPerCpu = (t: TargetFigures | undefined, perCall: number): number => perCpuSecond(t?.frontCpuUs, perCall) ?? NaN;

function figuresTable(list: readonly TargetFigures[], f: StreamingFigures, perCall: number): string {
  const perMessage = (us: number | undefined) => fixed(us === undefined ? undefined : us / perCall, 2);
  const go = list.find((t) => t.id === goId);
  const hand = list.find((t) => t.id === "hand-written");
  const rows = list.map((t) => [
    t.label,
    fixed(t.rps, 1),
    perSecond(mps(t)),
    hand === undefined ? "–" : ratio(mps(t), mps(hand)),
    fixed(t.p50, 2),
    fixed(t.p99, 2),
    perMessage(t.frontCpuUs),
    perSecond(msgPerCpu(t, perCall)),
    go === undefined ? "–" : ratio(msgPerCpu(t, perCall), msgPerCpu(go, perCall)),
    perMessage(t.backendCpuUs),
    mib(f.peakRss.get(t.id)),
    f.bodySizes.has(t.id) ? String(f.bodySizes.get(t.id)) : "–",
    t.failed > 0 ? `**${t.failed}**` : "0",
    fixed(t.loadCores, 2),
    fixed(t.foreignCores, 2),
  ]);
  const header = [
    "target",
    "calls/s",
    "msg/s",
    "msg/s / hand-written",
    "p50 ms/call",
    "p99 ms/call",
    "CPU µs/msg (server)",
    "msg per server CPU-s",
    "per CPU-s / Go",
    "CPU µs/msg (backend)",
    "peak RSS MiB",
    "bytes/call",
    "failed calls",
    "load gen cores",
    "others' cores",
  ];
  return table(header, rows);
}

function failures(list: readonly TargetFigures[]): string[] {
  return list.filter((t) => t.failed > 0).map((t) => `- **FAILED** ${t.label}: ${t.failed} calls (first: ${t.firstFailure ?? "unknown"})`);
}

/** The section and its checks. */
export function reportStreaming(settings: BenchSettings, perCall: number, f: StreamingFigures): ScenarioReport {
  const { streams, lowLoadConnections } = settings;
  const hi = (id: string) => by(f.high, id);
  const lo = (id: string) => by(f.low, id);
  const row = (name: string, a: string, b: string, pick: (t: TargetFigures) => number): string[] => [
    name,
    ratio(pick(hi(a)), pick(hi(b))),
    ratio(pick(lo(a)), pick(lo(b))),
  ];
  const cpu = (t: TargetFigures) => t.frontCpuUs ?? NaN;
  const perCpu = (t: TargetFigures) => msgPerCpu(t, perCall);
  const hasGo = f.high.some((t) => t.id === goId);
  const ratios = table(
    ["ratio", `${streams} streams`, `${lowLoadConnections} stream`],
    [
      ...gatewayTargets.flatMap((g) => [
        row(`msg/s: ${g.label} / hand-written`, g.id, "hand-written", mps),
        row(`server CPU per msg: ${g.label} / hand-written`, g.id, "hand-written", cpu),
        row(`msg/s: ${g.label} / direct gRPC`, g.id, "grpc", mps),
      ]),
      row("msg/s: in-process / connect-express", "in-process", "connect", mps),
      row("msg/s: in-process / gateway (app.use)", "in-process", "gateway", mps),
      row("msg/s: hand-written / direct gRPC", "hand-written", "grpc", mps),
      row("server CPU per msg: in-process / connect-express", "in-process", "connect", cpu),
      ...(hasGo
        ? [
            ...gatewayTargets.flatMap((g) => [
              row(`msg/s: ${g.label} / Go grpc-gateway`, g.id, goId, mps),
              row(`msg per server CPU-s: ${g.label} / Go grpc-gateway`, g.id, goId, perCpu),
            ]),
            row("msg per server CPU-s: hand-written / Go grpc-gateway", "hand-written", goId, perCpu),
          ]
        : []),
    ],
  );
  const gatewayRatio = mps(hi("gateway")) / mps(hi("hand-written"));
  const inProcessRatio = mps(hi("in-process")) / mps(hi("connect"));
  const failed = [...f.high, ...f.low].filter((t) => t.failed > 0);
  const checks: TargetCheck[] = [
    {
      name: "stream: gateway (app.use) vs hand-written",
      goal: ">= 1.0x msg/s",
      figure: `${gatewayRatio.toFixed(2)}x (${perSecond(mps(hi("gateway")))} vs ${perSecond(mps(hi("hand-written")))})`,
      met: gatewayRatio >= 1,
    },
    {
      name: "stream: in-process vs connect-express",
      goal: ">= 1.0x msg/s",
      figure: `${inProcessRatio.toFixed(2)}x (${perSecond(mps(hi("in-process")))} vs ${perSecond(mps(hi("connect")))})`,
      met: inProcessRatio >= 1,
    },
    // Issue 9: messages per gateway CPU-second at least the Go gateway's, every way it is mounted.
    ...gatewayTargets.map((g): TargetCheck => {
      const goRatio = hasGo ? perCpu(hi(g.id)) / perCpu(hi(goId)) : NaN;
      return {
        name: `stream: ${g.label} vs Go grpc-gateway, msg per server CPU-s`,
        goal: ">= 1.0x",
        figure: hasGo ? `${goRatio.toFixed(2)}x (${perSecond(perCpu(hi(g.id)))} vs ${perSecond(perCpu(hi(goId)))})` : "Go gateway not built",
        met: Number.isNaN(goRatio) ? undefined : goRatio >= 1,
      };
    }),
    {
      name: `stream: every call delivers ${perCall.toLocaleString("en-US")} messages`,
      goal: "no failed call",
      figure: failed.length === 0 ? "all targets" : `failed: ${[...new Set(failed.map((t) => t.label))].join(", ")}`,
      met: failed.length === 0,
    },
  ];
  const addedOf = (id: string) => lo(id).p50 - lo("grpc").p50;
  const addedHand = addedOf("hand-written");
  const markdown = [
    f.goNote,
    "",
    `Each call asks for ${perCall.toLocaleString("en-US")} items and must deliver exactly that many (counted per call by the load generator; the gateway in its default framing, one \`{"result": ...}\` line per message; connect-express in Connect streaming envelopes). Latency is per call, request to last byte; CPU is per message delivered.`,
    "",
    ...failures([...f.high, ...f.low]),
    "",
    `**${streams} concurrent streams**`,
    "",
    figuresTable(f.high, f, perCall),
    "",
    `**${lowLoadConnections} stream at a time** (time per call added over direct gRPC, p50: ${gatewayTargets.map((g) => `${g.label} ${addedOf(g.id).toFixed(2)} ms`).join(", ")}; the hand-written proxy ${addedHand.toFixed(2)} ms)`,
    "",
    figuresTable(f.low, f, perCall),
    "",
    ratios,
  ].join("\n");
  return { id: "stream", title: "Server streaming: 1,000 messages per call", markdown, checks };
}
