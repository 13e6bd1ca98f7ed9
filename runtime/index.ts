// The public surface of grpc-gateway-express/runtime: what generated code and apps import.
export { createGateway, type Gateway } from "./gateway.js";
export { attachWebSockets } from "./protocol-websocket/serve-websocket.js";
export type { Backend, BackendStream, CallOptions, UnaryResult } from "./backend/backend.js";
export { dial, type DialOptions, type GrpcJsDialOptions } from "./backend/dial.js";
export { fromClient, type GrpcJsBackend } from "./backend/grpc-js.js";
export type { Http2Backend } from "./backend/http2/dial.js";
export type { Http2BackendOptions, Http2TlsOptions } from "./backend/http2/options.js";
export { inProcess, type InProcessContext, type ServiceImplementation } from "./backend/in-process.js";
export type { HttpRoute } from "./route.js";
export type { Unescaping } from "./routing/router.js";
export type {
  ErrorContext,
  ErrorHandler,
  GatewayOptions,
  ResponseContext,
  ResponseHook,
  ResponseRewriter,
  RewriteContext,
  StreamErrorContext,
  StreamErrorHandler,
  TransportErrorContext,
  TransportErrorHook,
} from "./options.js";
export { GatewayError, type GatewayErrorInit } from "./gateway-error.js";
export { Code } from "./gen/google/rpc/code_pb.js";
export { httpStatusFromCode } from "./http-status.js";
export type { Marshaler } from "./marshal/marshaler.js";
export { createJsonMarshaler, type JsonMarshalerOptions } from "./marshal/json/marshaler.js";
export { createProtobufMarshaler, type ProtobufMarshalerOptions } from "./marshal/protobuf-marshaler.js";
export { defaultTypeRegistry } from "./protocol/error-body.js";
export { defaultIncomingHeaderMatcher, type IncomingHeaderMatcher, type MetadataAnnotator } from "./protocol/request-metadata.js";
export type { TrustProxy } from "./protocol/trusted-proxy.js";
export type { OutgoingHeaderMatcher } from "./protocol-http/response-metadata.js";
