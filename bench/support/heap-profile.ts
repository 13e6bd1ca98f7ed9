/**
 * Reads a V8 sampling heap profile (HeapProfiler.stopSampling, collected objects
 * included) and says what was allocated where: bytes by allocating function, by package or
 * runtime module, and by the nearest runtime/ or bench/ frame on the stack, which names the
 * gateway code that asked for an allocation node made on its behalf.
 */
import { readFileSync } from "node:fs";
import { frameKey, moduleOf } from "./cpu-profile.js";

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

/** Bytes per key, largest first. */
export interface HeapSummary {
  readonly totalBytes: number;
  readonly selfByFunction: [string, number][];
  readonly selfByModule: [string, number][];
  /** Bytes under each runtime/ or bench/ function that is the nearest such frame; "(node)" when there is none. */
  readonly byNearestOwnFrame: [string, number][];
}

export function summariseHeapProfile(path: string): HeapSummary {
  const { head } = JSON.parse(readFileSync(path, "utf8")) as { head: HeapNode };
  const self = new Map<string, number>();
  const modules = new Map<string, number>();
  const nearest = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, bytes: number) => map.set(key, (map.get(key) ?? 0) + bytes);
  let total = 0;
  // Iterative: stacks of a busy server run deep enough to make recursion a risk.
  const stack: [HeapNode, string][] = [[head, "(node)"]];
  while (stack.length > 0) {
    const [node, outer] = stack.pop()!;
    const { url, functionName } = node.callFrame;
    const module = moduleOf(url, functionName);
    const own = module.startsWith("runtime/") || module.startsWith("bench/") ? frameKey(node) : outer;
    if (node.selfSize > 0) {
      total += node.selfSize;
      add(self, frameKey(node), node.selfSize);
      add(modules, module, node.selfSize);
      add(nearest, own, node.selfSize);
    }
    for (const child of node.children) stack.push([child, own]);
  }
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return { totalBytes: total, selfByFunction: sorted(self), selfByModule: sorted(modules), byNearestOwnFrame: sorted(nearest) };
}
