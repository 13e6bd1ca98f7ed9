import type { DescField, DescMessage, DescMethod } from "@bufbuild/protobuf";
import { parsePathTemplate, walkFieldPath } from "grpc-gateway-express/internal";
import type { Binding } from "../bindings.js";
import { docText } from "./comments.js";
import { annotate, type JsonSchema } from "./json-schema.js";
import { openApiPath, queryParameters } from "./parameters.js";
import type { SchemaSet } from "./schemas.js";

/** An OpenAPI operation object. */
export type Operation = { [key: string]: unknown };

/** The name under components.responses of the error answer every operation has. */
export const errorResponse = "Error";

const httpBody = "google.api.HttpBody";

/** One binding of a method as an OpenAPI operation, with the path it goes under. */
export function operationOf(
  method: DescMethod,
  binding: Binding,
  operationId: string,
  schemas: SchemaSet,
): { path: string; httpMethod: string; operation: Operation } {
  const template = parsePathTemplate(binding.path);
  const path = openApiPath(template, method.input, schemas, binding.repeatedPathSeparator ?? ",");
  const bodyField = binding.body !== undefined && binding.body !== "*" ? fieldAt(method.input, binding.body) : undefined;
  const bound = [...path.bound, ...(binding.body !== undefined && binding.body !== "*" ? [binding.body] : [])];
  // With body "*" every field comes from the body: the binder reads no query at all.
  const query = binding.body === "*" ? [] : queryParameters(method.input, bound, schemas);
  const doc = docText(method);
  const operation: Operation = annotate(
    { operationId, tags: [method.parent.name] },
    { summary: doc.summary, description: doc.description, deprecated: method.deprecated || undefined },
  );
  const parameters = [...path.parameters, ...query];
  if (parameters.length > 0) operation.parameters = parameters;
  if (binding.body !== undefined) operation.requestBody = requestBody(method, bodyField, schemas);
  operation.responses = {
    [String(binding.successStatus ?? 200)]: declaredSuccess(method, binding, schemas),
    default: { $ref: `#/components/responses/${errorResponse}` },
  };
  operation["x-grpc-method"] = `/${method.parent.typeName}/${method.name}`;
  if (method.methodKind !== "unary") operation["x-grpc-streaming"] = method.methodKind.replace("_streaming", "");
  return { path: path.path, httpMethod: binding.httpMethod.toLowerCase(), operation };
}

function fieldAt(root: DescMessage, dotted: string): DescField {
  const { fields } = walkFieldPath(root, dotted.split("."));
  return fields[fields.length - 1]!;
}

function isHttpBody(desc: DescMessage | undefined): boolean {
  return desc?.typeName === httpBody;
}

// HttpBody's data as it is, in whatever type its content_type names.
const rawContent = { "*/*": { schema: { description: "The google.api.HttpBody's data, as its content_type says." } } };

function requestBody(method: DescMethod, bodyField: DescField | undefined, schemas: SchemaSet): JsonSchema {
  const streaming = method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming";
  const message = bodyField === undefined ? method.input : bodyField.fieldKind === "message" ? bodyField.message : undefined;
  if (isHttpBody(message)) return { required: true, content: rawContent };
  const schema = bodyField === undefined ? schemas.message(method.input) : schemas.field(bodyField);
  const description = streaming
    ? "A stream of request messages: any sequence of JSON values (one per line, or concatenated); a WebSocket upgrade on the same path streams both ways."
    : undefined;
  return annotate({ required: bodyField === undefined, content: { "application/json": { schema } } }, { description });
}

// The success answer with what (grpc_gateway_express.success) adds: its status (204 and 205 without content) and headers.
function declaredSuccess(method: DescMethod, binding: Binding, schemas: SchemaSet): JsonSchema {
  const response = successResponse(method, binding, schemas);
  if (binding.successStatus === 204 || binding.successStatus === 205) {
    delete response.content;
    response.description = "No content";
  }
  if (binding.successHeaders !== undefined) {
    response.headers = Object.fromEntries(
      binding.successHeaders.map(({ name, value }) => [
        name,
        { required: true, description: `\`${value}\`, filled from the reply.`, schema: { type: "string" } },
      ]),
    );
  }
  return response;
}

function successResponse(method: DescMethod, binding: Binding, schemas: SchemaSet): JsonSchema {
  const replyField = binding.responseBody !== undefined ? fieldAt(method.output, binding.responseBody) : undefined;
  const message = replyField === undefined ? method.output : replyField.fieldKind === "message" ? replyField.message : undefined;
  if (isHttpBody(message)) return { description: "The reply's google.api.HttpBody: its data with its content type.", content: rawContent };
  const schema = replyField === undefined ? schemas.message(method.output) : schemas.field(replyField);
  if (method.methodKind !== "server_streaming" && method.methodKind !== "bidi_streaming") {
    return { description: "OK", content: { "application/json": { schema } } };
  }
  const status = schemas.status();
  const errorLine = { type: "object", properties: { error: status }, required: ["error"] };
  return {
    description:
      "A stream of replies, framed by Accept: `application/x-ndjson` one reply per line, `text/event-stream` one `data:` event per reply, " +
      'otherwise one `{"result": reply}` object per line. A failure after the stream began ends it with `{"error": status}` ' +
      "(an `error` event carrying the status for server-sent events). Each schema here is that of one line, or of one event's data.",
    content: {
      "application/json": { schema: { oneOf: [{ type: "object", properties: { result: schema }, required: ["result"] }, errorLine] } },
      "application/x-ndjson": { schema: { oneOf: [schema, errorLine] } },
      "text/event-stream": {
        schema: {
          anyOf: [schema, status],
          description: "The data of each event: a reply for a message event, google.rpc.Status for the `error` event that ends a failed stream.",
        },
      },
    },
  };
}
