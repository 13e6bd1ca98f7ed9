import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import express from "express";
import type { DescService } from "@bufbuild/protobuf";
import { createGateway, type GatewayOptions, type HttpRoute } from "grpc-gateway-express/runtime";
import { startRecordingBackend, type RecordingBackend } from "./recording-backend.js";
import { dialBackend } from "./dial-backend.js";

/** A service's generated routes, as the registering functions pass them on. */
export interface ServiceRoutes {
  readonly service: DescService;
  readonly routes: readonly HttpRoute[];
}

/** A recording gRPC backend behind a real Express app with a gateway in front. */
export interface Harness {
  readonly backend: RecordingBackend;
  readonly baseUrl: string;
  close(): Promise<void>;
}

/** Starts a recording backend and an Express app on 127.0.0.1 serving `services` through one gateway. */
export async function startHarness(services: ServiceRoutes[], options: GatewayOptions = {}): Promise<Harness> {
  const backend = await startRecordingBackend(services.map((s) => s.service));
  const channel = dialBackend(backend.address);
  const gateway = createGateway(options);
  for (const { service, routes } of services) gateway.register(service, routes, channel);
  const app = express();
  app.use(gateway);
  app.get("/after-gateway", (_req, res) => void res.send("express route"));
  const server = await listen(app);
  const { port } = server.address() as AddressInfo;
  return {
    backend,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      channel.close();
      await backend.close();
    },
  };
}

function listen(app: express.Express): Promise<Server> {
  return new Promise((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => resolve(server));
  });
}
