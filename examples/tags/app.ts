// The TagService REST API (GET /api/v1/tags) with a custom error handler: a failure whose
// details carry a tag.v1.Error is answered the way the Go tutorial's clients expect,
// `{"code":20010001,"message":"获取标签列表失败"}`, instead of the google.rpc.Status body.
// Run it alone with `tsx --conditions=source examples/tags/app.ts` (PORT, default 8080;
// TAGS_ADDRESS, default 127.0.0.1:50052, where examples/tags/backend.ts listens).
import { createRegistry } from "@bufbuild/protobuf";
import { anyIs, anyUnpack } from "@bufbuild/protobuf/wkt";
import type { Express } from "express";
import { createGateway, dial, type ErrorHandler, type GatewayError, type GatewayOptions } from "grpc-gateway-express/runtime";
import { registerTagServiceGateway } from "../gen/tag/v1/tag_gateway.js";
import { ErrorSchema, type Error as TagError } from "../gen/tag/v1/tag_pb.js";
import { isMain, portFromEnv, stopOnSignal } from "../support/grpc-server.js";
import { createExampleApp, serveHttp } from "../support/http-app.js";

/**
 * Answers HTTP 500 with the business error's own `{code, message}` when the status
 * details carry a tag.v1.Error; any other failure gets the gateway's default response.
 */
export const tagErrorHandler: ErrorHandler = (error, { res, writeDefault }) => {
  const business = businessErrorOf(error);
  if (business === undefined) return writeDefault();
  const body = JSON.stringify({ code: business.code, message: business.message });
  res.writeHead(500, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
};

function businessErrorOf(error: GatewayError): TagError | undefined {
  const detail = error.details.find((any) => anyIs(any, ErrorSchema));
  if (detail === undefined) return undefined;
  try {
    return anyUnpack(detail, ErrorSchema);
  } catch {
    // Undecodable detail bytes: the default body still reports the status itself.
    return undefined;
  }
}

/** Gateway options for TagService: the error handler, and tag.v1.Error known to default error bodies. */
export const tagGatewayOptions: GatewayOptions = {
  errorHandler: tagErrorHandler,
  typeRegistry: createRegistry(ErrorSchema),
};

/** An Express app serving tag.v1.TagService as REST, calling the backend at `backendAddress`, plus `GET /ping`. */
export function createTagsApp(backendAddress: string): Express {
  const gateway = createGateway(tagGatewayOptions);
  registerTagServiceGateway(gateway, dial(backendAddress));
  return createExampleApp(gateway);
}

if (isMain(import.meta.url)) {
  const backendAddress = process.env["TAGS_ADDRESS"] ?? "127.0.0.1:50052";
  const server = await serveHttp(createTagsApp(backendAddress), portFromEnv("PORT", 8080));
  console.log(`TagService REST API on ${server.url}, backend ${backendAddress}`);
  console.log(`  curl '${server.url}/api/v1/tags?name=go&state=1'`);
  stopOnSignal(() => server.close());
}
