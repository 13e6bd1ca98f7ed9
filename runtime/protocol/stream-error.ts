import { Code } from "../gen/google/rpc/code_pb.js";
import { GatewayError } from "../gateway-error.js";
import type { Call } from "./call.js";
import { errorBodyFromError } from "./error-body.js";

/**
 * The status JSON a stream ends with, after the user's stream error hook had its say.
 * Whatever the hook does (throw, return something that is not a GatewayError) the stream
 * still ends with a well-formed status, never an exception that would escape.
 */
export async function streamErrorJson(call: Call, error: GatewayError): Promise<{ status: GatewayError; json: string }> {
  const { req, route, settings } = call;
  let shown = error;
  if (settings.streamErrorHandler !== undefined) {
    try {
      const decided: unknown = await settings.streamErrorHandler(error, { req, route });
      shown = decided instanceof GatewayError ? decided : new GatewayError(Code.INTERNAL, "stream error handler returned no GatewayError");
    } catch (hookFailure) {
      shown = new GatewayError(Code.INTERNAL, "stream error handler failed", { cause: hookFailure });
    }
  }
  return { status: shown, json: JSON.stringify(errorBodyFromError(shown, settings.errorBody)) };
}

/**
 * The status JSON wrapped as the last message of a stream, `{"error": <status>}`: grpc-gateway's
 * framing, shared by the HTTP stream lines and the WebSocket's last text frame.
 */
export function errorEnvelope(statusJson: string): string {
  return `{"error":${statusJson}}`;
}
