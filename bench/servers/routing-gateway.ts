/**
 * A gateway serving every route of a generated routing proto (scenarios/routing-proto.ts)
 * with in-process backends, so the figures move with the routing and nothing else.
 * Argument: the generated code's directory.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { DescService, Message } from "@bufbuild/protobuf";
import express from "express";
import { createGateway, inProcess, type HttpRoute, type ServiceImplementation } from "grpc-gateway-express/runtime";
import { serveControl } from "../support/control.js";
import { listen } from "./listen.js";

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: routing-gateway.ts <generated dir>");
const gateway = createGateway();
const count = await registerAll(gateway, dir);
const app = express();
app.use(gateway);
serveControl({ port: await listen(app), routes: count });

/** Registers every generated service on `gateway`; returns the number of routes. */
async function registerAll(target: ReturnType<typeof createGateway>, genDir: string): Promise<number> {
  const pb = (await import(pathToFileURL(join(genDir, "routing/v1/routing_pb.ts")).href)) as Record<string, unknown>;
  const gw = (await import(pathToFileURL(join(genDir, "routing/v1/routing_gateway.ts")).href)) as Record<string, unknown>;
  let routes = 0;
  for (const [name, value] of Object.entries(gw)) {
    if (!name.endsWith("Routes")) continue;
    const service = pb[name.slice(0, -"Routes".length)] as DescService;
    const implementation: ServiceImplementation<DescService> = {};
    const reply = (req: Message) => {
      const { id, locale } = req as unknown as { id: string; locale: string };
      return { id, locale };
    };
    for (const method of service.methods) implementation[method.localName] = reply;
    const list = value as readonly HttpRoute[];
    target.register(service, list, inProcess(service, implementation));
    routes += list.length;
  }
  return routes;
}
