import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startExecutable } from "../../bench/support/child.js";

// How the bench runs a server that is not a node child (the Go gateway): it announces
// itself on stdout, its CPU and memory come from /proc, and it ends with the harness.
// Node stands in for the Go binary, so the suite never needs Go.
describe("startExecutable", { skip: process.platform !== "linux" && "reads /proc" }, () => {
  // Spends 300 ms of CPU (not of wall time: the machine may be busy), then announces
  // itself and waits for stdin to close, as the Go gateway does with -exit-on-stdin-eof.
  const burner = `
    while (process.cpuUsage().user + process.cpuUsage().system < 300_000) {}
    console.log(JSON.stringify({ port: 4242 }));
    process.stdin.resume();
    process.stdin.on("end", () => process.exit(0));
  `;

  it("reads the first stdout line as its info and its CPU time from /proc, in microseconds", async () => {
    const child = await startExecutable<{ port: number }>("burner", { command: process.execPath, args: ["-e", burner] });
    try {
      assert.deepEqual(child.info, { port: 4242 });
      const stats = await child.stats();
      assert.ok(stats.cpuMicros >= 290_000, `cpuMicros ${stats.cpuMicros}`);
      assert.ok(stats.cpuMicros < 60_000_000, `cpuMicros ${stats.cpuMicros} is not in microseconds`);
      assert.ok(stats.maxRss >= stats.rss && stats.rss > 1024 * 1024, `rss ${stats.rss}, maxRss ${stats.maxRss}`);
      await assert.rejects(child.call("stats"), /takes no commands/);
    } finally {
      await child.stop();
    }
    assert.throws(() => process.kill(child.pid, 0), { code: "ESRCH" });
    await assert.rejects(child.stats(), { code: "ENOENT" });
  });

  it("refuses a program whose first line is not JSON, or that exits before announcing itself", async () => {
    await assert.rejects(
      startExecutable("chatty", { command: process.execPath, args: ["-e", "console.log('listening'); setTimeout(() => {}, 5000)"] }),
      /chatty announced "listening", not a JSON line/,
    );
    await assert.rejects(
      startExecutable("quitter", { command: process.execPath, args: ["-e", "process.exit(3)"] }),
      /quitter .* exited with 3 before it was ready/,
    );
    await assert.rejects(startExecutable("missing", { command: "./no-such-program" }), /missing: spawn .*ENOENT/);
  });
});
