import type { Schema } from "@bufbuild/protoplugin";
import type { FileBindings } from "../bindings.js";
import type { GatewayPluginOptions } from "../options.js";
import { openApiDocument, printDocument } from "./document.js";

/**
 * Writes the OpenAPI documents the `openapi*` options ask for: `<name>.openapi.json` (or
 * `.yaml`) beside each file with bound methods, or one merged document. Returns the
 * warnings: routes OpenAPI cannot tell apart, which are left out of the document.
 */
export function generateOpenApi(schema: Schema<GatewayPluginOptions>, files: readonly FileBindings[]): string[] {
  const { openapi } = schema.options;
  if (openapi.format === "") return [];
  const withServices = files.filter((file) => file.services.length > 0);
  const documents = openapi.merge
    ? withServices.length === 0
      ? []
      : [{ name: openapi.mergeFileName, title: "API", services: withServices.flatMap((f) => f.services) }]
    : withServices.map((f) => ({
        name: `${f.file.name}.openapi`,
        title: f.file.proto.package === "" ? f.file.name : f.file.proto.package,
        services: f.services,
      }));
  const warnings: string[] = [];
  for (const { name, title, services } of documents) {
    const { document, problems } = openApiDocument(title, services, openapi);
    warnings.push(...problems);
    schema.generateFile(`${name}.${openapi.format}`).print(printDocument(document, openapi.format));
  }
  return warnings;
}
