/**
 * `npm run bench:transport`: client CPU per unary call, grpc-js (`dial(address, { transport:
 * "grpc-js" })`) beside the lean node:http2 transport (`dial(address)`), in one process against one grpc-js server in a child
 * process, 50 calls in flight, in alternating batches so the machine's drift touches both
 * alike. A smoke figure, a few seconds long: process.cpuUsage of this process only.
 * TRANSPORT_AB=<dirA>,<dirB> compares `dial()` of two compiled builds of runtime/ instead
 * (directories inside the repo, as for bench:compare), each call given what the gateway
 * passes by default: a connect limit and a reply deadline.
 */
import { fork } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { create, fromBinary, toBinary, type Message } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { dial, type Backend, type CallOptions } from "grpc-gateway-express/runtime";
import { BenchService, GetItemRequestSchema, ItemSchema } from "./gen/bench/v1/bench_pb.js";

const method = BenchService.method.getItem;

if (process.argv[2] === "--server") {
  const server = new grpc.Server();
  server.register<Message, Message>(
    `/${BenchService.typeName}/${method.name}`,
    ((_call: unknown, callback: grpc.sendUnaryData<Message>) =>
      callback(null, create(ItemSchema, { id: "item-1", title: "a thing", priceCents: 1299n }))) as never,
    (m: Message) => Buffer.from(toBinary(ItemSchema, m as never)),
    (b: Buffer) => fromBinary(GetItemRequestSchema, b),
    "unary",
  );
  server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (_err, port) => process.send!(port));
} else {
  const child = fork(fileURLToPath(import.meta.url), ["--server"], { execArgv: process.execArgv });
  const port = await new Promise<number>((resolve) => child.once("message", (p) => resolve(p as number)));
  const address = `127.0.0.1:${port}`;
  type Runtime = typeof import("grpc-gateway-express/runtime");
  const builds = process.env.TRANSPORT_AB?.split(",");
  const transports: Array<[string, Backend & { close?: () => void }]> =
    builds === undefined
      ? [
          ["grpc-js", dial(address, { transport: "grpc-js" })],
          ["node:http2", dial(address)],
        ]
      : await Promise.all(
          builds.map(async (dir, i): Promise<[string, Backend]> => {
            const runtime = (await import(pathToFileURL(join(resolve(dir), "index.js")).href)) as Runtime;
            return [`${"AB"[i]} ${dir}`, runtime.dial(address)];
          }),
        );
  const request = create(GetItemRequestSchema, { id: "item-1" });
  // The gateway's own client-gone hook, a no-op here: no AbortSignal listener per call.
  const options: CallOptions = { metadata: new grpc.Metadata(), deadline: undefined, signal: new AbortController().signal, onClientGone: () => () => {} };
  // What the gateway adds by default (settings.ts): a 5 s connect limit, a 120 s reply deadline.
  const gatewayDefaults = builds !== undefined;
  const batch = Number(process.env.TRANSPORT_BATCH ?? 4000);
  const rounds = Number(process.env.TRANSPORT_ROUNDS ?? 4);

  async function run(backend: Backend, calls: number): Promise<number> {
    let left = calls;
    const start = process.cpuUsage();
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (left-- > 0) {
          const extra = gatewayDefaults ? { connectTimeoutMs: 5000, replyTimeoutMs: 120_000 } : {};
          await backend.unary(method, request, { ...options, ...extra, metadata: new grpc.Metadata() });
        }
      }),
    );
    const used = process.cpuUsage(start);
    return (used.user + used.system) / calls;
  }

  for (const [, backend] of transports) await run(backend, 500); // warm-up
  const results = new Map<string, number[]>(transports.map(([name]) => [name, []]));
  for (let round = 0; round < rounds; round++) for (const [name, backend] of transports) results.get(name)!.push(await run(backend, batch));
  for (const [name, figures] of results) {
    const sorted = [...figures].sort((a, b) => a - b);
    console.log(
      `${name.padEnd(12)} median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} µs CPU per call (rounds: ${figures.map((f) => f.toFixed(0)).join(", ")})`,
    );
  }
  for (const [, backend] of transports) {
    backend.close?.();
  }
  child.kill();
}
