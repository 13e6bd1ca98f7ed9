// No module of runtime/ imports back, directly or through others, a module that imports
// it: contracts live apart from implementations. Every static relative import counts,
// `import type` and `export ... from` included, since a type-only cycle still ties the
// two modules' designs together.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";

const runtimeDir = fileURLToPath(new URL("../../runtime/", import.meta.url));
const excluded = join(runtimeDir, "gen");

/** Module -> the modules it imports, as paths relative to runtime/. */
type ImportGraph = ReadonlyMap<string, readonly string[]>;

// `import ... from "x"`, `import type ... from "x"`, `export ... from "x"` (over several lines
// too), and bare `import "x"`; only at the start of a line, so doc comments never count.
const importPattern = /^(?:import|export)\s(?:[^;"'`]*?\sfrom\s*)?["']([^"']+)["']/gm;

/** The relative specifiers a module's source imports statically. */
function relativeImports(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(importPattern)) if (match[1]!.startsWith(".")) found.push(match[1]!);
  return found;
}

function runtimeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return path === excluded ? [] : runtimeFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

function runtimeGraph(): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const file of runtimeFiles(runtimeDir)) {
    const targets = relativeImports(readFileSync(file, "utf8"))
      .map((spec) => resolve(dirname(file), spec.replace(/\.js$/, ".ts")))
      .filter((target) => !target.startsWith(`${excluded}/`))
      .map((target) => relative(runtimeDir, target));
    graph.set(relative(runtimeDir, file), targets);
  }
  return graph;
}

/**
 * The cycles of `graph`: for each set of modules that all reach each other, the shortest
 * cycle through one of them (`a -> b -> a`) and the rest of the set.
 */
function findCycles(graph: ImportGraph): string[] {
  // Tarjan's strongly connected components; each component of more than one module, or a
  // module importing itself, is reported with one cycle through it.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[] = [];
  let next = 0;
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component = new Set<string>();
    for (let member = stack.pop()!; ; member = stack.pop()!) {
      onStack.delete(member);
      component.add(member);
      if (member === node) break;
    }
    if (component.size === 1 && !(graph.get(node) ?? []).includes(node)) return;
    const cycle = cycleThrough(graph, node, component);
    const others = [...component].filter((member) => !cycle.includes(member)).sort();
    cycles.push(cycle.join(" -> ") + (others.length === 0 ? "" : ` (tied in too: ${others.join(", ")})`));
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return cycles;
}

// A shortest path from `start` back to itself inside its component (breadth first).
function cycleThrough(graph: ImportGraph, start: string, component: ReadonlySet<string>): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    for (const target of graph.get(node) ?? []) {
      if (!component.has(target)) continue;
      if (target === start) {
        const path = [node];
        for (let at = node; at !== start; ) path.unshift((at = cameFrom.get(at)!));
        return [...path, start];
      }
      if (!cameFrom.has(target)) {
        cameFrom.set(target, node);
        queue.push(target);
      }
    }
  }
  return [start, start];
}

describe("import graph", () => {
  test("reads every form of static import, and nothing in comments", () => {
    const source = [
      'import { a } from "./a.js";',
      'import type { B } from "../b.js";',
      "import {",
      "  c,",
      "  type C,",
      '} from "./c.js";',
      'export { d } from "./d.js";',
      'export type { E } from "./e.js";',
      'export * from "./f.js";',
      'import "./g.js";',
      'import * as grpc from "@grpc/grpc-js";',
      ' * import { no } from "./comment.js";',
      'const x = "import y from \\"./string.js\\"";',
    ].join("\n");
    assert.deepEqual(relativeImports(source), ["./a.js", "../b.js", "./c.js", "./d.js", "./e.js", "./f.js", "./g.js"]);
  });

  test("finds a cycle and names it; finds none in a tree", () => {
    const cyclic = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts", "d.ts"]],
      ["c.ts", ["a.ts", "f.ts"]],
      ["d.ts", []],
      ["f.ts", ["b.ts"]],
      ["e.ts", ["e.ts"]],
    ]);
    assert.deepEqual(findCycles(cyclic), ["a.ts -> b.ts -> c.ts -> a.ts (tied in too: f.ts)", "e.ts -> e.ts"]);
    assert.deepEqual(
      findCycles(
        new Map([
          ["a.ts", ["b.ts", "c.ts"]],
          ["b.ts", ["c.ts"]],
          ["c.ts", []],
        ]),
      ),
      [],
    );
  });

  test("runtime/ has no import cycle", () => {
    const graph = runtimeGraph();
    assert.ok(graph.size > 40, `only ${graph.size} runtime modules found`);
    const cycles = findCycles(graph);
    assert.deepEqual(cycles, [], `import cycles in runtime/:\n  ${cycles.join("\n  ")}`);
  });
});
