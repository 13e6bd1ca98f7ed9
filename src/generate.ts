import type { Schema } from "@bufbuild/protoplugin";
import { bindFile } from "./bindings.js";
import type { GatewayPluginOptions } from "./options.js";
import { printService } from "./print-service.js";

/**
 * Generates `<name>_gateway.ts` beside protoc-gen-es's `<name>_pb.ts` for every file with
 * a bound method. Validates all files before printing any, and fails with every problem
 * found, one per line.
 */
export function generateTs(schema: Schema<GatewayPluginOptions>): void {
  const files = schema.files.map((file) => bindFile(file, schema.options));
  const problems = files.flatMap((file) => file.problems);
  if (problems.length > 0) {
    throw new Error(problems.join("\n"));
  }
  for (const { file, services } of files) {
    if (services.length === 0) {
      continue;
    }
    const f = schema.generateFile(`${file.name}_gateway.ts`);
    f.preamble(file);
    for (const [index, service] of services.entries()) {
      if (index > 0) {
        f.print();
      }
      printService(f, service, schema.options.runtimeImport);
    }
  }
}
