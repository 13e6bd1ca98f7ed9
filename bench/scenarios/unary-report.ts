/** A unary scenario's section of the report: req/s, latency, CPU per request, and the ratios between targets. */
import { gatewayTargets, type GatewayTargetId } from "../support/compared-servers.js";
import { goId } from "../support/go-gateway.js";
import type { TargetFigures } from "../support/measure.js";
import { fixed, mib, perCpuSecond, perSecond, ratio, table, type ScenarioReport, type TargetCheck } from "../support/report.js";
import type { BenchSettings } from "../support/settings.js";
import { median } from "../support/stats.js";

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
  /** Whether the issue's requests-per-CPU-second target against the Go gateway covers it. */
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
  const hand = list.find((t) => t.id === "hand-written");
  const rows = list.map((t) => [
    t.label,
    perSecond(t.rps),
    hand === undefined ? "–" : ratio(t.rps, hand.rps),
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
    "req/s / hand-written",
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

/**
 * The floor under any gateway in one node process (servers/bare.ts bare-proxy): a fixed
 * reply from node:http after one gRPC call written directly on node:http2 (a POST's body
 * carried to the backend and back as bytes), nothing bound, transcoded or checked. What bounds the issue 9 ratios, measured in the same run.
 */
export const floorId = "floor";
export const floorLabel = "floor: node:http reply + one node:http2 call";
/**
 * The POST scenarios' floor with V8's JSON (servers/bare.ts bare-json): the body
 * `JSON.parse`d, the order's protobuf bytes (encoded once) sent to the backend, the parsed
 * order answered by `JSON.stringify`. No gateway in node reads and writes the JSON for less.
 */
export const floorJsonId = "floor-json";
export const floorJsonLabel = "floor with JSON: JSON.parse + node:http2 call + JSON.stringify";

// Issue 9: requests per server CPU-second over the Go gateway's, for get and post-1k; the
// front door is held to more than the Express mount, whose per-request machinery it skips.
const goGoal: Record<GatewayTargetId, number> = { gateway: 0.8, "front-door": 1.0, "front-door-grpc-js": 1.0 };

/** The section and its checks. */
export function reportUnary(settings: BenchSettings, c: UnaryReportCase, f: UnaryFigures): ScenarioReport {
  const { connections, lowLoadConnections } = settings;
  const hi = (id: string) => by(f.high, id);
  const lo = (id: string) => by(f.low, id);
  const hasGo = f.high.some((t) => t.id === goId);
  const hasFloorJson = f.high.some((t) => t.id === floorJsonId);
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
      ...gatewayTargets.flatMap((g) => [
        row(`req/s: ${g.label} / hand-written`, g.id, "hand-written", rps),
        row(`req per server CPU-s: ${g.label} / hand-written`, g.id, "hand-written", cpu),
        row(`req/s: ${g.label} / direct gRPC`, g.id, "grpc", rps),
        row(`req/s: ${g.label} / echo`, g.id, "echo", rps),
        row(`req per server CPU-s: ${g.label} / floor`, g.id, floorId, cpu),
        ...(hasFloorJson ? [row(`req per server CPU-s: ${g.label} / floor with JSON`, g.id, floorJsonId, cpu)] : []),
      ]),
      ...(hasFloorJson ? [row("req/s: floor with JSON / hand-written", floorJsonId, "hand-written", rps)] : []),
      row("req/s: in-process / connect-express", "in-process", "connect", rps),
      row("req/s: in-process / echo", "in-process", "echo", rps),
      row("req/s: hand-written / direct gRPC", "hand-written", "grpc", rps),
      ...(hasGo
        ? [
            ...gatewayTargets.flatMap((g) => [
              row(`req/s: ${g.label} / Go grpc-gateway`, g.id, goId, rps),
              row(`req per server CPU-s: ${g.label} / Go grpc-gateway`, g.id, goId, cpu),
            ]),
            row("req per server CPU-s: hand-written / Go grpc-gateway", "hand-written", goId, cpu),
            row("req per server CPU-s: floor / Go grpc-gateway", floorId, goId, cpu),
          ]
        : []),
    ],
  );
  const addedOf = (id: string) => lo(id).p50 - lo("grpc").p50;
  const addedHand = addedOf("hand-written");
  const overHand = (id: string) => hi(id).rps / hi("hand-written").rps;
  const inProcessRatio = hi("in-process").rps / hi("connect").rps;
  // The same ratio round by round (each round's two runs seconds apart): where the machine's
  // speed drifts between rounds, their spread says how far the ratio of medians can be trusted.
  const perRound = (a: TargetFigures, b: TargetFigures) => {
    const ratios = a.runs.map((run, i) => run.rps / b.runs[i]!.rps).sort((x, y) => x - y);
    return `per round ${median(ratios).toFixed(2)}x, ${ratios[0]!.toFixed(2)}-${ratios[ratios.length - 1]!.toFixed(2)}x`;
  };
  const versusHand = (id: string, label: string, goal: number): TargetCheck => ({
    name: `${c.id}: ${label} vs hand-written`,
    goal: `>= ${goal.toFixed(1)}x req/s`,
    figure: `${overHand(id).toFixed(2)}x (${perSecond(hi(id).rps)} vs ${perSecond(hi("hand-written").rps)}; ${perRound(hi(id), hi("hand-written"))})`,
    met: overHand(id) >= goal,
  });
  const checks: TargetCheck[] = [
    // Issue 4: the gateway in Express at least as fast as the proxy a team would write.
    versusHand("gateway", "gateway (app.use)", 1.0),
    // Issue 9: at least 1.5x the hand-written proxy, every way the gateway is mounted.
    ...gatewayTargets.map((g) => versusHand(g.id, g.label, 1.5)),
    ...gatewayTargets.map(
      (g): TargetCheck => ({
        name: `${c.id}: ${g.label}, p50 added over direct gRPC, 1 conn`,
        goal: "< 0.2 ms",
        figure: `${addedOf(g.id).toFixed(3)} ms (${lo(g.id).p50.toFixed(3)} vs ${lo("grpc").p50.toFixed(3)})`,
        met: addedOf(g.id) < 0.2,
      }),
    ),
    {
      name: `${c.id}: in-process vs connect-express`,
      goal: ">= 1.0x req/s",
      figure: `${inProcessRatio.toFixed(2)}x (${perSecond(hi("in-process").rps)} vs ${perSecond(hi("connect").rps)})`,
      met: inProcessRatio >= 1,
    },
  ];
  if (c.goTarget) {
    for (const g of gatewayTargets) {
      const goRatio = hasGo ? perCpu(hi(g.id)) / perCpu(hi(goId)) : NaN;
      checks.push({
        name: `${c.id}: ${g.label} vs Go grpc-gateway, req per server CPU-s`,
        goal: `>= ${goGoal[g.id].toFixed(1)}x`,
        figure: hasGo ? `${goRatio.toFixed(2)}x (${perSecond(perCpu(hi(g.id)))} vs ${perSecond(perCpu(hi(goId)))})` : "Go gateway not built",
        met: Number.isNaN(goRatio) ? undefined : goRatio >= goGoal[g.id],
      });
    }
  }
  const markdown = [
    f.goNote,
    "",
    `**${connections} connections**`,
    "",
    figuresTable(f.high, f),
    "",
    `**${lowLoadConnections} connection** (latency added over direct gRPC, p50: ${gatewayTargets.map((g) => `${g.label} ${addedOf(g.id).toFixed(3)} ms`).join(", ")}; the hand-written proxy ${addedHand.toFixed(3)} ms${hasFloorJson ? `; the floor with JSON ${addedOf(floorJsonId).toFixed(3)} ms` : ""})`,
    "",
    figuresTable(f.low, f),
    "",
    ratios,
  ].join("\n");
  return { id: c.id, title: c.title, markdown, checks };
}
