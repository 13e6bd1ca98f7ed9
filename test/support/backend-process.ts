// A recording Everything backend in a child process, so a test can freeze it (SIGSTOP) as a
// hung machine would. Prints `listening <address>`, then `call <n>` as each call arrives and
// `ended <n> cancelled|finished` as it ends.
import { Everything } from "../gen/testing/v1/everything_pb.js";
import { startRecordingBackend } from "./recording-backend.js";

const backend = await startRecordingBackend([Everything]);
backend.handle((call) => {
  const n = backend.calls.length;
  process.stdout.write(`call ${n}\n`);
  void call.cancelled.then((cancelled) => process.stdout.write(`ended ${n} ${cancelled ? "cancelled" : "finished"}\n`));
  return { reply: call.request };
});
process.stdout.write(`listening ${backend.address}\n`);
