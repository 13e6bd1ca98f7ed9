// The generated OpenAPI documents, for the tests that check them and check responses against them.
import { readFileSync } from "node:fs";
import { parse } from "yaml";

const root = new URL("../..", import.meta.url);

/** Every committed document: the examples' (JSON, one per proto file, and all three merged for the docs page) and the test protos' (YAML, merged). */
export const documentPaths = [
  "examples/gen/greeter/v1/greeter.openapi.json",
  "examples/gen/tag/v1/tag.openapi.json",
  "examples/gen/aihub/chathub.openapi.json",
  "examples/gen/openapi.json",
  "test/gen/openapi.yaml",
  "test/options/gen/testing/options/v1/options.openapi.json",
];

/** A generated document, parsed. */
export function loadDocument(path: string): OpenApiDocument {
  const text = readFileSync(new URL(path, root), "utf8");
  return (path.endsWith(".yaml") ? parse(text) : JSON.parse(text)) as OpenApiDocument;
}

/** The parts of an OpenAPI document the tests read. */
export interface OpenApiDocument {
  openapi: string;
  tags: { name: string; "x-grpc-service": string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, OpenApiResponse> };
}

export interface OpenApiOperation {
  operationId: string;
  parameters?: { name: string; in: string; schema?: { pattern?: string } }[];
  responses: Record<string, OpenApiResponse | { $ref: string }>;
  "x-grpc-method": string;
  "x-grpc-streaming"?: string;
}

export interface OpenApiResponse {
  description: string;
  headers?: Record<string, unknown>;
  content?: Record<string, { schema: unknown }>;
}
