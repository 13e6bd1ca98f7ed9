/**
 * The gateway under test, as a user would run it: `dial <address>` sends calls to the gRPC
 * backend over `dial()`'s default, the lean node:http2 transport, `dial-grpc-js <address>`
 * over grpc-js, `in-process` calls servers/implementation.ts directly. Mounted with
 * `app.use(gateway)` in Express, or with `--front-door` first, in front of Express:
 * `http.createServer(gateway.fallback(app))`.
 * BENCH_GATEWAY_RUNTIME=<dir> loads another build of runtime/ (bench/compare.ts);
 * BENCH_GATEWAY_OPTIONS=<json> passes gateway options (the hostile-client scenarios' limits);
 * BENCH_TRANSPORT_ERRORS=1 prints the first transport failures' details on stderr.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import express from "express";
import type { Backend } from "grpc-gateway-express/runtime";
import { registerBenchServiceGateway } from "../gen/bench/v1/bench_gateway.js";
import { BenchService } from "../gen/bench/v1/bench_pb.js";
import { registerWatchServiceGateway } from "../gen/bench/v1/watch_gateway.js";
import { serveControl } from "../support/control.js";
import { benchImplementation } from "./implementation.js";
import { listen } from "./listen.js";

type Runtime = typeof import("grpc-gateway-express/runtime");
const runtimeDir = process.env.BENCH_GATEWAY_RUNTIME;
const { createGateway, dial, inProcess } = (
  runtimeDir === undefined ? await import("grpc-gateway-express/runtime") : await import(pathToFileURL(join(runtimeDir, "index.js")).href)
) as Runtime;

const args = process.argv.slice(2);
const frontDoor = args[0] === "--front-door";
const [mode, address] = frontDoor ? args.slice(1) : args;
let backend: Backend;
if (mode === "dial" && address !== undefined) backend = dial(address);
else if (mode === "dial-grpc-js" && address !== undefined) backend = dial(address, { transport: "grpc-js" });
else if (mode === "in-process") backend = inProcess(BenchService, benchImplementation);
else throw new Error("usage: gateway.ts [--front-door] dial <host:port> | dial-grpc-js <host:port> | in-process");

let transportErrors = 0;
const gateway = createGateway({
  ...JSON.parse(process.env.BENCH_GATEWAY_OPTIONS ?? "{}"),
  ...(process.env.BENCH_TRANSPORT_ERRORS === "1"
    ? {
        onTransportError: (error: Error, { detail }: { detail: string }) => {
          if (++transportErrors <= 5 || transportErrors % 1000 === 0)
            console.error(`gateway: transport error #${transportErrors}: ${error.message} (${detail})`);
        },
      }
    : {}),
});
registerBenchServiceGateway(gateway, backend);
// The hostile-client scenarios' bidi route; in-process it answers 501, as unimplemented.
if (mode !== "in-process") registerWatchServiceGateway(gateway, backend);
const app = express();
if (frontDoor) {
  serveControl({ port: await listen(gateway.fallback(app), gateway.upgrade) });
} else {
  app.use(gateway);
  serveControl({ port: await listen(app, gateway.upgrade) });
}
