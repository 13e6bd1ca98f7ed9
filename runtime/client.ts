/**
 * The support code of generated REST clients (grpc-gateway-express/client): fetch and
 * WebSocket only, importing nothing but @bufbuild/protobuf, so that browsers can bundle it
 * without the gateway's server side (grpc-js, ws).
 */
export { createClientMethods, type ClientMethods } from "./client/client-methods.js";
export type { CallOptions, ClientOptions, WebSocketConstructor, WebSocketLike } from "./client/client-options.js";
export { GatewayClientError, type ClientErrorInit } from "./client/client-error.js";
export { compileRequestEncoder, RequestEncodingError, type ClientRoute, type EncodedRequest, type RequestEncoder } from "./client/request-encoding.js";
export { compileReplyDecoder, type ReplyDecoder } from "./client/reply-decoding.js";
export { Code } from "./gen/google/rpc/code_pb.js";
