/**
 * The gateway under test, mounted in Express as a user would: `dial <address>` sends
 * calls to the gRPC backend, `in-process` calls servers/implementation.ts directly.
 * BENCH_GATEWAY_RUNTIME=<dir> loads another build of runtime/ (bench/compare.ts);
 * BENCH_GATEWAY_OPTIONS=<json> passes gateway options (the hostile-client scenarios' limits).
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

const [mode, address] = process.argv.slice(2);
let backend: Backend;
if (mode === "dial" && address !== undefined) backend = dial(address);
else if (mode === "in-process") backend = inProcess(BenchService, benchImplementation);
else throw new Error("usage: gateway.ts dial <host:port> | in-process");

const gateway = createGateway(JSON.parse(process.env.BENCH_GATEWAY_OPTIONS ?? "{}"));
registerBenchServiceGateway(gateway, backend);
// The hostile-client scenarios' bidi route; in-process it answers 501, as unimplemented.
if (mode === "dial") registerWatchServiceGateway(gateway, backend);
const app = express();
app.use(gateway);
serveControl({ port: await listen(app, gateway.upgrade) });
