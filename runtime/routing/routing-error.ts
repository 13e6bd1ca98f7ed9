import { STATUS_CODES } from "node:http";
import { Code } from "../gen/google/rpc/code_pb.js";
import { GatewayError } from "../gateway-error.js";

/** Why a request found no route. */
export type RoutingFailure =
  | { readonly kind: "not-found" }
  | { readonly kind: "method-not-allowed"; readonly allow: readonly string[] }
  | { readonly kind: "bad-path"; readonly message: string };

/**
 * The status for a routing failure. By default the message says what went wrong with
 * this request, and a wrong method is 405 with `Allow`; in grpc-gateway compat mode the
 * status is exactly what grpc-gateway's DefaultRoutingErrorHandler sends (the HTTP reason
 * phrase as message, 501 for a wrong method), so clients matching on it keep working.
 */
export function routingError(failure: RoutingFailure, method: string, path: string, compat: boolean): GatewayError {
  switch (failure.kind) {
    case "not-found":
      return new GatewayError(Code.NOT_FOUND, compat ? STATUS_CODES[404]! : `no route for ${method} ${path}`, { httpStatus: 404 });
    case "method-not-allowed":
      if (compat) return new GatewayError(Code.UNIMPLEMENTED, STATUS_CODES[405]!, { httpStatus: 501 });
      return new GatewayError(Code.UNIMPLEMENTED, `method ${method} is not allowed for ${path}`, {
        httpStatus: 405,
        headers: { Allow: failure.allow.join(", ") },
      });
    case "bad-path":
      return new GatewayError(Code.INVALID_ARGUMENT, compat ? STATUS_CODES[400]! : failure.message, { httpStatus: 400 });
  }
}
