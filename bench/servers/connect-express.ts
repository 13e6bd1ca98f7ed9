/**
 * connect-express serving servers/implementation.ts (the object the gateway's in-process
 * mode serves), answering the Connect protocol's JSON requests
 * (`POST /bench.v1.BenchService/<Method>`, `Content-Type: application/json`).
 */
import { expressConnectMiddleware } from "@connectrpc/connect-express";
import express from "express";
import { BenchService } from "../gen/bench/v1/bench_pb.js";
import { serveControl } from "../support/control.js";
import { benchImplementation } from "./implementation.js";
import { listen } from "./listen.js";

const app = express();
app.use(expressConnectMiddleware({ routes: (router) => void router.service(BenchService, benchImplementation) }));
serveControl({ port: await listen(app) });
