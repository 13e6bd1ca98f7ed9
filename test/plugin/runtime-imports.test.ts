// The plugin is a package of its own (src/package.json): it shares the runtime's decisions
// through one entry, grpc-gateway-express/internal (runtime/internal.ts), so that what it
// relies on is listed in one place, and it never reaches out of src/ by a relative path,
// which would break once the two are installed as separate packages.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";

const src = new URL("../../src/", import.meta.url);

test("src/ imports the runtime only through grpc-gateway-express/internal", () => {
  const runtimeImports: string[] = [];
  const escapes: string[] = [];
  for (const name of readdirSync(src)
    .filter((n) => n.endsWith(".ts"))
    .sort()) {
    const text = readFileSync(new URL(name, src), "utf8");
    for (const [, specifier] of text.matchAll(/from\s+"([^"]+)"/g)) {
      if (specifier!.startsWith("../")) escapes.push(`${name}: ${specifier}`);
      if (specifier!.startsWith("grpc-gateway-express")) runtimeImports.push(`${name}: ${specifier}`);
    }
  }
  assert.deepEqual(escapes, [], "src/ imports nothing outside itself by a relative path");
  assert.ok(runtimeImports.length > 0, "the plugin imports the runtime somewhere");
  assert.deepEqual(
    runtimeImports.filter((i) => !i.endsWith(": grpc-gateway-express/internal")),
    [],
  );
});
