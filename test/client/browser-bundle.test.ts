// The client's support code is for browsers as much as for Node: bundled for the browser
// it pulls in nothing but its own modules and @bufbuild/protobuf (never grpc-js, ws or a
// Node built-in), so a page ships the client without the gateway's server side.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { build } from "esbuild";

const repo = fileURLToPath(new URL("../../", import.meta.url));

async function browserInputs(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [new URL(entry, new URL("../../", import.meta.url)).pathname],
    absWorkingDir: repo,
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    conditions: ["source"],
    metafile: true,
    logLevel: "silent",
  });
  return Object.keys(result.metafile.inputs);
}

for (const entry of ["runtime/client.ts", "examples/gen/aihub/chathub_client.ts"]) {
  test(`${entry} bundles for the browser from itself and @bufbuild/protobuf alone`, async () => {
    const inputs = await browserInputs(entry);
    const foreign = inputs.filter((input) => input.includes("node_modules/") && !input.includes("node_modules/@bufbuild/protobuf/"));
    assert.deepEqual(foreign, []);
    const serverSide = inputs.filter((input) =>
      /^runtime\/(?!client\/|client\.ts|binding\/field-text\.ts|base64\.ts|http-status\.ts|routing\/path-template\.ts|routing\/percent-encoding\.ts|gen\/)/.test(
        input,
      ),
    );
    assert.deepEqual(serverSide, [], "runtime modules beyond the client's own and the dependency-free rules it shares");
  });
}
