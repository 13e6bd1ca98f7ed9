import type { IncomingMessage } from "node:http";
import { Code } from "../gen/google/rpc/code_pb.js";
import { errorBodyFromError } from "./error-body.js";
import { GatewayError } from "../gateway-error.js";
import type { HttpRoute } from "../route.js";
import type { GatewaySettings } from "../settings.js";

/**
 * The status JSON a stream ends with, after the user's stream error hook had its say.
 * Whatever the hook does (throw, return something that is not a GatewayError) the stream
 * still ends with a well-formed status, never an exception that would escape.
 */
export async function streamErrorJson(error: GatewayError, req: IncomingMessage, route: HttpRoute, settings: GatewaySettings): Promise<{ status: GatewayError; json: string }> {
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
