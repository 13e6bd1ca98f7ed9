/**
 * `npm run bench:transport`: client CPU per unary call, grpc-js (`dial`) beside the lean
 * node:http2 transport (`dialHttp2`), in one process against one grpc-js server in a child
 * process, 50 calls in flight, in alternating batches so the machine's drift touches both
 * alike. A smoke figure, a few seconds long: process.cpuUsage of this process only.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { create, fromBinary, toBinary, type Message } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { dial, dialHttp2, type Backend, type CallOptions } from "grpc-gateway-express/runtime";
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
  const transports: Array<[string, Backend]> = [
    ["grpc-js", dial(address)],
    ["node:http2", dialHttp2(address)],
  ];
  const request = create(GetItemRequestSchema, { id: "item-1" });
  // The gateway's own client-gone hook, a no-op here: no AbortSignal listener per call.
  const options: CallOptions = { metadata: new grpc.Metadata(), deadline: undefined, signal: new AbortController().signal, onClientGone: () => () => {} };
  const batch = Number(process.env.TRANSPORT_BATCH ?? 4000);
  const rounds = Number(process.env.TRANSPORT_ROUNDS ?? 4);

  async function run(backend: Backend, calls: number): Promise<number> {
    let left = calls;
    const start = process.cpuUsage();
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (left-- > 0) await backend.unary(method, request, { ...options, metadata: new grpc.Metadata() });
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
  (transports[0]![1] as ReturnType<typeof dial>).client.close();
  (transports[1]![1] as ReturnType<typeof dialHttp2>).close();
  child.kill();
}
