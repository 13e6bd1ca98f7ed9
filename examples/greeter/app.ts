// The Greeter REST API: the generated routes (GET /v1/greeter/{name}, POST /v1/greeter)
// served by the gateway in front of the gRPC backend at a given address.
// Run it alone with `tsx --conditions=source examples/greeter/app.ts` (PORT, default 8080;
// GREETER_ADDRESS, default 127.0.0.1:50051, where examples/greeter/backend.ts listens).
import type { Express } from "express";
import { createGateway, dial } from "grpc-gateway-express/runtime";
import { registerGreeterGateway } from "../gen/greeter/v1/greeter_gateway.js";
import { isMain, portFromEnv, stopOnSignal } from "../support/grpc-server.js";
import { createExampleApp, serveHttp } from "../support/http-app.js";

/** An Express app serving greeter.v1.Greeter as REST, calling the backend at `backendAddress`, plus `GET /ping`. */
export function createGreeterApp(backendAddress: string): Express {
  const gateway = createGateway();
  registerGreeterGateway(gateway, dial(backendAddress));
  return createExampleApp(gateway);
}

if (isMain(import.meta.url)) {
  const backendAddress = process.env["GREETER_ADDRESS"] ?? "127.0.0.1:50051";
  const server = await serveHttp(createGreeterApp(backendAddress), portFromEnv("PORT", 8080));
  console.log(`Greeter REST API on ${server.url}, backend ${backendAddress}`);
  console.log(`  curl ${server.url}/v1/greeter/world`);
  stopOnSignal(() => server.close());
}
