import { dial, type Backend } from "grpc-gateway-express/runtime";

/** The transport the backend-facing tests dial with: dial()'s default (node:http2) unless `GATEWAY_TEST_TRANSPORT=grpc-js`. */
export const testTransport: "grpc-js" | "http2" = process.env.GATEWAY_TEST_TRANSPORT === "grpc-js" ? "grpc-js" : "http2";

/** Dials a plaintext backend over the transport under test (or the one named); `close()` closes either. */
export function dialBackend(address: string, transport = testTransport): Backend & { close(): void } {
  return transport === "grpc-js" ? dial(address, { transport: "grpc-js" }) : dial(address);
}
