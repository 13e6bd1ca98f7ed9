/** A unary scenario's section of the report: req/s, latency, CPU per request, and the ratios between targets. */
import { goId } from "../support/go-gateway.js";
import type { TargetFigures } from "../support/measure.js";
import { fixed, mib, perCpuSecond, perSecond, ratio, table, type ScenarioReport, type TargetCheck } from "../support/report.js";
import type { BenchSettings } from "../support/settings.js";

/** Bytes of one reply of a target: its body, and its header lines (`name: value`, CRLF). */
export interface ReplySize {
  readonly body: number;
  readonly headers: number;
}

/** Figures of one unary scenario. */
export interface UnaryFigures {
  readonly high: TargetFigures[];
  readonly low: TargetFigures[];
  readonly peakRss: Map<string, number>;
  readonly replySizes: Map<string, ReplySize>;
  /** What the Go gateway was built from, or why it is missing. */
  readonly goNote: string;
}

/** What the report says about the scenario itself. */
export interface UnaryReportCase {
  readonly id: string;
  readonly title: string;
  /** Whether the requests-per-CPU-second target against the Go gateway covers it. */
  readonly goTarget: boolean;
}

function by(list: readonly TargetFigures[], id: string): TargetFigures {
  const found = list.find((f) => f.id === id);
  if (found === undefined) throw new Error(`no figures for ${id}`);
  return found;
}

const perCpu = (t: TargetFigures | undefined): number => perCpuSecond(t?.frontCpuUs) ?? NaN;

function figuresTable(list: readonly TargetFigures[], f: UnaryFigures): string {
  const go = list.find((t) => t.id === goId);
  const rows = list.map((t) => [
    t.label,
    perSecond(t.rps),
    fixed(t.p50, 3),
    fixed(t.p99, 3),
    fixed(t.frontCpuUs, 1),
    perSecond(perCpuSecond(t.frontCpuUs)),
    go === undefined ? "–" : ratio(perCpu(t), perCpu(go)),
    fixed(t.backendCpuUs, 1),
    mib(f.peakRss.get(t.id)),
    String(f.replySizes.get(t.id)?.body ?? "–"),
    String(f.replySizes.get(t.id)?.headers ?? "–"),
    fixed(t.loadCores, 2),
    fixed(t.foreignCores, 2),
  ]);
  const header = [
    "target",
    "req/s",
    "p50 ms",
    "p99 ms",
    "CPU µs/req (server)",
    "req per server CPU-s",
    "per CPU-s / Go",
    "CPU µs/req (backend)",
    "peak RSS MiB",
    "reply bytes",
    "header bytes",
    "load gen cores",
    "others' cores",
  ];
  return table(header, rows);
}

/** The section and its checks. */
export function reportUnary(settings: BenchSettings, c: UnaryReportCase, f: UnaryFigures): ScenarioReport {
  const { connections, lowLoadConnections } = settings;
  const hi = (id: string) => by(f.high, id);
  const lo = (id: string) => by(f.low, id);
  const hasGo = f.high.some((t) => t.id === goId);
  const rps = (t: TargetFigures) => t.rps;
  const cpu = (t: TargetFigures) => perCpu(t);
  const row = (name: string, a: string, b: string, pick: (t: TargetFigures) => number): string[] => [
    name,
    ratio(pick(hi(a)), pick(hi(b))),
    ratio(pick(lo(a)), pick(lo(b))),
  ];
  const ratios = table(
    ["ratio", `${connections} conn`, `${lowLoadConnections} conn`],
    [
      row("req/s: gateway / hand-written", "gateway", "hand-written", rps),
      row("req/s: gateway / direct gRPC", "gateway", "grpc", rps),
      row("req/s: gateway / echo", "gateway", "echo", rps),
      row("req/s: in-process / connect-express", "in-process", "connect", rps),
      row("req/s: in-process / echo", "in-process", "echo", rps),
      row("req/s: hand-written / direct gRPC", "hand-written", "grpc", rps),
      ...(hasGo
        ? [
            row("req/s: gateway / Go grpc-gateway", "gateway", goId, rps),
            row("req per server CPU-s: gateway / Go grpc-gateway", "gateway", goId, cpu),
            row("req per server CPU-s: hand-written / Go grpc-gateway", "hand-written", goId, cpu),
          ]
        : []),
    ],
  );
  const added = lo("gateway").p50 - lo("grpc").p50;
  const addedHand = lo("hand-written").p50 - lo("grpc").p50;
  const gatewayRatio = hi("gateway").rps / hi("hand-written").rps;
  const inProcessRatio = hi("in-process").rps / hi("connect").rps;
  const checks: TargetCheck[] = [
    {
      name: `${c.id}: gateway vs hand-written`,
      goal: ">= 1.0x req/s",
      figure: `${gatewayRatio.toFixed(2)}x (${perSecond(hi("gateway").rps)} vs ${perSecond(hi("hand-written").rps)})`,
      met: gatewayRatio >= 1,
    },
    {
      name: `${c.id}: p50 added over direct gRPC, 1 conn`,
      goal: "< 0.2 ms",
      figure: `${added.toFixed(3)} ms (${lo("gateway").p50.toFixed(3)} vs ${lo("grpc").p50.toFixed(3)})`,
      met: added < 0.2,
    },
    {
      name: `${c.id}: in-process vs connect-express`,
      goal: ">= 1.0x req/s",
      figure: `${inProcessRatio.toFixed(2)}x (${perSecond(hi("in-process").rps)} vs ${perSecond(hi("connect").rps)})`,
      met: inProcessRatio >= 1,
    },
  ];
  if (c.goTarget) {
    // Issue 9: at least 0.8x the Go gateway's requests per CPU-second when mounted with app.use.
    const goRatio = hasGo ? perCpu(hi("gateway")) / perCpu(hi(goId)) : NaN;
    checks.push({
      name: `${c.id}: gateway (app.use) vs Go grpc-gateway, req per server CPU-s`,
      goal: ">= 0.8x",
      figure: hasGo ? `${goRatio.toFixed(2)}x (${perSecond(perCpu(hi("gateway")))} vs ${perSecond(perCpu(hi(goId)))})` : "Go gateway not built",
      met: Number.isNaN(goRatio) ? undefined : goRatio >= 0.8,
    });
  }
  const markdown = [
    f.goNote,
    "",
    `**${connections} connections**`,
    "",
    figuresTable(f.high, f),
    "",
    `**${lowLoadConnections} connection** (latency added by the gateway: p50 ${added.toFixed(3)} ms over direct gRPC; the hand-written proxy adds ${addedHand.toFixed(3)} ms)`,
    "",
    figuresTable(f.low, f),
    "",
    ratios,
  ].join("\n");
  return { id: c.id, title: c.title, markdown, checks };
}
