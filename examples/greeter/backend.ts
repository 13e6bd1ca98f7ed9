// The Greeter gRPC backend: a plain grpc-js server built on ts-proto's generated code, so
// the gateway is proven against a server it did not generate. Run it alone with
// `tsx examples/greeter/backend.ts` (GREETER_PORT, default 50051).
import type * as grpc from "@grpc/grpc-js";
import { GreeterService, type GreeterServer } from "../backend-gen/greeter/v1/greeter.js";
import { isMain, portFromEnv, startGrpcServer, stopOnSignal, type RunningServer } from "../support/grpc-server.js";

/** greeter.v1.Greeter: says hello to whoever is named. */
export const greeterServer: GreeterServer = {
  sayHello(call, callback) {
    callback(null, { message: `Hello ${call.request.name}` });
  },
};

/** Adds greeter.v1.Greeter to a grpc-js server. */
export function addGreeterService(server: grpc.Server): void {
  server.addService(GreeterService, greeterServer);
}

/** Starts the Greeter backend, with server reflection, on 127.0.0.1:`port` (0: any free port). */
export function startGreeterBackend(port = 0): Promise<RunningServer> {
  return startGrpcServer("greeter/v1/greeter.proto", addGreeterService, port);
}

if (isMain(import.meta.url)) {
  const backend = await startGreeterBackend(portFromEnv("GREETER_PORT", 50051));
  console.log(`greeter.v1.Greeter listening on ${backend.address}`);
  console.log(`  grpcurl -plaintext -d '{"name":"world"}' ${backend.address} greeter.v1.Greeter/SayHello`);
  stopOnSignal(() => backend.close());
}
