// A recording backend in a child process, so a test can freeze it (SIGSTOP) as a hung
// machine would: the Everything service, or with the argument `streamer` the Streamer one
// (test/support/streamer-backend.ts). Prints `listening <address>`, then `call <n>` as each
// call arrives and `ended <n> cancelled|finished` as it ends.
import { Everything } from "../gen/testing/v1/everything_pb.js";
import { startRecordingBackend } from "./recording-backend.js";
import { startStreamerBackend } from "./streamer-backend.js";

const report = (n: number, cancelled: Promise<boolean>) => {
  process.stdout.write(`call ${n}\n`);
  void cancelled.then((c) => process.stdout.write(`ended ${n} ${c ? "cancelled" : "finished"}\n`));
};

if (process.argv[2] === "streamer") {
  let n = 0;
  const streamer = await startStreamerBackend((call) => report(++n, call.cancelled));
  process.stdout.write(`listening ${streamer.address}\n`);
} else {
  const backend = await startRecordingBackend([Everything]);
  backend.handle((call) => {
    report(backend.calls.length, call.cancelled);
    return { reply: call.request };
  });
  process.stdout.write(`listening ${backend.address}\n`);
}
