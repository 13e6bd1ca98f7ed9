import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { it } from "node:test";
import { generatesCode } from "../../runtime/marshal/generated-code.js";

const flag = "--disallow-code-generation-from-strings";

/**
 * Tests that a codec's per-type generated code and its fallback (node refusing code made from
 * text) behave alike: the test file at `fileUrl` runs again in a node given the flag, where
 * every test of it must pass, and each run checks which path it took.
 */
export function alsoWithoutCodeGeneration(fileUrl: string): void {
  const refused = process.execArgv.includes(flag);
  it(refused ? "takes the loops where node refuses code made from text" : "generates code per message type", () => {
    assert.equal(generatesCode, !refused);
  });
  if (refused) return;
  it("passes every test of the file again where node refuses code made from text", () => {
    // A test runner's child reports to its parent in another form: this one is a run of its own.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const args = [flag, "--conditions=source", "--import", "tsx", "--test", "--test-reporter=tap", fileURLToPath(fileUrl)];
    const run = spawnSync(process.execPath, args, { encoding: "utf8", env, timeout: 120_000 });
    assert.equal(run.status, 0, `${run.stdout.slice(-3000)}\n${run.stderr.slice(-2000)}`);
    assert.match(run.stdout, /^# fail 0$/m);
    assert.match(run.stdout, /takes the loops where node refuses code made from text/);
  });
}
