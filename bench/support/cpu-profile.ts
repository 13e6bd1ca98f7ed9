/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and says where the time went: self time per
 * function, self time per package or runtime module, and inclusive time of each function
 * (time with it anywhere on the stack, counted once per sample).
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Time per key, as a share of all sampled time. */
export interface ProfileSummary {
  readonly totalMs: number;
  readonly selfByFunction: [string, number][];
  readonly selfByModule: [string, number][];
  readonly inclusiveByFunction: [string, number][];
  /** Time with the module anywhere on the stack. */
  readonly inclusiveByModule: [string, number][];
}

// Which bucket a frame's script belongs to: a runtime/ file by name, a package by name, node internals, V8 pseudo-frames.
export function moduleOf(url: string, functionName: string): string {
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)";
  const runtime = /\/runtime\/(?:dist\/)?(.+)$/.exec(url);
  if (runtime && !url.includes("node_modules")) return `runtime/${runtime[1]}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/")[0]}`;
  const bench = /\/(bench\/.*)$/.exec(url);
  return bench ? bench[1]! : url;
}

export function frameKey(node: Pick<ProfileNode, "callFrame">): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url === "" ? "" : ` ${moduleOf(url, functionName)}:${lineNumber + 1}`;
  return `${functionName || "(anonymous)"}${file}`;
}

/** A time window on the profiler's clock (process.hrtime in microseconds). */
export interface ProfileWindow {
  readonly fromUs: number;
  readonly toUs: number;
}

/** Summarises the profile at `path`, only the samples inside `window` when one is given. */
export function summariseProfile(path: string, window?: ProfileWindow): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const modules = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const inclusiveModules = new Map<string, number>();
  let total = 0;
  let at = profile.startTime;
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    at += us;
    if (window !== undefined && (at < window.fromUs || at > window.toUs)) return;
    const node = byId.get(id)!;
    total += us;
    add(self, frameKey(node), us);
    add(modules, moduleOf(node.callFrame.url, node.callFrame.functionName), us);
    const seen = new Set<string>();
    for (let frame: number | undefined = id; frame !== undefined; frame = parent.get(frame)) {
      const f = byId.get(frame)!;
      const key = frameKey(f);
      const module = `module ${moduleOf(f.callFrame.url, f.callFrame.functionName)}`;
      if (!seen.has(key)) add(inclusive, key, us);
      if (!seen.has(module)) add(inclusiveModules, module.slice(7), us);
      seen.add(key).add(module);
    }
  });
  const share = (map: Map<string, number>): [string, number][] => [...map].map(([k, v]): [string, number] => [k, v / total]).sort((a, b) => b[1] - a[1]);
  return {
    totalMs: total / 1000,
    selfByFunction: share(self),
    selfByModule: share(modules),
    inclusiveByFunction: share(inclusive),
    inclusiveByModule: share(inclusiveModules),
  };
}
