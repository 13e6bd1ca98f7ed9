// The public surface of grpc-gateway-express/runtime: what generated code and apps import.
export { createGateway, type Gateway } from "./gateway.js";
export {
  dial,
  fromClient,
  inProcess,
  type Backend,
  type CallOptions,
  type InProcessContext,
  type ServiceImplementation,
  type UnaryResult,
} from "./backend.js";
export type { HttpRoute } from "./route.js";
export type { ErrorContext, ErrorHandler, GatewayOptions, ResponseContext, ResponseHook } from "./options.js";
export { GatewayError, type GatewayErrorInit } from "./errors.js";
export { httpStatusFromCode } from "./http-status.js";
export type { Marshaler } from "./marshaler.js";
export { createJsonMarshaler, type JsonMarshalerOptions } from "./json-marshaler.js";
export { defaultTypeRegistry } from "./error-body.js";
export {
  defaultIncomingHeaderMatcher,
  type IncomingHeaderMatcher,
  type MetadataAnnotator,
  type OutgoingHeaderMatcher,
} from "./metadata.js";
