// Every backend-facing e2e file again, dialing through grpc-js (`dial(address, { transport: "grpc-js" })`)
// (test/support/dial-backend.ts picks it from GATEWAY_TEST_TRANSPORT).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";

const files = ["backends", "backend-faults", "streaming", "robustness", "protobuf", "websocket"].map((name) => `test/e2e/${name}.test.ts`);

test("the backend e2e tests pass over grpc-js", { timeout: 240_000 }, () => {
  // Without NODE_TEST_CONTEXT the child runs as a test runner of its own, not as a subtest of this one.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const run = spawnSync(process.execPath, ["--conditions=source", "--import", "tsx", "--test", "--test-reporter=dot", ...files], {
    env: { ...env, GATEWAY_TEST_TRANSPORT: "grpc-js" },
    encoding: "utf8",
    timeout: 230_000,
  });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`.slice(-4000));
});
