// The plugin shares the runtime's decisions through one module, runtime/internal.ts, so
// that what it relies on is listed in one place (and can become a package entry).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";

const src = new URL("../../src/", import.meta.url);

test("src/ imports the runtime only through runtime/internal.js", () => {
  const imports: string[] = [];
  for (const name of readdirSync(src).filter((n) => n.endsWith(".ts")).sort()) {
    const text = readFileSync(new URL(name, src), "utf8");
    for (const [, specifier] of text.matchAll(/from\s+"([^"]+)"/g)) {
      if (specifier!.includes("runtime")) imports.push(`${name}: ${specifier}`);
    }
  }
  assert.ok(imports.length > 0, "the plugin imports the runtime somewhere");
  assert.deepEqual(imports.filter((i) => !i.endsWith(": ../runtime/internal.js")), []);
});
