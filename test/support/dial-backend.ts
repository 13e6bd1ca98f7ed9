import type * as grpc from "@grpc/grpc-js";
import { dial, dialHttp2, type Backend } from "grpc-gateway-express/runtime";

/** The transport the backend-facing tests dial with: grpc-js unless `GATEWAY_TEST_TRANSPORT=http2`. */
export const testTransport: "grpc-js" | "http2" = process.env.GATEWAY_TEST_TRANSPORT === "http2" ? "http2" : "grpc-js";

/**
 * Dials a plaintext backend over the transport under test (or the one named); `client.close()`
 * closes either, so a test reads the same whichever runs.
 */
export function dialBackend(address: string, transport = testTransport): Backend & { readonly client: Pick<grpc.Client, "close"> } {
  if (transport === "grpc-js") return dial(address);
  const backend = dialHttp2(address);
  return { unary: backend.unary, stream: backend.stream, client: { close: () => backend.close() } };
}
